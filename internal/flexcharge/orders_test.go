package flexcharge

import (
	"bytes"
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

// TestOrdersRefusesAPageWithoutRows: an answer that puts its orders under
// another name than the assumed "rows" fails the listing, naming the
// members it had, instead of listing no orders (which a run would take for
// no evaluation of any decline).
func TestOrdersRefusesAPageWithoutRows(t *testing.T) {
	sb := NewSandbox(testSeed(seedOrders()...), SandboxOptions{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		sb.ServeHTTP(rec, r)
		w.WriteHeader(rec.Code)
		w.Write(bytes.Replace(rec.Body.Bytes(), []byte(`"rows":`), []byte(`"items":`), 1))
	}))
	t.Cleanup(func() { srv.Close(); sb.Close() })
	c := NewClient(srv.URL+"/"+EnvSandbox+"/v1", fastOptions())
	var seen int
	err := c.Orders(context.Background(), credA, OrderQuery{}, func(Order) error { seen++; return nil })
	if err == nil || !strings.Contains(err.Error(), `"rows"`) || !strings.Contains(err.Error(), "items") {
		t.Errorf("Orders of a page naming its orders items: err = %v after %d orders; want an error naming rows and items", err, seen)
	}
}

// TestOrdersRefusesAnOrderWithoutAnID: a page with an order that has no id,
// or a null in its rows, fails the pull naming the page and row; stored,
// such orders would all be one orphan order "".
func TestOrdersRefusesAnOrderWithoutAnID(t *testing.T) {
	for name, edit := range map[string][2]string{"no id": {`"id":`, `"no_id":`}, "null": {`"rows":[`, `"rows":[null,`}} {
		t.Run(name, func(t *testing.T) {
			sb := NewSandbox(testSeed(seedOrders()...), SandboxOptions{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				rec := httptest.NewRecorder()
				sb.ServeHTTP(rec, r)
				w.WriteHeader(rec.Code)
				w.Write(bytes.Replace(rec.Body.Bytes(), []byte(edit[0]), []byte(edit[1]), 1))
			}))
			t.Cleanup(func() { srv.Close(); sb.Close() })
			c := NewClient(srv.URL+"/"+EnvSandbox+"/v1", fastOptions())
			err := c.Orders(context.Background(), credA, OrderQuery{}, func(Order) error { return nil })
			if err == nil || !strings.Contains(err.Error(), "page 1: row 1: an order without an id") {
				t.Errorf("Orders of a page whose first order has no id: err = %v; want one naming page 1, row 1", err)
			}
		})
	}
}
