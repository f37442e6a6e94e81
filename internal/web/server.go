package web

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"html/template"
	"log/slog"
	"maps"
	"net/http"
	"sync"
	"time"

	flexrecon "github.com/flexcharge/flexrecon"
	"github.com/flexcharge/flexrecon/internal/recon"
	"github.com/flexcharge/flexrecon/internal/store"
	"github.com/flexcharge/flexrecon/jobs"
	"github.com/flexcharge/flexrecon/reports"
)

// Chain is what the pages need of the reconciliation chain.
type Chain interface {
	Queue(ctx context.Context, req jobs.Request) (store.Run, error)
	Run(ctx context.Context, rec store.Run, req jobs.Request) (store.Run, error)
	KnowsMerchant(id string) bool
	CompareRuns(ctx context.Context, after, before int64, perKind int) (jobs.RunDiff, error)
}

// User is someone who may sign in.
type User struct {
	Name, Role   string
	PasswordHash []byte // bcrypt
}

// WebhookKey is a FlexCharge subscriber key and the environment whose
// deliveries it signs.
type WebhookKey struct {
	Environment string
	Key         []byte
}

// Options wire the handler.
type Options struct {
	DB          *store.DB
	Chain       Chain
	Reports     []reports.Definition
	Location    *time.Location
	Users       []User
	SessionKey  []byte // signs session cookies; empty: a random one
	Secure      bool   // cookies Secure even without TLS here (a proxy ends it)
	WebhookKeys []WebhookKey
	Logger      *slog.Logger
	Metrics     *Metrics
	Now         func() time.Time
	Nightly     string // the nightly run's time, HH:MM in Location ("" midnight): the health page says when it is behind
	// SourceFolders are the ledger sources' local folders, which a run's
	// error shown on the pages and the API may name (pathCutter); every
	// other directory of the server is cut from it.
	SourceFolders []string
}

// Server serves the pages, the API, the webhook receiver and the health
// endpoints. Close it to end or abort runs it started.
type Server struct {
	opts     Options
	cutter   pathCutter
	pages    *template.Template
	handler  http.Handler
	users    map[string]User
	key      []byte
	ended    *endedSessions
	throttle *throttle
	slots    slotter
	accepted *acceptedLogins
	forms    *formTokens
	// idempotent are the POST /api/runs Idempotency-Keys that started a run.
	idempotent *formTokens
	// dummyHash is what a name no user has is checked against (dummyHash).
	dummyHash []byte
	renders   chan struct{} // a download's turn to render (maxRenders)
	checking  chan struct{} // a password check's turn (maxChecks)
	due       func(now time.Time) time.Time
	started   time.Time // when New made the server: nights fire from then on

	base   context.Context // runs started from the pages live until Close
	cancel context.CancelCauseFunc
	mu     sync.Mutex // orders starting a run against Close
	wg     sync.WaitGroup
}

// New parses the templates once; a missing one is a start-up error.
func New(opts Options) (*Server, error) {
	cutter := pathCutter{keep: opts.SourceFolders}
	pages, err := template.New("").Funcs(funcs(opts.Location, cutter)).ParseFS(flexrecon.Templates(), "*.html")
	if err != nil {
		return nil, err
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Metrics == nil {
		opts.Metrics = NewMetrics()
		if err := opts.Metrics.seed(context.Background(), opts.DB); err != nil {
			return nil, err
		}
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	s := &Server{opts: opts, cutter: cutter, pages: pages, users: map[string]User{}, started: opts.Now()}
	for _, u := range opts.Users {
		s.users[u.Name] = u
	}
	if s.key, err = sessionKey(opts.SessionKey); err != nil {
		return nil, err
	}
	if s.ended, err = loadEndedSessions(opts.DB, opts.Now); err != nil {
		return nil, err
	}
	s.throttle = newThrottle(opts.Now)
	s.slots = newSlotter(maps.Keys(s.users))
	s.accepted = newAcceptedLogins(opts.Now)
	s.forms = newFormTokens(opts.Now, formTokenLife)
	s.idempotent = newFormTokens(opts.Now, idempotencyKeyLife)
	s.dummyHash = dummyHash(s.users)
	s.renders, s.checking = make(chan struct{}, maxRenders), make(chan struct{}, maxChecks)
	if s.due, err = jobs.NightlyDue(jobs.Schedule{Nightly: cmp.Or(opts.Nightly, "00:00"), Location: opts.Location}); err != nil {
		return nil, err
	}
	s.base, s.cancel = context.WithCancelCause(context.Background())
	s.handler = s.routes()
	return s, nil
}

// ServeHTTP routes a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// errShutdown is why a run the service stopped did not finish.
var errShutdown = errors.New("the service shut down")

// Close cancels runs started from the pages and waits until each has
// recorded how it ended, so a shutdown never leaves a run "running".
func (s *Server) Close() {
	s.mu.Lock()
	s.cancel(errShutdown)
	s.mu.Unlock()
	s.wg.Wait()
}

// routes declares every route in one place.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", s.need(roleFinance, s.opts.Metrics.Handler().ServeHTTP))
	mux.HandleFunc("POST /webhooks/flexcharge", s.webhook)
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.logout)

	mux.Handle("GET /{$}", s.need(roleFinance, s.runsPage))
	mux.Handle("GET /runs/{id}", s.need(roleFinance, s.runPage))
	mux.Handle("GET /runs/{id}/workbook.xlsx", s.need(roleFinance, s.downloadWorkbook))
	mux.Handle("GET /runs/{id}/csv/{report}", s.need(roleFinance, s.downloadCSV))
	mux.Handle("GET /merchants", s.need(roleFinance, s.merchantsPage))
	mux.Handle("GET /audit", s.need(roleFinance, s.auditPage))
	mux.Handle("GET /health", s.need(roleFinance, s.healthPage))
	mux.Handle("GET /api/runs", s.need(roleFinance, s.apiRuns))
	mux.Handle("GET /api/runs/{id}", s.need(roleFinance, s.apiRun))
	mux.Handle("GET /api/runs/{id}/diff", s.need(roleFinance, s.apiRunDiff))
	mux.Handle("GET /api/explain", s.need(roleFinance, s.apiExplain))
	// The downloads again under /api/, where a program signs in with basic
	// auth: a finance script fetches the morning's workbook from workbook_url.
	mux.Handle("GET /api/runs/{id}/workbook.xlsx", s.need(roleFinance, s.downloadWorkbook))
	mux.Handle("GET /api/runs/{id}/csv/{report}", s.need(roleFinance, s.downloadCSV))
	mux.Handle("POST /runs", s.need(roleOps, s.startRunForm))
	mux.Handle("POST /api/runs", s.need(roleOps, s.apiStartRun))
	mux.Handle("POST /merchants/{id}/switches", s.need(roleOps, s.changeSwitch))
	mux.Handle("GET /api/switches", s.need(roleFinance, s.apiSwitches))
	mux.Handle("POST /api/switches", s.need(roleOps, s.apiChangeSwitch))

	// Every change is refused when a browser says it comes from another
	// site; webhooks carry their own signatures and no browser sends them.
	cop := http.NewCrossOriginProtection()
	cop.AddInsecureBypassPattern("POST /webhooks/flexcharge")
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, http.StatusForbidden, "cross-origin request refused")
	}))
	return s.logRequests(cop.Handler(unroutedAPI(mux)))
}

// render executes into a buffer first, so a template error never sends half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, data any) {
	var b bytes.Buffer
	if err := s.pages.ExecuteTemplate(&b, name, data); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	b.WriteTo(w)
}

// fail logs err and answers a bare 500: what went wrong is ours to read,
// in the log, not the client's.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	s.opts.Logger.Error("request failed", "err", err)
	writeError(w, r, http.StatusInternalServerError, "internal error")
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) }

// readyz answers ready once the database answers.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if _, err := s.opts.DB.Runs(r.Context(), 1); err != nil {
		http.Error(w, "database not ready", http.StatusServiceUnavailable)
		return
	}
	w.Write([]byte("ready\n"))
}

func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		next.ServeHTTP(sw, r)
		s.opts.Logger.Info("request", "method", r.Method, "path", r.URL.Path, "status", sw.status, "ms", time.Since(start).Milliseconds())
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// funcs are the templates' helpers. Times show in the partner's zone, the
// one the switch form's local times are read in, with its offset, as the
// command line and the workbook show them (recon.TimeLayout); an
// error or a stage's detail shows without the server's directories.
func funcs(loc *time.Location, cutter pathCutter) template.FuncMap {
	if loc == nil {
		loc = time.UTC
	}
	return template.FuncMap{
		"day":   func(t time.Time) string { return t.Format(time.DateOnly) },
		"when":  func(t time.Time) string { return recon.LocalTime(t, loc) },
		"zone":  func() string { return loc.String() },
		"shown": cutter.cut,
	}
}
