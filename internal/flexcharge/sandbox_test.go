package flexcharge

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)

// seedOrders gives merchant A 25 sandbox orders (two sharing a createdOn, to
// exercise the id tie-break), 3 production orders, and merchant B 4.
func seedOrders() []SeedOrder {
	var out []SeedOrder
	add := func(env string, cr Credentials, id string, created time.Time, status int) {
		out = append(out, SeedOrder{Environment: env, Order: Order{
			ID: id, ExternalOrderID: "ext-" + id, MID: cr.MID, Amount: new(int64(1000)), CurrencyCode: "USD",
			Status: status, StatusName: StatusName(status), OrderPlacedDate: created, CreatedOn: created,
			IsTestMode: env == EnvSandbox,
		}})
	}
	for i := 24; i >= 0; i-- { // reverse, so the store must sort
		add(EnvSandbox, credA, fmt.Sprintf("a-%02d", i), t0.Add(time.Duration(i)*time.Hour), i%8)
	}
	add(EnvSandbox, credA, "a-05b", t0.Add(5*time.Hour), StatusCompleted) // same createdOn as a-05
	for i := range 3 {
		add(EnvProduction, credAProd, fmt.Sprintf("p-%d", i), t0.Add(time.Duration(i)*time.Hour), StatusCompleted)
	}
	for i := range 4 {
		add(EnvSandbox, credB, fmt.Sprintf("b-%d", i), t0.Add(time.Duration(i)*time.Hour), StatusCancelled)
	}
	return out
}

func listIDs(t *testing.T, c *Client, cr Credentials, q OrderQuery) []string {
	t.Helper()
	var ids []string
	err := c.Orders(context.Background(), cr, q, func(o Order) error {
		ids = append(ids, o.ID)
		return nil
	})
	if err != nil {
		t.Fatalf("Orders(%+v): %v", q, err)
	}
	return ids
}

func TestOrdersPagingInCreatedOrder(t *testing.T) {
	e := startSandbox(t, testSeed(seedOrders()...), SandboxOptions{})
	c := NewClient(e.url(EnvSandbox), fastOptions())
	got := listIDs(t, c, credA, OrderQuery{PageSize: 10})
	var want []string
	for i := range 25 {
		want = append(want, fmt.Sprintf("a-%02d", i))
		if i == 5 {
			want = append(want, "a-05b")
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	if n := e.req.count("/sandbox/v1/orders"); n != 3 {
		t.Errorf("pages fetched = %d, want 3 for 26 orders at 10 a page", n)
	}
}

func TestOrdersFilters(t *testing.T) {
	e := startSandbox(t, testSeed(seedOrders()...), SandboxOptions{})
	c := NewClient(e.url(EnvSandbox), fastOptions())
	tests := []struct {
		name string
		q    OrderQuery
		want []string
	}{
		{"from inclusive, to exclusive", OrderQuery{From: t0.Add(20 * time.Hour), To: t0.Add(23 * time.Hour)}, []string{"a-20", "a-21", "a-22"}},
		{"status", OrderQuery{Status: []int{StatusCompleted}}, []string{"a-05b", "a-07", "a-15", "a-23"}},
		{"status and window, small pages", OrderQuery{Status: []int{StatusDraft, StatusProcessing}, To: t0.Add(13 * time.Hour), PageSize: 1},
			[]string{"a-00", "a-04", "a-08", "a-12"}},
		{"empty window", OrderQuery{From: t0.Add(100 * time.Hour)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, listIDs(t, c, credA, tt.q)); diff != "" {
				t.Errorf("Orders(%+v) ids (-want +got):\n%s", tt.q, diff)
			}
		})
	}
	if diff := cmp.Diff([]string{"b-0", "b-1", "b-2", "b-3"}, listIDs(t, c, credB, OrderQuery{})); diff != "" {
		t.Errorf("merchant B sees (-want +got):\n%s", diff)
	}
}

func TestOrderByID(t *testing.T) {
	e := startSandbox(t, testSeed(seedOrders()...), SandboxOptions{})
	c := NewClient(e.url(EnvSandbox), fastOptions())
	got, err := c.Order(context.Background(), credA, "a-07")
	if err != nil {
		t.Fatalf("Order(a-07): %v", err)
	}
	want := seedOrders()[24-7].Order
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Order(a-07) (-want +got):\n%s", diff)
	}
	_, err = c.Order(context.Background(), credB, "a-07")
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != 404 {
		t.Errorf("merchant B reading A's order: err = %v, want 404", err)
	}
}

func TestEnvironmentsAreSeparate(t *testing.T) {
	e := startSandbox(t, testSeed(seedOrders()...), SandboxOptions{})
	prod := NewClient(e.url(EnvProduction), fastOptions())
	_, err := prod.Transmit(context.Background(), credA, validTransmit(credA))
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != 400 {
		t.Errorf("sandbox credentials in production: err = %v, want 400", err)
	}
	if diff := cmp.Diff([]string{"p-0", "p-1", "p-2"}, listIDs(t, prod, credAProd, OrderQuery{})); diff != "" {
		t.Errorf("production orders (-want +got):\n%s", diff)
	}
	if _, err := prod.Order(context.Background(), credAProd, "a-01"); !errors.As(err, &ae) || ae.StatusCode != 404 {
		t.Errorf("sandbox order read in production: err = %v, want 404", err)
	}
	token := fetchToken(t, e, EnvSandbox, credA)
	res := doJSON(t, http.MethodGet, e.url(EnvProduction)+"/orders", token, nil)
	if res.StatusCode != 401 {
		t.Errorf("sandbox token on production route: status %d, want 401", res.StatusCode)
	}
}

func TestOrdersQueryValidation(t *testing.T) {
	e := startSandbox(t, testSeed(), SandboxOptions{})
	token := fetchToken(t, e, EnvSandbox, credA)
	for _, q := range []string{"pageSize=5000", "pageNumber=0", "from=yesterday", "status=x", "orderBy=amount"} {
		res := doJSON(t, http.MethodGet, e.url(EnvSandbox)+"/orders?"+q, token, nil)
		body, _ := io.ReadAll(res.Body)
		if ae := decodeAPIError(res.StatusCode, body); res.StatusCode != 400 || len(ae.Fields) == 0 {
			t.Errorf("GET /orders?%s: %d %s, want 400 with field errors", q, res.StatusCode, body)
		}
	}
	res := doJSON(t, http.MethodGet, e.url(EnvSandbox)+"/orders?mid="+url.QueryEscape(credB.MID), token, nil)
	if res.StatusCode != 403 {
		t.Errorf("GET /orders for another merchant's mid: %d, want 403", res.StatusCode)
	}
}

// fetchToken gets a bearer token over plain HTTP, for requests the Client cannot make.
func fetchToken(t *testing.T, e sandboxEnv, env string, cr Credentials) string {
	t.Helper()
	res := doJSON(t, http.MethodPost, e.url(env)+"/oauth2/token", "", map[string]string{"appKey": cr.AppKey, "appSecret": cr.AppSecret})
	var tr tokenResponse
	if err := json.NewDecoder(res.Body).Decode(&tr); err != nil || tr.AccessToken == "" {
		t.Fatalf("token: status %d, err %v", res.StatusCode, err)
	}
	if ttl := time.Until(time.UnixMilli(tr.Expires)); ttl < 9*time.Minute || ttl > TokenLifetime {
		t.Errorf("token lives %v, want about %v", ttl, TokenLifetime)
	}
	return tr.AccessToken
}

func doJSON(t *testing.T, method, u, token string, body any) *http.Response {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, u, r)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

func TestUnauthorizedWithoutValidBearer(t *testing.T) {
	e := startSandbox(t, testSeed(), SandboxOptions{})
	for _, token := range []string{"", "not-a-jwt", "eyJhbGciOiJub25lIn0.e30."} {
		res := doJSON(t, http.MethodPost, e.url(EnvSandbox)+"/transmit", token, validTransmit(credA))
		if res.StatusCode != 401 {
			t.Errorf("transmit with token %q: %d, want 401", token, res.StatusCode)
		}
	}
}

func TestSeedRoundTrip(t *testing.T) {
	exp := t0.Add(21 * 24 * time.Hour)
	seed := testSeed(seedOrders()...)
	seed.Orders[0].ExpiryDate = &exp
	var buf bytes.Buffer
	if err := WriteSeed(&buf, seed); err != nil {
		t.Fatalf("WriteSeed: %v", err)
	}
	path := t.TempDir() + "/seed.json"
	if err := writeFile(path, buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	got, err := LoadSeed(path)
	if err != nil {
		t.Fatalf("LoadSeed: %v", err)
	}
	if diff := cmp.Diff(seed, got); diff != "" {
		t.Errorf("seed round trip (-want +got):\n%s", diff)
	}
	_ = writeFile(path, []byte(`{"merchants":[],"ordrs":[]}`))
	if _, err := LoadSeed(path); err == nil || !bytes.Contains([]byte(err.Error()), []byte(path)) {
		t.Errorf("LoadSeed(misspelt key) err = %v, want an error naming %s", err, path)
	}
	if _, err := LoadSeed(path + ".missing"); err == nil {
		t.Error("LoadSeed(missing file) = nil error")
	}
}

func TestSeedStatusNamesFilledIn(t *testing.T) {
	o := seedOrders()[:1]
	o[0].StatusName = ""
	st := newOrderStore(o)
	if got := st.byID[o[0].ID].StatusName; got != StatusName(o[0].Status) || got == "" {
		t.Errorf("StatusName = %q, want %q", got, StatusName(o[0].Status))
	}
	if !slices.Equal([]string{"DRAFT", "COMPLETED"}, []string{StatusName(0), StatusName(7)}) {
		t.Error("status names")
	}
}
