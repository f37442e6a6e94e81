package web_test

import (
	"context"
	"encoding/base64"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	flexrecon "github.com/flexcharge/flexrecon"
	"github.com/flexcharge/flexrecon/internal/config"
	"github.com/flexcharge/flexrecon/internal/flexcharge"
	"github.com/flexcharge/flexrecon/internal/gen"
	"github.com/flexcharge/flexrecon/internal/recon"
	"github.com/flexcharge/flexrecon/internal/store"
	"github.com/flexcharge/flexrecon/internal/web"
	"github.com/flexcharge/flexrecon/jobs"
	"github.com/flexcharge/flexrecon/reports"
)

const password = "correct horse battery staple"

// fixture is a service over generated data and a sandbox on real HTTP.
type fixture struct {
	srv  *httptest.Server
	web  *web.Server
	env  *jobs.Env
	plan gen.Plan
	seed flexcharge.Seed
	keys map[string][]byte
}

func newFixture(t *testing.T, tls bool) *fixture {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	f := &fixture{keys: map[string][]byte{}}
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
	for i, m := range f.seed.Merchants {
		if k, err := decodeKey(m.WebhookKey); err == nil {
			f.keys[m.Environment+"-"+m.MID+"-"+string(rune('a'+i%26))] = k
		}
	}
	var err error
	f.web, err = web.New(web.Options{DB: f.env.DB, Chain: f.env, Reports: f.env.Reports, Location: f.env.Location,
		Users:       []web.User{user(t, "fiona", "finance"), user(t, "oscar", "ops"), user(t, "ada", "admin")},
		WebhookKeys: f.keys, Logger: slog.New(slog.NewTextHandler(testWriter{t}, nil))})
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

func user(t *testing.T, name, role string) web.User {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
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
	c := f.srv.Client()
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
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

func (f *fixture) window() (string, string) {
	return f.plan.From, f.plan.To
}

func contains(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s: no %q in:\n%.2000s", what, w, body)
		}
	}
}

// testEnv is cmd/flexrecon's openEnv, copied: only cmd may wire, and tests
// here cannot import it.
func testEnv(t *testing.T, cfgPath string) *jobs.Env {
	t.Helper()
	ctx := context.Background()
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	sub, _ := fs.Sub(flexrecon.SQL(), "reports")
	defs, err := reports.LoadDefinitions(sub)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, cfg.Path(cfg.Database), flexrecon.SQL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	env := &jobs.Env{DB: db, Clients: map[recon.Environment]*flexcharge.Client{}, Location: cfg.Location,
		Output: cfg.Path(cfg.Output), Reports: defs, Version: "test", ConfigHash: cfg.Hash, Logger: slog.New(slog.DiscardHandler),
		Push: jobs.PushPolicy{MaxAge: cfg.Push.MaxAge.Duration, Concurrency: cfg.Push.Concurrency}}
	for name, fc := range cfg.FlexCharge {
		env.Clients[recon.Environment(name)] = flexcharge.NewClient(fc.BaseURL, flexcharge.Options{Concurrency: cfg.Push.Concurrency})
	}
	for _, m := range cfg.Merchants {
		env.Merchants = append(env.Merchants, merchantOf(m))
	}
	for _, s := range cfg.Sources {
		env.Sources = append(env.Sources, jobs.Source{Name: s.Name, Path: cfg.Path(s.Path), Pattern: s.Pattern})
	}
	registry := make([]store.Merchant, len(env.Merchants))
	for i, m := range env.Merchants {
		registry[i] = m.Merchant
	}
	if err := db.SeedRegistry(ctx, registry, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	return env
}

func merchantOf(m config.Merchant) jobs.Merchant {
	jm := jobs.Merchant{Merchant: store.Merchant{ID: m.ID, Name: m.Name, MIDs: map[string]string{}},
		Credentials: map[recon.Environment]flexcharge.Credentials{}}
	for env, cr := range m.Credentials {
		jm.MIDs[env] = cr.MID
		jm.Credentials[recon.Environment(env)] = flexcharge.Credentials{MID: cr.MID, AppKey: cr.AppKey.Value(), AppSecret: cr.AppSecret.Value()}
	}
	for _, s := range m.Sites {
		jm.Sites = append(jm.Sites, store.Site{URL: s.URL, Descriptor: s.Descriptor,
			SiteIDSandbox: s.SiteID["sandbox"], SiteIDProd: s.SiteID["production"], Campaigns: s.Campaigns})
	}
	for _, s := range m.Switches {
		sw := store.Switch{Profile: string(s.Profile), Scope: "merchant", State: string(s.State),
			EffectiveAt: s.Effective, Actor: s.Actor, Reason: s.Reason, Origin: "config"}
		switch {
		case s.Site != "":
			sw.Scope, sw.ScopeValue = "site", s.Site
		case s.Campaign != "":
			sw.Scope, sw.ScopeValue = "campaign", s.Campaign
		}
		jm.Switches = append(jm.Switches, sw)
	}
	return jm
}

func decodeKey(s string) ([]byte, error) { return base64.StdEncoding.DecodeString(s) }

// testWriter sends the server's log to the test's log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}
