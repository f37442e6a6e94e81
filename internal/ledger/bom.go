package ledger

import (
	"bufio"
	"errors"
	"io"
	"os"
)

// utf8BOM is the byte order mark a UTF-8 file may begin with.
const utf8BOM = "\ufeff"

// skipBOM passes over a UTF-8 BOM at r's start, saying whether there was
// one. An error reading the start is left for r's next read to return.
func skipBOM(r *bufio.Reader) bool {
	start, _ := r.Peek(len(utf8BOM))
	if string(start) != utf8BOM {
		return false
	}
	r.Discard(len(utf8BOM))
	return true
}

// WithoutBOM is for a reader that cannot pass over a UTF-8 BOM at the start
// of a file's text (DuckDB's JSON reader reads the first line as malformed,
// and has no option to skip the mark): when the text of the file at path,
// gunzipped when its name ends in .gz, begins with one, it writes the text
// after it to a new file in dir (the OS's temporary folder when ""), named
// by pattern as os.CreateTemp names, not gzipped, and returns that file's
// path for the caller to read and remove.
// It returns "" for a file without the mark, the usual case, having read
// only its first bytes. The copy has the original's lines, so a line
// numbered in it is the original's.
func WithoutBOM(path, dir, pattern string) (string, error) {
	in, err := openBytes(path)
	if err != nil {
		return "", err
	}
	defer in.Close()
	r := bufio.NewReader(in)
	if !skipBOM(r) {
		return "", nil
	}
	out, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return "", err
	}
	_, err = io.Copy(out, r)
	if errors.Is(err, io.ErrUnexpectedEOF) && Compressed(path) {
		// A cut gzip stream is copied as far as it goes, which is what
		// DuckDB reads of it; the Go readers of the original refuse it on
		// the line it ends on (readError).
		err = nil
	}
	if err = errors.Join(err, out.Close()); err != nil {
		os.Remove(out.Name())
		return "", err
	}
	return out.Name(), nil
}
