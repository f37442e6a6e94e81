package recon

import "time"

// TimeLayout is how a time a person reads is written: the partner's wall
// clock with its offset ("2026-11-24 02:00:00 +01:00"), never UTC beside a
// local time, so the command line, the pages and the workbook show one clock
// for a run, and the offset tells a repeated hour's two occurrences apart. A
// zone's abbreviation would not: "CST" is three zones, and many zones have
// none. Machine formats (JSON, /metrics, CSV) keep RFC 3339.
const TimeLayout = "2006-01-02 15:04:05 -07:00"

// LocalTime writes t in loc as a person reads it (TimeLayout).
func LocalTime(t time.Time, loc *time.Location) string {
	return t.In(loc).Format(TimeLayout)
}
