package ledger

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// ErrNoExport means the server has no export for the date asked (404).
var ErrNoExport = errors.New("no export for that date")

// FetchHTTPS downloads the export at rawURL for a business date ({date} and
// {yyyymmdd} in the URL become the date) into dir, and returns the local
// path. DuckDB then reads it like any local file; progress, when not nil,
// sees the bytes as they arrive.
func FetchHTTPS(ctx context.Context, client *http.Client, rawURL string, day time.Time, dir string, progress io.Writer) (_ string, err error) {
	u := strings.NewReplacer("{date}", day.Format(time.DateOnly), "{yyyymmdd}", day.Format("20060102")).Replace(rawURL)
	defer func() {
		if err != nil {
			err = fmt.Errorf("fetch %s: %w", u, err)
		}
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return "", ErrNoExport
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("server answered %s", resp.Status)
	}
	return saveAs(resp.Body, filepath.Join(dir, path.Base(req.URL.Path)), progress)
}

// saveAs writes r to dest through a temporary file renamed at the end, so a
// broken transfer never leaves a partial export where Discover looks.
func saveAs(r io.Reader, dest string, progress io.Writer) (string, error) {
	tmp, err := os.CreateTemp(filepath.Dir(dest), ".fetch-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	var w io.Writer = tmp
	if progress != nil {
		w = io.MultiWriter(tmp, progress)
	}
	if _, err := io.Copy(w, r); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	return dest, os.Rename(tmp.Name(), dest)
}
