package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/flexcharge/flexrecon/internal/flexcharge"
	"github.com/flexcharge/flexrecon/internal/store"
	"github.com/flexcharge/flexrecon/jobs"
)

func (f *fixture) deliver(t *testing.T, key []byte, ev flexcharge.WebhookEvent, tamper func(http.Header)) int {
	t.Helper()
	body, _ := json.Marshal(ev)
	u, _ := url.Parse(f.srv.URL)
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/webhooks/flexcharge", bytes.NewReader(body))
	for k, v := range flexcharge.SignWebhook(key, u.Host, body, time.Now(), "nonce-1") {
		req.Header[k] = v
	}
	// FlexCharge is no browser, but a proxy may add an Origin: deliveries
	// must not depend on cross-origin rules.
	req.Header.Set("Origin", "https://flexcharge.example")
	if tamper != nil {
		tamper(req.Header)
	}
	res, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// pendingOrder runs the chain so fc_orders holds the sandbox's orders, and
// returns one that is not completed, with its merchant's key.
func (f *fixture) pendingOrder(t *testing.T) (flexcharge.SeedOrder, []byte) {
	t.Helper()
	from, _ := time.Parse(time.DateOnly, f.plan.From)
	to, _ := time.Parse(time.DateOnly, f.plan.To)
	if _, err := f.env.Reconcile(t.Context(), jobs.Request{Kind: "adhoc", From: from, To: to, AsOf: f.plan.AsOf}); err != nil {
		t.Fatal(err)
	}
	for _, o := range f.seed.Orders {
		st, ok, err := f.env.DB.OrderStatus(t.Context(), o.Environment, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if ok && st != flexcharge.StatusCompleted {
			for _, m := range f.seed.Merchants {
				if m.Environment == o.Environment && m.MID == o.MID {
					k, _ := decodeKey(m.WebhookKey)
					return o, k
				}
			}
		}
	}
	t.Fatal("no stored order that is not completed")
	return flexcharge.SeedOrder{}, nil
}

// eventOf is event for order o, minutes after the fixture's pull.
func (f *fixture) eventOf(o flexcharge.SeedOrder, event string, minutes int) flexcharge.WebhookEvent {
	return flexcharge.WebhookEvent{Event: event, TimeStamp: f.plan.AsOf.Add(time.Duration(minutes) * time.Minute).UTC(),
		OrderID: o.ID, ExternalOrderID: o.ExternalOrderID, IsTestMode: o.Environment == "sandbox"}
}

// wantStored checks how many events are stored and o's status.
func (f *fixture) wantStored(t *testing.T, o flexcharge.SeedOrder, events int64, status int) {
	t.Helper()
	if n, _ := f.env.DB.WebhookEventCount(t.Context()); n != events {
		t.Errorf("events stored: got %d, want %d", n, events)
	}
	if st, _, _ := f.env.DB.OrderStatus(t.Context(), o.Environment, o.ID); st != status {
		t.Errorf("order %s status: got %d, want %d", o.ID, st, status)
	}
}

func TestWebhookStoresOnceAndMovesTheOrder(t *testing.T) {
	f := newFixture(t, false)
	o, key := f.pendingOrder(t)
	ev := f.eventOf(o, flexcharge.EventOrderCompleted, 1)
	for i := range 3 {
		ev.IsResent = i > 0
		if got := f.deliver(t, key, ev, nil); got != http.StatusOK {
			t.Fatalf("delivery %d: got %d, want 200", i, got)
		}
	}
	f.wantStored(t, o, 1, flexcharge.StatusCompleted)
}

// TestWebhookEventsOfOneOrder: the completion and the later refund of one
// order share its ConfirmationId, and are two events, both applied.
func TestWebhookEventsOfOneOrder(t *testing.T) {
	f := newFixture(t, false)
	o, key := f.pendingOrder(t)
	for i, event := range []string{flexcharge.EventOrderCompleted, flexcharge.EventOrderRefunded} {
		ev := f.eventOf(o, event, i+1)
		ev.ConfirmationID = "22ACD1D9"
		if got := f.deliver(t, key, ev, nil); got != http.StatusOK {
			t.Fatalf("%s: got %d, want 200", event, got)
		}
	}
	f.wantStored(t, o, 2, flexcharge.StatusReturned)
}

// TestWebhookKeyOfTheOtherEnvironment: a delivery signed with one
// environment's key cannot move an order of the other.
func TestWebhookKeyOfTheOtherEnvironment(t *testing.T) {
	f := newFixture(t, false)
	o, _ := f.pendingOrder(t)
	var other []byte
	for _, k := range f.keys {
		if k.Environment != o.Environment {
			other = k.Key
		}
	}
	if other == nil {
		t.Fatal("the fixture has keys of one environment only")
	}
	before, _, _ := f.env.DB.OrderStatus(t.Context(), o.Environment, o.ID)
	if got := f.deliver(t, other, f.eventOf(o, flexcharge.EventOrderCompleted, 1), nil); got != http.StatusForbidden {
		t.Errorf("delivery signed with the other environment's key: got %d, want 403", got)
	}
	if st, _, _ := f.env.DB.OrderStatus(t.Context(), o.Environment, o.ID); st != before {
		t.Errorf("order %s status: %d before, %d after a refused delivery", o.ID, before, st)
	}
}

func TestWebhookRefusesBadSignatures(t *testing.T) {
	f := newFixture(t, false)
	key := f.keys[0].Key
	ev := flexcharge.WebhookEvent{Event: flexcharge.EventOrderCompleted, TimeStamp: time.Now().UTC(), OrderID: "o-1"}
	cases := map[string]struct {
		key    []byte
		tamper func(http.Header)
	}{
		"unknown key":        {[]byte("not the subscriber key"), nil},
		"no signature":       {key, func(h http.Header) { h.Del(flexcharge.HeaderSignature) }},
		"bad authorization":  {key, func(h http.Header) { h.Set(flexcharge.HeaderAuthorization, "HMAC-SHA512 Signature=x") }},
		"other content hash": {key, func(h http.Header) { h.Set(flexcharge.HeaderContentSHA512, "AAAA") }},
	}
	for name, c := range cases {
		if got := f.deliver(t, c.key, ev, c.tamper); got != http.StatusUnauthorized {
			t.Errorf("%s: got %d, want 401", name, got)
		}
	}
	if n, _ := f.env.DB.WebhookEventCount(t.Context()); n != 0 {
		t.Errorf("events stored from refused deliveries: got %d, want 0", n)
	}
}

func TestOpsChangesASwitch(t *testing.T) {
	f := newFixture(t, false)
	c := f.login(t, "oscar")
	sws := recordedSwitches(t, f)
	m := sws[0].MerchantID
	form := url.Values{"profile": {sws[0].Profile}, "state": {"off"}, "reason": {"merchant asked to pause"}}
	res, err := c.PostForm(f.srv.URL+"/merchants/"+m+"/switches", form)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST switch: got %s, want 303", res.Status)
	}
	_, body := get(t, c, f.srv.URL+"/merchants")
	contains(t, "merchants page", body, "merchant asked to pause", "oscar")
	_, body = get(t, c, f.srv.URL+"/audit")
	contains(t, "audit page", body, "switch", "merchant asked to pause")
	if res, _ := c.PostForm(f.srv.URL+"/merchants/NOPE/switches", form); res.StatusCode != http.StatusBadRequest {
		t.Errorf("switch of a merchant not in the registry: got %s, want 400", res.Status)
	}
	form.Del("reason")
	if res, _ := c.PostForm(f.srv.URL+"/merchants/"+m+"/switches", form); res.StatusCode != http.StatusBadRequest {
		t.Errorf("switch without a reason: got %s, want 400", res.Status)
	}
}

// TestMerchantWithoutSwitchesIsListed: a merchant onboarded with no switch
// yet (every profile off) is on the merchants page, with the form that
// records its first switch.
func TestMerchantWithoutSwitchesIsListed(t *testing.T) {
	f := newFixture(t, false)
	if err := f.env.DB.SeedRegistry(t.Context(), []store.Merchant{{ID: "M777", Name: "Newly onboarded",
		MIDs: map[string]string{"sandbox": "mid-777"}}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	c := f.login(t, "oscar")
	_, body := get(t, c, f.srv.URL+"/merchants")
	contains(t, "merchants page", body, "<h2>M777</h2>", `action="/merchants/M777/switches"`)
	form := url.Values{"profile": {"mit"}, "state": {"sandbox"}, "reason": {"first switch"}}
	if res, err := c.PostForm(f.srv.URL+"/merchants/M777/switches", form); err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST M777's first switch: got %v %v, want 303", res, err)
	}
	_, body = get(t, c, f.srv.URL+"/merchants")
	_, m777, _ := strings.Cut(body, "<h2>M777</h2>")
	contains(t, "M777 on the merchants page", m777, "first switch", "sandbox")
}

// TestOpsSwitchAtLocalTimeOnTransitionNights: a switch's effective time
// typed in the form as a local time on a New York transition night is the
// instant DuckDB gives a ledger row showing the same clock (its
// timezone(zone, TIMESTAMP)): 02:30, skipped when clocks go forward, is
// 03:30 EDT; 01:30, repeated when they go back, is the later one, EST.
func TestOpsSwitchAtLocalTimeOnTransitionNights(t *testing.T) {
	f := newFixture(t, false)
	c := f.login(t, "oscar")
	sws := recordedSwitches(t, f)
	m, zone := sws[0].MerchantID, f.env.Location.String()
	if zone != "America/New_York" {
		t.Fatalf("the fixture's zone is %s: the dates below are New York's transitions", zone)
	}
	for _, local := range []string{"2026-03-08T02:30", "2026-11-01T01:30"} {
		reason := "on at " + local
		form := url.Values{"profile": {sws[0].Profile}, "state": {"off"}, "reason": {reason}, "effective": {local}}
		res, err := c.PostForm(f.srv.URL+"/merchants/"+m+"/switches", form)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST switch effective %s: got %s, want 303", local, res.Status)
		}
		rows, err := f.env.DB.Query(t.Context(), "SELECT epoch_ns(timezone($1, CAST($2 AS TIMESTAMP)))", zone, local)
		if err != nil {
			t.Fatal(err)
		}
		var ns int64
		for rows.Next() {
			if err := rows.Scan(&ns); err != nil {
				t.Fatal(err)
			}
		}
		rows.Close()
		want := time.Unix(0, ns)
		all, err := f.env.DB.Switches(t.Context(), m)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, sw := range all {
			if sw.Reason == reason {
				found = true
				if !sw.EffectiveAt.Equal(want) {
					t.Errorf("effective %s in %s: stored %s, DuckDB reads the clock as %s", local, zone,
						sw.EffectiveAt.UTC().Format(time.RFC3339), want.UTC().Format(time.RFC3339))
				}
			}
		}
		if !found {
			t.Errorf("switch %q not stored", reason)
		}
	}
}

// recordedSwitches is the fixture's switch history, at least one switch.
func recordedSwitches(t *testing.T, f *fixture) []store.Switch {
	t.Helper()
	sws, err := f.env.DB.Switches(t.Context(), "")
	if err != nil || len(sws) == 0 {
		t.Fatalf("switches: %v %d", err, len(sws))
	}
	return sws
}
