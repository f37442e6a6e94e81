package flexcharge

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// defaultPageSize is the client's page size for GET /orders; the API's own
// default (10) would make a nightly scan needlessly chatty.
const defaultPageSize = 500

// ordersPage is one page of GET /orders. The item array name (rows) and
// totalItemCount are assumed by the contract.
type ordersPage struct {
	PageNumber     int         `json:"pageNumber"`
	PageSize       int         `json:"pageSize"`
	PageCount      int         `json:"pageCount"`
	HasNextPage    bool        `json:"hasNextPage"`
	TotalItemCount int         `json:"totalItemCount"`
	Rows           []wireOrder `json:"rows"`
}

// Orders calls each for every order of cr.MID matching q, page by page in
// createdOn order. It stops at the first error each returns and returns it.
func (c *Client) Orders(ctx context.Context, cr Credentials, q OrderQuery, each func(Order) error) error {
	for page := 1; ; page++ {
		p, err := c.ordersPage(ctx, cr, q, page)
		if err != nil {
			return fmt.Errorf("list orders of mid %s, page %d: %w", cr.MID, page, err)
		}
		for _, w := range p.Rows {
			if err := each(w.order()); err != nil {
				return err
			}
		}
		if !p.HasNextPage || len(p.Rows) == 0 {
			return nil
		}
	}
}

func (c *Client) ordersPage(ctx context.Context, cr Credentials, q OrderQuery, page int) (ordersPage, error) {
	var p ordersPage
	r := request{method: http.MethodGet, path: "/orders", query: orderValues(cr.MID, q, page), cr: cr, auth: true}
	err := c.call(ctx, r, &p)
	return p, err
}

// orderValues builds the query string. Statuses repeat the parameter, which
// ASP.NET binds to an int array.
func orderValues(mid string, q OrderQuery, page int) url.Values {
	size := q.PageSize
	if size <= 0 {
		size = defaultPageSize
	}
	v := url.Values{
		"mid": {mid}, "orderBy": {"createdOn"}, "sort": {"asc"},
		"pageSize": {strconv.Itoa(size)}, "pageNumber": {strconv.Itoa(page)},
	}
	if !q.From.IsZero() {
		v.Set("from", q.From.UTC().Format(time.RFC3339Nano))
	}
	if !q.To.IsZero() {
		v.Set("to", q.To.UTC().Format(time.RFC3339Nano))
	}
	for _, s := range q.Status {
		v.Add("status", strconv.Itoa(s))
	}
	return v
}

// Order returns one order by FlexCharge's id (the orderSessionKey).
func (c *Client) Order(ctx context.Context, cr Credentials, id string) (Order, error) {
	var w wireOrder
	r := request{method: http.MethodGet, path: "/orders/" + url.PathEscape(id), cr: cr, auth: true}
	if err := c.call(ctx, r, &w); err != nil {
		return Order{}, fmt.Errorf("get order %q: %w", id, err)
	}
	return w.order(), nil
}

// wireOrder decodes an order as the API sends it. ASP.NET may write times
// without a zone ("2023-03-20T17:16:40.898703"), which time.Time refuses, so
// times go through wireTime; Order itself stays plain so it embeds cleanly.
type wireOrder struct {
	Order
	OrderPlacedDate wireTime  `json:"orderPlacedDate"`
	CreatedOn       wireTime  `json:"createdOn"`
	ExpiryDate      *wireTime `json:"expiryDate"`
}

func (w wireOrder) order() Order {
	o := w.Order
	o.OrderPlacedDate, o.CreatedOn = time.Time(w.OrderPlacedDate), time.Time(w.CreatedOn)
	if w.ExpiryDate != nil && !time.Time(*w.ExpiryDate).IsZero() {
		t := time.Time(*w.ExpiryDate)
		o.ExpiryDate = &t
	}
	if o.StatusName == "" {
		o.StatusName = StatusName(o.Status)
	}
	return o
}

// wireTime accepts RFC 3339 and zone-less ISO 8601 (read as UTC).
type wireTime time.Time

var wireLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"}

func (t *wireTime) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil || s == "" {
		return err
	}
	for _, layout := range wireLayouts {
		if v, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			*t = wireTime(v.UTC())
			return nil
		}
	}
	return fmt.Errorf("parse time %q", s)
}
