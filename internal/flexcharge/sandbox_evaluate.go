package flexcharge

import (
	"crypto/sha256"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
)

// evaluateRequest holds the /evaluate fields the sandbox's rules look at.
type evaluateRequest struct {
	OrderID         string     `json:"orderId"`
	IdempotencyKey  string     `json:"idempotencyKey"`
	TransactionType string     `json:"transactionType"`
	IsMIT           bool       `json:"isMIT"`
	IsRecurring     bool       `json:"isRecurring"`
	MID             string     `json:"mid"`
	SiteID          string     `json:"siteId"`
	SiteURL         string     `json:"siteUrl"`
	OrderSource     string     `json:"orderSource"`
	ExpiryDateUTC   *time.Time `json:"expiryDateUtc"`
	Transaction     struct {
		ID                string `json:"id"`
		Amount            int64  `json:"amount"`
		Currency          string `json:"currency"`
		DynamicDescriptor string `json:"dynamicDescriptor"`
	} `json:"transaction"`
	PaymentMethod struct {
		CardNumber        string `json:"cardNumber"`
		CardBinNumber     string `json:"cardBinNumber"`
		CardLast4Digits   string `json:"cardLast4Digits"`
		VerificationValue string `json:"verificationValue"`
	} `json:"paymentMethod"`
	Payer struct {
		Phone string `json:"phone"`
	} `json:"payer"`
}

// evalReplay is a stored /evaluate answer, replayed for the same idempotency
// key and body; the same key with another body is a 409.
type evalReplay struct {
	bodyHash [32]byte
	answer   map[string]any
}

// maxEvaluateBody bounds an /evaluate body; real ones are a few kilobytes.
const maxEvaluateBody = 1 << 20

// handleEvaluate creates an order the way a gateway's rescue call would.
func (s *Sandbox) handleEvaluate(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxEvaluateBody))
	var req evaluateRequest
	if err != nil || json.Unmarshal(raw, &req) != nil {
		writeFlat(w, map[string][]string{"$": {"The request body is not valid JSON."}})
		return
	}
	if fields := s.validateEvaluate(p.env, req); len(fields) > 0 {
		writeFlat(w, fields)
		return
	}
	if req.MID != "" && req.MID != p.mid {
		writeStatus(w, http.StatusForbidden, "mid does not belong to these credentials")
		return
	}
	status, answer := s.evaluate(p, req, sha256.Sum256(raw))
	writeJSON(w, status, answer)
}

func (s *Sandbox) validateEvaluate(env string, req evaluateRequest) map[string][]string {
	f := map[string][]string{}
	require := func(ok bool, path, msg string) {
		if !ok {
			f[path] = append(f[path], msg)
		}
	}
	require(req.OrderID != "", "OrderId", "Merchant's orderId is required")
	require(req.IdempotencyKey != "", "IdempotencyKey", "The IdempotencyKey field is required.")
	require(req.Transaction.ID != "", "Transaction.Id", "The Id field is required.")
	if req.IsMIT && req.ExpiryDateUTC != nil {
		require(!req.ExpiryDateUTC.Before(s.now().Add(MinManagedExpiry)), "ExpiryDateUtc",
			"The field ExpiryDateUtc is invalid.")
	}
	validateMoney(env, req.Transaction.Amount, req.Transaction.Currency, require)
	return f
}

// evaluate replays or creates, under the lock so one idempotency key can
// never create two orders.
func (s *Sandbox) evaluate(p principal, req evaluateRequest, hash [32]byte) (int, map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := envKey{p.env, req.IdempotencyKey}
	if prev, ok := s.idempotency[key]; ok {
		if prev.bodyHash != hash {
			return http.StatusConflict, map[string]any{"success": false, "result": "idempotency key reused with another body",
				"status": "Conflict", "statusCode": "409", "errors": []any{}, "customProperties": map[string]any{}}
		}
		return http.StatusOK, prev.answer
	}
	o, answer := s.newOrder(p, req)
	s.orders.insert(o)
	body := map[string]any{
		"orderSessionKey": o.ID, "orderId": o.ID, "senseKey": nil, "status": answer,
		"success": true, "result": "Success", "statusCode": nil, "errors": []any{}, "customProperties": map[string]any{},
	}
	s.idempotency[key] = evalReplay{bodyHash: hash, answer: body}
	return http.StatusOK, body
}

// newOrder applies the outcome rules and schedules what happens next. The
// caller holds s.mu.
func (s *Sandbox) newOrder(p principal, req evaluateRequest) (*storedOrder, string) {
	now := s.now().UTC()
	pm := req.PaymentMethod
	in := evalInput{
		card:          cardOf(pm.CardNumber, pm.CardBinNumber, pm.CardLast4Digits),
		hasCVVorPhone: pm.VerificationValue != "" || req.Payer.Phone != "",
		isMIT:         req.IsMIT, managed: req.IsMIT && req.ExpiryDateUTC != nil,
		authorization: strings.EqualFold(req.TransactionType, "AUTHORIZATION"),
	}
	answer, status, settles := evaluateOutcome(in)
	o := &storedOrder{env: p.env, Order: Order{
		ID: uuid.NewString(), ExternalOrderID: req.OrderID, MID: p.mid,
		Amount: new(req.Transaction.Amount), CurrencyCode: req.Transaction.Currency,
		IsMIT: new(req.IsMIT), OrderSource: req.OrderSource, SiteID: req.SiteID, SiteURL: req.SiteURL,
		DynamicDescriptor: req.Transaction.DynamicDescriptor, TransactionID: req.Transaction.ID,
		Status: status, StatusName: StatusName(status), OrderPlacedDate: now, CreatedOn: now,
		IsTestMode: p.env == EnvSandbox,
	}}
	if in.managed {
		exp := req.ExpiryDateUTC.UTC()
		o.ExpiryDate = &exp
		s.schedule(o, settles, now)
	}
	if ev := eventFor(status); ev != "" {
		s.hooks.enqueue(s.event(o, ev))
	}
	return o, answer
}

// schedule queues a managed-MIT order's settlement or expiry.
func (s *Sandbox) schedule(o *storedOrder, settles bool, now time.Time) {
	if settles && now.Add(ManagedSettleDelay).Before(*o.ExpiryDate) {
		s.pending.add(now.Add(ManagedSettleDelay), o.ID, true)
		return
	}
	s.pending.add(*o.ExpiryDate, o.ID, false)
}

// cardOf returns the full test card number, recognising the test cards by BIN
// and last four when only those are sent.
func cardOf(number, bin, last4 string) string {
	if number != "" {
		return number
	}
	for _, c := range []string{RescueCard, ChallengeCard} {
		if bin != "" && strings.HasPrefix(c, bin) && strings.HasSuffix(c, last4) && last4 != "" {
			return c
		}
	}
	return bin + "…" + last4
}

// eventFor names the webhook an order status change sends, if any.
func eventFor(status int) string {
	switch status {
	case StatusCompleted:
		return EventOrderCompleted
	case StatusCancelled:
		return EventOrderCancelled
	case StatusCaptureRequired:
		return EventCaptureRequired
	}
	return ""
}
