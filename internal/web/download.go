package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"

	"github.com/flexcharge/flexrecon/internal/store"
	"github.com/flexcharge/flexrecon/jobs"
	"github.com/flexcharge/flexrecon/reports"
)

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

// downloadWorkbook renders the run's workbook into memory first, so an error
// midway is a 500 and never half a file.
func (s *Server) downloadWorkbook(w http.ResponseWriter, r *http.Request) {
	run, ok := s.publishedRunOf(w, r)
	if !ok {
		return
	}
	var b bytes.Buffer
	opt := reports.Options{Location: s.opts.Location}
	if err := reports.WriteWorkbook(r.Context(), &b, jobs.ReportSource{DB: s.opts.DB}, s.opts.Reports, opt, run.ID, run.Merchant); err != nil {
		s.fail(w, r, err)
		return
	}
	s.audit(r, userOf(r).Name, "download", fmt.Sprintf("run %d workbook", run.ID))
	send(w, b, fmt.Sprintf("flexrecon-run-%d.xlsx", run.ID), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
}

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
		var b bytes.Buffer
		if err := reports.WriteCSV(r.Context(), &b, jobs.ReportSource{DB: s.opts.DB}, d, reports.Options{Location: s.opts.Location}, run.ID, run.Merchant); err != nil {
			s.fail(w, r, err)
			return
		}
		s.audit(r, userOf(r).Name, "download", fmt.Sprintf("run %d %s.csv", run.ID, name))
		send(w, b, fmt.Sprintf("flexrecon-run-%d-%s.csv", run.ID, name), "text/csv; charset=utf-8")
		return
	}
	writeError(w, r, http.StatusNotFound, fmt.Sprintf("no report %q", name))
}

func send(w http.ResponseWriter, b bytes.Buffer, filename, contentType string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", filename))
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	b.WriteTo(w)
}
