package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/flexcharge/flexrecon/internal/flexcharge"
	"github.com/flexcharge/flexrecon/internal/recon"
	"github.com/flexcharge/flexrecon/internal/store"
)

// pullOrders fetches, for every merchant and environment it has credentials
// for, the FlexCharge orders created from the window's start to the run's clock.
func pullOrders(ctx context.Context, r *run) (int64, string, error) {
	// Copies are stored as fetched at the run's clock, so that a replay as of
	// a past night keeps its order with the webhooks of that night; never
	// later than now, or a run as of a future date would make every later
	// pull and webhook look older than its copies, and be ignored.
	fetched := r.req.AsOf
	if now := time.Now().UTC(); fetched.After(now) {
		fetched = now
	}
	w, err := r.env.DB.NewOrderWriter(ctx, fetched)
	if err != nil {
		return 0, "", err
	}
	var n int64
	q := flexcharge.OrderQuery{From: store.OrdersFrom(r.window), To: r.req.AsOf}
	for _, m := range r.env.Merchants {
		if r.req.Merchant != "" && m.ID != r.req.Merchant {
			continue
		}
		for env, cr := range m.Credentials {
			client := r.env.Clients[env]
			if client == nil {
				continue
			}
			got, err := r.pullListing(ctx, w, q, listingRead{merchant: m.ID, env: env, client: client, cr: cr})
			n += got
			if err != nil {
				// The listings read whole are merged still, unless one read in
				// part could not be taken back (store.OrderWriter.Close).
				return n, "", errors.Join(err, w.Close(context.WithoutCancel(ctx)))
			}
		}
	}
	return n, fmt.Sprintf("%d orders", n), w.Close(ctx)
}

// listingReads is how many times a pull reads one merchant's listing in an
// environment from its start before it gives up on one that moved while it
// was read (flexcharge.ErrListingMoved): a late order is in its place by the
// next read, and a server that orders orders of one moment otherwise from
// request to request rarely does so three reads in a row; one that does
// would leave orders missing, and the run fails rather than judge their
// declines lost rescues.
const listingReads = 3

// listingRead is one merchant's listing in one environment.
type listingRead struct {
	merchant string
	env      recon.Environment
	client   *flexcharge.Client
	cr       flexcharge.Credentials
}

// pullListing stages the orders of l and returns how many. A read that
// fails takes back what it staged, so that a listing read in part is never
// merged as if whole; one that moved is read again from its start, up to
// listingReads times, and the log says so.
func (r *run) pullListing(ctx context.Context, w *store.OrderWriter, q flexcharge.OrderQuery, l listingRead) (int64, error) {
	for read := 1; ; read++ {
		var n int64
		err := l.client.Orders(ctx, l.cr, q, func(o flexcharge.Order) error {
			n++
			return w.Write(storedOrder(l.env, l.cr.MID, o))
		})
		if err == nil {
			return n, nil
		}
		// A stop does not stop the taking back: the orders of the listings
		// read whole are still merged.
		if derr := w.Discard(context.WithoutCancel(ctx), string(l.env), l.cr.MID); derr != nil {
			return 0, fmt.Errorf("pull orders of %s in %s: %w (and %w)", l.merchant, l.env, err, derr)
		}
		if !errors.Is(err, flexcharge.ErrListingMoved) {
			return 0, fmt.Errorf("pull orders of %s in %s: %w", l.merchant, l.env, err)
		}
		if read == listingReads {
			return 0, fmt.Errorf("pull orders of %s in %s: read %d times from the start, it moved every time: %w", l.merchant, l.env, read, err)
		}
		r.env.Logger.Warn("orders listing moved while read; reading it again from the start", "run", r.id,
			"merchant", l.merchant, "environment", l.env, "read", read, "of", listingReads, "err", err)
	}
}

// storedOrder is o as stored, under the mid it was asked for by (the
// registry's), not the one the answer spells: orders are matched to
// merchants by the registry's mids.
func storedOrder(env recon.Environment, mid string, o flexcharge.Order) store.Order {
	return store.Order{
		Environment: string(env), ID: o.ID, ExternalOrderID: o.ExternalOrderID, MID: mid,
		Amount: o.Amount, Currency: currencyCode(o.CurrencyCode), IsMIT: o.IsMIT, OrderSource: o.OrderSource,
		SiteID: o.SiteID, SiteURL: o.SiteURL, Descriptor: o.DynamicDescriptor, TransactionID: o.TransactionID,
		Status: o.Status, StatusName: o.StatusName, PlacedAt: o.OrderPlacedDate.UTC(), CreatedOn: o.CreatedOn.UTC(),
		ExpiryAt: utc(o.ExpiryDate), IsTestMode: o.IsTestMode,
	}
}

// currencyCode is an order's currency as an ISO 4217 code: upper case, and
// XXX (ISO's "no currency") for one that is not three letters, which the
// workbook could not show in a number format or a formula. None stays none
// (unknown, see store.Order).
func currencyCode(code string) string {
	code = strings.ToUpper(strings.TrimSpace(code))
	if code == "" {
		return ""
	}
	if len(code) != 3 || strings.Trim(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		return "XXX"
	}
	return code
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
