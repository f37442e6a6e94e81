package flexcharge

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"
)

func decodeEvent(body []byte) (WebhookEvent, error) {
	var ev WebhookEvent
	err := json.Unmarshal(body, &ev)
	return ev, err
}

type evalAnswer struct {
	OrderSessionKey string `json:"orderSessionKey"`
	Status          string `json:"status"`
}

func evaluateBody(key, card, cvv string, mit bool, expiry *time.Time) map[string]any {
	return map[string]any{
		"orderId": "m-" + key, "idempotencyKey": key, "isMIT": mit, "mid": credA.MID,
		"expiryDateUtc": expiry, "siteUrl": "https://shop.example",
		"transaction":   map[string]any{"id": "tx-" + key, "amount": 1500, "currency": "USD", "responseCode": "05"},
		"paymentMethod": map[string]any{"cardNumber": card, "verificationValue": cvv},
	}
}

func postEvaluate(t *testing.T, e sandboxEnv, token string, body map[string]any) (int, evalAnswer) {
	t.Helper()
	res := doJSON(t, http.MethodPost, e.url(EnvSandbox)+"/evaluate", token, body)
	var a evalAnswer
	_ = json.NewDecoder(res.Body).Decode(&a)
	return res.StatusCode, a
}

func TestEvaluateOutcomes(t *testing.T) {
	e := startSandbox(t, testSeed(), SandboxOptions{})
	token := fetchToken(t, e, EnvSandbox, credA)
	c := NewClient(e.url(EnvSandbox), fastOptions())
	tests := []struct {
		key, card, cvv string
		mit            bool
		wantAnswer     string
		wantStatus     int
	}{
		{"k1", RescueCard, "", false, "APPROVED", StatusCompleted},
		{"k2", ChallengeCard, "999", false, "CHALLENGE", StatusOnHold},
		{"k3", ChallengeCard, "", false, "DECLINED", StatusCancelled},
		{"k4", "4000300011112220", "123", false, "DECLINED", StatusCancelled},
		{"k5", RescueCard, "", true, "APPROVED", StatusCompleted},
	}
	for _, tt := range tests {
		code, a := postEvaluate(t, e, token, evaluateBody(tt.key, tt.card, tt.cvv, tt.mit, nil))
		if code != 200 || a.Status != tt.wantAnswer {
			t.Errorf("evaluate card %s cvv %q mit %v: %d %q, want 200 %q", tt.card, tt.cvv, tt.mit, code, a.Status, tt.wantAnswer)
			continue
		}
		o, err := c.Order(context.Background(), credA, a.OrderSessionKey)
		if err != nil || o.Status != tt.wantStatus || o.ExternalOrderID != "m-"+tt.key || o.TransactionID != "tx-"+tt.key {
			t.Errorf("order for %s: %+v, %v; want status %d", tt.key, o, err, tt.wantStatus)
		}
	}
}

func TestEvaluateIdempotency(t *testing.T) {
	e := startSandbox(t, testSeed(), SandboxOptions{})
	token := fetchToken(t, e, EnvSandbox, credA)
	_, first := postEvaluate(t, e, token, evaluateBody("idem", RescueCard, "", false, nil))
	code, again := postEvaluate(t, e, token, evaluateBody("idem", RescueCard, "", false, nil))
	if code != 200 || again.OrderSessionKey != first.OrderSessionKey {
		t.Errorf("replay: %d %q, want 200 %q", code, again.OrderSessionKey, first.OrderSessionKey)
	}
	other := evaluateBody("idem", ChallengeCard, "", false, nil)
	if code, _ := postEvaluate(t, e, token, other); code != http.StatusConflict {
		t.Errorf("same key, other body: %d, want 409", code)
	}
}

func TestManagedMITSettlesOrExpiresWithWebhooks(t *testing.T) {
	rc, hookURL := startReceiver(t)
	clk := newClock(time.Now())
	seedExp := clk.Now().Add(48 * time.Hour)
	seeded := SeedOrder{Environment: EnvSandbox, Order: Order{ID: "seeded-mit", MID: credA.MID, IsMIT: new(true),
		Status: StatusProcessing, CreatedOn: t0, OrderPlacedDate: t0, ExpiryDate: &seedExp, Amount: new(int64(100)), CurrencyCode: "USD"}}
	e := startSandbox(t, testSeed(seeded), SandboxOptions{Now: clk.Now, WebhookURL: hookURL})
	token := fetchToken(t, e, EnvSandbox, credA)
	c := NewClient(e.url(EnvSandbox), fastOptions())

	exp := clk.Now().Add(15 * 24 * time.Hour)
	_, rescued := postEvaluate(t, e, token, evaluateBody("mit-1", RescueCard, "", true, &exp))
	_, lost := postEvaluate(t, e, token, evaluateBody("mit-2", "4000300011112220", "", true, &exp))
	if rescued.Status != "SUBMITTED" || lost.Status != "SUBMITTED" {
		t.Fatalf("managed MIT answers %q, %q; want SUBMITTED", rescued.Status, lost.Status)
	}
	tooSoon := clk.Now().Add(24 * time.Hour)
	if code, _ := postEvaluate(t, e, token, evaluateBody("mit-3", RescueCard, "", true, &tooSoon)); code != 400 {
		t.Errorf("expiry 1 day out: %d, want 400", code)
	}

	clk.Add(2 * ManagedSettleDelay)
	e.sb.Settle()
	rc.waitFor(t, EventOrderCompleted+" "+rescued.OrderSessionKey)
	if o, _ := c.Order(context.Background(), credA, lost.OrderSessionKey); o.Status != StatusDraft {
		t.Errorf("unrescued managed order before expiry: status %d, want DRAFT", o.Status)
	}

	clk.Add(16 * 24 * time.Hour)
	e.sb.Settle()
	rc.waitFor(t, EventOrderExpired+" "+lost.OrderSessionKey)
	rc.waitFor(t, EventOrderExpired+" seeded-mit")
	o, err := c.Order(context.Background(), credA, lost.OrderSessionKey)
	if err != nil || o.Status != StatusDraft || o.ExpiryDate == nil || !o.ExpiryDate.Equal(exp.UTC().Truncate(0)) {
		t.Errorf("expired order: %+v, %v; want DRAFT with its expiryDate (expired = pending past expiry)", o, err)
	}
}
