package flexcharge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestTransmitReturnsKeyAndCountsDelivery(t *testing.T) {
	e := startSandbox(t, testSeed(), SandboxOptions{})
	c := NewClient(e.url(EnvSandbox), fastOptions())
	tr := validTransmit(credA)
	key, err := c.Transmit(context.Background(), credA, tr)
	if err != nil || key == "" {
		t.Fatalf("Transmit(%s) = %q, %v; want a key", tr.Transaction.ID, key, err)
	}
	if got := e.sb.Deliveries(EnvSandbox, credA.MID, tr.Transaction.ID); got != 1 {
		t.Errorf("Deliveries = %d, want 1", got)
	}
}

func TestTokenNotFetchedPerCall(t *testing.T) {
	e := startSandbox(t, testSeed(), SandboxOptions{})
	c := NewClient(e.url(EnvSandbox), fastOptions())
	const n = 40
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			_, err := c.Transmit(context.Background(), credA, validTransmit(credA))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("Transmit: %v", err)
		}
	}
	if got := e.req.count("/sandbox/v1/oauth2/token"); got != 1 {
		t.Errorf("token requests over %d concurrent calls = %d, want 1", n, got)
	}
	if _, err := c.Transmit(context.Background(), credB, validTransmit(credB)); err != nil {
		t.Fatalf("Transmit for a second merchant: %v", err)
	}
	if got := e.req.count("/sandbox/v1/oauth2/token"); got != 2 {
		t.Errorf("token requests after a second merchant = %d, want 2 (one per merchant)", got)
	}
}

// TestRefusedCredentialsAskedOnce: credentials the token call refused are
// refused again without asking, for a while: a push of many transactions
// of a merchant whose secret is wrong asks FlexCharge once, not once per
// transaction. Another merchant's credentials are asked as usual.
func TestRefusedCredentialsAskedOnce(t *testing.T) {
	e := startSandbox(t, testSeed(), SandboxOptions{})
	c := NewClient(e.url(EnvSandbox), fastOptions())
	bad := Credentials{MID: credA.MID, AppKey: credA.AppKey, AppSecret: "wrong-secret"}
	for i := range 5 {
		_, err := c.Transmit(context.Background(), bad, validTransmit(credA))
		var ae *APIError
		if !errors.As(err, &ae) || ae.StatusCode != 400 || Permanent(err) {
			t.Fatalf("Transmit %d with a wrong secret: %v; want the token call's 400, retryable by a later run", i, err)
		}
	}
	if got := e.req.count("/sandbox/v1/oauth2/token"); got != 1 {
		t.Errorf("token requests for 5 transmits with refused credentials = %d, want 1", got)
	}
	if _, err := c.Transmit(context.Background(), credB, validTransmit(credB)); err != nil {
		t.Fatalf("Transmit for another merchant: %v", err)
	}
	if _, err := c.Transmit(context.Background(), credA, validTransmit(credA)); err != nil {
		t.Fatalf("Transmit with the right secret after a wrong one: %v", err)
	}
}

func TestExpiredTokenIsRenewedOn401(t *testing.T) {
	// The sandbox clock starts at the real time: the client judges expiry by its own clock.
	clk := newClock(time.Now())
	e := startSandbox(t, testSeed(), SandboxOptions{Now: clk.Now})
	c := NewClient(e.url(EnvSandbox), fastOptions())
	if _, err := c.Transmit(context.Background(), credA, validTransmit(credA)); err != nil {
		t.Fatalf("first Transmit: %v", err)
	}
	// The client still believes its token is good; only the server knows it expired.
	clk.Add(TokenLifetime + time.Minute)
	if _, err := c.Transmit(context.Background(), credA, validTransmit(credA)); err != nil {
		t.Fatalf("Transmit after expiry: %v", err)
	}
	if got := e.req.count("/sandbox/v1/oauth2/token"); got != 2 {
		t.Errorf("token requests = %d, want 2 (initial + renewal after 401)", got)
	}
	if got := e.req.count("/sandbox/v1/transmit"); got != 3 {
		t.Errorf("transmit requests = %d, want 3 (ok, 401, ok)", got)
	}
}

func TestTitledValidationShape(t *testing.T) {
	e := startSandbox(t, testSeed(), SandboxOptions{})
	c := NewClient(e.url(EnvSandbox), fastOptions())
	bad := Credentials{MID: credA.MID, AppKey: credA.AppKey, AppSecret: "wrong"}
	_, err := c.Transmit(context.Background(), bad, validTransmit(credA))
	var ae *APIError
	if !errors.As(err, &ae) {
		t.Fatalf("Transmit with bad credentials: err = %v, want *APIError", err)
	}
	want := &APIError{StatusCode: 400, Title: "One or more validation errors occurred.",
		Fields: map[string][]string{"AppKey": {"Invalid AppKey or AppSecret."}}}
	if diff := cmp.Diff(want, ae, cmpIgnoreTrace); diff != "" {
		t.Errorf("APIError mismatch (-want +got):\n%s", diff)
	}
	// Not permanent: the transaction was never looked at, and a later run
	// with the credentials put right must send it.
	if Permanent(err) || ae.TraceID == "" {
		t.Errorf("Permanent = %v, TraceID = %q; want false and a trace id", Permanent(err), ae.TraceID)
	}
	if got := e.req.count("/sandbox/v1/oauth2/token"); got != 1 {
		t.Errorf("token requests = %d, want 1 (400 is not retried)", got)
	}
}

var cmpIgnoreTrace = cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".TraceID" }, cmp.Ignore())

func TestFlatValidationShape(t *testing.T) {
	e := startSandbox(t, testSeed(), SandboxOptions{})
	c := NewClient(e.url(EnvSandbox), fastOptions())
	tr := validTransmit(credA)
	tr.OrderID, tr.Transaction.Amount, tr.Transaction.Currency = "", 5, "EUR"
	_, err := c.Transmit(context.Background(), credA, tr)
	var ae *APIError
	if !errors.As(err, &ae) {
		t.Fatalf("Transmit(invalid) err = %v, want *APIError", err)
	}
	want := &APIError{StatusCode: 400, Fields: map[string][]string{
		"OrderId":              {"Merchant's orderId is required"},
		"Transaction.Amount":   {"The field Amount must be between 10 and 20000."},
		"Transaction.Currency": {"The Currency must be USD."},
	}}
	if diff := cmp.Diff(want, ae, cmpIgnoreTrace); diff != "" {
		t.Errorf("APIError mismatch (-want +got):\n%s", diff)
	}
	if got := e.req.count("/sandbox/v1/transmit"); got != 1 {
		t.Errorf("transmit requests = %d, want 1 (400 is not retried)", got)
	}
	if got := e.sb.Deliveries(EnvSandbox, credA.MID, tr.Transaction.ID); got != 0 {
		t.Errorf("Deliveries of a refused transmit = %d, want 0", got)
	}
}

func TestDecodeAPIError(t *testing.T) {
	tests := []struct {
		name string
		code int
		body string
		want *APIError
	}{
		{"titled, numeric status", 400,
			`{"status":400,"title":"One or more validation errors occurred.","traceId":"00-ab-01","errors":{"Transaction.Id":["The Id field is required."]}}`,
			&APIError{StatusCode: 400, Title: "One or more validation errors occurred.", TraceID: "00-ab-01",
				Fields: map[string][]string{"Transaction.Id": {"The Id field is required."}}}},
		{"titled, string status, TraceId inside errors", 400,
			`{"status":"400","title":"Bad","errors":{"TraceId":["00-cd-01"],"OrderId":["required"]}}`,
			&APIError{StatusCode: 400, Title: "Bad", TraceID: "00-cd-01", Fields: map[string][]string{"OrderId": {"required"}}}},
		{"flat", 400, `{"TraceId":["00-ef-01"],"OrderId":["Merchant's orderId is required"],"Transaction.Id":["The Id field is required."]}`,
			&APIError{StatusCode: 400, TraceID: "00-ef-01", Fields: map[string][]string{
				"OrderId": {"Merchant's orderId is required"}, "Transaction.Id": {"The Id field is required."}}}},
		{"envelope", 200, `{"success":false,"result":"FAILED","status":"DECLINED","errors":[],"customProperties":{}}`,
			&APIError{StatusCode: 200, Message: "FAILED: DECLINED"}},
		{"plain text", 502, "Bad Gateway\n", &APIError{StatusCode: 502, Message: "Bad Gateway"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := decodeAPIError(tt.code, []byte(tt.body))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("decodeAPIError(%d, %s) mismatch (-want +got):\n%s", tt.code, tt.body, diff)
			}
		})
	}
}

// fakeAPI is a hand-written FlexCharge over real HTTP for answers the sandbox
// never gives (success:false, scripted failures).
type fakeAPI struct {
	transmit func(w http.ResponseWriter, n int64)
	calls    atomic.Int64
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/v1/oauth2/token" {
		writeJSON(w, 200, map[string]any{"accessToken": "tok-fake-9c1e", "expires": time.Now().Add(time.Hour).UnixMilli(), "success": true})
		return
	}
	f.transmit(w, f.calls.Add(1))
}

func startFake(t *testing.T, transmit func(w http.ResponseWriter, n int64)) (*fakeAPI, string) {
	f := &fakeAPI{transmit: transmit}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL + "/v1"
}

func TestSuccessFalseIsAnError(t *testing.T) {
	f, base := startFake(t, func(w http.ResponseWriter, _ int64) {
		writeJSON(w, 200, map[string]any{"success": false, "result": "Merchant is not active", "transmitId": nil})
	})
	_, err := NewClient(base, fastOptions()).Transmit(context.Background(), credA, validTransmit(credA))
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != 200 || ae.Message != "Merchant is not active" {
		t.Fatalf("Transmit err = %v, want APIError 200 'Merchant is not active'", err)
	}
	if !Permanent(err) || f.calls.Load() != 1 {
		t.Errorf("Permanent = %v, calls = %d; want true, 1", Permanent(err), f.calls.Load())
	}
}

// TestTokenWithoutAUsableExpiryIsReused: a token answer whose expires is
// missing, or in seconds where the contract says milliseconds, is reused as
// a token of the contract's lifetime, not fetched again for every call.
func TestTokenWithoutAUsableExpiryIsReused(t *testing.T) {
	for name, expires := range map[string]func() string{
		"missing": func() string { return "" },
		"seconds": func() string { return fmt.Sprintf(`,"expires":%d`, time.Now().Add(TokenLifetime).Unix()) },
	} {
		t.Run(name, func(t *testing.T) {
			sb := NewSandbox(testSeed(), SandboxOptions{})
			c := &counted{h: sb, paths: map[string]int{}, auths: map[string]bool{}}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !strings.HasSuffix(r.URL.Path, "/oauth2/token") {
					c.ServeHTTP(w, r)
					return
				}
				rec := httptest.NewRecorder()
				c.ServeHTTP(rec, r)
				var tr tokenResponse
				json.Unmarshal(rec.Body.Bytes(), &tr)
				fmt.Fprintf(w, `{"accessToken":%q,"success":true%s}`, tr.AccessToken, expires())
			}))
			t.Cleanup(func() { srv.Close(); sb.Close() })
			client := NewClient(srv.URL+"/"+EnvSandbox+"/v1", fastOptions())
			for i := range 5 {
				if _, err := client.Transmit(context.Background(), credA, validTransmit(credA)); err != nil {
					t.Fatalf("Transmit %d: %v", i, err)
				}
			}
			if got := c.count("/sandbox/v1/oauth2/token"); got != 1 {
				t.Errorf("token requests over 5 calls, expires %s = %d, want 1", name, got)
			}
		})
	}
}
