package web_test

import (
	"cmp"
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/flexcharge/flexrecon/internal/config"
	"github.com/flexcharge/flexrecon/internal/flexcharge"
	"github.com/flexcharge/flexrecon/internal/gen"
	"github.com/flexcharge/flexrecon/internal/web"
	"github.com/flexcharge/flexrecon/internal/wire"
	"github.com/flexcharge/flexrecon/jobs"
)

const password = "correct horse battery staple"

// fixture is a service over generated data and a sandbox on real HTTP.
type fixture struct {
	srv  *httptest.Server
	web  *web.Server
	env  *jobs.Env
	plan gen.Plan
	seed flexcharge.Seed
	keys []web.WebhookKey
	// clock is the server's time: the real one, moved on by tests that
	// would otherwise wait.
	clock clock
	// cost is the bcrypt cost of the users' passwords from the next start:
	// 0 for the least, so that the many sign-ins in tests are quick.
	cost int
	// chain is the server's chain from the next start: nil for env, or a
	// stand-in in front of it.
	chain web.Chain
	// log, if set, is sent the server's log too from the next start.
	log io.Writer
}

type clock struct{ ahead atomic.Int64 }

func (c *clock) now() time.Time           { return time.Now().Add(time.Duration(c.ahead.Load())) }
func (c *clock) advance(by time.Duration) { c.ahead.Add(int64(by)) }
func (c *clock) set(to time.Time)         { c.ahead.Store(int64(time.Until(to))) }

func newFixture(t *testing.T, tls bool) *fixture {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	f := &fixture{}
	f.plan, err = gen.Generate(gen.Options{Rows: 300, Seed: 1, LastDay: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC),
		Out: dir, SandboxURL: "http://" + ln.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	if f.seed, err = flexcharge.LoadSeed(filepath.Join(dir, gen.SeedFile)); err != nil {
		t.Fatal(err)
	}
	sb := flexcharge.NewSandbox(f.seed, flexcharge.SandboxOptions{})
	sbSrv := &http.Server{Handler: sb}
	go sbSrv.Serve(ln)
	t.Cleanup(func() { sbSrv.Close(); sb.Close() })
	f.env = testEnv(t, filepath.Join(dir, gen.ConfigFile))
	f.start(t, tls)
	return f
}

func (f *fixture) start(t *testing.T, tls bool) {
	t.Helper()
	f.keys = nil
	for _, m := range f.seed.Merchants {
		if k, err := decodeKey(m.WebhookKey); err == nil {
			f.keys = append(f.keys, web.WebhookKey{Environment: m.Environment, Key: k})
		}
	}
	var log io.Writer = testWriter{t}
	if f.log != nil {
		log = io.MultiWriter(log, f.log)
	}
	var err error
	f.web, err = web.New(web.Options{DB: f.env.DB, Chain: cmp.Or[web.Chain](f.chain, f.env), Reports: f.env.Reports, Location: f.env.Location,
		Users:       []web.User{f.user(t, "fiona", "finance"), f.user(t, "oscar", "ops"), f.user(t, "ada", "admin")},
		SessionKey:  []byte("the fixture's session key: a restart keeps sessions"),
		WebhookKeys: f.keys, Now: f.clock.now, Nightly: "02:30", Logger: slog.New(slog.NewTextHandler(log, nil)),
		SourceFolders: f.sourceFolders()})
	if err != nil {
		t.Fatal(err)
	}
	if tls {
		f.srv = httptest.NewTLSServer(f.web)
	} else {
		f.srv = httptest.NewServer(f.web)
	}
	t.Cleanup(func() { f.srv.Close(); f.web.Close() })
}

// sourceFolders are f's sources' folders, as serve gives them.
func (f *fixture) sourceFolders() []string {
	var folders []string
	for _, src := range f.env.Sources {
		folders = append(folders, src.Path)
	}
	return folders
}

func (f *fixture) user(t *testing.T, name, role string) web.User {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(password), max(f.cost, bcrypt.MinCost))
	if err != nil {
		t.Fatal(err)
	}
	return web.User{Name: name, Role: role, PasswordHash: h}
}

// client is a browser-like client that does not follow redirects, so tests
// see them.
func (f *fixture) client(t *testing.T) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := *f.srv.Client() // a copy: the server's client is one, shared by every call
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// login signs name in and returns the client holding the session.
func (f *fixture) login(t *testing.T, name string) *http.Client {
	t.Helper()
	c := f.client(t)
	res, err := c.PostForm(f.srv.URL+"/login", url.Values{"name": {name}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %s: got %s, want 303", name, res.Status)
	}
	return c
}

// program is a client that signs in as name with basic auth on every
// request, as a script calling the API does.
func (f *fixture) program(t *testing.T, name string) *http.Client {
	t.Helper()
	c := f.client(t)
	c.Transport = basicAuth{name: name, next: c.Transport}
	return c
}

type basicAuth struct {
	name string
	next http.RoundTripper
}

func (b basicAuth) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.SetBasicAuth(b.name, password)
	return b.next.RoundTrip(r)
}

func contains(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s: no %q in:\n%.2000s", what, w, body)
		}
	}
}

// testEnv wires the chain as the program does.
func testEnv(t *testing.T, cfgPath string) *jobs.Env {
	t.Helper()
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	env, err := wire.Open(context.Background(), cfg, wire.Options{Logger: slog.New(slog.DiscardHandler), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { env.DB.Close() })
	return env
}

func decodeKey(s string) ([]byte, error) { return base64.StdEncoding.DecodeString(s) }

// testWriter sends the server's log to the test's log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}
