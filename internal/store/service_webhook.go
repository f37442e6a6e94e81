package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
)

// WebhookEvent is a verified FlexCharge webhook delivery, as stored.
type WebhookEvent struct {
	DedupeKey       string
	Environment     string
	Event           string
	OrderID         string
	ExternalOrderID string
	ConfirmationID  string
	EventAt         time.Time
	IsTestMode      bool
	Body            string
	ReceivedAt      time.Time
	// Status, when StatusName is set, is the order status the event implies.
	Status     int
	StatusName string
}

// StoreWebhookEvent stores e once however often it is delivered, and moves
// the stored order to the status it implies. first is false for a resend.
func (db *DB) StoreWebhookEvent(ctx context.Context, e WebhookEvent) (first bool, err error) {
	defer wrap(&err, "store webhook event %s", e.DedupeKey)
	db.orders.Lock()
	defer db.orders.Unlock()
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		var deliveries int
		if err := tx.GetContext(ctx, &deliveries, db.q.InsertWebhookEvent, e.DedupeKey, e.Environment, e.Event,
			e.OrderID, e.ExternalOrderID, e.ConfirmationID, e.EventAt, e.IsTestMode, e.Body, e.ReceivedAt); err != nil {
			return err
		}
		first = deliveries == 1
		if !first || e.StatusName == "" {
			return nil
		}
		_, err := tx.ExecContext(ctx, db.q.WebhookOrderStatus, e.Environment, e.OrderID, e.Status, e.StatusName, e.EventAt)
		return err
	})
	return first, err
}

// WebhookEventCount counts distinct events stored.
func (db *DB) WebhookEventCount(ctx context.Context) (int64, error) {
	var n int64
	err := db.db.GetContext(ctx, &n, db.q.CountWebhookEvents)
	return n, wrapf(err, "count webhook events")
}

// OrderStatus is the stored status of a FlexCharge order; ok is false when
// no order with that id was stored.
func (db *DB) OrderStatus(ctx context.Context, environment, id string) (status int, ok bool, err error) {
	err = db.db.GetContext(ctx, &status, db.q.OrderStatus, environment, id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return status, err == nil, wrapf(err, "read status of order %s", id)
}
