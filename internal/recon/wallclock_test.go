package recon

import (
	"testing"
	"time"
)

// TestWallClock: local wall times in New York on an ordinary day and on both
// transition nights of 2026 become the instants DuckDB's
// timezone('America/New_York', TIMESTAMP) gives (store's
// TestSwitchWallClockAgreesWithDuckDB asks DuckDB itself); a zone without
// daylight saving is untouched.
func TestWallClock(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	utc := func(s string) time.Time {
		u, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	cases := []struct{ wall, want, why string }{
		{"2026-06-15T12:00:00", "2026-06-15T16:00:00Z", "ordinary summer day (EDT)"},
		{"2026-01-15T12:00:00", "2026-01-15T17:00:00Z", "ordinary winter day (EST)"},
		{"2026-03-08T01:59:59", "2026-03-08T06:59:59Z", "last second before the gap"},
		{"2026-03-08T02:00:00", "2026-03-08T07:00:00Z", "gap start: moved forward to 03:00 EDT"},
		{"2026-03-08T02:30:00", "2026-03-08T07:30:00Z", "in the gap: moved forward to 03:30 EDT"},
		{"2026-03-08T03:00:00", "2026-03-08T07:00:00Z", "first clock after the gap"},
		{"2026-11-01T00:59:59", "2026-11-01T04:59:59Z", "before the repeated hour"},
		{"2026-11-01T01:00:00", "2026-11-01T06:00:00Z", "repeated hour: the later (EST) one"},
		{"2026-11-01T01:30:00", "2026-11-01T06:30:00Z", "repeated hour: the later (EST) one"},
		{"2026-11-01T02:00:00", "2026-11-01T07:00:00Z", "after the repeated hour"},
	}
	for _, c := range cases {
		wall, err := time.Parse("2006-01-02T15:04:05", c.wall)
		if err != nil {
			t.Fatal(err)
		}
		if got := WallClock(wall, ny); !got.Equal(utc(c.want)) {
			t.Errorf("%s New York (%s): got %s, want %s", c.wall, c.why, got.UTC().Format(time.RFC3339), c.want)
		}
	}
	ktm, _ := time.LoadLocation("Asia/Kathmandu")
	wall := time.Date(2026, 3, 8, 2, 30, 0, 0, time.UTC)
	if got, want := WallClock(wall, ktm), time.Date(2026, 3, 8, 2, 30, 0, 0, ktm); !got.Equal(want) {
		t.Errorf("Kathmandu, no daylight saving: got %s, want %s", got, want)
	}
}
