package flexcharge

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// settleInterval is how often the background ticker settles and expires
// managed-MIT orders against the sandbox clock.
const settleInterval = time.Second

func (s *Sandbox) start() {
	s.done.Add(2)
	go func() {
		defer s.done.Done()
		t := time.NewTicker(settleInterval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				s.Settle()
			case <-s.stop:
				return
			}
		}
	}()
	go func() {
		defer s.done.Done()
		s.hooks.run()
	}()
}

// Settle completes rescuable managed-MIT orders whose settle time has come and
// expires the others past their expiryDate, sending order.completed or
// order.expired. The background ticker calls it every second; tests with an
// injected clock call it after moving the clock. Expired orders keep their
// DRAFT/PROCESSING status, as the contract says: "expired" is pending past expiry.
func (s *Sandbox) Settle() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for {
		it, ok := s.pending.popDue(now)
		if !ok {
			return
		}
		o := s.orders.byID[it.orderID]
		if o == nil || !pendingStatus(o.Status) {
			continue
		}
		if it.settle {
			o.Status, o.StatusName = StatusCompleted, StatusName(StatusCompleted)
			s.hooks.enqueue(s.event(o, EventOrderCompleted))
			continue
		}
		s.hooks.enqueue(s.event(o, EventOrderExpired))
	}
}

// webhookJob is one delivery: the merchant's key and the event.
type webhookJob struct {
	key   []byte
	event WebhookEvent
}

// event builds a webhook for o, signed with its merchant's key. The caller holds s.mu.
func (s *Sandbox) event(o *storedOrder, name string) webhookJob {
	var key []byte
	if m := s.merchants[envKey{o.env, o.MID}]; m != nil {
		key, _ = base64.StdEncoding.DecodeString(m.WebhookKey)
	}
	return webhookJob{key: key, event: WebhookEvent{
		Event: name, TimeStamp: s.now().UTC(), EventData: json.RawMessage("null"),
		ExternalOrderID: o.ExternalOrderID, OrderID: o.ID,
		ConfirmationID: strings.ToUpper(strings.ReplaceAll(uuid.NewString(), "-", "")[:8]),
		IsTestMode:     o.IsTestMode,
	}}
}

// Webhook delivery: attempts per event and the first retry wait, doubled each time.
const (
	webhookAttempts = 5
	webhookBackoff  = 500 * time.Millisecond
	webhookTimeout  = 10 * time.Second
)

// webhookSender posts events one at a time from an unbounded queue, so a
// burst of expiries never blocks the handler or the ticker.
type webhookSender struct {
	target string
	log    *slog.Logger
	stop   <-chan struct{}
	client *http.Client

	mu    sync.Mutex
	queue []webhookJob
	wake  chan struct{}
}

func newWebhookSender(target string, log *slog.Logger, stop <-chan struct{}) *webhookSender {
	return &webhookSender{target: target, log: log, stop: stop,
		client: &http.Client{Timeout: webhookTimeout}, wake: make(chan struct{}, 1)}
}

// enqueue adds a job; without a target there is nobody to tell.
func (ws *webhookSender) enqueue(j webhookJob) {
	if ws.target == "" || len(j.key) == 0 {
		return
	}
	ws.mu.Lock()
	ws.queue = append(ws.queue, j)
	ws.mu.Unlock()
	select {
	case ws.wake <- struct{}{}:
	default:
	}
}

func (ws *webhookSender) run() {
	for {
		select {
		case <-ws.wake:
		case <-ws.stop:
			return
		}
		for j, ok := ws.next(); ok; j, ok = ws.next() {
			ws.deliver(j)
		}
	}
}

func (ws *webhookSender) next() (webhookJob, bool) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if len(ws.queue) == 0 {
		return webhookJob{}, false
	}
	j := ws.queue[0]
	ws.queue = ws.queue[1:]
	return j, true
}

// deliver posts until a 2xx, marking repeats IsResent as FlexCharge does.
func (ws *webhookSender) deliver(j webhookJob) {
	wait := webhookBackoff
	for attempt := 0; attempt < webhookAttempts; attempt++ {
		j.event.IsResent = attempt > 0
		err := ws.post(j)
		if err == nil {
			return
		}
		ws.log.Warn("sandbox webhook delivery failed", "event", j.event.Event, "order", j.event.OrderID, "attempt", attempt+1, "err", err)
		select {
		case <-time.After(wait):
			wait *= 2
		case <-ws.stop:
			return
		}
	}
}

func (ws *webhookSender) post(j webhookJob) error {
	body, err := json.Marshal(j.event)
	if err != nil {
		return err
	}
	u, err := url.Parse(ws.target)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-ws.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ws.target, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header = SignWebhook(j.key, u.Host, body, time.Now(), strings.ReplaceAll(uuid.NewString(), "-", ""))
	req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	res, err := ws.client.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("receiver answered %d", res.StatusCode)
	}
	return nil
}
