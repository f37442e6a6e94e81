-- Loading transmit logs (store/transmit_log.go).

-- name: stage-transmit-log
-- $1 the file, $2 its delimiter, $3 its compression (told by the file's
-- name, since DuckDB's own guess misses ".GZ"). Every column as text; a row's
-- line is its rowid + 2 (the header is line 1), so the read keeps the file's
-- order.
CREATE OR REPLACE TEMP TABLE transmit_log_stage AS
SELECT * FROM read_csv($1, header = true, all_varchar = true, delim = $2, quote = '"', escape = '"', compression = $3);

-- name: transmit-log-problem
-- The first row of the staged log that cannot be taken, with its column and
-- reason: a card number anywhere rejects the log unquoted, as it rejects an
-- export; a key needs its merchant, transaction, key and an RFC 3339 time.
SELECT line, p.column_name, p.reason FROM (
    SELECT line, unnest(list_filter([
        CASE WHEN card_like(all_text) THEN {'column_name': '', 'reason': 'a value looks like a full card number (13 to 19 digits passing Luhn); the file is not PCI-safe and nothing of it was loaded'} END,
        CASE WHEN coalesce(trim(partner_merchant_id), '') = '' THEN {'column_name': 'partner_merchant_id', 'reason': 'required value missing'} END,
        CASE WHEN coalesce(trim(transaction_id), '') = '' THEN {'column_name': 'transaction_id', 'reason': 'required value missing'} END,
        CASE WHEN coalesce(trim(transmit_key), '') = '' THEN {'column_name': 'transmit_key', 'reason': 'required value missing'} END,
        CASE WHEN NOT regexp_matches(coalesce(transmitted_at, ''), '[0-9]:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)? ?(Z|UTC|[+-][0-9]{2}(:?[0-9]{2})?)$')
            OR TRY_CAST(transmitted_at AS TIMESTAMPTZ) IS NULL
            THEN {'column_name': 'transmitted_at', 'reason': 'not an RFC 3339 time with an offset'} END
    ], x -> x IS NOT NULL)) AS p
    FROM (SELECT rowid + 2 AS line, concat_ws('|', *COLUMNS(*)) AS all_text, * FROM transmit_log_stage)
)
ORDER BY line, p.column_name = '' DESC
LIMIT 1;

-- name: store-transmit-log
-- $1 the log's file id.
INSERT INTO transmit_log
SELECT $1, rowid + 2, trim(partner_merchant_id), trim(transaction_id), trim(transmit_key), CAST(transmitted_at AS TIMESTAMPTZ)
FROM transmit_log_stage;

-- name: drop-transmit-log-stage
DROP TABLE IF EXISTS transmit_log_stage;
