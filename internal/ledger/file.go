package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"time"
)

// File is one export found in a source.
type File struct {
	Source       string
	Path         string
	Name         string
	SHA256       string
	Size         int64
	BusinessDate time.Time // zero when the name carries none; the content decides
}

// Discover lists the files of dir matching pattern, in name order, hashed.
func Discover(source, dir, pattern string) ([]File, error) {
	paths, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	sort.Strings(paths)
	files := make([]File, 0, len(paths))
	for _, p := range paths {
		f, err := Describe(source, p)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

// Describe hashes the file at path and reads the business date from its name.
func Describe(source, path string) (File, error) {
	f, err := os.Open(path)
	if err != nil {
		return File{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return File{}, fmt.Errorf("hash %s: %w", path, err)
	}
	name := filepath.Base(path)
	return File{
		Source: source, Path: path, Name: name, Size: n,
		SHA256: hex.EncodeToString(h.Sum(nil)), BusinessDate: DateFromName(name),
	}, nil
}

var dateInName = regexp.MustCompile(`(20[0-9]{2})-?(0[1-9]|1[0-2])-?(0[1-9]|[12][0-9]|3[01])`)

// DateFromName finds a business date (2026-11-23 or 20261123) in a file name.
func DateFromName(name string) time.Time {
	m := dateInName.FindStringSubmatch(name)
	if m == nil {
		return time.Time{}
	}
	d, err := time.Parse("20060102", m[1]+m[2]+m[3])
	if err != nil {
		return time.Time{}
	}
	return d
}
