-- Loading transmit logs (store/transmit_log.go).

-- name: stage-transmit-log
-- $1 the file, $2 its delimiter, $3 its compression (told by the file's
-- name, since DuckDB's own guess misses ".GZ"). Every column as text,
-- named as stagedNames says (the marker after "columns =", which
-- stageTransmitLog replaces with them: DuckDB takes the option only as a
-- constant), so that DuckDB does not sniff the file: a quote error found
-- sniffing says neither line nor reason. The read keeps the file's order,
-- so a row's rowid + 1 is its record number.
CREATE OR REPLACE TEMP TABLE transmit_log_stage AS
SELECT * FROM read_csv($1, header = true, auto_detect = false, delim = $2, quote = '"', escape = '"', compression = $3,
    columns = {{columns}});

-- name: transmit-log-lines
-- The staged log with the line each row begins on: its record number + 1
-- (the header is line 1), moved down as line_shifts says (ledger.LineShifts)
-- after a quoted value spanning lines or a blank line, which DuckDB's rows
-- do not show. row_end is the field after the delimiter ending each row
-- where rows end in one (rowEndColumn, staged as read), else NULL.
ALTER TABLE transmit_log_stage ADD COLUMN IF NOT EXISTS row_end VARCHAR;
CREATE OR REPLACE TEMP VIEW transmit_log_lines AS
SELECT s.rowid + 2 + coalesce(l.shift, 0) AS line, s.*
FROM transmit_log_stage s ASOF LEFT JOIN line_shifts l ON s.rowid + 1 >= l.record;

-- name: transmit-log-problem
-- The first row of the staged log that cannot be taken, with its column and
-- reason, the first of the row's as listed: a card number anywhere rejects
-- the log unquoted, as it rejects an export (card says so, and the store
-- names the columns: transmit-log-card-columns); a value after the
-- delimiter ending the row means the row is not as the exporter writes its
-- rows (a delimiter unquoted in a value looks so), and its values are not
-- judged; a key needs its merchant, transaction, key and an RFC 3339 time,
-- and the values stored hold no NUL byte, as a ledger row's do not (one
-- holding it is quarantined): a key would be stored and reported with it.
SELECT line, p.column_name, p.reason, card FROM (
    SELECT line, card, list_filter([
        CASE WHEN card THEN {'column_name': '', 'reason': 'a card number'} END,
        CASE WHEN coalesce(row_end, '') <> '' THEN {'column_name': '', 'reason': 'a value after the delimiter ending the row, where rows_end_in_delimiter says the field there is empty'} END,
        CASE WHEN coalesce(trim(partner_merchant_id), '') = '' THEN {'column_name': 'partner_merchant_id', 'reason': 'required value missing'} END,
        CASE WHEN coalesce(trim(transaction_id), '') = '' THEN {'column_name': 'transaction_id', 'reason': 'required value missing'} END,
        CASE WHEN coalesce(trim(transmit_key), '') = '' THEN {'column_name': 'transmit_key', 'reason': 'required value missing'} END,
        CASE WHEN contains(partner_merchant_id, chr(0)) THEN {'column_name': 'partner_merchant_id', 'reason': 'contains a NUL byte'} END,
        CASE WHEN contains(transaction_id, chr(0)) THEN {'column_name': 'transaction_id', 'reason': 'contains a NUL byte'} END,
        CASE WHEN contains(transmit_key, chr(0)) THEN {'column_name': 'transmit_key', 'reason': 'contains a NUL byte'} END,
        CASE WHEN NOT regexp_matches(coalesce(transmitted_at, ''), '[0-9]:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)? ?(Z|UTC|[+-][0-9]{2}(:?[0-9]{2})?)$')
            OR TRY_CAST(transmitted_at AS TIMESTAMPTZ) IS NULL
            THEN {'column_name': 'transmitted_at', 'reason': 'not an RFC 3339 time with an offset'} END
    ], x -> x IS NOT NULL)[1] AS p
    FROM (SELECT card_like(concat_ws('|', *COLUMNS(* EXCLUDE (line)))) AS card, * FROM transmit_log_lines)
)
WHERE p IS NOT NULL
ORDER BY line
LIMIT 1;

-- name: transmit-log-card-columns
-- $1 a line of the staged log that holds a card number: the columns, as
-- staged, whose values look like one (never the values).
SELECT col FROM (
    UNPIVOT (SELECT * EXCLUDE (line) FROM transmit_log_lines WHERE line = $1)
    ON COLUMNS(*) INTO NAME col VALUE val
) WHERE card_like(val);

-- name: store-transmit-log
-- $1 the log's file id.
INSERT INTO transmit_log
SELECT $1, line, trim(partner_merchant_id), trim(transaction_id), trim(transmit_key), CAST(transmitted_at AS TIMESTAMPTZ)
FROM transmit_log_lines;

-- name: count-transmit-log
-- The staged log's rows: what a load would store (ingest --check).
SELECT count(*) FROM transmit_log_stage;

-- name: drop-transmit-log-stage
DROP VIEW IF EXISTS transmit_log_lines;
DROP TABLE IF EXISTS transmit_log_stage;
DROP TABLE IF EXISTS line_shifts;
