package jobs

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/flexcharge/flexrecon/internal/store"
	"github.com/flexcharge/flexrecon/reports"
)

// allMerchants is the reports' $2 for a workbook covering every merchant.
const allMerchants = ""

// writeWorkbook writes the run's workbook, of the merchants it judged (every
// one, or the one it was asked for), and records its path on the run: the
// pages serve that file. What its reports read of FlexCharge's orders is
// kept first: a workbook rendered again later shows the same figures.
func writeWorkbook(ctx context.Context, r *run) (int64, string, error) {
	if err := r.env.DB.KeepOrderSites(ctx, r.id); err != nil {
		return 0, "", err
	}
	path, err := r.env.workbook(ctx, r.id, r.req.Merchant, r.env.Output)
	if err != nil {
		return 0, "", err
	}
	// The stage's detail is shown to every reader of the run page and the
	// workbook's manifest, who need the file's name, not where the server
	// keeps it.
	return 0, filepath.Base(path), r.env.DB.SetRunWorkbook(ctx, r.id, path)
}

// workbook writes run runID's workbook for merchant (allMerchants for all)
// into dir and returns its path.
func (e *Env) workbook(ctx context.Context, runID int64, merchant, dir string) (string, error) {
	opt := reports.Options{Location: e.Location}
	return writeAtomic(dir, WorkbookName(runID, merchant), func(w io.Writer) error {
		return reports.WriteWorkbook(ctx, w, ReportSource{e.DB}, e.Reports, opt, runID, merchant)
	})
}

// WorkbookName is the file name of run runID's workbook for merchant
// (allMerchants for all).
func WorkbookName(runID int64, merchant string) string {
	if merchant == allMerchants {
		return fmt.Sprintf("flexrecon-run-%d.xlsx", runID)
	}
	return fmt.Sprintf("flexrecon-run-%d-%s.xlsx", runID, merchant)
}

// WriteMerchantWorkbooks writes one workbook per registered merchant for run
// runID into dir, so finance can send each merchant only its own figures. It
// returns the paths written.
func WriteMerchantWorkbooks(ctx context.Context, env *Env, runID int64, dir string) ([]string, error) {
	var paths []string
	for _, m := range env.Merchants {
		path, err := env.workbook(ctx, runID, m.ID, dir)
		if err != nil {
			return paths, fmt.Errorf("write workbook of merchant %q: %w", m.ID, err)
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// writeAtomic writes dir/name through a temporary file renamed into place,
// so a failed write never leaves half a file behind under the real name.
func writeAtomic(dir, name string, write func(io.Writer) error) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(dir, "."+name+"-*.tmp")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	// Readable like any file the service writes (CreateTemp makes it private):
	// finance opens these from a shared folder.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return "", err
	}
	if err := write(tmp); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	path := filepath.Join(dir, name)
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", err
	}
	return path, nil
}

// ReportSource lets reports read the store without knowing it.
type ReportSource struct{ DB *store.DB }

// QueryReport runs a report's query.
func (s ReportSource) QueryReport(ctx context.Context, query string, args ...any) (reports.Rows, error) {
	return s.DB.Query(ctx, query, args...)
}
