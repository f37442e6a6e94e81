package flexcharge

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Faults are injected into every request the Sandbox receives, before it is
// handled, so a faulted request never has an effect: a transmit answered with
// a fault or a dropped connection is not counted as delivered, and a client
// that retries ends with exactly one delivery per transaction.
type Faults struct {
	ErrorRate float64       // fraction of requests answered 503
	Latency   time.Duration // added before every answer
	Burst429  int           // every Nth request starts a burst of 429s with Retry-After
	DropRate  float64       // fraction of connections closed without an answer
}

// SandboxOptions configure a Sandbox. Zero values are usable.
type SandboxOptions struct {
	Faults     Faults
	Now        func() time.Time // default time.Now; drives token expiry and managed MIT
	WebhookURL string           // where signed webhooks go; empty sends none
	RandSeed   int64            // makes fault injection reproducible
	Logger     *slog.Logger
}

// Sandbox is a local FlexCharge: an http.Handler serving /{env}/v1/... for
// env sandbox and production. It is safe for concurrent use.
type Sandbox struct {
	opts    SandboxOptions
	now     func() time.Time
	log     *slog.Logger
	mux     *http.ServeMux
	jwtKeys map[string][]byte // per environment, so a token never crosses environments

	mu          sync.RWMutex
	creds       map[envKey]*SeedMerchant // by environment and AppKey
	merchants   map[envKey]*SeedMerchant // by environment and MID
	orders      *orderStore
	deliveries  map[deliveryKey]int
	idempotency map[envKey]evalReplay
	pending     pendingHeap

	faultMu   sync.Mutex
	rng       *mrand.Rand
	requests  atomic.Int64
	burstLeft int

	hooks *webhookSender
	stop  chan struct{}
	done  sync.WaitGroup
	once  sync.Once
}

// envKey is a value (AppKey, MID, idempotency key) within one environment.
type envKey struct{ env, key string }

type deliveryKey struct{ env, mid, txID string }

// NewSandbox builds a Sandbox from seed and starts its background work (the
// managed-MIT ticker and the webhook sender); Close stops it.
func NewSandbox(seed Seed, opts SandboxOptions) *Sandbox {
	s := &Sandbox{
		opts: opts, now: opts.Now, log: opts.Logger,
		jwtKeys:     map[string][]byte{EnvSandbox: randomKey(), EnvProduction: randomKey()},
		creds:       map[envKey]*SeedMerchant{},
		merchants:   map[envKey]*SeedMerchant{},
		deliveries:  map[deliveryKey]int{},
		idempotency: map[envKey]evalReplay{},
		rng:         mrand.New(mrand.NewPCG(uint64(opts.RandSeed), 0x5eed)),
		stop:        make(chan struct{}),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.loadSeed(seed)
	s.routes()
	s.hooks = newWebhookSender(opts.WebhookURL, s.log, s.stop)
	s.start()
	return s
}

func randomKey() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k) // crypto/rand.Read never fails on supported platforms
	return k
}

func (s *Sandbox) loadSeed(seed Seed) {
	for i := range seed.Merchants {
		m := &seed.Merchants[i]
		s.creds[envKey{m.Environment, m.AppKey}] = m
		s.merchants[envKey{m.Environment, m.MID}] = m
	}
	s.orders = newOrderStore(seed.Orders)
	now := s.now()
	for _, o := range s.orders.byID {
		if pendingStatus(o.Status) && o.ExpiryDate != nil && o.ExpiryDate.After(now) {
			s.pending.add(*o.ExpiryDate, o.ID, false)
		}
	}
}

func (s *Sandbox) routes() {
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("POST /{env}/v1/oauth2/token", s.handleToken)
	s.mux.HandleFunc("POST /{env}/v1/transmit", s.authed(s.handleTransmit))
	s.mux.HandleFunc("POST /{env}/v1/evaluate", s.authed(s.handleEvaluate))
	s.mux.HandleFunc("GET /{env}/v1/orders", s.authed(s.handleOrders))
	s.mux.HandleFunc("GET /{env}/v1/orders/{id}", s.authed(s.handleOrder))
}

// ServeHTTP injects faults, then routes. Faults come first on purpose: see Faults.
func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch s.fault() {
	case faultDrop:
		panic(http.ErrAbortHandler) // net/http closes the connection without answering
	case fault429:
		w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds))
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"status": 429, "title": "Too Many Requests"})
		return
	case fault5xx:
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": 503, "title": "Service Unavailable"})
		return
	}
	if d := s.opts.Faults.Latency; d > 0 {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
	}
	s.mux.ServeHTTP(w, r)
}

type faultKind int

const (
	faultNone faultKind = iota
	faultDrop
	fault429
	fault5xx
)

// fault decides, under one lock so the random sequence is reproducible for a
// given arrival order, which fault (if any) this request gets.
func (s *Sandbox) fault() faultKind {
	f := s.opts.Faults
	n := s.requests.Add(1)
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	if f.DropRate > 0 && s.rng.Float64() < f.DropRate {
		return faultDrop
	}
	if f.Burst429 > 0 && n%int64(f.Burst429) == 0 {
		s.burstLeft = burst429Len
	}
	if s.burstLeft > 0 {
		s.burstLeft--
		return fault429
	}
	if f.ErrorRate > 0 && s.rng.Float64() < f.ErrorRate {
		return fault5xx
	}
	return faultNone
}

// Deliveries reports how many accepted /transmit copies arrived for a transaction.
func (s *Sandbox) Deliveries(env, mid, transactionID string) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.deliveries[deliveryKey{env, mid, transactionID}]
}

// Close stops the background work and waits for it. It is safe to call twice.
func (s *Sandbox) Close() {
	s.once.Do(func() { close(s.stop) })
	s.done.Wait()
}

// writeJSON renders into a buffer first, so an encoding failure becomes a
// clean 500 instead of a half-written answer.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		http.Error(w, "encode response", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// validEnv reports whether env names a route tree the sandbox serves.
func validEnv(env string) bool { return env == EnvSandbox || env == EnvProduction }
