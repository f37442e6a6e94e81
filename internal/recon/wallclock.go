package recon

import "time"

// WallClock is the instant at which clocks in loc show wall's date and time
// of day (wall's own zone is ignored). It follows DuckDB's
// timezone(zone, TIMESTAMP), which places the ledger's offset-less times, so
// a switch typed as a local time and a transaction written as one are the
// same instant when they show the same clock:
//   - a time skipped when clocks go forward is read with the offset before
//     the change, so it moves forward (02:30 on New York's spring-forward
//     night is 03:30 EDT);
//   - a time repeated when clocks go back is the later occurrence (01:30 on
//     New York's fall-back night is 01:30 EST).
//
// time.Date alone picks the other way in both cases.
func WallClock(wall time.Time, loc *time.Location) time.Time {
	y, mo, d := wall.Date()
	h, mi, s := wall.Clock()
	naive := time.Date(y, mo, d, h, mi, s, wall.Nanosecond(), time.UTC)
	withOffset := func(off int) time.Time { return naive.Add(-time.Duration(off) * time.Second).In(loc) }
	t := time.Date(y, mo, d, h, mi, s, wall.Nanosecond(), loc)
	_, off := t.Zone()
	if t.Add(time.Duration(off) * time.Second).UTC().Before(naive) {
		// Skipped, and time.Date moved it back: off is the offset before the gap.
		return withOffset(off)
	}
	if _, end := t.ZoneBounds(); !end.IsZero() {
		// Repeated if the same clock shows again after the next change.
		_, next := end.Zone()
		if later := withOffset(next); !later.Before(end) {
			return later
		}
	}
	return t
}
