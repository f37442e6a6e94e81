package ledger_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"github.com/flexcharge/flexrecon/internal/ledger"
)

func TestFetchHTTPS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/exports/acme_20261123.csv" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("a,b\n1,2\n"))
	}))
	defer srv.Close()
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	got, err := ledger.FetchHTTPS(context.Background(), srv.Client(), srv.URL+"/exports/acme_{yyyymmdd}.csv", day, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(got); string(b) != "a,b\n1,2\n" || filepath.Base(got) != "acme_20261123.csv" {
		t.Errorf("fetch: got %s holding %q, want acme_20261123.csv holding the export", got, b)
	}
	if _, err := ledger.FetchHTTPS(context.Background(), srv.Client(), srv.URL+"/missing.csv", day, dir, nil); err == nil {
		t.Errorf("fetch of a missing export: got no error")
	}
}

// TestFetchHTTPSDateInQuery: each day's export keeps a file of its own,
// named with its date, when the URL carries the date in its query only.
func TestFetchHTTPSDateInQuery(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("day\n" + r.URL.Query().Get("date") + "\n"))
	}))
	defer srv.Close()
	dir := t.TempDir()
	for _, d := range []int{23, 24} {
		day := time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC)
		if _, err := ledger.FetchHTTPS(context.Background(), srv.Client(), srv.URL+"/export.csv.gz?date={date}", day, dir, nil); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, name := range []string{"export_2026-11-23.csv.gz", "export_2026-11-24.csv.gz"} {
		b, _ := os.ReadFile(filepath.Join(dir, name))
		got = append(got, string(b))
	}
	if diff := cmp.Diff([]string{"day\n2026-11-23\n", "day\n2026-11-24\n"}, got); diff != "" {
		t.Errorf("the days' exports (-want +got):\n%s", diff)
	}
}

// TestFetchHTTPSDateRunIntoDigits: a URL whose file name has the day run
// into other digits (a sequence number after it) spells no date to ingest,
// so the saved file gets the date it needs; one that spells it keeps its name.
// A name with another date than the day (a version) would spell two days,
// which date nothing: the other is written with underscores.
func TestFetchHTTPSDateRunIntoDigits(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("a\n1\n")) }))
	defer srv.Close()
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	for url, want := range map[string]string{
		"/acme_{yyyymmdd}01.csv":             "acme_2026112301_2026-11-23.csv",
		"/acme_{yyyymmdd}.csv":               "acme_20261123.csv",
		"/acme_v20240101_{yyyymmdd}.csv":     "acme_v2024_01_01_20261123.csv",
		"/acme_v20240101.csv?day={yyyymmdd}": "acme_v2024_01_01_2026-11-23.csv",
	} {
		got, err := ledger.FetchHTTPS(context.Background(), srv.Client(), srv.URL+url, day, t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if name := filepath.Base(got); name != want || !ledger.DateFromName(name).Equal(day) {
			t.Errorf("fetch %s: saved as %s (dated %v), want %s, dated %s", url, name, ledger.DateFromName(name), want, day.Format(time.DateOnly))
		}
	}
}

func TestFetchSFTP(t *testing.T) {
	remote := t.TempDir()
	for name, body := range map[string]string{"acme_2026-11-23.csv": "a\n1\n", "acme_2026-11-24.csv": "a\n2\n", "notes.txt": "x"} {
		os.WriteFile(filepath.Join(remote, name), []byte(body), 0o644)
	}
	addr, hostKey := serveSFTP(t, "partner", "s3cret")
	src := ledger.SFTPSource{Addr: addr, User: "partner", Password: "s3cret", HostKey: hostKey, Dir: remote, Pattern: "acme_*.csv"}
	local := t.TempDir()
	got, err := ledger.FetchSFTP(context.Background(), src, local)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(local, "acme_2026-11-23.csv"), filepath.Join(local, "acme_2026-11-24.csv")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fetched files (-want +got):\n%s", diff)
	}
	// A corrected export under the same name and of the same size is
	// fetched again: its modification time tells it apart.
	corrected := filepath.Join(remote, "acme_2026-11-23.csv")
	os.WriteFile(corrected, []byte("a\n9\n"), 0o644)
	later := time.Now().Add(time.Hour).Truncate(time.Second)
	os.Chtimes(corrected, later, later)
	if _, err := ledger.FetchSFTP(context.Background(), src, local); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(local, "acme_2026-11-23.csv")); string(b) != "a\n9\n" {
		t.Errorf("corrected export of the same size: local copy holds %q, want the correction", b)
	}
	src.Password = "wrong"
	if _, err := ledger.FetchSFTP(context.Background(), src, local); err == nil {
		t.Errorf("fetch with a wrong password: got no error")
	}
}

// serveSFTP runs an in-process SFTP server for one user, returning its
// address and its host key in authorized_keys form.
func serveSFTP(t *testing.T, user, password string) (string, string) {
	t.Helper()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &ssh.ServerConfig{PasswordCallback: func(c ssh.ConnMetadata, p []byte) (*ssh.Permissions, error) {
		if c.User() == user && string(p) == password {
			return nil, nil
		}
		return nil, os.ErrPermission
	}}
	cfg.AddHostKey(signer)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go acceptSFTP(ln, cfg)
	return ln.Addr().String(), string(ssh.MarshalAuthorizedKey(signer.PublicKey()))
}

func acceptSFTP(ln net.Listener, cfg *ssh.ServerConfig) {
	for {
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		go serveSFTPConn(nc, cfg)
	}
}

func serveSFTPConn(nc net.Conn, cfg *ssh.ServerConfig) {
	defer nc.Close()
	_, chans, reqs, err := ssh.NewServerConn(nc, cfg)
	if err != nil {
		return
	}
	go ssh.DiscardRequests(reqs)
	for nch := range chans {
		ch, reqs, err := nch.Accept()
		if err != nil {
			return
		}
		go func() {
			for req := range reqs {
				req.Reply(req.Type == "subsystem" && string(req.Payload[4:]) == "sftp", nil)
			}
		}()
		srv, err := sftp.NewServer(ch)
		if err != nil {
			return
		}
		srv.Serve()
		srv.Close()
	}
}

// TestRedactURLHidesCredentials: a password and query parameters named like
// credentials are hidden; the rest of the URL stays as written.
func TestRedactURLHidesCredentials(t *testing.T) {
	for in, want := range map[string]string{
		"https://p:s3cret@x.example/l_{date}.csv":                     "https://p:xxxxx@x.example/l_%7Bdate%7D.csv",
		"https://x.example/export?date={date}&token=s3cret":           "https://x.example/export?date={date}&token=xxxxx",
		"https://x.example/e?api_key=s3cret&Signature=s3cret&fmt=csv": "https://x.example/e?api_key=xxxxx&Signature=xxxxx&fmt=csv",
		"https://x.example/plain.csv":                                 "https://x.example/plain.csv",
	} {
		if got := ledger.RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestFetchErrorHidesTheToken: a failed fetch names the URL without the
// credential in its query (the HTTP client's own error repeats the URL).
func TestFetchErrorHidesTheToken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close() // nothing answers there now
	_, err = ledger.FetchHTTPS(context.Background(), http.DefaultClient, "http://"+ln.Addr().String()+"/l.csv?token=s3cret",
		time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), t.TempDir(), nil)
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("fetch from nowhere: %v; want an error without the token", err)
	}
}
