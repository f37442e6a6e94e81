package ledger

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// ErrNoExport means the server has no export for the date asked (404).
var ErrNoExport = errors.New("no export for that date")

// FetchHTTPS downloads the export at rawURL for a business date ({date} and
// {yyyymmdd} in the URL become the date) into dir, and returns the local
// path (see datedName). DuckDB then reads it like any local file; progress, when not nil,
// sees the bytes as they arrive.
func FetchHTTPS(ctx context.Context, client *http.Client, rawURL string, day time.Time, dir string, progress io.Writer) (_ string, err error) {
	u := strings.NewReplacer("{date}", day.Format(time.DateOnly), "{yyyymmdd}", day.Format("20060102")).Replace(rawURL)
	defer func() {
		if err != nil {
			err = fmt.Errorf("fetch %s: %w", RedactURL(u), err)
		}
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if ue := (*url.Error)(nil); errors.As(err, &ue) {
		err = ue.Err // its text repeats the URL, secrets in the query included
	}
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
	return saveAs(resp.Body, filepath.Join(dir, datedName(path.Base(req.URL.Path), day)), progress)
}

// RedactURL is raw with any password it carries replaced, for messages:
// the user's, and the values of query parameters named like a credential
// (?token=, ?api_key=, ?sig=, ...), which exports are often fetched with.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(an unreadable URL)"
	}
	params := strings.Split(u.RawQuery, "&")
	for i, p := range params {
		if name, _, ok := strings.Cut(p, "="); ok && secretParam.MatchString(name) {
			params[i] = name + "=xxxxx"
		}
	}
	u.RawQuery = strings.Join(params, "&")
	return u.Redacted()
}

// secretParam matches the names of query parameters that carry credentials.
var secretParam = regexp.MustCompile(`(?i)token|key|secret|sig|pass|pwd|auth|cred|session`)

// datedName is the local name of a day's export: the URL's file name, with
// the date put in before its extensions unless DateFromName reads that day
// from it (a date in the query string only, or one run into other digits,
// acme_2026112301.csv), so that each day's export keeps its own file and
// ingest reads the business date from the name. A name spelling two days
// is dated among them (NameDate), so any other day the URL's name spells (a
// version, acme_v20240101.csv) is written with underscores, which spell no
// date: acme_v2024_01_01_2026-11-23.csv.
func datedName(name string, day time.Time) string {
	name = unspellOtherDays(name, day)
	if DateFromName(name).Equal(day) {
		return name
	}
	stem, ext, _ := strings.Cut(name, ".")
	if ext != "" {
		ext = "." + ext
	}
	return stem + "_" + day.Format(time.DateOnly) + ext
}

// unspellOtherDays writes each day other than day that name spells as
// 2024_01_01.
func unspellOtherDays(name string, day time.Time) string {
	sps := spellings(name)
	for i := len(sps) - 1; i >= 0; i-- { // from the end, so earlier places hold
		if sp := sps[i]; !sp.day.IsZero() && !sp.day.Equal(day) {
			name = name[:sp.start] + sp.day.Format("2006_01_02") + name[sp.end:]
		}
	}
	return name
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
