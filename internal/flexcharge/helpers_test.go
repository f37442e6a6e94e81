package flexcharge

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Test merchants: the same MID has different keys per environment, as real
// merchants do.
var (
	credA     = Credentials{MID: "11111111-1111-1111-1111-111111111111", AppKey: "key-a-sbx-7f3c", AppSecret: "secret-a-sbx-Zq9w"}
	credAProd = Credentials{MID: credA.MID, AppKey: "key-a-prod-91bd", AppSecret: "secret-a-prod-Hh2k"}
	credB     = Credentials{MID: "22222222-2222-2222-2222-222222222222", AppKey: "key-b-sbx-03aa", AppSecret: "secret-b-sbx-Pp7t"}
	hookKey   = []byte("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
)

func testSeed(orders ...SeedOrder) Seed {
	key := base64.StdEncoding.EncodeToString(hookKey)
	return Seed{Merchants: []SeedMerchant{
		{Environment: EnvSandbox, MID: credA.MID, AppKey: credA.AppKey, AppSecret: credA.AppSecret, WebhookKey: key},
		{Environment: EnvProduction, MID: credAProd.MID, AppKey: credAProd.AppKey, AppSecret: credAProd.AppSecret, WebhookKey: key},
		{Environment: EnvSandbox, MID: credB.MID, AppKey: credB.AppKey, AppSecret: credB.AppSecret, WebhookKey: key},
	}, Orders: orders}
}

// clock is a settable time source for the sandbox.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// counted wraps a handler and counts requests by path.
type counted struct {
	h     http.Handler
	mu    sync.Mutex
	paths map[string]int
	auths map[string]bool // every Authorization value seen, to look for leaks
}

func (c *counted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	c.paths[r.URL.Path]++
	if a := r.Header.Get("Authorization"); a != "" {
		c.auths[a] = true
	}
	c.mu.Unlock()
	c.h.ServeHTTP(w, r)
}

func (c *counted) count(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.paths[path]
}

// sandboxEnv is a sandbox behind a real HTTP server.
type sandboxEnv struct {
	sb  *Sandbox
	srv *httptest.Server
	req *counted
}

func (e sandboxEnv) url(env string) string { return e.srv.URL + "/" + env + "/v1" }

func startSandbox(t testing.TB, seed Seed, opts SandboxOptions) sandboxEnv {
	t.Helper()
	sb := NewSandbox(seed, opts)
	c := &counted{h: sb, paths: map[string]int{}, auths: map[string]bool{}}
	srv := httptest.NewServer(c)
	t.Cleanup(func() { srv.Close(); sb.Close() })
	return sandboxEnv{sb: sb, srv: srv, req: c}
}

// fastOptions keep retries quick in tests.
func fastOptions() Options {
	return Options{RatePerSecond: 10000, Concurrency: 16, BaseBackoff: time.Millisecond, MaxBackoff: 20 * time.Millisecond, Timeout: 5 * time.Second}
}

var txSeq atomic.Int64

// validTransmit returns a transmit the sandbox accepts, with a fresh transaction id.
func validTransmit(cr Credentials) TransmitRequest {
	n := txSeq.Add(1)
	return TransmitRequest{
		OrderID: fmt.Sprintf("ord-%d", n), IsDeclined: true, MID: cr.MID, SiteURL: "https://shop.example",
		Transaction: TransmitTransaction{
			ID: fmt.Sprintf("tx-%d", n), TimestampUTC: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC),
			Amount: 1999, Currency: "USD", ResponseCode: "05", ResponseCodeSource: "nmi",
		},
		PaymentMethod: TransmitPaymentMethod{CardBinNumber: "411111", CardLast4Digits: "1111"},
		Merchant:      TransmitMerchant{ID: cr.MID, Name: "Shop A"},
	}
}

func writeFile(path string, b []byte) error { return os.WriteFile(path, b, 0o600) }
