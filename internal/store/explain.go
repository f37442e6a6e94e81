package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ExplainQuery names what to explain: a gateway transaction id or an order
// (the merchant's order id or a FlexCharge order id). RunID 0 means the
// latest published run that judged it (succeeded, not a dry run), else the
// latest that judged it at all.
type ExplainQuery struct {
	TransactionID, OrderID string
	RunID                  int64
}

// NotFound says that nothing answers q, naming only the id it was asked
// by (one of the two is always empty): the CLI and the API say it alike.
func (q ExplainQuery) NotFound() error {
	if q.OrderID != "" {
		return fmt.Errorf("no ledger row or FlexCharge order for order %q", q.OrderID)
	}
	return fmt.Errorf("no ledger row or FlexCharge order for transaction %q", q.TransactionID)
}

// Found says whether anything answers the query explained: a ledger row or
// a FlexCharge order. The other lists hang off those.
func (e Explanation) Found() bool { return len(e.Ledger) > 0 || len(e.Orders) > 0 }

// Explanation is everything the database knows about one transaction or
// order, and one run's verdicts on it.
type Explanation struct {
	RunID          int64              `json:"run_id"`
	Run            *Run               `json:"run"` // the run explained as recorded; nil for none (or one not recorded)
	Ledger         []LedgerRow        `json:"ledger"`
	Orders         []ExplainedOrder   `json:"orders"`
	Transmits      []OutboxRow        `json:"transmits"`
	Switches       []SwitchInForce    `json:"switches"`
	Results        []ExplainedResult  `json:"results"`
	Findings       []ExplainedFinding `json:"findings"`
	OrphanDeclines []OrphanDecline    `json:"orphan_declines"`
}

// LedgerRow is one stored ledger row.
type LedgerRow struct {
	FileID        int64     `db:"file_id" json:"file_id"`
	FileName      *string   `db:"file_name" json:"file_name"`
	Line          int64     `db:"line" json:"line"`
	Merchant      string    `db:"partner_merchant_id" json:"partner_merchant_id"`
	MID           string    `db:"mid" json:"mid"`
	OrderID       string    `db:"order_id" json:"order_id"`
	TransactionID string    `db:"transaction_id" json:"transaction_id"`
	Occurrence    int       `db:"occurrence" json:"occurrence"`
	ProcessedAt   time.Time `db:"processed_at" json:"processed_at"`
	Amount        int64     `db:"amount" json:"amount"`
	Currency      string    `db:"currency" json:"currency"`
	Status        string    `db:"status" json:"status"`
	Profile       string    `db:"profile" json:"profile"`
	SiteURL       string    `db:"site_url" json:"site_url"`
	Descriptor    string    `db:"descriptor" json:"descriptor"`
	CampaignID    string    `db:"campaign_id" json:"campaign_id"`
	Environment   string    `db:"environment" json:"environment"`
	TransmitKey   string    `db:"fc_transmit_key" json:"fc_transmit_key"`
}

// ExplainedOrder is a FlexCharge order asked about, or of the explained
// rows' merchant order.
type ExplainedOrder struct {
	Environment     string     `db:"environment" json:"environment"`
	ID              string     `db:"id" json:"id"`
	ExternalOrderID string     `db:"external_order_id" json:"external_order_id"`
	MID             string     `db:"mid" json:"mid"`
	Merchant        string     `db:"merchant" json:"merchant"` // the merchant its mid is registered for; "" for none
	Amount          *int64     `db:"amount" json:"amount"`     // nil: unknown (see Order)
	Currency        string     `db:"currency" json:"currency"`
	IsMIT           *bool      `db:"is_mit" json:"is_mit"`
	OrderSource     string     `db:"order_source" json:"order_source"`
	SiteID          string     `db:"site_id" json:"site_id"`
	Descriptor      string     `db:"descriptor" json:"descriptor"`
	TransactionID   string     `db:"transaction_id" json:"transaction_id"`
	Status          int        `db:"status" json:"status"`
	StatusName      string     `db:"status_name" json:"status_name"`
	CreatedOn       time.Time  `db:"created_on" json:"created_on"`
	ExpiryAt        *time.Time `db:"expiry_at" json:"expiry_at"`
}

// OutboxRow is the service's own transmit record of a transaction.
type OutboxRow struct {
	TransactionID string     `db:"transaction_id" json:"transaction_id"`
	Environment   string     `db:"environment" json:"environment"`
	MID           string     `db:"mid" json:"mid"`
	State         string     `db:"state" json:"state"`
	Key           string     `db:"transmit_key" json:"transmit_key"`
	Error         string     `db:"error" json:"error"`
	InDoubt       bool       `db:"in_doubt" json:"in_doubt"`
	IntentAt      time.Time  `db:"intent_at" json:"intent_at"`
	DoneAt        *time.Time `db:"done_at" json:"done_at"`
	RunID         int64      `db:"run_id" json:"run_id"`
}

// SwitchInForce is the latest switch of one scope in force when a row was
// processed, or when an order asked about was made (FCOrderID set,
// ProcessedAt its creation); Won marks the most specific, the one that
// judged it.
type SwitchInForce struct {
	TransactionID string    `db:"transaction_id" json:"transaction_id"` // "" for an order
	Occurrence    int       `db:"occurrence" json:"occurrence"`
	FCOrderID     string    `db:"fc_order_id" json:"fc_order_id"` // "" for a ledger row
	ProcessedAt   time.Time `db:"processed_at" json:"processed_at"`
	RegSiteURL    string    `db:"reg_site_url" json:"reg_site_url"`
	ID            int64     `db:"id" json:"id"`
	Profile       string    `db:"profile" json:"profile"`
	Scope         string    `db:"scope" json:"scope"`
	ScopeValue    string    `db:"scope_value" json:"scope_value"`
	State         string    `db:"state" json:"state"`
	EffectiveAt   time.Time `db:"effective_at" json:"effective_at"`
	Actor         string    `db:"actor" json:"actor"`
	Reason        string    `db:"reason" json:"reason"`
	Origin        string    `db:"origin" json:"origin"`
	Won           bool      `db:"won" json:"won"`
}

// ExplainedResult is a run's verdict on one explained row.
type ExplainedResult struct {
	TransactionID string     `db:"transaction_id" json:"transaction_id"`
	Occurrence    int        `db:"occurrence" json:"occurrence"`
	ProcessedAt   time.Time  `db:"processed_at" json:"processed_at"`
	Status        string     `db:"status" json:"status"`
	Profile       string     `db:"profile" json:"profile"`
	SwitchState   string     `db:"switch_state" json:"switch_state"`
	SwitchID      int64      `db:"switch_id" json:"switch_id"`
	Environment   string     `db:"environment" json:"environment"`
	MID           string     `db:"mid" json:"mid"` // the ledger row's, else the registry's for the environment; "" for none
	TransmitKey   string     `db:"transmit_key" json:"transmit_key"`
	TransmitState string     `db:"transmit_state" json:"transmit_state"`
	FCOrderID     string     `db:"fc_order_id" json:"fc_order_id"`
	FCStatus      int        `db:"fc_status" json:"fc_status"`
	OutcomeState  string     `db:"outcome_state" json:"outcome_state"`
	PushState     string     `db:"push_state" json:"push_state"`
	PushedAt      *time.Time `db:"pushed_at" json:"pushed_at"`
	PushError     string     `db:"push_error" json:"push_error"`
	PushInDoubt   bool       `db:"push_in_doubt" json:"push_in_doubt"`   // FlexCharge may hold a copy: an answer was lost
	PushRetryable bool       `db:"push_retryable" json:"push_retryable"` // the failure is one a resend may get past
	KeySource     string     `db:"key_source" json:"key_source"`         // ledger, transmit log or push ("" without a key)
	LoggedAt      *time.Time `db:"logged_at" json:"logged_at"`           // when a transmit log says it was transmitted
	RunPush       string     `db:"run_push" json:"run_push"`             // what the run did about it: pushed, failed, too_old, would_push, or ""
	RunPushError  string     `db:"run_push_error" json:"run_push_error"`
}

// ExplainedFinding is a run's finding on an explained row or order.
type ExplainedFinding struct {
	Category      string `db:"category" json:"category"`
	TransactionID string `db:"transaction_id" json:"transaction_id"`
	Occurrence    int    `db:"occurrence" json:"occurrence"`
	FCOrderID     string `db:"fc_order_id" json:"fc_order_id"`
	Field         string `db:"field" json:"field"`
	LedgerValue   string `db:"ledger_value" json:"ledger_value"`
	FCValue       string `db:"fc_value" json:"fc_value"`
	Detail        string `db:"detail" json:"detail"`
}

// OrphanDecline is a ledger row of an orphan order's merchant and order id:
// one that might have claimed it, and what says why it did not.
type OrphanDecline struct {
	FCOrderID          string    `db:"fc_order_id" json:"fc_order_id"`
	OrderCreatedOn     time.Time `db:"order_created_on" json:"order_created_on"`
	OrderTransactionID string    `db:"order_transaction_id" json:"order_transaction_id"` // the attempt the order names; "" for none
	TransactionID      string    `db:"transaction_id" json:"transaction_id"`
	Occurrence         int       `db:"occurrence" json:"occurrence"`
	Status             string    `db:"status" json:"status"`
	ProcessedAt        time.Time `db:"processed_at" json:"processed_at"`
	NamesAttempt       bool      `db:"names_attempt" json:"names_attempt"`       // the order names this row's transaction
	InRun              bool      `db:"in_run" json:"in_run"`                     // the run explained judged the row
	LastRun            int64     `db:"last_run" json:"last_run"`                 // the latest run that judged it; 0 for none
	LoadedAfterRun     bool      `db:"loaded_after_run" json:"loaded_after_run"` // its file came after the run explained classified
	// TooFar: processed too long before or after the order was made to be
	// what it evaluated: pairing never gives it the order (see mayPair).
	TooFar bool `db:"-" json:"too_far"`
	// Undated: FlexCharge gave the order no date, so it pairs by the
	// attempt it names, whatever the time.
	Undated bool `db:"-" json:"undated"`
}

// ErrNoRun is a run asked for by number that the database knows nothing of.
var ErrNoRun = errors.New("no run")

// Explain gathers what is known about one transaction or order, refusing
// a run asked for (q.RunID) that has neither a record nor verdicts: its
// explanation printed "Verdicts of run 999:" over nothing, which reads as
// a run that judged nothing wrong.
func (db *DB) Explain(ctx context.Context, q ExplainQuery) (Explanation, error) {
	if err := db.runKnown(ctx, q.RunID); err != nil {
		return Explanation{}, err
	}
	return db.explain(ctx, q)
}

// runKnown refuses run id (0: none asked) when it has neither a record nor
// verdicts; a run's verdicts may outlive its record, and explain those.
func (db *DB) runKnown(ctx context.Context, id int64) error {
	if id == 0 {
		return nil
	}
	run, err := db.explainedRun(ctx, id)
	if err != nil || run != nil {
		return err
	}
	n, err := db.VerdictCount(ctx, id)
	if err == nil && n == 0 {
		err = fmt.Errorf("%w %d: it has neither a record nor verdicts", ErrNoRun, id)
	}
	return err
}

func (db *DB) explain(ctx context.Context, q ExplainQuery) (e Explanation, err error) {
	defer wrap(&err, "explain transaction %q order %q", q.TransactionID, q.OrderID)
	args := []any{q.TransactionID, q.OrderID}
	e.RunID = q.RunID
	if e.RunID == 0 {
		if err := db.db.GetContext(ctx, &e.RunID, db.q.ExplainLatestRun, args...); err != nil {
			return e, err
		}
	}
	args = append(args, e.RunID)
	lists := []struct {
		dest  any
		query string
	}{
		{&e.Ledger, db.q.ExplainLedger},
		{&e.Orders, db.q.ExplainOrders},
		{&e.Transmits, db.q.ExplainTransmits},
		{&e.Switches, db.q.ExplainSwitches},
		{&e.Results, db.q.ExplainResults},
		{&e.Findings, db.q.ExplainFindings},
		{&e.OrphanDeclines, db.q.ExplainOrphans},
	}
	for _, l := range lists {
		if err := db.db.SelectContext(ctx, l.dest, l.query, args...); err != nil {
			return e, err
		}
	}
	for i, d := range e.OrphanDeclines {
		e.OrphanDeclines[i].TooFar, e.OrphanDeclines[i].Undated = !mayPair(d), Undated(d.OrderCreatedOn)
	}
	e.Run, err = db.explainedRun(ctx, e.RunID)
	return e, err
}

// mayPair is classify-pair-orders' rule of time: whether the order could be
// the evaluation of row d, whatever else the row is. An orphan made in the
// run's window has a date; one FlexCharge gave none (an orphan of every
// run, classify-orphans) has no rule of time: it pairs by the attempt it
// names alone.
func mayPair(d OrphanDecline) bool {
	if Undated(d.OrderCreatedOn) {
		return true
	}
	madeAfter, latest := d.OrderCreatedOn.Sub(d.ProcessedAt), declineMargin
	if d.NamesAttempt {
		latest = lateEvaluation
	}
	return madeAfter >= -declineMargin && madeAfter <= latest
}

// Undated says whether an order's createdOn is none: FlexCharge gave it no
// date, stored as Go's zero time (classify.sql tests for a year before 2).
func Undated(createdOn time.Time) bool { return createdOn.Year() < 2 }

// explainedRun is the run explained as recorded, or nil: a run's verdicts
// may outlive its record (or, in tests, have none).
func (db *DB) explainedRun(ctx context.Context, id int64) (*Run, error) {
	if id == 0 {
		return nil, nil
	}
	var r Run
	switch err := db.db.GetContext(ctx, &r, db.q.GetRun, id); {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, err
	}
	return &r, nil
}
