package web

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/flexcharge/flexrecon/internal/store"
	"github.com/flexcharge/flexrecon/jobs"
	"github.com/flexcharge/flexrecon/reports"
)

// maxRenders bounds the downloads rendered at once. Rendering a million
// rows' workbook holds some 400 MB, and a morning's finance team opening
// one run must not take the service's memory several times over; more wait
// their turn.
const maxRenders = 2

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// publishedRunOf is the request's run if it succeeded: a run under way has
// no totals yet, and one that failed (its tie-out, say) must not publish.
func (s *Server) publishedRunOf(w http.ResponseWriter, r *http.Request) (store.Run, bool) {
	run, ok := s.runOf(w, r)
	if ok && run.Status != "succeeded" {
		writeError(w, r, http.StatusConflict, fmt.Sprintf("run %d is %s: only a succeeded run's reports are published", run.ID, run.Status))
		return run, false
	}
	return run, ok
}

// downloadWorkbook serves the workbook the run wrote, from its file, which
// costs no rendering but a read to check it; one whose file is gone (its
// folder cleaned out), is not of the run's merchants, or is no longer the
// file the run wrote, is rendered again.
func (s *Server) downloadWorkbook(w http.ResponseWriter, r *http.Request) {
	run, ok := s.publishedRunOf(w, r)
	if !ok {
		return
	}
	name, what := jobs.WorkbookName(run.ID, run.Merchant), fmt.Sprintf("run %d workbook", run.ID)
	f, err := openWorkbook(run)
	if err == nil {
		defer f.Close()
		s.audit(r, userOf(r).Name, "download", what)
		serve(w, r, f, name, xlsxType)
		return
	}
	s.opts.Logger.Warn("workbook file not served: rendering it again", "run", run.ID, "reason", err)
	s.serveRendered(w, r, name, xlsxType, what, func(out io.Writer) error {
		opt := reports.Options{Location: s.opts.Location}
		return reports.WriteWorkbook(r.Context(), out, jobs.ReportSource{DB: s.opts.DB}, s.opts.Reports, opt, run.ID, run.Merchant)
	})
}

// openWorkbook opens the workbook file run wrote, if it is the one for the
// run's merchant and still as the run wrote it (jobs.CheckWorkbook): a
// merchant's run recorded before its workbook was its merchant's alone
// wrote every merchant's, which must not be served as the one to send that
// merchant.
func openWorkbook(run store.Run) (*os.File, error) {
	if filepath.Base(run.Workbook) != jobs.WorkbookName(run.ID, run.Merchant) {
		return nil, fmt.Errorf("run %d's workbook %q is not its merchant's", run.ID, run.Workbook)
	}
	f, err := os.Open(run.Workbook)
	if err != nil {
		return nil, err
	}
	if err := jobs.CheckWorkbook(f, run); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// utf8BOM starts a CSV asked for Excel (?excel=1): without it, Excel on
// Windows reads the file in the system's code page and garbles non-ASCII
// site names and descriptors. Programs reading CSV take a BOM as part of the
// first column's name, so a CSV is sent without one unless asked.
const utf8BOM = "\ufeff"

// downloadCSV serves a report as CSV, with a BOM for Excel when ?excel=1.
func (s *Server) downloadCSV(w http.ResponseWriter, r *http.Request) {
	run, ok := s.publishedRunOf(w, r)
	if !ok {
		return
	}
	name := r.PathValue("report")
	for _, d := range s.opts.Reports {
		if d.Name != name {
			continue
		}
		excel := r.URL.Query().Get("excel") == "1"
		s.serveRendered(w, r, fmt.Sprintf("flexrecon-run-%d-%s.csv", run.ID, name), "text/csv; charset=utf-8",
			fmt.Sprintf("run %d %s.csv", run.ID, name), func(out io.Writer) error {
				if excel {
					if _, err := io.WriteString(out, utf8BOM); err != nil {
						return err
					}
				}
				return reports.WriteCSV(r.Context(), out, jobs.ReportSource{DB: s.opts.DB}, d, reports.Options{Location: s.opts.Location}, run.ID, run.Merchant)
			})
		return
	}
	writeError(w, r, http.StatusNotFound, fmt.Sprintf("no report %q", name))
}

// serveRendered renders a download into a temporary file first, so that an
// error midway is a 500 and never half a file, and so that a slow client
// holds a file open, not the download in memory. At most maxRenders render
// at once; what is audited is the download served.
func (s *Server) serveRendered(w http.ResponseWriter, r *http.Request, name, contentType, what string, render func(io.Writer) error) {
	f, err := s.renderFile(r, render)
	if err != nil {
		if r.Context().Err() == nil {
			s.fail(w, r, err)
		}
		return
	}
	defer f.Close()
	s.audit(r, userOf(r).Name, "download", what)
	serve(w, r, f, name, contentType)
}

// renderFile renders into a new temporary file in its turn among the
// renders, answering the file; the caller closes it. The file is unlinked
// as soon as it is made, so that its space is freed once it is closed
// whatever befalls the render (a panic, the process killed), not only on
// the paths that remember to remove it.
func (s *Server) renderFile(r *http.Request, render func(io.Writer) error) (*os.File, error) {
	select {
	case s.renders <- struct{}{}:
		defer func() { <-s.renders }()
	case <-r.Context().Done():
		return nil, r.Context().Err()
	}
	f, err := os.CreateTemp("", "flexrecon-download-*")
	if err != nil {
		return nil, err
	}
	if err = os.Remove(f.Name()); err == nil {
		err = render(f)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// serve sends f as an attachment named name; http.ServeContent seeks to its
// start, sets its length and answers ranges, so a download cut off can go on.
// Its time is the file's, as Last-Modified: a browser resumes a download
// only with it (If-Range), and one rendered again since is sent whole.
func serve(w http.ResponseWriter, r *http.Request, f *os.File, name, contentType string) {
	var modified time.Time
	if fi, err := f.Stat(); err == nil {
		modified = fi.ModTime()
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	http.ServeContent(w, r, "", modified, f)
}
