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
-- Templates (Go's text/template) that read a file of any format into the
-- stage; Go executes them by their define names, "stage" and "columns". The
-- query keeps the name of its first format. Every column of the file, mapped
-- or not, goes through the card-number guard while the file is read, once.

-- guard: the card guard on one text. card_like's Luhn lambdas are costly
-- and a projection evaluates both sides of an AND, so its cheap regex runs
-- first under CASE and the rest only for the rare text with 13 digits.
{{define "guard"}}CASE WHEN regexp_matches(coalesce({{.}}, ''), '[0-9](?:[ -]?[0-9]){12}') THEN card_like({{.}}) ELSE false END{{end}}

-- records: the file's records with their line (CSV counts its header line;
-- JSON Lines and Parquet count records from 1) and the card guard's verdict.
{{define "records"}}
{{- if eq .Format "jsonl"}}
    SELECT row_number() OVER () AS line, card_like(CAST(json AS VARCHAR)) AS card_hit, json
    FROM read_ndjson_objects({{.Path}})
{{- else if eq .Format "parquet"}}
    SELECT row_number() OVER () AS line, card_like(concat_ws(chr(31), *COLUMNS(*))) AS card_hit, *
    FROM read_parquet({{.Path}})
{{- else}}
    SELECT line, {{template "guard" "row_text"}} AS card_hit, * EXCLUDE (row_text) FROM (
    SELECT row_number() OVER () + 1 AS line, concat_ws(chr(31), *COLUMNS(*)) AS row_text, *
    FROM read_csv({{.Path}}, header = true, all_varchar = true, delim = {{.Delim}}, quote = '"', escape = '"',
        auto_detect = false, columns = {{.ColumnTypes}}, compression = 'auto'))
{{- end}}
{{- end}}

-- value: one file column as text, however the format stores it.
{{define "value"}}
{{- if eq .Format "jsonl"}}json_extract_string(json, {{jsonKey .Source}})
{{- else if eq .Format "parquet"}}CAST({{ident .Source}} AS VARCHAR)
{{- else}}{{ident .Source}}{{end}}
{{- end}}

-- field: a canonical column taken from its file column, through the
-- source's value map when it has one (matched trimmed and lowercased).
{{define "field"}}
{{- if not .Source}}NULL
{{- else if .Values}}CASE lower(trim(coalesce({{template "value" .}}, '')))
    {{- range .Values}} WHEN {{literal .From}} THEN {{literal .To}}{{end}}
    ELSE nullif(trim({{template "value" .}}), '') END
{{- else}}nullif(trim({{template "value" .}}), ''){{end}}
{{- end}}

-- processed: the typed processing time: the source's layout in its zone, or
-- RFC 3339 with an offset, or a naive time in the source's zone.
{{define "processed"}}
{{- if .Layout}}
    {{- if .ZonedLayout}}try_strptime(raw.processed_at, {{.Strptime}})
    {{- else}}timezone({{.Zone}}, try_strptime(raw.processed_at, {{.Strptime}})){{end}}
{{- else}}CASE WHEN regexp_matches(raw.processed_at, '(Z|[+-][0-9]{2}(:?[0-9]{2})?)$')
         THEN TRY_CAST(raw.processed_at AS TIMESTAMPTZ)
         ELSE timezone({{.Zone}}, TRY_CAST(raw.processed_at AS TIMESTAMP)) END
{{- end}}
{{- end}}

-- amount: integer minor units, exactly: whole minor units as written, or a
-- major-unit decimal with no more decimals than the currency has.
{{define "amount"}}
{{- if .Minor}}CASE WHEN regexp_full_match(raw.amount, '-?[0-9]{1,18}') THEN CAST(raw.amount AS BIGINT) END
{{- else}}CASE WHEN regexp_full_match(raw.amount, '-?[0-9]{1,15}(\.[0-9]+)?')
          AND length(coalesce(split_part(raw.amount, '.', 2), '')) <= c.digits
         THEN CAST(CAST(raw.amount AS DECIMAL(38, 6)) * [1, 10, 100, 1000][c.digits + 1] AS BIGINT) END
{{- end}}
{{- end}}

{{define "stage"}}
INSERT INTO ledger_stage
SELECT raw.*, {{template "processed" .}}, {{template "amount" .}}, c.digits,
    CASE lower(coalesce(raw.is_recurring, ''))
         WHEN '' THEN false WHEN 'false' THEN false WHEN '0' THEN false WHEN 'no' THEN false
         WHEN 'true' THEN true WHEN '1' THEN true WHEN 'yes' THEN true END
FROM (
    SELECT line, card_hit,
        {{range $i, $f := .Fields}}{{if $i}}, {{end}}{{template "field" $f}} AS {{ident $f.Name}}{{end}}
    FROM ({{template "records" .}})
) raw
LEFT JOIN currencies c ON c.code = raw.currency
{{end}}

-- columns: the column names of a JSON Lines file (every key of every record,
-- in order of first appearance) or of a Parquet file.
{{define "columns"}}
{{- if eq .Format "jsonl"}}
SELECT k FROM (
    SELECT unnest(json_keys(json)) AS k, row_number() OVER () AS n FROM read_ndjson_objects({{.Path}})
) GROUP BY k ORDER BY min(n)
{{- else}}
SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet({{.Path}}))
{{- end}}
{{end}}

-- name: card-columns
-- A template: for the line that tripped the card guard, the names of the
-- columns that did (never their values).
{{define "card-columns"}}
{{- if eq .Format "jsonl"}}
SELECT k FROM (
    SELECT unnest(json_keys(json)) AS k, json FROM ({{template "records" .}}) WHERE line = {{.Line}}
) WHERE card_like(CAST(json_extract(json, '$."' || replace(k, '"', '\"') || '"') AS VARCHAR))
{{- else}}
SELECT col FROM (
    UNPIVOT (SELECT CAST(COLUMNS(* EXCLUDE (line, card_hit)) AS VARCHAR) FROM ({{template "records" .}}) WHERE line = {{.Line}})
    ON COLUMNS(*) INTO NAME col VALUE val
) WHERE card_like(val)
{{- end}}
{{end}}

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
        CASE WHEN digits IS NOT NULL AND amount_minor IS NULL THEN {'column_name': 'amount', 'reason': format('"{}" is not an amount in the source''s unit (at most {} decimals in major units, whole numbers in minor)', coalesce(amount, ''), digits)} END,
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
-- A rejected file may come again once its source's mapping is fixed.
SELECT id, outcome FROM ledger_files WHERE sha256 = $1 AND outcome <> 'rejected' ORDER BY id LIMIT 1;

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
