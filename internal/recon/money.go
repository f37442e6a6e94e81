package recon

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Money is an amount in integer minor units of its currency. It is never a float.
type Money struct {
	Minor    int64
	Currency string
}

// minorDigits lists the ISO 4217 currencies flexrecon accepts and how many
// minor digits each has. A currency missing here is "unknown" to validation.
var minorDigits = map[string]int{
	"USD": 2, "EUR": 2, "GBP": 2, "CAD": 2, "AUD": 2, "NZD": 2, "CHF": 2,
	"SEK": 2, "NOK": 2, "DKK": 2, "PLN": 2, "CZK": 2, "MXN": 2, "BRL": 2,
	"ILS": 2, "ZAR": 2, "SGD": 2, "HKD": 2, "INR": 2, "CNY": 2,
	"JPY": 0, "KRW": 0, "CLP": 0, "ISK": 0, "VND": 0,
	"BHD": 3, "KWD": 3, "JOD": 3, "OMR": 3, "TND": 3,
}

// MinorDigits reports how many minor digits currency has, and whether it is known.
func MinorDigits(currency string) (int, bool) {
	d, ok := minorDigits[currency]
	return d, ok
}

// Currencies returns the known currency codes with their minor digits.
func Currencies() map[string]int {
	out := make(map[string]int, len(minorDigits))
	for c, d := range minorDigits {
		out[c] = d
	}
	return out
}

// ErrAmount is returned for text that is not an exact decimal amount in its currency.
var ErrAmount = errors.New("not an exact decimal amount")

// ParseMoney reads decimal major-unit text ("19.99", "-5", "1200.5") exactly
// into minor units of currency. More fraction digits than the currency has is
// an error, never a rounding.
func ParseMoney(text, currency string) (Money, error) {
	digits, ok := MinorDigits(currency)
	if !ok {
		return Money{}, fmt.Errorf("unknown currency %q", currency)
	}
	whole, frac, hasDot := strings.Cut(strings.TrimSpace(text), ".")
	neg := strings.HasPrefix(whole, "-")
	whole = strings.TrimPrefix(whole, "-")
	if whole == "" || !allDigits(whole) || !allDigits(frac) || len(frac) > digits || (hasDot && frac == "") {
		return Money{}, fmt.Errorf("%q: %w with at most %d decimals", text, ErrAmount, digits)
	}
	minor, err := strconv.ParseInt(whole+frac+strings.Repeat("0", digits-len(frac)), 10, 64)
	if err != nil {
		return Money{}, fmt.Errorf("%q: %w", text, ErrAmount)
	}
	if neg {
		minor = -minor
	}
	return Money{Minor: minor, Currency: currency}, nil
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// String formats m as decimal major units followed by the currency ("19.99 USD").
func (m Money) String() string {
	return m.Decimal() + " " + m.Currency
}

// Decimal formats m as exact decimal major units without the currency ("19.99").
func (m Money) Decimal() string {
	digits, _ := MinorDigits(m.Currency)
	sign, minor := "", m.Minor
	if minor < 0 {
		sign, minor = "-", -minor
	}
	s := strconv.FormatInt(minor, 10)
	if digits == 0 {
		return sign + s
	}
	if len(s) <= digits {
		s = strings.Repeat("0", digits-len(s)+1) + s
	}
	return sign + s[:len(s)-digits] + "." + s[len(s)-digits:]
}
