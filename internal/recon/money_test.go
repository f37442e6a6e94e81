package recon

import (
	"errors"
	"testing"
)

func TestParseMoneyIsExact(t *testing.T) {
	cases := []struct {
		text, currency string
		want           int64
		canonical      bool // Decimal writes the text back as it was
	}{
		{"19.99", "USD", 1999, true},
		{"0.1", "USD", 10, false},
		{"-5", "USD", -500, false},
		{"1200.5", "EUR", 120050, false},
		{"92233720368547758.07", "USD", 9223372036854775807, true},
		{"1000", "JPY", 1000, true},
		{"1.234", "KWD", 1234, true},
	}
	for _, c := range cases {
		got, err := ParseMoney(c.text, c.currency)
		if err != nil || got.Minor != c.want {
			t.Errorf("ParseMoney(%q, %s) = %d, %v; want %d", c.text, c.currency, got.Minor, err, c.want)
		}
		if back := got.Decimal(); c.canonical && back != c.text {
			t.Errorf("Decimal() of %q = %q", c.text, back)
		}
	}
}

func TestParseMoneyRefusesWhatItCannotKeepExactly(t *testing.T) {
	for _, text := range []string{"19.999", "1.2.3", "", "12a", "1e3", ".5", "5.", "92233720368547758.08"} {
		if _, err := ParseMoney(text, "USD"); !errors.Is(err, ErrAmount) {
			t.Errorf("ParseMoney(%q) error = %v, want ErrAmount", text, err)
		}
	}
	if _, err := ParseMoney("1", "XXX"); err == nil {
		t.Error("ParseMoney accepted an unknown currency")
	}
}

func TestDecimalFormatsMinorUnits(t *testing.T) {
	cases := []struct {
		m    Money
		want string
	}{
		{Money{1999, "USD"}, "19.99"},
		{Money{5, "USD"}, "0.05"},
		{Money{-5, "USD"}, "-0.05"},
		{Money{1000, "JPY"}, "1000"},
		{Money{1, "KWD"}, "0.001"},
	}
	for _, c := range cases {
		if got := c.m.Decimal(); got != c.want {
			t.Errorf("%+v.Decimal() = %q, want %q", c.m, got, c.want)
		}
	}
}

func TestProfileOf(t *testing.T) {
	cases := []struct {
		initiator, channel string
		want               Profile
	}{
		{"MIT", "", MIT}, {"MIT", "callcenter", MIT}, {"CIT", "callcenter", CITCallCenter}, {"CIT", "web", CITWeb}, {"CIT", "", CITWeb},
	}
	for _, c := range cases {
		if got := ProfileOf(c.initiator, c.channel); got != c.want {
			t.Errorf("ProfileOf(%q, %q) = %s, want %s", c.initiator, c.channel, got, c.want)
		}
	}
}
