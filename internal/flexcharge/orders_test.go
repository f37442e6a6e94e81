package flexcharge

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestOrdersStopsAtFirstFailedPage: pages are fetched ahead, but a failure is
// reported at its page, after the orders before it, and nothing after it.
func TestOrdersStopsAtFirstFailedPage(t *testing.T) {
	sb := NewSandbox(testSeed(seedOrders()...), SandboxOptions{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("pageNumber") == "3" {
			writeStatus(w, http.StatusBadRequest, "page 3 is broken")
			return
		}
		sb.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { srv.Close(); sb.Close() })
	c := NewClient(srv.URL+"/"+EnvSandbox+"/v1", fastOptions())
	var seen int
	err := c.Orders(context.Background(), credA, OrderQuery{PageSize: 5}, func(Order) error { seen++; return nil })
	var ae *APIError
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "page 3") || seen != 10 {
		t.Errorf("Orders with page 3 failing: err = %v after %d orders; want an APIError for page 3 after 10", err, seen)
	}
}

// TestOrdersStopsAtEachError: the caller's error ends the listing as is.
func TestOrdersStopsAtEachError(t *testing.T) {
	e := startSandbox(t, testSeed(seedOrders()...), SandboxOptions{})
	c := NewClient(e.url(EnvSandbox), fastOptions())
	stop := errors.New("stop")
	var seen int
	err := c.Orders(context.Background(), credA, OrderQuery{PageSize: 2}, func(Order) error {
		if seen++; seen == 3 {
			return stop
		}
		return nil
	})
	if err != stop || seen != 3 {
		t.Errorf("Orders stopped by each at order 3: err = %v after %d orders; want %v after 3", err, seen, stop)
	}
}
