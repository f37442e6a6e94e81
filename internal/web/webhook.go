package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/flexcharge/flexrecon/internal/flexcharge"
	"github.com/flexcharge/flexrecon/internal/recon"
	"github.com/flexcharge/flexrecon/internal/store"
)

// eventStatus is the order status an event implies; events absent here
// (expiry, chargeback) are stored but leave the order to GET /orders.
var eventStatus = map[string]int{
	flexcharge.EventOrderCompleted:  flexcharge.StatusCompleted,
	flexcharge.EventOrderCancelled:  flexcharge.StatusCancelled,
	flexcharge.EventOrderRefunded:   flexcharge.StatusReturned,
	flexcharge.EventCaptureRequired: flexcharge.StatusCaptureRequired,
}

// webhook receives a FlexCharge delivery: both signatures must verify with
// one of the subscriber keys, the event must be of that key's environment
// (a sandbox key moves no production order), and each event is stored once
// however often it is resent.
func (s *Server) webhook(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	env, ok := s.verified(r, body)
	if !ok {
		s.opts.Metrics.webhooks.WithLabelValues("refused").Inc()
		http.Error(w, "signature does not verify", http.StatusUnauthorized)
		return
	}
	var ev flexcharge.WebhookEvent
	if err := json.Unmarshal(body, &ev); err != nil || ev.OrderID == "" || ev.Event == "" {
		http.Error(w, "not a webhook event", http.StatusBadRequest)
		return
	}
	if ev.IsTestMode != (env == recon.Sandbox) {
		s.opts.Metrics.webhooks.WithLabelValues("refused").Inc()
		http.Error(w, "the event's test mode is not its key's environment", http.StatusForbidden)
		return
	}
	first, err := s.opts.DB.StoreWebhookEvent(r.Context(), s.stored(ev, env, body))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.opts.Metrics.webhooks.WithLabelValues(map[bool]string{true: "stored", false: "resent"}[first]).Inc()
	w.WriteHeader(http.StatusOK)
}

// verified says which environment's key signed the delivery, if any did.
func (s *Server) verified(r *http.Request, body []byte) (recon.Environment, bool) {
	for _, k := range s.opts.WebhookKeys {
		err := flexcharge.VerifyWebhook(k.Key, r.Host, r.Header, body)
		if err == nil {
			return recon.Environment(k.Environment), true
		}
		if !errors.Is(err, flexcharge.ErrWebhookSignature) {
			s.opts.Logger.Warn("webhook verification", "err", err)
		}
	}
	return "", false
}

// stored is the row for ev, an event of env.
func (s *Server) stored(ev flexcharge.WebhookEvent, env recon.Environment, body []byte) store.WebhookEvent {
	// An event is its environment, order, kind and time: a ConfirmationId
	// is the order's (its completion and later refund share it), and too
	// short to be unique across orders.
	key := string(env) + "|" + ev.OrderID + "|" + ev.Event + "|" + ev.TimeStamp.UTC().Format(time.RFC3339Nano)
	e := store.WebhookEvent{DedupeKey: key, Environment: string(env), Event: ev.Event, OrderID: ev.OrderID,
		ExternalOrderID: ev.ExternalOrderID, ConfirmationID: ev.ConfirmationID, EventAt: ev.TimeStamp.UTC(),
		IsTestMode: ev.IsTestMode, Body: string(body), ReceivedAt: s.opts.Now().UTC()}
	if st, ok := eventStatus[ev.Event]; ok {
		e.Status, e.StatusName = st, flexcharge.StatusName(st)
	}
	return e
}
