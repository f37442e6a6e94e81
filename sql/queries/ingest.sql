-- name: create-ledger-stage
-- The rows of one file that need a second look: those the card guard flags
-- or that fail a check of stage-problems, with the canonical columns as the
-- file wrote them and the typed values parsed from them; misfit, for a CSV
-- record with another number of fields than the header, or a JSON Lines or
-- Parquet record quarantined whole (json-misfit, json-unwritten,
-- parquet-unwritten), says why (its
-- values are under other columns' names, or not there, or in doubt, and
-- are not checked), and misfit_key the key or column it is quarantined
-- for, as the file spells it (NULL for the record's). Temporary,
-- so a rejected file's values never reach the database file. ledger_file is the
-- view of the file being loaded (stage-csv replaces it); this placeholder
-- has its columns so the queries over it prepare at start-up.
CREATE OR REPLACE TEMP TABLE ledger_stage (
    line BIGINT, card_hit BOOLEAN,
    partner_merchant_id VARCHAR, mid VARCHAR, order_id VARCHAR, transaction_id VARCHAR,
    processed_at VARCHAR, amount VARCHAR, currency VARCHAR, status VARCHAR,
    response_code VARCHAR, response_code_source VARCHAR, initiator VARCHAR, channel VARCHAR,
    is_recurring VARCHAR, site_url VARCHAR, descriptor VARCHAR, campaign_id VARCHAR,
    environment VARCHAR, card_bin VARCHAR, card_last4 VARCHAR, fc_transmit_key VARCHAR,
    fc_order_id VARCHAR,
    processed_ts TIMESTAMPTZ, amount_minor BIGINT, digits INTEGER, recurring BOOLEAN, bad BOOLEAN,
    misfit VARCHAR, misfit_key VARCHAR
);
CREATE OR REPLACE TEMP VIEW ledger_file AS SELECT * FROM ledger_stage;
-- repeat_values(...): where a ledger row stands among the rows of its
-- transaction id processed at the same time, by what it says: occurrence 1
-- is the earliest processed (processed_at), then the least by these values,
-- whichever file was loaded first. Only identical rows are left to file and
-- line, where which one is first cannot matter. The amount (minor units)
-- is compared as the number it is, in a struct beside the texts: in the
-- list of texts, 10.00 ("1000") came before 9.99 ("999"). The other values
-- are texts, or closed vocabularies compared by their names.
CREATE OR REPLACE TEMP MACRO repeat_values(order_id, amount, currency, status, response_code,
        response_code_source, initiator, channel, is_recurring, site_url, descriptor, campaign_id, environment,
        mid, card_bin, card_last4, fc_transmit_key, fc_order_id) AS
    {'order_id': order_id, 'amount': CAST(amount AS BIGINT), 'texts': [currency, CAST(status AS VARCHAR), response_code,
        response_code_source, CAST(initiator AS VARCHAR), CAST(channel AS VARCHAR), CAST(is_recurring AS VARCHAR),
        site_url, descriptor, campaign_id, CAST(environment AS VARCHAR), mid, card_bin, card_last4,
        fc_transmit_key, fc_order_id]};
-- repeat_rows are the rows of repeated transaction ids to number: each
-- one's key and time, a stored row's file and occurrence, a staged row (of
-- ledger_file) with neither. repeat_places numbers them: by processed_at,
-- then repeat_values, a staged row after an identical stored one. A row's
-- values are fetched only where its time ties with another row of its
-- transaction: repeats are scattered over the history, and a fetch by
-- (file_id, line) or rowid prunes nothing then (10M rows stored, 10,000
-- random ones fetched by rowid: the scan read 9,998,576 of them).
CREATE OR REPLACE TEMP TABLE repeat_rows (
    file_id BIGINT, line BIGINT, partner_merchant_id VARCHAR, transaction_id VARCHAR, occurrence INTEGER,
    processed_at TIMESTAMPTZ
);
CREATE OR REPLACE TEMP VIEW repeat_places AS
WITH tied AS (
    SELECT file_id, line FROM repeat_rows
    QUALIFY count(*) OVER (PARTITION BY partner_merchant_id, transaction_id, processed_at) > 1
), values_of AS (
    SELECT l.file_id, l.line, repeat_values(l.order_id, l.amount, l.currency, l.status, l.response_code,
            l.response_code_source, l.initiator, l.channel, l.is_recurring, l.site_url, l.descriptor, l.campaign_id,
            l.environment, l.mid, l.card_bin, l.card_last4, l.fc_transmit_key, l.fc_order_id) AS vals
    FROM ledger_rows l SEMI JOIN (SELECT file_id, line FROM tied WHERE file_id IS NOT NULL) USING (file_id, line)
    UNION ALL
    SELECT NULL, f.line, repeat_values(f.order_id, f.amount_minor, f.currency, f.status, f.response_code,
            f.response_code_source, f.initiator, f.channel, f.recurring, f.site_url, f.descriptor, f.campaign_id,
            f.environment, f.mid, f.card_bin, f.card_last4, f.fc_transmit_key, f.fc_order_id)
    FROM ledger_file f SEMI JOIN (SELECT line FROM tied WHERE file_id IS NULL) USING (line)
)
SELECT r.file_id, r.line, r.occurrence AS was,
    row_number() OVER (PARTITION BY r.partner_merchant_id, r.transaction_id
        ORDER BY r.processed_at, v.vals, r.file_id NULLS LAST, r.line) AS occurrence
FROM repeat_rows r LEFT JOIN values_of v ON v.file_id IS NOT DISTINCT FROM r.file_id AND v.line = r.line;

-- name: clear-ledger-stage
DELETE FROM ledger_stage;
DROP TABLE IF EXISTS ledger_raw;
DROP TABLE IF EXISTS line_shifts;
DROP TABLE IF EXISTS misfits;

-- name: stage-csv
-- Templates (Go's text/template) that read a file of any format; Go
-- executes them by their define names, "stage", "columns" and "records".
-- The query keeps the name of its first format.
--
-- "stage" reads the file once, typing every record into ledger_raw; the
-- store copies the good ones from there, and only the records the card
-- guard flags or a check fails (few) go to ledger_stage with their text.

-- guard: the card guard on one text. card_like's Luhn lambdas are costly
-- and a projection evaluates both sides of an AND, so cheap tests run first
-- under CASE: a text shorter than 13 bytes cannot hold 13 digits (most
-- values are, and their length is free), then the regex, then Luhn.
{{define "guard"}}CASE WHEN strlen(coalesce({{.}}, '')) < 13 THEN false WHEN regexp_matches({{.}}, '[0-9](?:[ -]?[0-9]){12}') THEN card_like({{.}}) ELSE false END{{end}}

-- json-guard: the card guard on a JSON record, keys and values. Escapes
-- can spell digits ("4111\u0031…"), so a record with a backslash is also
-- guarded as its keys and values decoded (nested ones re-written decoded),
-- joined by a bar so that no run of digits spans two of them.
{{define "json-guard"}}({{template "guard" "CAST(json AS VARCHAR)"}} OR contains(CAST(json AS VARCHAR), '\')
    AND {{template "guard" "array_to_string(list_concat(json_keys(json), json_extract_string(json, '$.*')), '|')"}}){{end}}

-- source: the file's records, every column as the file has it, with the
-- card guard's verdict over every column, mapped or not (false for a CSV
-- whose screen found no run of 13 digits in it: see ledger.Screen).
-- A CSV is read in 32 MB buffers: each thread takes a part of a buffer at a
-- time, and every part is a batch that the ordered stage must put back in
-- the file's order; with DuckDB's default size, ordering the stage cost a
-- fifth of the read's CPU (10M rows: 19.5-20.3 s of CPU against 15.7-16.1 s).
-- A CSV with misfits (records with other numbers of fields than the header)
-- is read with as many columns as its longest record has fields, named
-- "column 22" and on, and shorter records padded with NULLs: DuckDB then
-- reads every record as one row, and the card guard sees every value. It
-- pads them on one thread only when a value spans lines.
-- A JSON Lines line that is not JSON is read as a NULL record in its place
-- (ignore_errors; blank lines are no records), to be quarantined on its
-- line as a CSV misfit is: without it, DuckDB stops at the first, naming
-- neither its line nor its file's.
{{define "source"}}
{{- if eq .Format "jsonl"}}
    SELECT {{template "json-guard"}} AS card_hit, json FROM read_ndjson_objects({{.Path}}, compression = {{.Compression}}, ignore_errors = true)
{{- else if eq .Format "parquet"}}
    SELECT ({{range $i, $c := .Columns}}{{if $i}} OR {{end}}{{template "guard" (printf "CAST(%s AS VARCHAR)" (ident $c))}}{{end}}) AS card_hit, *
    FROM read_parquet({{.Path}})
{{- else}}
    SELECT {{if .Guard}}({{range $i, $c := .Columns}}{{if $i}} OR {{end}}{{template "guard" (ident $c)}}{{end}}){{else}}false{{end}} AS card_hit, *
    FROM read_csv({{.Path}}, header = true, all_varchar = true, delim = {{.Delim}}, quote = '"', escape = '"',
        auto_detect = false, columns = {{.ColumnTypes}}, compression = {{.Compression}}, buffer_size = 33554432
        {{- if .Misfits}}, null_padding = true{{if .Serial}}, parallel = false{{end}}{{end}})
{{- end}}
{{- end}}

-- first: the line of a file's first record: CSV counts its header line;
-- JSON Lines and Parquet count records from 1.
{{define "first"}}{{if eq .Format "csv"}}2{{else}}1{{end}}{{end}}

-- records: the file's raw records with their line, for card-columns.
{{define "records"}}
    SELECT row_number() OVER () + {{template "first" .}} - 1 AS line, * EXCLUDE (card_hit) FROM ({{template "source" .}})
{{- end}}

-- value: one file column as text, however the format stores it.
{{define "value"}}
{{- if eq .Format "jsonl"}}{{template "json-text" .}}
{{- else if eq .Format "parquet"}}CAST({{ident .Source}} AS VARCHAR)
{{- else}}{{ident .Source}}{{end}}
{{- end}}

-- json-values: a JSON Lines record with the text (json_texts) and JSON type
-- (json_types) of each mapped key's value, in the order of Go's JSONPaths
-- (a field's JSONIndex): one parse of the record each, where a call per
-- key would parse it once per key.
{{define "json-values"}}SELECT *, json_extract_string(json, {{.JSONPaths}}) AS json_texts, json_type(json, {{.JSONPaths}}) AS json_types{{end}}

-- json-text: a JSON Lines value as the file wrote it, whatever the column: a
-- string's text, or a number's digits. DuckDB reads a JSON number with a
-- fraction or an exponent as a double, which keeps some 15 digits and prints
-- its own form: an amount of 19.9900000000000001 would come back as 19.99,
-- an amount in cents it is not, and an order id of 1e3 as 1000.0. An
-- integer's digits come back as written, but for -0's sign: a zero is read
-- as a double is where the record holds a -0 anywhere (a flag's 0 on every
-- other record costs no regular expression). (One beyond 64 bits DuckDB
-- types a double.) A double's
-- text is taken from the record's instead: where the record has no escape
-- that could spell the key (keyEscape) and names the key once, the text
-- after it (the top-level key's, which it has); else from the record with
-- every number made a string (regexp_replace matches a string first, so a
-- digit inside one is left as it is), which costs seven times as much. The
-- texts after the key are read once: DuckDB shares common subexpressions.
-- A JSON false in an optional column stored as written (an id, a code, a
-- descriptor) is no value, as null is: exporters write either for "none"
-- (a transaction of no campaign, a gateway that kept no key), and finance
-- reads them alike; a true says nothing of a value (json-unwritten).
{{define "json-text"}}
{{- $after := printf "regexp_extract_all(CAST(json AS VARCHAR), %s, 1)" (keyValuePattern .Source)}}CASE
    {{- if not (or .Mappable .Required)}}
    WHEN json_types[{{.JSONIndex}}] = 'BOOLEAN' AND json_texts[{{.JSONIndex}}] = 'false' THEN NULL
    {{- end}}
    WHEN coalesce(json_types[{{.JSONIndex}}] <> 'DOUBLE' AND (json_types[{{.JSONIndex}}] = 'VARCHAR'
            OR json_texts[{{.JSONIndex}}] <> '0' OR NOT contains(CAST(json AS VARCHAR), '-0')), true)
        THEN json_texts[{{.JSONIndex}}]
    WHEN NOT contains(CAST(json AS VARCHAR), {{keyEscape .Source}}) AND len({{$after}}) = 1 THEN {{$after}}[1]
    ELSE json_extract_string(regexp_replace(CAST(json AS VARCHAR), '"((?:[^"\\]|\\.)*)"|(-?[0-9][0-9.eE+-]*)', '"\1\2"', 'g'), {{jsonKey .Source}}) END
{{- end}}

-- json-misfit: why a JSON Lines record is quarantined whole: no JSON
-- object, or one naming a key twice; NULL when it is neither. Each misfit
-- is a struct of the key it is for (NULL for the record's, as the stage's
-- misfit_key) and the reason. A NULL record
-- is a line DuckDB could not read; the store reads it again for more, and a
-- record that is no object for the card numbers its escapes may spell
-- (json-misfit-records). A JSON value that begins with a brace is an
-- object: json_type would parse every record once more. DuckDB reads a key
-- named twice by its first value, another reader by its last: which one the
-- exporter meant is not known, so neither is taken. Keys are matched as a
-- CSV's header names are, without regard to case (and spaces around them):
-- a key that only ever appears beside another spelling of it is in
-- Respelt, with its reason (readHeader), so that Go's matching decides.
{{define "json-misfit"}}CASE WHEN json IS NULL THEN {'key': NULL::VARCHAR, 'reason': 'malformed JSON'}
    WHEN NOT regexp_matches(CAST(json AS VARCHAR), '^\s*\{') THEN {'key': NULL::VARCHAR, 'reason': 'not a JSON object'}
    WHEN len(list_distinct(json_keys(json))) < len(json_keys(json)) THEN {{template "json-key-twice" .}}
    {{- range .Respelt}}
    WHEN list_contains(json_keys(json), {{literal .Key}}) THEN {'key': {{literal .Column}}, 'reason': {{literal .Reason}}}{{end}} END
{{- end}}

-- json-key-twice: the first key a record names again, and how many times
-- it names it. The column and the reason name the key as the file's
-- columns do (columnName: a blank key is its place, column 3, as the
-- mapping and the check call it), the reason quoting a named key as Go
-- does (keyText); both are looked up by the key's place among the file's
-- keys, which it is one of: DuckDB quotes no text so, and a CASE over the
-- keys would find the key again for each.
{{define "json-key-twice"}}
{{- $twice := "list_filter(json_keys(json), (k, i) -> list_position(json_keys(json), k) < i)[1]"}}
{{- $times := printf "len(list_filter(json_keys(json), k -> k = %s))" $twice}}
    {'key': [{{range $i, $k := .Keys}}{{if $i}}, {{end}}{{literal (columnName $i $k)}}{{end}}][{{template "json-key-twice-place" .}}],
     'reason': format('{} appears {}',
        [{{range $i, $k := .Keys}}{{if $i}}, {{end}}{{literal (keyText $i $k)}}{{end}}][{{template "json-key-twice-place" .}}],
        CASE {{$times}} WHEN 2 THEN 'twice' ELSE {{$times}} || ' times' END)}
{{- end}}

-- json-key-twice-place: the place among the file's keys of the first key a
-- record names again (json-key-twice).
{{define "json-key-twice-place"}}list_position([{{range $i, $k := .Keys}}{{if $i}}, {{end}}{{literal $k}}{{end}}], list_filter(json_keys(json), (k, i) -> list_position(json_keys(json), k) < i)[1])
{{- end}}

-- json-unwritten: why a JSON Lines record is quarantined whole for a value
-- of a text column (an id, a code, a descriptor) written as a number in
-- other than plain digits (1e3, NaN); NULL when it has none. That form is a
-- float's print, and the exporter's value a float, whose digits may have
-- been lost before it was written (an order id of 12345678901234567890
-- printed as 1.2345678901234567e+19): reconciliation matches ids by their
-- text, and a guessed one ("1e3" or "1000"?) would match none of
-- FlexCharge's orders or transmits, and could be pushed to /transmit under
-- it; quarantined, the record waits for a file that writes it as a string.
-- So does a value that is a JSON object or array (a mapping naming a key
-- that holds a nested record): its JSON text is no value, and was stored as
-- the id. The amount's own check refuses such an amount (number, amount).
-- A JSON boolean is a flag, no text: in a column stored as written (an id,
-- a descriptor) it would be stored as the text "true", and quarantines its
-- record too, but for a false in an optional one, which is no value
-- (json-text); a column a value map may cover (is_recurring, status, ...)
-- takes it as its text, mapped and checked against its values.
{{define "json-unwritten"}}CASE
    {{- range .Fields}}{{if and .JSONIndex (ne .Name "amount")}}
    WHEN json_types[{{.JSONIndex}}] IN ('OBJECT', 'ARRAY')
        THEN {'key': {{literal .Source}}, 'reason': format('key {} holds a JSON {}, not a value: its JSON text is no id or code; map the key that holds the value', {{quote .Source}}, lower(json_types[{{.JSONIndex}}]))}
    {{- if not .Mappable}}
    WHEN json_types[{{.JSONIndex}}] = 'BOOLEAN'{{if not .Required}} AND {{ident .Name}} IS NOT NULL{{end}}
        THEN {'key': {{literal .Source}}, 'reason': format('key {} holds the JSON boolean {}, not text: a flag is no id, code or descriptor; map the key that holds the value', {{quote .Source}}, {{ident .Name}})}
    {{- end}}
    WHEN json_types[{{.JSONIndex}}] = 'DOUBLE' AND NOT regexp_full_match({{ident .Name}}, '-?[0-9]+(\.[0-9]+)?')
        THEN {'key': {{literal .Source}}, 'reason': format('key {} holds the number {}, not written in plain digits: a float''s print, which may have lost digits; write it as a string', {{quote .Source}}, {{ident .Name}})}
    {{- end}}{{end}} END
{{- end}}

-- parquet-unwritten: why a Parquet record is quarantined whole for a value
-- of a text column that the file holds no text for; NULL when it has none.
-- A column of floats (FLOAT, DOUBLE), as pandas writes a column of integers
-- with a value missing, holds only the float, which DuckDB prints its own
-- way (a campaign id of 12345 as 12345.0, a response code 05 as 5.0) and
-- which may have lost digits before it was written: an id so read matches
-- nothing, as json-unwritten says. A nested column (a struct, list or map)
-- holds no value of the column at all, as a JSON object does not. typeof
-- is the column's type, the same for every record. A float amount is
-- judged by its digits (number, amount). A BOOLEAN column is a flag, as a
-- JSON boolean is (json-unwritten): no text of a column stored as written.
{{define "parquet-unwritten"}}CASE
    {{- range .Fields}}{{if and .Source (ne .Name "amount")}}
    {{- if not .Mappable}}
    WHEN typeof({{ident .Source}}) = 'BOOLEAN' AND {{ident .Source}} IS NOT NULL
        THEN {'key': {{literal .Source}}, 'reason': format('column {} holds the boolean {}, not text: a flag is no id, code or descriptor; map the column that holds the value', {{quote .Source}}, CAST({{ident .Source}} AS VARCHAR))}
    {{- end}}
    WHEN typeof({{ident .Source}}) IN ('FLOAT', 'DOUBLE') AND {{ident .Source}} IS NOT NULL
        THEN {'key': {{literal .Source}}, 'reason': format('column {} holds the float {}: a float''s print, which may have lost digits; write the column as text', {{quote .Source}}, CAST({{ident .Source}} AS VARCHAR))}
    WHEN regexp_matches(typeof({{ident .Source}}), '^(STRUCT|MAP|UNION)\(|\]$') AND {{ident .Source}} IS NOT NULL
        THEN {'key': {{literal .Source}}, 'reason': format('column {} holds a {}, not a value of the column: its print is no id or code; map the column that holds the value', {{quote .Source}}, typeof({{ident .Source}}))}
    {{- end}}{{end}} END
{{- end}}

-- field: a canonical column (its file column's text, by its canonical
-- name), through the source's value map when it has one (matched trimmed
-- and lowercased, as ledger.FoldValue folds the map's entries: keep the two
-- alike); typed then raises a currency's case (ascii-upper).
{{define "field"}}
{{- if .Values}}CASE lower(trim(coalesce({{ident .Name}}, '')))
    {{- range .Values}} WHEN {{literal .From}} THEN {{literal .To}}{{end}}
    ELSE {{template "clean" .}} END
{{- else}}{{template "clean" .}}{{end}}
{{- end}}

-- ascii-upper: a currency's text, mapped or not, with its ASCII letters in
-- upper case: ISO 4217 codes are read without regard to case in practice
-- ("usd" is USD), and FlexCharge's are upper-cased as they are pulled, so
-- the two compare equal. Only ASCII letters are raised: upper() makes "ınr"
-- (a dotless ı) INR, a code the file does not spell; a text with any other
-- character (strlen <> length, as in trimmed) is no code whatever its case,
-- and is left as it is. Not translate(), which raises ASCII letters alone
-- but builds its table of 26 letters again for every row (26 allocations
-- a row); nor over the field's expression, which the CASE would repeat.
{{define "ascii-upper"}}CASE WHEN strlen({{.}}) = length({{.}}) THEN upper({{.}}) ELSE {{.}} END{{end}}

-- clean: a field's text, NULL when empty, trimmed unless the file's screen
-- found no space that a value begins or ends with.
{{define "clean"}}{{if .Trim}}{{template "trimmed" (ident .Name)}}{{else}}nullif({{ident .Name}}, ''){{end}}{{end}}

-- trimmed: a text without the spaces around it, NULL when nothing is left.
-- trim() strips ' ' and the other Unicode space separators, which are all
-- non-ASCII: a text with no ' ' and only ASCII (strlen = length) is
-- returned as it is, which spares most values the copy trim makes (0.6 s
-- of CPU per million records of 21 columns).
{{define "trimmed"}}CASE WHEN contains({{.}}, ' ') OR strlen({{.}}) <> length({{.}}) THEN nullif(trim({{.}}), '') ELSE nullif({{.}}, '') END{{end}}

-- processed: the typed processing time: the source's layout in its zone, or
-- RFC 3339 with an offset (or Z, UTC, GMT, in any case; seconds allowed)
-- after the time of day, or a naive time or a date in the source's zone. The
-- offset must follow a time: the day of a bare date ("2026-11-23") is no
-- offset. Every offset DuckDB's TIMESTAMP cast drops unread must be caught
-- here ("10:00 utc", "10:00-05:00:00"), or it would be read as local time.
{{define "processed"}}
{{- if .Layout}}
    {{- if .ZonedLayout}}try_strptime(processed_at, {{.Strptime}})
    {{- else}}timezone({{.Zone}}, try_strptime(processed_at, {{.Strptime}})){{end}}
{{- else}}CASE WHEN regexp_matches(processed_at, '[0-9]:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)? ?(Z|UTC|GMT|[+-][0-9]{2}(:?[0-9]{2}){0,2})$', 'i')
         THEN TRY_CAST(processed_at AS TIMESTAMPTZ)
         ELSE timezone({{.Zone}}, TRY_CAST(processed_at AS TIMESTAMP)) END
{{- end}}
{{- end}}

-- number: the amount as a number, when it is written as one: whole minor
-- units, or a major-unit decimal (its places checked against the currency,
-- which has at most 3, once it is known; a longer fraction is rounded here
-- but never stored). Zeros that end a fraction are no places: "19.990" is
-- exactly 19.99, and a typed Parquet column (DECIMAL(18, 3), DOUBLE) is
-- written so whatever the currency; whole minor units may end in ".0". DECIMAL(18, 3) is an int64 (DECIMAL(38, x) would be a
-- 128-bit cast, 100 times slower): at most 12 whole digits, so that the
-- amount in minor units (times up to 1000) still fits it; a larger amount
-- is quarantined, not an overflow that stops the file.
{{define "number"}}
{{- if .Minor}}CASE WHEN regexp_full_match(amount, '-?[0-9]{1,18}(\.0+)?') THEN CAST(split_part(amount, '.', 1) AS BIGINT) END
{{- else}}CASE WHEN regexp_full_match(amount, '-?[0-9]{1,12}(\.[0-9]+)?') THEN CAST(amount AS DECIMAL(18, 3)) END
{{- end}}
{{- end}}

-- amount: integer minor units, exactly: whole minor units as written, or a
-- major-unit decimal with no more decimals than the currency has.
{{define "amount"}}
{{- if .Minor}}number
{{- else}}CASE WHEN places <= digits THEN CAST(number * [1, 10, 100, 1000][digits + 1] AS BIGINT) END
{{- end}}
{{- end}}

-- digits: the minor digits of the record's currency, NULL for an unknown
-- one. A CASE over the known currencies, not a join with the currencies
-- table: the planner may build a join's hash table from the file's side
-- (its estimate of a file's rows is tiny), which loses the file's order.
{{define "digits"}}CASE currency{{range .Currencies}} WHEN {{literal .Code}} THEN {{.Digits}}{{end}} END{{end}}

-- typed: each record's text (the mapped columns) parsed into the values
-- ledger_rows stores, the closed vocabularies as its ENUMs (NULL when the
-- text is none of their values), with the currency's digits.
{{define "typed"}}
    SELECT *, {{template "amount" .}} AS amount_minor
    FROM (
        SELECT *, {{template "processed" .}} AS processed_ts,
            CASE lower(coalesce(is_recurring, ''))
                 WHEN '' THEN false WHEN 'false' THEN false WHEN '0' THEN false WHEN 'no' THEN false
                 WHEN 'true' THEN true WHEN '1' THEN true WHEN 'yes' THEN true END AS recurring,
            TRY_CAST(status AS tx_status) AS status_value, TRY_CAST(initiator AS tx_initiator) AS initiator_value,
            TRY_CAST(coalesce(channel, 'web') AS tx_channel) AS channel_value,
            TRY_CAST(coalesce(environment, 'production') AS environment) AS environment_value,
            {{template "number" .}} AS number, length(rtrim(coalesce(split_part(amount, '.', 2), ''), '0')) AS places,
            {{template "digits" .}} AS digits
        FROM (SELECT * REPLACE ({{template "ascii-upper" (ident "currency")}} AS currency) FROM (
            SELECT card_hit, {{if eq .Format "jsonl"}}coalesce(misfit, {{template "json-unwritten" .}}) AS misfit, {{else if eq .Format "parquet"}}misfit, {{end}}{{range $i, $f := .Fields}}{{if $i}}, {{end}}{{template "field" $f}} AS {{ident $f.Name}}{{end}}
            FROM (
                SELECT card_hit, {{if eq .Format "jsonl"}}{{template "json-misfit" .}} AS misfit, json_types, {{else if eq .Format "parquet"}}{{template "parquet-unwritten" .}} AS misfit, {{end}}{{range $i, $f := .Fields}}{{if $i}}, {{end}}
                    {{- if $f.Source}}{{template "value" $f}}{{else}}CAST(NULL AS VARCHAR){{end}} AS {{ident $f.Name}}{{end}}
                FROM ({{if eq .Format "jsonl"}}{{template "json-values" .}} FROM ({{template "source" .}}){{else}}{{template "source" .}}{{end}})
            ))
        )
    )
{{- end}}

-- stage: ledger_raw, every record of the file parsed once, read in
-- parallel in the file's order so that a record's rowid gives its line;
-- ledger_file, the view of it with the lines; then the records that need a
-- second look into ledger_stage. ledger_raw holds the typed values the
-- store copies, not the file's text: a record's text is kept (source_text,
-- the mapped columns in order) only when a check fails, for the reasons
-- stage-problems gives; as a list, because a struct of 21 mostly NULL
-- fields costs a quarter of the read. bad says a check of stage-problems
-- fails: keep the two in step. Numbering lines with row_number() OVER ()
-- instead would run the whole read on one thread. A CSV's misfits, listed
-- by record in the misfits table, are bad whatever their values, and their
-- processing time (another column's, maybe) no business date; a JSON Lines
-- or Parquet record's misfit (json-misfit, json-unwritten,
-- parquet-unwritten) is bad too, and its processing time no business date
-- either: its values are in doubt (the first of two processed_at DuckDB
-- reads), and a wrong earliest day would date a file without one in its
-- name, replacing that day's file.
{{define "stage"}}
{{template "ordered"}};
CREATE OR REPLACE TEMP TABLE ledger_raw AS
SELECT card_hit, bad, {{if ne .Format "csv"}}misfit, {{end}}
    CASE WHEN bad THEN [{{range $i, $f := .Fields}}{{if $i}}, {{end}}{{ident $f.Name}}{{end}}] END AS source_text, digits,
    partner_merchant_id, mid, order_id, transaction_id,
    {{if ne .Format "csv"}}CASE WHEN misfit IS NULL THEN processed_ts END AS processed_ts{{else}}processed_ts{{end}}, amount_minor, currency,
    status_value AS status, response_code, response_code_source, initiator_value AS initiator,
    channel_value AS channel, recurring, site_url, descriptor, campaign_id, environment_value AS environment,
    card_bin, card_last4, fc_transmit_key, fc_order_id
FROM (
    SELECT *,
        partner_merchant_id IS NULL OR order_id IS NULL OR transaction_id IS NULL OR processed_ts IS NULL
        OR status_value IS NULL OR initiator_value IS NULL OR channel_value IS NULL OR environment_value IS NULL
        OR recurring IS NULL OR (site_url IS NULL AND descriptor IS NULL)
        OR NOT regexp_full_match(coalesce(card_bin, '000000'), '[0-9]{6,8}')
        OR NOT regexp_full_match(coalesce(card_last4, '0000'), '[0-9]{4}')
        OR digits IS NULL OR amount_minor IS NULL{{if ne .Format "csv"}} OR misfit IS NOT NULL{{end}}
        {{- if .NUL}} OR {{template "nul" .}}{{end}} AS bad
    FROM ({{template "typed" .}})
);
{{- if .Misfits}}
UPDATE ledger_raw SET bad = true, processed_ts = NULL WHERE rowid + 1 IN (SELECT record FROM misfits);
{{- end}}
CREATE OR REPLACE TEMP VIEW ledger_file AS SELECT rowid + {{template "first" .}} AS line, * FROM ledger_raw;
INSERT INTO ledger_stage
SELECT line, card_hit, {{range $i, $f := .Fields}}source_text[{{$i}} + 1], {{end}}processed_ts, amount_minor,
    digits, recurring, bad, {{if .Misfits}}m.reason, NULL{{else if ne .Format "csv"}}misfit.reason, misfit.key{{else}}NULL, NULL{{end}}
FROM ledger_file {{if .Misfits}}LEFT JOIN misfits m ON m.record = line - 1 {{end}}WHERE card_hit OR bad;
{{end}}

-- nul: whether a record's text holds a NUL byte (chr(0), a JSON \u0000)
-- in any mapped column: no id, code or descriptor holds one, and a
-- program reading it back as a C string would see it cut short there
-- (stage-problems names the column). Only where the file's screen did not
-- clear it of NUL bytes (most CSVs: see ledger.Screen).
{{define "nul"}}coalesce({{range $i, $f := .Fields}}{{if $i}} OR {{end}}contains({{ident $f.Name}}, chr(0)){{end}}, false){{end}}

-- ordered, unordered: whether DuckDB keeps the order rows are read in
-- (a global setting). ledger_raw needs it, its rowids being the lines;
-- storing does not (each row carries its line) and is 40 % faster without
-- it, so the store turns it off and sets it back when done, and stage sets
-- it again before reading in case a failed store could not.
{{define "ordered"}}SET preserve_insertion_order = true{{end}}
{{define "unordered"}}SET preserve_insertion_order = false{{end}}

-- count: how many records the file has.
{{define "count"}}SELECT count(*) FROM ledger_file{{end}}


-- json-key-place: the first record of a JSON Lines file (its number, from
-- 1, as at one line a record) that has key $1, and the key's place among
-- its keys.
{{define "json-key-place"}}
SELECT $1 AS key, line AS record, list_position(json_keys(json), $1) AS place FROM ({{template "records" .}})
WHERE list_contains(json_keys(json), $1)
ORDER BY line LIMIT 1
{{end}}

-- json-keys-alone: of the keys $1 (the spellings of one key), each that
-- some record of a JSON Lines file has without the others, with the first
-- such record (as json-key-place numbers it) and the key's place among its
-- keys, in the order of those records.
{{define "json-keys-alone"}}
SELECT s[1] AS key, min(line) AS record, arg_min(list_position(json_keys(json), s[1]), line) AS place FROM (
    SELECT line, json, list_filter(json_keys(json), k -> list_contains($1::VARCHAR[], k)) AS s FROM ({{template "records" .}})
) WHERE len(s) = 1
GROUP BY s[1] ORDER BY record
{{end}}

-- columns: the column names of a JSON Lines file (every key of every record,
-- in order of first appearance: by the first record that has it, then its
-- place there, since row_number() numbers the records, not their keys, and
-- GROUP BY leaves the keys of one record in any order) or of a Parquet
-- file. Each record's keys are read once: a second json_keys would parse
-- every record again (1.2 s of CPU per million records of 21 keys, against
-- 0.5 s for the order).
{{define "columns"}}
{{- if eq .Format "jsonl"}}
SELECT k FROM (
    SELECT unnest(keys) AS k, generate_subscripts(keys, 1) AS place, n FROM (
        SELECT json_keys(json) AS keys, row_number() OVER () AS n
        FROM read_ndjson_objects({{.Path}}, compression = {{.Compression}}, ignore_errors = true)
    )
) GROUP BY k ORDER BY min(n), arg_min(place, n)
{{- else}}
SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet({{.Path}}))
{{- end}}
{{end}}

-- name: create-misfits
-- A CSV's records with other numbers of fields than its header
-- (ledger.Misfit), numbered as line_shifts numbers them, with the reason
-- each is quarantined for.
CREATE OR REPLACE TEMP TABLE misfits (record BIGINT, reason VARCHAR);

-- name: insert-misfits
-- $1 records, $2 their reasons, as two lists of one length.
INSERT INTO misfits SELECT unnest($1::BIGINT[]), unnest($2::VARCHAR[]);

-- name: json-misfit-records
-- The records of a JSON Lines file that DuckDB could not read, or read as
-- no object (json-misfit), numbered as line_shifts numbers them, before
-- shift-lines moves them. DuckDB's card guard reads an object's keys and
-- values only: an array or a string can spell a card number in escapes.
SELECT line - 1 AS record FROM ledger_stage WHERE misfit IN ('malformed JSON', 'not a JSON object') ORDER BY record;

-- name: set-json-misfit-reasons
-- $1 records of json-misfit-records, $2 what is wrong with each as Go
-- reads their lines, as two lists of one length: the reasons they are
-- quarantined for.
UPDATE ledger_stage SET misfit = r.reason
FROM (SELECT unnest($1::BIGINT[]) AS record, unnest($2::VARCHAR[]) AS reason) r
WHERE ledger_stage.line - 1 = r.record;

-- name: create-line-shifts
-- Where a file's records stop being one a line (ledger.LineShifts): from
-- record `record` on (a CSV's header is 0), lines are `shift` further down.
CREATE OR REPLACE TEMP TABLE line_shifts (record BIGINT, shift BIGINT);

-- name: insert-line-shifts
-- $1 records, $2 their shifts, as two lists of one length.
INSERT INTO line_shifts SELECT unnest($1::BIGINT[]), unnest($2::BIGINT[]);

-- name: shift-lines
-- A template, for a CSV or JSON Lines file whose records are not one a
-- line: ledger_file numbers its records by the lines they begin on, and so
-- does the stage. A record's number is its line at one line a record, less
-- one: ledger_raw's rowid 0 is a CSV's record 1, a JSON Lines file's 0.
{{define "shift-lines"}}
CREATE OR REPLACE TEMP VIEW ledger_file AS
SELECT r.rowid + {{template "first" .}} + coalesce(s.shift, 0) AS line, r.*
FROM ledger_raw r ASOF LEFT JOIN line_shifts s ON r.rowid + {{template "first" .}} - 1 >= s.record;
UPDATE ledger_stage SET line = line + coalesce((SELECT max_by(shift, record) FROM line_shifts WHERE record <= ledger_stage.line - 1), 0);
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
    UNPIVOT (SELECT CAST(COLUMNS(* EXCLUDE (line)) AS VARCHAR) FROM ({{template "records" .}}) WHERE line = {{.Line}})
    ON COLUMNS(*) INTO NAME col VALUE val
) WHERE card_like(val)
{{- end}}
{{end}}

-- name: first-card-hit
SELECT coalesce(min(line), 0) FROM ledger_stage WHERE card_hit;

-- name: stage-problems
-- Every row problem of the staged file, one row per (line, column); a
-- misfit's one problem is its number of fields, its values being under
-- other columns' names. A value with a NUL byte (the stage's nul) is a
-- problem of its column, whichever: the text columns are those of
-- ledger_stage but its typed values and flags. A record quarantined whole
-- for one key or column (named twice, a flag or float where text goes:
-- misfit_key, as json-misfit, json-unwritten and parquet-unwritten give
-- it, never read back out of the reason's text) names that key as its
-- column, so that a finding's field says what to fix in the export; one
-- that no key is to blame for (malformed JSON, a CSV's count of fields) is
-- the record's.
CREATE OR REPLACE TEMP TABLE stage_problems AS
SELECT line, p.column_name, p.reason FROM (
    SELECT line, unnest(CASE WHEN misfit IS NOT NULL THEN [{'column_name': coalesce(misfit_key, '(record)'), 'reason': misfit}] ELSE list_filter([
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
    ], x -> x IS NOT NULL) END) AS p
    FROM ledger_stage
)
UNION ALL
SELECT line, column_name, 'contains a NUL byte' FROM (
    UNPIVOT (SELECT line, COLUMNS(* EXCLUDE (line, card_hit, processed_ts, amount_minor, digits, recurring, bad, misfit, misfit_key))
        FROM ledger_stage WHERE misfit IS NULL)
    ON COLUMNS(* EXCLUDE (line)) INTO NAME column_name VALUE v
) WHERE contains(v, chr(0));

-- name: list-stage-problems
SELECT line, column_name, reason FROM stage_problems ORDER BY line, column_name LIMIT $1;

-- name: count-stage-problems
SELECT count(DISTINCT line) FROM stage_problems;

-- name: stage-business-date
-- The business date a file without one in its name carries: the processing
-- day (in the source's zone) holding most of its rows that load, the later
-- day on a tie. Not the earliest: a nightly export holding one late-settled
-- row of the day before was dated that day, and replaced that day's file,
-- whose other rows then left the files in force. A file's date decides
-- which file it replaces, and a few stragglers must never make it another
-- day's. Quarantined rows count only where none loads (their values are in
-- doubt), and a file of them alone is dated by them: not as a tie-break
-- between days whose loading rows tie, where a quarantined row of the day
-- before dated the file a day early. Days that tie first both have rows
-- that load, or the file has none that does: all rows are counted only
-- for a day with none loading.
SELECT (
    SELECT CAST(timezone($1, processed_ts) AS DATE) AS day FROM ledger_file
    WHERE processed_ts IS NOT NULL
    GROUP BY day ORDER BY count(*) FILTER (bad IS NOT TRUE) DESC,
        CASE WHEN count(*) FILTER (bad IS NOT TRUE) = 0 THEN count(*) END DESC NULLS LAST, day DESC LIMIT 1
);

-- name: file-by-hash
-- The file with this content ($1) that loading it again from source $2
-- leaves as it is: one in force, or one another source's correction
-- replaced (an export renamed with its source, or delivered two ways, must
-- not come back beside that correction), or one a file ops forced with
-- ingest --replace replaced, unless ops force it back ($3, the load's
-- Replace): the export the forced file overruled, read again (sent again,
-- or read unsettled and so not recorded as seen), has the day's ids and
-- more rows, and would load as a correction of the correction, undoing
-- ops' word. A rejected file may come again once its source's mapping is
-- fixed, and one of $2 an ordinary correction replaced to put its content
-- back in force (a correction undone). The file in force is named first.
SELECT id FROM ledger_files
WHERE sha256 = $1 AND (outcome = 'loaded' OR outcome = 'replaced' AND (source <> $2
    OR NOT $3 AND replaced_by IN (SELECT id FROM ledger_files WHERE forced)))
ORDER BY outcome <> 'loaded', id LIMIT 1;

-- name: replaced-file-by-hash
-- The latest file of source $2 out of force with this content ($1), for a
-- check to name.
SELECT id FROM ledger_files WHERE sha256 = $1 AND source = $2 AND outcome = 'replaced' ORDER BY id DESC LIMIT 1;

-- name: file-unchanged
-- Whether the file was read before with this size and modification time.
SELECT count(*) > 0 FROM seen_files WHERE source = $1 AND name = $2 AND size = $3 AND modified_at = $4;

-- name: record-seen-file
INSERT OR REPLACE INTO seen_files (source, name, size, modified_at, sha256) VALUES ($1, $2, $3, $4, $5);

-- name: live-file-for-date
SELECT id, name, rows FROM ledger_files WHERE source = $1 AND business_date = $2 AND outcome = 'loaded';

-- name: stage-shares-ids
-- Whether the staged file holds a transaction of file $1, the file in force
-- it would replace (guardReplacement), in a row it would store: a
-- quarantined row is put in force by no load, and its id (in doubt, as its
-- row is) makes no file a restatement of the day.
SELECT EXISTS (
    SELECT 1 FROM ledger_file f JOIN ledger_rows e
        ON e.partner_merchant_id = f.partner_merchant_id AND e.transaction_id = f.transaction_id
    WHERE e.file_id = $1 AND NOT EXISTS (SELECT 1 FROM stage_problems p WHERE p.line = f.line)
);

-- name: insert-file
INSERT INTO ledger_files (id, source, name, sha256, size, business_date, rows, quarantined, duplicates, outcome, reason, loaded_at, run_id)
VALUES (nextval('file_id_seq'), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
RETURNING id;

-- name: replace-file
UPDATE ledger_files SET outcome = 'replaced', replaced_by = $2 WHERE id = $1;

-- name: mark-forced
-- File $1 was put in force by ops' ingest --replace (file-by-hash).
UPDATE ledger_files SET forced = true WHERE id = $1;

-- name: replaced-repeats
-- $1 the file a corrected file replaces. A transaction's rows in the files
-- in force are its occurrences 1, 2, ... (repeat_places), and
-- classification pairs orders with the first. Once a file is out of force,
-- the rows of other files that repeat one of its transactions are numbered
-- again among themselves (number-repeats, renumber-stored): without it, a
-- transaction in force could have a second occurrence and no first. Keys
-- are matched by hash first, as in stage-occurrences.
CREATE OR REPLACE TEMP TABLE repeat_rows AS
SELECT file_id, line, partner_merchant_id, transaction_id, occurrence, processed_at
FROM ledger_tx
WHERE hash(partner_merchant_id, transaction_id) IN (
    SELECT hash(partner_merchant_id, transaction_id) FROM ledger_rows WHERE file_id = $1);

-- name: store-quarantine
INSERT INTO quarantine (file_id, line, column_name, reason)
SELECT $1, line, column_name, reason FROM stage_problems;

-- name: stage-occurrences
-- The rows of each transaction id of the file seen before for the merchant,
-- in this file or a file in force, for number-repeats. The file's rows get
-- their occurrence before they are stored, so that they are stored with it:
-- updating rows inserted in the same transaction made the commit rewrite
-- them (10M rows with 30,000 repeats: 7.7 s). Stored rows are read narrow
-- (keys, place and time), as the history grows with every file kept, and
-- keys are matched by hash first, so only the file's own rows are grouped
-- and earlier files are read for the candidates alone. mine and earlier
-- are read where they are used, NOT MATERIALIZED: DuckDB materialises a CTE
-- used twice, and copying the file's ten million ids cost more than reading
-- them again (occurrences 2.8-4.4 s against 1.2-2.3 s at 10M rows).
CREATE OR REPLACE TEMP TABLE repeat_rows AS
WITH mine AS NOT MATERIALIZED (
    SELECT f.line, f.partner_merchant_id, f.transaction_id, f.processed_ts,
        hash(f.partner_merchant_id, f.transaction_id) AS h
    FROM ledger_file f
    WHERE NOT EXISTS (SELECT 1 FROM stage_problems p WHERE p.line = f.line)
), earlier AS NOT MATERIALIZED (
    SELECT file_id, line, partner_merchant_id, transaction_id, occurrence, processed_at,
        hash(partner_merchant_id, transaction_id) AS h
    FROM ledger_tx
), twice AS (
    SELECT h FROM mine GROUP BY h HAVING count(*) > 1
    UNION SELECT h FROM earlier SEMI JOIN mine USING (h)
)
SELECT file_id, line, partner_merchant_id, transaction_id, occurrence, processed_at
FROM earlier SEMI JOIN twice USING (h)
UNION ALL
SELECT NULL, line, partner_merchant_id, transaction_id, NULL, processed_ts
FROM mine SEMI JOIN twice USING (h);

-- name: number-repeats
-- repeat_rows numbered, kept for renumber-stored and count-stored-duplicates,
-- and the file's rows' numbers (file_id NULL) for store-stage, in a table
-- of their own: store-stage joining numbered_repeats on file_id IS NULL and
-- line took twice as long at 10M rows (store step 14.4 s against 7.0 s).
CREATE OR REPLACE TEMP TABLE numbered_repeats AS SELECT * FROM repeat_places;
CREATE OR REPLACE TEMP TABLE stage_occurrences AS
SELECT line, occurrence FROM numbered_repeats WHERE file_id IS NULL;

-- name: renumber-stored
-- The stored rows number-repeats placed otherwise, numbered again: after a
-- replaced file's rows leave, or where the file brings an earlier row of
-- their transaction.
UPDATE ledger_rows SET occurrence = r.occurrence
FROM numbered_repeats r
WHERE r.file_id IS NOT NULL AND ledger_rows.file_id = r.file_id AND ledger_rows.line = r.line AND r.occurrence <> r.was;

-- name: store-stage
-- The file's rows that passed validation, copied from ledger_file (already
-- typed), with their occurrence from number-repeats (1 if it has none).
INSERT INTO ledger_rows
SELECT $1, f.line, f.partner_merchant_id, f.mid, f.order_id, f.transaction_id, coalesce(o.occurrence, 1),
    f.processed_ts, f.amount_minor, f.currency, f.status, f.response_code, f.response_code_source,
    f.initiator, f.channel,
    CASE WHEN f.initiator = 'MIT' THEN 'mit' WHEN f.channel = 'callcenter' THEN 'cit_callcenter' ELSE 'cit_web' END,
    f.recurring, f.site_url, f.descriptor, f.campaign_id, f.environment,
    f.card_bin, f.card_last4, f.fc_transmit_key, f.fc_order_id
FROM ledger_file f
LEFT JOIN stage_occurrences o ON o.line = f.line
WHERE NOT EXISTS (SELECT 1 FROM stage_problems p WHERE p.line = f.line);

-- name: count-stored-duplicates
-- The repeats the file adds: where it brings an earlier row of a
-- transaction, the repeat is a stored row, now numbered 2.
SELECT count(*) FILTER (occurrence > 1) - count(*) FILTER (was > 1) FROM numbered_repeats;

-- name: set-file-counts
UPDATE ledger_files SET rows = $2, duplicates = $3 WHERE id = $1;
