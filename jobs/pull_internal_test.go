package jobs

import (
	"testing"

	"github.com/flexcharge/flexrecon/internal/flexcharge"
	"github.com/flexcharge/flexrecon/internal/recon"
)

// TestStoredOrderTakesTheQueriedMID: an order is stored under the mid it
// was pulled by, however the answer spells its own (or leaves it out):
// classification finds an order's merchant by the registry's mids.
func TestStoredOrderTakesTheQueriedMID(t *testing.T) {
	for _, answered := range []string{"P1", "p1", ""} {
		if got := storedOrder(recon.Production, "P1", flexcharge.Order{ID: "o-1", MID: answered}).MID; got != "P1" {
			t.Errorf("order answered with mid %q: stored under %q, want P1", answered, got)
		}
	}
}

// TestStoredOrderSpellsItsCurrencyAsISO: a currency code the answer spells
// in lower case or padded is stored as its ISO code, so that the order's
// amount compares with the ledger's and formats in the currency's digits;
// one that is no code at all is XXX, safe in a workbook's formats; none
// (or only spaces) stays unknown, stored as NULL.
func TestStoredOrderSpellsItsCurrencyAsISO(t *testing.T) {
	for answered, want := range map[string]string{"usd": "USD", " USD ": "USD", "Usd": "USD", "PHP": "PHP",
		"": "", "  ": "", "US$": "XXX", `"*"`: "XXX", "DOLLARS": "XXX"} {
		if got := storedOrder(recon.Production, "P1", flexcharge.Order{ID: "o-1", CurrencyCode: answered}).Currency; got != want {
			t.Errorf("order answered in %q: stored in %q, want %s", answered, got, want)
		}
	}
}
