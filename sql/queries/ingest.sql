-- name: create-ledger-stage
-- One file's rows between reading and storing: the canonical columns as the
-- file wrote them, and the typed values parsed from them. Temporary, so a
-- rejected file's values never reach the database file.
CREATE OR REPLACE TEMP TABLE ledger_stage (
    line BIGINT, card_hit BOOLEAN,
    partner_merchant_id VARCHAR, mid VARCHAR, order_id VARCHAR, transaction_id VARCHAR,
    processed_at VARCHAR, amount VARCHAR, currency VARCHAR, status VARCHAR,
    response_code VARCHAR, response_code_source VARCHAR, initiator VARCHAR, channel VARCHAR,
    is_recurring VARCHAR, site_url VARCHAR, descriptor VARCHAR, campaign_id VARCHAR,
    environment VARCHAR, card_bin VARCHAR, card_last4 VARCHAR, fc_transmit_key VARCHAR,
    fc_order_id VARCHAR,
    processed_ts TIMESTAMPTZ, amount_minor BIGINT, digits INTEGER, recurring BOOLEAN
);

-- name: clear-ledger-stage
DELETE FROM ledger_stage;

-- name: stage-csv
-- A template: Go fills in the file, its delimiter, its zone and which of its
-- columns feeds each canonical column (Fields). Every column of the file, mapped
-- or not, goes through the card-number guard.
INSERT INTO ledger_stage
SELECT raw.*,
    CASE WHEN regexp_matches(raw.processed_at, '(Z|[+-][0-9]{2}(:?[0-9]{2})?)$')
         THEN TRY_CAST(raw.processed_at AS TIMESTAMPTZ)
         ELSE timezone({{.Zone}}, TRY_CAST(raw.processed_at AS TIMESTAMP)) END,
    CASE WHEN regexp_full_match(raw.amount, '-?[0-9]{1,15}(\.[0-9]+)?')
          AND length(coalesce(split_part(raw.amount, '.', 2), '')) <= c.digits
         THEN CAST(CAST(raw.amount AS DECIMAL(38, 6)) * [1, 10, 100, 1000][c.digits + 1] AS BIGINT) END,
    c.digits,
    CASE lower(coalesce(raw.is_recurring, ''))
         WHEN '' THEN false WHEN 'false' THEN false WHEN '0' THEN false WHEN 'no' THEN false
         WHEN 'true' THEN true WHEN '1' THEN true WHEN 'yes' THEN true END
FROM (
    SELECT row_number() OVER () + 1 AS line,
        card_like(concat_ws(chr(31), *COLUMNS(*))) AS card_hit,
        {{range $i, $f := .Fields}}{{if $i}}, {{end}}{{if $f.Source}}nullif(trim({{ident $f.Source}}), ''){{else}}NULL{{end}} AS {{$f.Name}}{{end}}
    FROM read_csv({{.Path}}, header = true, all_varchar = true, delim = {{.Delim}}, quote = '"', escape = '"', auto_detect = false, columns = {{.ColumnTypes}})
) raw
LEFT JOIN currencies c ON c.code = raw.currency;

-- name: card-columns
-- A template: for one line that tripped the card guard, which columns did.
SELECT card_like(COLUMNS(*)) FROM (
    SELECT * EXCLUDE (line) FROM (
        SELECT row_number() OVER () + 1 AS line, *
        FROM read_csv({{.Path}}, header = true, all_varchar = true, delim = {{.Delim}}, quote = '"', escape = '"', auto_detect = false, columns = {{.ColumnTypes}})
    ) WHERE line = {{.Line}}
);

-- name: first-card-hit
SELECT coalesce(min(line), 0) FROM ledger_stage WHERE card_hit;

-- name: stage-problems
-- Every row problem of the staged file, one row per (line, column).
CREATE OR REPLACE TEMP TABLE stage_problems AS
SELECT line, p.column_name, p.reason FROM (
    SELECT line, unnest(list_filter([
        CASE WHEN partner_merchant_id IS NULL THEN {'column_name': 'partner_merchant_id', 'reason': 'required value missing'} END,
        CASE WHEN order_id IS NULL THEN {'column_name': 'order_id', 'reason': 'required value missing'} END,
        CASE WHEN transaction_id IS NULL THEN {'column_name': 'transaction_id', 'reason': 'required value missing'} END,
        CASE WHEN processed_ts IS NULL THEN {'column_name': 'processed_at', 'reason': format('"{}" is not an RFC 3339 time or a time in the source''s zone', coalesce(processed_at, ''))} END,
        CASE WHEN digits IS NULL THEN {'column_name': 'currency', 'reason': format('"{}" is not a known ISO 4217 currency', coalesce(currency, ''))} END,
        CASE WHEN digits IS NOT NULL AND amount_minor IS NULL THEN {'column_name': 'amount', 'reason': format('"{}" is not a decimal amount with at most {} decimals', coalesce(amount, ''), digits)} END,
        CASE WHEN coalesce(status, '') NOT IN ('approved', 'declined', 'error', 'refunded', 'chargeback', 'voided') THEN {'column_name': 'status', 'reason': format('"{}" is not one of approved, declined, error, refunded, chargeback, voided', coalesce(status, ''))} END,
        CASE WHEN coalesce(initiator, '') NOT IN ('CIT', 'MIT') THEN {'column_name': 'initiator', 'reason': format('"{}" is not CIT or MIT', coalesce(initiator, ''))} END,
        CASE WHEN coalesce(channel, 'web') NOT IN ('web', 'callcenter') THEN {'column_name': 'channel', 'reason': format('"{}" is not web or callcenter', channel)} END,
        CASE WHEN coalesce(environment, 'production') NOT IN ('production', 'sandbox') THEN {'column_name': 'environment', 'reason': format('"{}" is not production or sandbox', environment)} END,
        CASE WHEN recurring IS NULL THEN {'column_name': 'is_recurring', 'reason': format('"{}" is not true or false', is_recurring)} END,
        CASE WHEN site_url IS NULL AND descriptor IS NULL THEN {'column_name': 'site_url', 'reason': 'neither site_url nor descriptor is given'} END,
        CASE WHEN NOT regexp_full_match(coalesce(card_bin, '000000'), '[0-9]{6,8}') THEN {'column_name': 'card_bin', 'reason': 'not 6 to 8 digits'} END,
        CASE WHEN NOT regexp_full_match(coalesce(card_last4, '0000'), '[0-9]{4}') THEN {'column_name': 'card_last4', 'reason': 'not 4 digits'} END
    ], x -> x IS NOT NULL)) AS p
    FROM ledger_stage
);

-- name: list-stage-problems
SELECT line, column_name, reason FROM stage_problems ORDER BY line, column_name LIMIT $1;

-- name: count-stage-problems
SELECT count(DISTINCT line) FROM stage_problems;

-- name: stage-business-date
-- The business date a file without one in its name carries: its earliest
-- processing day in the source's zone.
SELECT CAST(min(timezone($1, processed_ts)) AS DATE) FROM ledger_stage;

-- name: file-by-hash
SELECT id, outcome FROM ledger_files WHERE sha256 = $1 ORDER BY id LIMIT 1;

-- name: live-file-for-date
SELECT id FROM ledger_files WHERE source = $1 AND business_date = $2 AND outcome = 'loaded';

-- name: insert-file
INSERT INTO ledger_files (id, source, name, sha256, size, business_date, rows, quarantined, duplicates, outcome, reason, loaded_at, run_id)
VALUES (nextval('file_id_seq'), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
RETURNING id;

-- name: replace-file
UPDATE ledger_files SET outcome = 'replaced', replaced_by = $2 WHERE id = $1;

-- name: delete-file-rows
DELETE FROM ledger_tx WHERE file_id = $1;

-- name: delete-file-quarantine
DELETE FROM quarantine WHERE file_id = $1;

-- name: store-quarantine
INSERT INTO quarantine (file_id, line, column_name, reason)
SELECT $1, line, column_name, reason FROM stage_problems;

-- name: store-stage
-- The staged rows that passed validation, with their occurrence: how many
-- times this transaction id has been seen for the merchant, counting earlier files.
INSERT INTO ledger_tx
SELECT $1, s.line, s.partner_merchant_id, s.mid, s.order_id, s.transaction_id,
    coalesce(prev.seen, 0) + row_number() OVER (PARTITION BY s.partner_merchant_id, s.transaction_id ORDER BY s.line),
    s.processed_ts, s.amount_minor, s.currency, s.status, s.response_code, s.response_code_source,
    s.initiator, coalesce(s.channel, 'web'),
    CASE WHEN s.initiator = 'MIT' THEN 'mit' WHEN s.channel = 'callcenter' THEN 'cit_callcenter' ELSE 'cit_web' END,
    s.recurring, s.site_url, s.descriptor, s.campaign_id, coalesce(s.environment, 'production'),
    s.card_bin, s.card_last4, s.fc_transmit_key, s.fc_order_id
FROM ledger_stage s
LEFT JOIN (
    SELECT partner_merchant_id, transaction_id, max(occurrence) AS seen FROM ledger_tx
    GROUP BY ALL
) prev USING (partner_merchant_id, transaction_id)
WHERE s.line NOT IN (SELECT line FROM stage_problems);

-- name: count-stored-duplicates
SELECT count(*) FROM ledger_tx WHERE file_id = $1 AND occurrence > 1;

-- name: set-file-counts
UPDATE ledger_files SET rows = $2, duplicates = $3 WHERE id = $1;
