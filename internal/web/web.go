package web

import (
	"bytes"
	"context"
	"html/template"
	"log/slog"
	"net/http"

	flexrecon "github.com/flexcharge/flexrecon"
	"github.com/flexcharge/flexrecon/internal/store"
)

// Runs is what the pages need of the database.
type Runs interface {
	Runs(ctx context.Context, limit int) ([]store.Run, error)
}

// Options wire the handler.
type Options struct {
	DB     Runs
	Logger *slog.Logger
}

// Server serves the pages.
type Server struct {
	opts  Options
	pages *template.Template
	mux   *http.ServeMux
}

// New parses the templates once; a missing one is a start-up error.
func New(opts Options) (*Server, error) {
	pages, err := template.ParseFS(flexrecon.Templates(), "*.html")
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, pages: pages, mux: http.NewServeMux()}
	s.mux.HandleFunc("GET /{$}", s.runs)
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) })
	return s, nil
}

// ServeHTTP routes a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Server) runs(w http.ResponseWriter, r *http.Request) {
	runs, err := s.opts.DB.Runs(r.Context(), 50)
	if err != nil {
		s.fail(w, err)
		return
	}
	s.render(w, "runs", runs)
}

// render executes into a buffer first, so a template error never sends half a page.
func (s *Server) render(w http.ResponseWriter, name string, data any) {
	var b bytes.Buffer
	if err := s.pages.ExecuteTemplate(&b, name, data); err != nil {
		s.fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	b.WriteTo(w)
}

func (s *Server) fail(w http.ResponseWriter, err error) {
	s.opts.Logger.Error("page failed", "err", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}
