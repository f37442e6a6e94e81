package jobs

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// fullDisk accepts n bytes, then fails every write the way a full disk does.
type fullDisk struct {
	w io.Writer
	n int
}

func (d *fullDisk) Write(p []byte) (int, error) {
	if len(p) <= d.n {
		d.n -= len(p)
		return d.w.Write(p)
	}
	k, _ := d.w.Write(p[:d.n])
	d.n = 0
	return k, &os.PathError{Op: "write", Path: "workbook", Err: syscall.ENOSPC}
}

// TestFaultDiskFillsWhileWorkbookIsWritten fills the disk at several points
// of a workbook write: the workbook already under that name stays intact
// byte for byte, no temporary file is left behind, and the error says why.
func TestFaultDiskFillsWhileWorkbookIsWritten(t *testing.T) {
	dir := t.TempDir()
	const name = "flexrecon-run-7.xlsx"
	previous := []byte("PK\x03\x04 the workbook of the previous write")
	if err := os.WriteFile(filepath.Join(dir, name), previous, 0o644); err != nil {
		t.Fatal(err)
	}
	next := make([]byte, 3<<20)
	rand.Read(next)
	points := []int{0, 1, 4095, 4096, 1 << 20, len(next) - 1}
	for _, n := range points {
		_, err := writeAtomic(dir, name, func(w io.Writer) error {
			// Like the xlsx writer: many small writes.
			_, err := io.CopyBuffer(&fullDisk{w: w, n: n}, struct{ io.Reader }{bytes.NewReader(next)}, make([]byte, 32<<10))
			return err
		})
		if !errors.Is(err, syscall.ENOSPC) {
			t.Errorf("disk full after %d bytes: err %v, want ENOSPC", n, err)
		}
		got, _ := os.ReadFile(filepath.Join(dir, name))
		if !bytes.Equal(got, previous) {
			t.Errorf("disk full after %d bytes: the previous workbook changed (%d bytes)", n, len(got))
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 1 {
			t.Errorf("disk full after %d bytes: %d files in the output folder, want only the previous workbook", n, len(ents))
		}
	}
	// Once space is back, the write goes through.
	path, err := writeAtomic(dir, name, func(w io.Writer) error { _, err := w.Write(next); return err })
	if got, _ := os.ReadFile(path); err != nil || !bytes.Equal(got, next) {
		t.Errorf("write after the disk was freed: err %v, %d bytes", err, len(got))
	}
	t.Logf("INJECTED: ENOSPC after %v bytes of a %d-byte workbook write (writeAtomic, as the workbook stage uses it)", points, len(next))
	t.Logf("CHECKED: each write failed with ENOSPC, the previous workbook stayed byte-identical, no temporary file was left; the write after space came back replaced it whole")
}
