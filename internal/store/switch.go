package store

import (
	"context"
	"fmt"
)

// CheckSwitchTarget refuses a switch on a merchant, site or campaign the
// registry does not know: such a switch would never judge a transaction.
func (db *DB) CheckSwitchTarget(ctx context.Context, s Switch) error {
	var known struct {
		Merchant bool `db:"merchant_known"`
		Scope    bool `db:"scope_known"`
	}
	if err := db.db.GetContext(ctx, &known, db.q.SwitchTarget, s.MerchantID, s.Scope, s.ScopeValue); err != nil {
		return wrapf(err, "check switch target")
	}
	switch {
	case !known.Merchant:
		return fmt.Errorf("merchant %q is not in the registry", s.MerchantID)
	case !known.Scope:
		return fmt.Errorf("%s %q is not registered for merchant %s", s.Scope, s.ScopeValue, s.MerchantID)
	}
	return nil
}
