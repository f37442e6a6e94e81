package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/flexcharge/flexrecon/internal/store"
	"github.com/flexcharge/flexrecon/reports"
)

// allMerchants is the reports' $2 for a workbook covering every merchant.
const allMerchants = ""

// writeWorkbook writes the run's workbook, of the merchants it judged (every
// one, or the one it was asked for), and records its path and digest on the
// run: the pages serve that file while it is still the one written. What
// its reports read that may change after it (FlexCharge's orders, the
// registry's site descriptors) is kept first: a workbook rendered again
// later shows the same figures. The file is held under a temporary name
// until the run is recorded as succeeded (run.settleWorkbook).
func writeWorkbook(ctx context.Context, r *run) (int64, string, error) {
	if err := r.env.DB.KeepOrderSites(ctx, r.id); err != nil {
		return 0, "", err
	}
	if err := r.env.DB.KeepSiteDescriptors(ctx, r.id); err != nil {
		return 0, "", err
	}
	wb, err := r.env.workbook(ctx, r.id, r.req.Merchant, r.env.Output)
	if err != nil {
		return 0, "", pathless{err}
	}
	r.workbook = &wb
	// The stage's detail is shown to every reader of the run page and the
	// workbook's manifest, who need the file's name, not where the server
	// keeps it.
	return 0, filepath.Base(wb.Path), r.env.DB.SetRunWorkbook(ctx, r.id, wb.WorkbookFile)
}

// settleWorkbook puts the workbook the run wrote under its name if the run
// was recorded as succeeded, and removes it otherwise. Its manifest says
// every figure in it is final, which a run that failed after writing it
// (its record, or a stop, failing after the workbook stage) must not have
// finance read from the shared folder: a failed run has no workbook there,
// as the pages publish none. A process killed before this leaves only the
// hidden temporary file. A succeeded run whose file could not be put in
// place is served rendered again, as one whose file is gone.
func (r *run) settleWorkbook(succeeded bool) {
	if r.workbook == nil {
		return
	}
	if !succeeded {
		os.Remove(r.workbook.tmp)
		return
	}
	if err := os.Rename(r.workbook.tmp, r.workbook.Path); err != nil {
		os.Remove(r.workbook.tmp)
		r.env.Logger.Error("workbook not put in place: its download renders it again", "run", r.id, "err", err)
	}
}

// SettleHeldWorkbooks settles the workbooks a process killed between a
// run's workbook stage and settleWorkbook left under their temporary names
// in the output folder (run at start-up, once runs a dead process left
// running are failed): one whose run is recorded as succeeded takes its
// name, as settleWorkbook would have given it (finance finds it in the
// folder, and its download is served, not rendered again each time); one
// whose run failed is removed. Only a file that is, by its size and sha256,
// the workbook a run of this database recorded is touched: another service
// may write into the same folder. One killed while being written, its
// digest never recorded, is left.
func (e *Env) SettleHeldWorkbooks(ctx context.Context) error {
	entries, err := os.ReadDir(e.Output)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, entry := range entries {
		name, ok := heldName(entry.Name())
		if !ok {
			continue
		}
		var id int64
		if _, err := fmt.Sscanf(name, "flexrecon-run-%d", &id); err != nil {
			continue
		}
		run, err := e.DB.GetRun(ctx, id)
		if err != nil || run.Workbook != filepath.Join(e.Output, name) || (run.Status != "succeeded" && run.Status != "failed") {
			continue
		}
		if err := e.settleHeld(filepath.Join(e.Output, entry.Name()), run); err != nil {
			e.Logger.Warn("a workbook a killed process left held is not settled", "run", run.ID, "err", err)
		}
	}
	return nil
}

// heldName is the name a temporary file writeTemp made is to have
// (".flexrecon-run-7.xlsx-123.tmp": "flexrecon-run-7.xlsx").
func heldName(tmp string) (string, bool) {
	rest, ok := strings.CutPrefix(tmp, ".flexrecon-run-")
	if !ok || !strings.HasSuffix(rest, ".tmp") {
		return "", false
	}
	name, _, ok := strings.Cut(rest, ".xlsx-")
	return "flexrecon-run-" + name + ".xlsx", ok
}

// settleHeld puts tmp, run's workbook as the run wrote it, under its name
// if the run succeeded and nothing has that name, and removes it otherwise.
func (e *Env) settleHeld(tmp string, run store.Run) error {
	f, err := os.Open(tmp)
	if err != nil {
		return err
	}
	err = CheckWorkbook(f, run)
	f.Close()
	if err != nil {
		return err
	}
	if run.Status == "succeeded" {
		if _, err := os.Lstat(run.Workbook); errors.Is(err, fs.ErrNotExist) {
			e.Logger.Info("workbook a killed process left held put in place", "run", run.ID, "file", filepath.Base(run.Workbook))
			return os.Rename(tmp, run.Workbook)
		}
	}
	return os.Remove(tmp)
}

// heldWorkbook is a workbook written under a temporary name in its folder,
// to be renamed to Path.
type heldWorkbook struct {
	store.WorkbookFile
	tmp string
}

// workbook writes run runID's workbook for merchant (allMerchants for all)
// into a temporary file in dir and returns it with the path it is to have
// and its digest, hashed as it is written: a million rows' workbook is some
// 74 MB, not to be read back again.
func (e *Env) workbook(ctx context.Context, runID int64, merchant, dir string) (heldWorkbook, error) {
	opt := reports.Options{Location: e.Location}
	d := newDigest()
	name := WorkbookName(runID, merchant)
	tmp, err := writeTemp(dir, name, func(w io.Writer) error {
		return reports.WriteWorkbook(ctx, io.MultiWriter(w, d), ReportSource{e.DB}, e.Reports, opt, runID, merchant)
	})
	return heldWorkbook{WorkbookFile: store.WorkbookFile{Path: filepath.Join(dir, name), SHA256: d.sum(), Size: d.n}, tmp: tmp}, err
}

// CheckWorkbook reads f, run's workbook file, through once and refuses it
// unless it is the file the run wrote, by the size and sha256 recorded
// (another service writing into the same folder, or a hand editing the
// file, would have it served as the run's); it leaves f at its start. A run
// that recorded no digest has its file refused too: nothing says it is
// the one written.
func CheckWorkbook(f *os.File, run store.Run) error {
	if run.WorkbookSHA256 == "" {
		return fmt.Errorf("run %d recorded no digest of its workbook %s", run.ID, filepath.Base(run.Workbook))
	}
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.Size() != run.WorkbookSize {
		return fmt.Errorf("run %d's workbook %s is %d bytes, the run wrote %d", run.ID, fi.Name(), fi.Size(), run.WorkbookSize)
	}
	d := newDigest()
	if _, err := io.Copy(d, f); err != nil {
		return fmt.Errorf("read run %d's workbook %s: %w", run.ID, fi.Name(), err)
	}
	if got := d.sum(); got != run.WorkbookSHA256 {
		return fmt.Errorf("run %d's workbook %s has sha256 %s, the run wrote %s", run.ID, fi.Name(), got, run.WorkbookSHA256)
	}
	_, err = f.Seek(0, io.SeekStart)
	return err
}

// digest hashes and counts what is written to it.
type digest struct {
	h hash.Hash
	n int64
}

func newDigest() *digest { return &digest{h: sha256.New()} }

func (d *digest) Write(p []byte) (int, error) {
	d.n += int64(len(p))
	return d.h.Write(p)
}

// sum is the sha256 of what was written, in hex.
func (d *digest) sum() string { return hex.EncodeToString(d.h.Sum(nil)) }

// pathless is a workbook stage's error with each file a file system error
// in it names by its name alone: the error is the stage's detail and the
// run's error, on the run page and in the API for every reader, who has no
// use for where the server keeps its files (the configuration's output
// folder says, for ops). It is still the error it wraps (errors.Is).
type pathless struct{ error }

func (e pathless) Error() string {
	msg := e.error.Error()
	for err := e.error; err != nil; err = errors.Unwrap(err) {
		var paths []string
		switch fe := err.(type) {
		case *fs.PathError:
			paths = []string{fe.Path}
		case *os.LinkError:
			paths = []string{fe.Old, fe.New}
		}
		for _, p := range paths {
			msg = strings.ReplaceAll(msg, p, filepath.Base(p))
		}
	}
	return msg
}

func (e pathless) Unwrap() error { return e.error }

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
		wb, err := env.workbook(ctx, runID, m.ID, dir)
		if err == nil {
			err = os.Rename(wb.tmp, wb.Path)
		}
		if err != nil {
			os.Remove(wb.tmp)
			return paths, fmt.Errorf("write workbook of merchant %q: %w", m.ID, err)
		}
		paths = append(paths, wb.Path)
	}
	return paths, nil
}

// writeAtomic writes dir/name through a temporary file renamed into place,
// so a failed write never leaves half a file behind under the real name.
func writeAtomic(dir, name string, write func(io.Writer) error) (string, error) {
	tmp, err := writeTemp(dir, name, write)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, name)
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return "", err
	}
	return path, nil
}

// writeTemp writes a hidden temporary file in dir, named after name, and
// returns its path, to be renamed to name; a failed write leaves nothing.
func writeTemp(dir, name string, write func(io.Writer) error) (path string, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(dir, "."+name+"-*.tmp")
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			os.Remove(tmp.Name())
		}
	}()
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
	return tmp.Name(), tmp.Close()
}

// ReportSource lets reports read the store without knowing it.
type ReportSource struct{ DB *store.DB }

// QueryReport runs a report's query.
func (s ReportSource) QueryReport(ctx context.Context, query string, args ...any) (reports.Rows, error) {
	return s.DB.Query(ctx, query, args...)
}
