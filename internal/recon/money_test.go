package recon

import "testing"

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
		{Money{50000, "PHP"}, "500.00"},
		{Money{4851, "XYZ"}, "4851"}, // unknown: the minor units as given
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
