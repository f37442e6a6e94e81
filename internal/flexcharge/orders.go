package flexcharge

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"
)

// defaultPageSize is the client's page size for GET /orders: the API's
// maximum, since every page costs a round trip and an envelope.
const defaultPageSize = apiMaxPageSize

// pagesAhead is how many pages Orders fetches and decodes while the caller
// handles the current one: enough to keep the server, the decoding and the
// caller busy at the same time, few enough to hold little memory.
const pagesAhead = 3

// ordersPage is one page of GET /orders, with the envelope's success flag.
// The item array name (rows) and totalItemCount are assumed by the contract.
type ordersPage struct {
	PageNumber     int
	PageSize       int
	PageCount      int
	HasNextPage    bool
	TotalItemCount int
	Success        *bool
	Rows           []Order
}

// pageResult is a page fetched ahead, or why it could not be.
type pageResult struct {
	page ordersPage
	err  error
}

// Orders calls each for every order of cr.MID matching q, page by page in
// createdOn order. While each handles a page, the next pages (as many as the
// pages announce, up to pagesAhead) are fetched and decoded. It stops at the
// first error, a page's or each's, and returns it; a listing that makes no
// progress, shrinks or outgrows any reason is a page's error (see listing).
func (c *Client) Orders(ctx context.Context, cr Credentials, q OrderQuery, each func(Order) error) error {
	ctx, cancel := context.WithCancel(ctx)
	var inFlight sync.WaitGroup
	defer inFlight.Wait()
	defer cancel() // before Wait: fetches still running give up
	ahead := []chan pageResult{c.fetchPage(ctx, &inFlight, cr, q, 1)}
	fetched := 1 // pages requested
	var l listing
	for page := 1; ; page++ {
		res := <-ahead[0]
		ahead = ahead[1:]
		err := res.err
		if err == nil {
			err = l.next(page, res.page)
		}
		if err != nil {
			return fmt.Errorf("list orders of mid %s, page %d: %w", cr.MID, page, err)
		}
		more := l.more(page, res.page)
		for ; more && fetched < min(l.pages, page+pagesAhead); fetched++ {
			ahead = append(ahead, c.fetchPage(ctx, &inFlight, cr, q, fetched+1))
		}
		for _, o := range res.page.Rows {
			if err := each(o); err != nil {
				return err
			}
		}
		if !more {
			return nil
		}
	}
}

// listing follows a listing page by page so that one that makes no progress
// fails instead of running forever, and one that ends before the orders it
// announced fails instead of leaving them missing.
//
// FlexCharge keeps taking orders while we page, and an order may reach its
// listing late (its createdOn before the pull's to, which is the run's
// clock), so the listing may grow: the pull follows the most pages any page
// announced (pageCount, contract metadata), not the first page's. Pages are
// fetched ahead, several at once, so a page served before another may
// announce fewer: only the first page, always served before the others, is
// a floor. What still fails the pull:
//   - a page that repeats the one before (a server that ignores pageNumber,
//     or serves its last page again and again);
//   - a page holding an order of the page before, or of the orders created
//     at the moment it continues (tieGroup): orders joined the listing
//     on pages already read, or the server ordered orders created at the
//     same moment otherwise than when it served that page, and the orders
//     so moved onto pages already read would be missing;
//   - a page saying more follow beyond the pages it itself announces;
//   - a page announcing more than twice the first page's pages (plus one):
//     a pull reads a page in well under a second, and no merchant's sales
//     double while its listing is read, so such a listing would never end;
//   - a page announcing fewer orders or pages than the first did, or one
//     before the last announced that says none follow or comes back empty:
//     orders left the listing while we paged, the ones after them moved
//     onto pages already read, and they would be missing.
type listing struct {
	first ordersPage      // the first page's announcement (its orders dropped)
	pages int             // the most pages any page announced
	last  []Order         // the previous page's orders
	ids   map[string]bool // theirs, by ID
	tie   tieGroup        // the orders of the last createdOn read
}

// tieGroup is the orders read so far that were created at one moment, the
// last read: the ones a server ordering ties otherwise from one request to
// the next may serve again on a later page. A group longer than a page
// spans three pages or more, so the page before is not enough: an order of
// the group's first page served again on its third, the one it changed
// places with never served, went unnoticed, that order missing.
type tieGroup struct {
	at  time.Time
	ids map[string]bool
}

// add counts o into the group, which starts again at o if o was created
// at another moment. Most orders start a group, so a small group's map is
// cleared, not made anew; a big one's is dropped, as clearing costs its
// capacity at every order after it.
func (g *tieGroup) add(o Order) {
	switch {
	case g.ids == nil || !o.CreatedOn.Equal(g.at) && len(g.ids) > 8:
		g.ids = map[string]bool{}
	case !o.CreatedOn.Equal(g.at):
		clear(g.ids)
	}
	g.at = o.CreatedOn
	g.ids[o.ID] = true
}

// next checks page n of the listing, the pages before it checked.
func (l *listing) next(n int, p ordersPage) error {
	if n == 1 {
		l.first = ordersPage{PageCount: p.PageCount, TotalItemCount: p.TotalItemCount}
	}
	l.pages = max(l.pages, p.PageCount)
	again := l.behind(p)
	switch {
	case n > 1 && len(p.Rows) > 0 && slices.EqualFunc(p.Rows, l.last, sameID):
		return fmt.Errorf("FlexCharge answered with page %d's %d orders again: its listing makes no progress", n-1, len(p.Rows))
	case again != "":
		return movedError{fmt.Errorf("FlexCharge's page %d holds order %s, read on a page before: orders joined the listing before pages already read, or orders created at the same moment were listed in another order, and orders would be missing",
			n, again)}
	case p.more() && n >= p.PageCount:
		return fmt.Errorf("FlexCharge says more pages follow, beyond the %d it announced: its listing does not end", p.PageCount)
	case p.PageCount > 2*l.first.PageCount+1:
		return fmt.Errorf("FlexCharge's listing grew from %d pages to %d while it was read: more than twice, a listing that does not end", l.first.PageCount, p.PageCount)
	case p.PageCount < l.first.PageCount || p.TotalItemCount < l.first.TotalItemCount:
		return movedError{fmt.Errorf("FlexCharge's listing shrank from %d orders (%d pages) to %d (%d pages) while it was read: orders moved onto pages already read would be missing",
			l.first.TotalItemCount, l.first.PageCount, p.TotalItemCount, p.PageCount)}
	case !p.more() && (n < p.PageCount || len(p.Rows) == 0 && 1 < n && n <= l.pages):
		return movedError{fmt.Errorf("FlexCharge ends its listing (no next page, or no orders) before the %d pages announced: the orders after it would be missing", l.pages)}
	}
	l.last = p.Rows
	clear(l.ids)
	if l.ids == nil {
		l.ids = make(map[string]bool, len(p.Rows))
	}
	for _, o := range p.Rows {
		l.ids[o.ID] = true
		l.tie.add(o)
	}
	return nil
}

// behind is an order of p read on the page before, "" if none. An order
// that reaches the listing late is placed by its createdOn, which may be
// before orders already read, and then every order after it moves back a
// place, the previous page's last onto p; and a server may order orders
// created at the same moment (the listing's only order is createdOn)
// otherwise from one page's request to the next, so that one read comes
// again anywhere on p and the one it changed places with is never served.
// Either way an order is missing. So p is checked against the page before
// and against the orders of the moment it continues (tieGroup), however
// many pages they took: remembering every ID a listing read would hold them
// all to its end (at an estimated 80 bytes each, some 150 MB for a listing
// of the 1.9M orders of a night at 10M rows). (By ID, not createdOn: the
// listing's createdOn is an assumed field, an order without one reads as
// placed, and an undated order's place is FlexCharge's.)
func (l *listing) behind(p ordersPage) string {
	for _, o := range p.Rows {
		if l.ids[o.ID] || l.tie.ids[o.ID] {
			return o.ID
		}
	}
	return ""
}

// more says whether pages follow page n, p: it says so, or an earlier page,
// served after p, announced more (the listing grew since p was served).
func (l *listing) more(n int, p ordersPage) bool { return p.more() || n < l.pages }

// more says whether pages follow p: it says so, and is not empty.
func (p ordersPage) more() bool { return p.HasNextPage && len(p.Rows) > 0 }

// ErrListingMoved is what an Orders error is (errors.Is) when orders moved
// onto pages already read while the listing was read (orders joined or left
// it, or the server ordered orders of one moment otherwise): the orders
// read are not the whole listing, but reading it again from its start may
// well be, once the late orders are in place or the server serves its ties
// alike. A listing that makes no progress or does not end is not.
var ErrListingMoved = errors.New("the listing moved while it was read")

// movedError is a listing's error that is ErrListingMoved, its message its own.
type movedError struct{ error }

func (movedError) Is(target error) bool { return target == ErrListingMoved }

func sameID(a, b Order) bool { return a.ID == b.ID }

// fetchPage fetches and decodes one page in the background; the channel
// holds the result, so the goroutine never waits for a reader.
func (c *Client) fetchPage(ctx context.Context, wg *sync.WaitGroup, cr Credentials, q OrderQuery, page int) chan pageResult {
	ch := make(chan pageResult, 1)
	wg.Go(func() {
		p, err := c.ordersPage(ctx, cr, q, page)
		ch <- pageResult{p, err}
	})
	return ch
}

// ordersPage fetches one page. The body is read once: the envelope's
// success flag comes with the page, and only a failure or a body the page
// reader refuses goes through checkEnvelope.
func (c *Client) ordersPage(ctx context.Context, cr Credentials, q OrderQuery, page int) (ordersPage, error) {
	r := request{method: http.MethodGet, path: "/orders", query: orderValues(cr.MID, q, page), cr: cr, auth: true}
	resp, err := c.retry(ctx, r)
	if err != nil {
		return ordersPage{}, err
	}
	p, err := decodeOrdersPage(resp.body)
	if err != nil || p.Success != nil && !*p.Success {
		if envErr := checkEnvelope(resp); envErr != nil {
			return ordersPage{}, envErr
		}
	}
	if err != nil {
		return ordersPage{}, fmt.Errorf("decode %s response: %w", r.path, err)
	}
	return p, checkOrderIDs(p)
}

// checkOrderIDs refuses a page with an order that has no id (or is null),
// naming its row (the caller names the page): stored, every such order would
// be one order "", an orphan standing for all of them, and none could be
// matched or explained.
func checkOrderIDs(p ordersPage) error {
	for i, o := range p.Rows {
		if o.ID == "" {
			return fmt.Errorf("row %d: an order without an id", i+1)
		}
	}
	return nil
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
	var o Order
	r := request{method: http.MethodGet, path: "/orders/" + url.PathEscape(id), cr: cr, auth: true}
	if err := c.call(ctx, r, (*wireOrder)(&o)); err != nil {
		return Order{}, fmt.Errorf("get order %q: %w", id, err)
	}
	return o, nil
}
