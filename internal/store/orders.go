package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// Order is a FlexCharge order as stored. A nil Amount or IsMIT, or an empty
// Currency, is stored as NULL: unknown, so never a difference from the ledger.
type Order struct {
	Environment, ID, ExternalOrderID, MID string
	Amount                                *int64
	Currency                              string
	IsMIT                                 *bool
	OrderSource, SiteID, SiteURL          string
	Descriptor, TransactionID             string
	Status                                int
	StatusName                            string
	PlacedAt, CreatedOn                   time.Time
	ExpiryAt                              *time.Time
	IsTestMode                            bool
}

// OrderWriter appends pulled orders in bulk; Close merges them into fc_orders.
type OrderWriter struct {
	db      *DB
	conn    driver.Conn
	app     *duckdb.Appender
	fetched time.Time
	release func() error
	// spoiled: a Discard failed, so the stage may hold a listing read in
	// part, and Close merges nothing.
	spoiled bool
}

// NewOrderWriter starts a bulk write of orders fetched at fetched.
func (db *DB) NewOrderWriter(ctx context.Context, fetched time.Time) (*OrderWriter, error) {
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	w := &OrderWriter{db: db, fetched: fetched, release: conn.Close}
	err = conn.Raw(func(dc any) error {
		w.conn = dc.(driver.Conn)
		if _, err := dc.(driver.ExecerContext).ExecContext(ctx, db.q.ClearOrdersStage, nil); err != nil {
			return err
		}
		w.app, err = duckdb.NewAppender(w.conn, "temp", "main", "fc_orders_stage")
		return err
	})
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("start order write: %w", err)
	}
	return w, nil
}

// Write appends one order.
func (w *OrderWriter) Write(o Order) error {
	return w.app.AppendRow(o.Environment, o.ID, o.ExternalOrderID, o.MID, orNull(o.Amount), nullString(o.Currency), orNull(o.IsMIT),
		o.OrderSource, o.SiteID, o.SiteURL, o.Descriptor, o.TransactionID, int32(o.Status), o.StatusName,
		o.PlacedAt, o.CreatedOn, orNull(o.ExpiryAt), o.IsTestMode, w.fetched)
}

// orNull is *p, or NULL for nil.
func orNull[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// Discard takes back the orders written for mid in environment env: a
// listing read again from its start, or one never read whole, which must not
// be merged as if it had been.
func (w *OrderWriter) Discard(ctx context.Context, env, mid string) error {
	err := w.discard(ctx, env, mid)
	w.spoiled = w.spoiled || err != nil
	return err
}

func (w *OrderWriter) discard(ctx context.Context, env, mid string) error {
	if err := w.app.Flush(); err != nil {
		return fmt.Errorf("append orders: %w", err)
	}
	args := []driver.NamedValue{{Ordinal: 1, Value: env}, {Ordinal: 2, Value: mid}}
	if _, err := w.conn.(driver.ExecerContext).ExecContext(ctx, w.db.q.DiscardStagedOrders, args); err != nil {
		return fmt.Errorf("discard the orders of mid %s in %s: %w", mid, env, err)
	}
	return nil
}

// Close flushes the appended orders and merges them into fc_orders, unless
// a Discard failed (nothing is merged then).
func (w *OrderWriter) Close(ctx context.Context) error {
	defer w.release()
	if err := w.app.Close(); err != nil {
		return fmt.Errorf("append orders: %w", err)
	}
	if w.spoiled {
		// The stage is a temporary table of a pooled connection: left full,
		// the listings it holds (millions of orders) stay in memory until a
		// later pull happens to draw that connection.
		_, err := w.conn.(driver.ExecerContext).ExecContext(ctx, w.db.q.ClearOrdersStage, nil)
		return errors.Join(errors.New("orders not merged: a listing read in part could not be taken back"), err)
	}
	w.db.orders.Lock()
	_, err := w.conn.(driver.ExecerContext).ExecContext(ctx, w.db.q.MergeOrdersStage, nil)
	w.db.orders.Unlock()
	if err != nil {
		return fmt.Errorf("merge orders: %w", err)
	}
	_, err = w.conn.(driver.ExecerContext).ExecContext(ctx, w.db.q.ClearOrdersStage, nil)
	return err
}
