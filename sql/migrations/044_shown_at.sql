-- shown_at writes an instant as a person reads it, as recon.TimeLayout does
-- in Go: the wall clock of zone (the configured one) with its offset,
-- "2026-11-24 02:00:00 +01:00", so the Manifest sheet shows the clock the
-- command line, the pages and the other sheets show, and the offset tells
-- a repeated hour's two occurrences apart. The offset is the zone's wall
-- clock read as UTC less the instant, so daylight saving comes from ICU.
CREATE MACRO utc_offset_seconds(ts, zone) AS
    CAST(round(epoch(timezone(zone, ts)) - epoch(ts)) AS INTEGER);
CREATE MACRO shown_at(ts, zone) AS
    format('{} {}{:02d}:{:02d}', strftime(timezone(zone, ts), '%Y-%m-%d %H:%M:%S'),
        CASE WHEN utc_offset_seconds(ts, zone) < 0 THEN '-' ELSE '+' END,
        abs(utc_offset_seconds(ts, zone)) // 3600, abs(utc_offset_seconds(ts, zone)) % 3600 // 60);
