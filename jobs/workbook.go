package jobs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/flexcharge/flexrecon/internal/store"
	"github.com/flexcharge/flexrecon/reports"
)

// writeWorkbook writes the run's workbook to a temporary file and renames it
// into place, so a failed write never leaves a half workbook behind.
func writeWorkbook(ctx context.Context, r *run) (int64, string, error) {
	if err := os.MkdirAll(r.env.Output, 0o755); err != nil {
		return 0, "", err
	}
	path := filepath.Join(r.env.Output, fmt.Sprintf("flexrecon-run-%d.xlsx", r.id))
	tmp, err := os.CreateTemp(r.env.Output, ".flexrecon-*.xlsx.tmp")
	if err != nil {
		return 0, "", err
	}
	defer os.Remove(tmp.Name())
	opt := reports.Options{Location: r.env.Location}
	if err := reports.WriteWorkbook(ctx, tmp, ReportSource{r.env.DB}, r.env.Reports, opt, r.id, ""); err != nil {
		tmp.Close()
		return 0, "", err
	}
	if err := tmp.Close(); err != nil {
		return 0, "", err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return 0, "", err
	}
	return 0, path, r.env.DB.SetRunWorkbook(ctx, r.id, path)
}

// ReportSource lets reports read the store without knowing it.
type ReportSource struct{ DB *store.DB }

// QueryReport runs a report's query.
func (s ReportSource) QueryReport(ctx context.Context, query string, args ...any) (reports.Rows, error) {
	return s.DB.Query(ctx, query, args...)
}
