package store

import (
	"context"
	"errors"
	"fmt"
)

// ErrUnknownTarget refuses a switch on a merchant, site or campaign the
// registry does not know: such a switch would never judge a transaction.
var ErrUnknownTarget = errors.New("not in the registry")

func (db *DB) checkSwitchTarget(ctx context.Context, s Switch) error {
	var known struct {
		Merchant    bool `db:"merchant_known"`
		Scope       bool `db:"scope_known"`
		Environment bool `db:"environment_known"`
	}
	if err := db.db.GetContext(ctx, &known, db.q.SwitchTarget, s.MerchantID, s.Scope, s.ScopeValue, s.State); err != nil {
		return wrapf(err, "check switch target")
	}
	switch {
	case !known.Merchant:
		return fmt.Errorf("merchant %q: %w", s.MerchantID, ErrUnknownTarget)
	case !known.Scope:
		return fmt.Errorf("%s %q of merchant %s: %w", s.Scope, s.ScopeValue, s.MerchantID, ErrUnknownTarget)
	case !known.Environment:
		return fmt.Errorf("%s credentials and endpoint of merchant %s: %w (configure both first: no run could push its %s transactions or pull their orders)",
			s.State, s.MerchantID, ErrUnknownTarget, s.State)
	}
	return nil
}
