package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
)

// Merchant is a registry entry: the merchant, its mids and sites, and the
// switches the configuration sets.
type Merchant struct {
	ID, Name string
	MIDs     map[string]string // environment → mid, of the environments it may be switched to
	// KeptMIDs are the mids of credentials kept without their environment's
	// endpoint (sandbox ones after go-live): they still name that
	// environment's stored orders, but no switch may turn there.
	KeptMIDs map[string]string
	Sites    []Site
	Switches []Switch
}

// Site is one of a merchant's websites.
type Site struct {
	URL, Descriptor           string
	SiteIDSandbox, SiteIDProd string
	Campaigns                 []string
}

// Switch is a profile switch as recorded in the registry.
type Switch struct {
	ID          int64     `db:"id" json:"id"`
	MerchantID  string    `db:"merchant_id" json:"merchant_id"`
	Profile     string    `db:"profile" json:"profile"`
	Scope       string    `db:"scope" json:"scope"`             // merchant | site | campaign
	ScopeValue  string    `db:"scope_value" json:"scope_value"` // site URL or campaign id
	State       string    `db:"state" json:"state"`
	EffectiveAt time.Time `db:"effective_at" json:"effective_at"`
	Actor       string    `db:"actor" json:"actor"`
	Reason      string    `db:"reason" json:"reason"`
	RecordedAt  time.Time `db:"recorded_at" json:"recorded_at"`
	Origin      string    `db:"origin" json:"origin"`
}

// SeedRegistry records the configured merchants. It is idempotent: switches
// already recorded are not recorded again, and none is ever removed.
func (db *DB) SeedRegistry(ctx context.Context, merchants []Merchant, now time.Time) (err error) {
	defer wrap(&err, "seed merchant registry")
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, db.q.ForgetConfiguredEnvs); err != nil {
			return err
		}
		for _, m := range merchants {
			if err := db.seedMerchant(ctx, tx, m, now); err != nil {
				return err
			}
		}
		return nil
	})
}

func (db *DB) seedMerchant(ctx context.Context, tx *sqlx.Tx, m Merchant, now time.Time) error {
	if _, err := tx.ExecContext(ctx, db.q.UpsertMerchant, m.ID, m.Name); err != nil {
		return err
	}
	for _, mids := range []map[string]string{m.KeptMIDs, m.MIDs} {
		for env, mid := range mids {
			if _, err := tx.ExecContext(ctx, db.q.UpsertMerchantMID, m.ID, env, mid); err != nil {
				return err
			}
		}
	}
	for env := range m.MIDs {
		if _, err := tx.ExecContext(ctx, db.q.InsertConfiguredEnv, m.ID, env); err != nil {
			return err
		}
	}
	for _, s := range m.Sites {
		if err := db.seedSite(ctx, tx, m.ID, s); err != nil {
			return err
		}
	}
	for _, s := range m.Switches {
		s.MerchantID, s.RecordedAt = m.ID, now
		if err := db.insertSwitch(ctx, tx, db.q.InsertSwitchOnce, s); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) seedSite(ctx context.Context, tx *sqlx.Tx, merchantID string, s Site) error {
	if _, err := tx.ExecContext(ctx, db.q.UpsertSite, merchantID, s.URL, s.Descriptor, s.SiteIDSandbox, s.SiteIDProd); err != nil {
		return err
	}
	for _, c := range s.Campaigns {
		if _, err := tx.ExecContext(ctx, db.q.UpsertCampaign, merchantID, s.URL, c); err != nil {
			return err
		}
	}
	return nil
}

// RecordSwitch adds a switch change to the registry's history, always as a
// change of its own, once its merchant, site or campaign is known to be
// registered (ErrUnknownTarget otherwise). Seeding from the configuration
// records each configured switch once instead.
func (db *DB) RecordSwitch(ctx context.Context, s Switch) (_ Switch, err error) {
	defer wrap(&err, "record switch of %s %s", s.MerchantID, s.Profile)
	if err := db.checkSwitchTarget(ctx, s); err != nil {
		return s, err
	}
	err = db.db.GetContext(ctx, &s.ID, db.q.InsertSwitch, s.MerchantID, s.Profile, s.Scope, s.ScopeValue,
		s.State, s.EffectiveAt, s.Actor, s.Reason, s.RecordedAt, s.Origin)
	return s, err
}

func (db *DB) insertSwitch(ctx context.Context, tx *sqlx.Tx, query string, s Switch) error {
	_, err := tx.ExecContext(ctx, query, s.MerchantID, s.Profile, s.Scope, s.ScopeValue,
		s.State, s.EffectiveAt, s.Actor, s.Reason, s.RecordedAt, s.Origin)
	return err
}

// MerchantIDs lists the registered merchants' ids, in order.
func (db *DB) MerchantIDs(ctx context.Context) ([]string, error) {
	var out []string
	err := db.db.SelectContext(ctx, &out, db.q.ListMerchantIDs)
	return out, wrapf(err, "list merchants")
}

// Switches lists the switch history, of one merchant or ("") of all.
func (db *DB) Switches(ctx context.Context, merchantID string) ([]Switch, error) {
	var out []Switch
	err := db.db.SelectContext(ctx, &out, db.q.ListSwitches, merchantID)
	return out, err
}
