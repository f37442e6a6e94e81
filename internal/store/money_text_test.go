package store_test

import (
	"context"
	"testing"

	"github.com/flexcharge/flexrecon/internal/recon"
)

// TestMoneyTextMatchesGo: the SQL that formats amounts in findings agrees
// with recon.Money.Decimal, digit for digit.
func TestMoneyTextMatchesGo(t *testing.T) {
	db := MustOpenDB(t)
	for _, m := range []recon.Money{
		{Minor: 1000, Currency: "USD"}, {Minor: 1999, Currency: "USD"}, {Minor: 5, Currency: "USD"},
		{Minor: 0, Currency: "USD"}, {Minor: -5, Currency: "EUR"}, {Minor: -123456, Currency: "USD"},
		{Minor: 1000, Currency: "JPY"}, {Minor: 1, Currency: "KWD"}, {Minor: 9223372036854775807, Currency: "USD"},
		{Minor: 50000, Currency: "PHP"}, {Minor: 4851, Currency: "usd"}, {Minor: 4851, Currency: ""},
	} {
		rows, err := db.Query(context.Background(), "SELECT money_text($1, $2)", m.Minor, m.Currency)
		if err != nil {
			t.Fatal(err)
		}
		var got string
		if !rows.Next() || rows.Scan(&got) != nil {
			t.Fatalf("money_text(%d, %s): no value", m.Minor, m.Currency)
		}
		rows.Close()
		if want := m.Decimal(); got != want {
			t.Errorf("money_text(%d, %s) = %q, want %q", m.Minor, m.Currency, got, want)
		}
	}
}
