package ledger

import (
	"io"
	"os"

	"github.com/schollz/progressbar/v3"
)

// IsTerminal reports whether f is a terminal, where a progress bar belongs.
func IsTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// StepBar returns a callback for store.LoadFile.Progress drawing a bar of
// steps on out, or nil when out is not a terminal (logs and pipes stay clean).
func StepBar(out *os.File, desc string, steps int) func(step string) {
	if !IsTerminal(out) {
		return nil
	}
	bar := progressbar.NewOptions(steps, progressbar.OptionSetWriter(out), progressbar.OptionSetDescription(desc),
		progressbar.OptionClearOnFinish(), progressbar.OptionShowCount())
	return func(step string) {
		bar.Describe(desc + ": " + step)
		bar.Add(1)
	}
}

// ByteBar returns a writer counting downloaded bytes on a bar on out, or
// nil when out is not a terminal; size -1 means unknown.
func ByteBar(out *os.File, desc string, size int64) io.Writer {
	if !IsTerminal(out) {
		return nil
	}
	return progressbar.NewOptions64(size, progressbar.OptionSetWriter(out), progressbar.OptionSetDescription(desc),
		progressbar.OptionShowBytes(true), progressbar.OptionClearOnFinish())
}
