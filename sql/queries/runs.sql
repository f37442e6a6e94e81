-- name: insert-run
-- $10 the status it starts in: running, or queued behind another run; $7
-- when it was queued, $11 when it started (NULL while it is queued); $12
-- and $13 whether it backfills and resends pushes in doubt.
INSERT INTO runs (id, kind, window_from, window_to, as_of, merchant, dry_run, status, queued_at, started_at, config_hash, version,
    backfill, resend_in_doubt)
VALUES (nextval('run_id_seq'), $1, $2, $3, $4, $5, $6, $10, $7, $11, $8, $9, $12, $13)
RETURNING id;

-- name: begin-run
-- A queued run's turn: $2 when it began, $3 and $4 its window (a night may
-- reach back for the declines the night before left pending).
UPDATE runs SET status = 'running', started_at = $2, window_from = $3, window_to = $4 WHERE id = $1;

-- name: finish-run
UPDATE runs SET status = $2, finished_at = $3, error = $4 WHERE id = $1;

-- name: set-run-workbook
-- $2 where run $1's workbook was written, $3 its sha256 (hex), $4 its size.
UPDATE runs SET workbook = $2, workbook_sha256 = $3, workbook_size = $4 WHERE id = $1;

-- name: start-stage
INSERT OR REPLACE INTO run_stages (run_id, stage, started_at) VALUES ($1, $2, $3);

-- name: finish-stage
UPDATE run_stages SET finished_at = $3, rows = $4, detail = $5 WHERE run_id = $1 AND stage = $2;

-- name: get-run
-- A run recorded by a flexrecon from before migration 024, on a database
-- that a later one upgraded, has no queued_at: it was queued when it began.
SELECT id, kind, window_from, window_to, as_of, coalesce(merchant, '') AS merchant, dry_run,
    coalesce(backfill, false) AS backfill, coalesce(resend_in_doubt, false) AS resend_in_doubt, status,
    coalesce(queued_at, started_at) AS queued_at, started_at, finished_at, config_hash, version, coalesce(error, '') AS error, coalesce(workbook, '') AS workbook,
    coalesce(workbook_sha256, '') AS workbook_sha256, coalesce(workbook_size, 0) AS workbook_size
FROM runs WHERE id = $1;

-- name: list-runs
SELECT id, kind, window_from, window_to, as_of, coalesce(merchant, '') AS merchant, dry_run,
    coalesce(backfill, false) AS backfill, coalesce(resend_in_doubt, false) AS resend_in_doubt, status,
    coalesce(queued_at, started_at) AS queued_at, started_at, finished_at, config_hash, version, coalesce(error, '') AS error, coalesce(workbook, '') AS workbook,
    coalesce(workbook_sha256, '') AS workbook_sha256, coalesce(workbook_size, 0) AS workbook_size
FROM runs ORDER BY id DESC LIMIT $1;

-- name: abandon-running
-- Runs left 'running' or 'queued' by a process that died are failed when
-- the database is next opened ($1, now): they end when they were last seen
-- at work, or queued. When they were found is written on the partner's
-- clock ($2, the configured zone) with its offset, as the run page and
-- `runs` show every other time beside this error: a UTC time there was a
-- second clock for one run.
UPDATE runs SET status = 'failed',
    finished_at = coalesce((SELECT max(coalesce(s.finished_at, s.started_at)) FROM run_stages s WHERE s.run_id = runs.id), started_at, queued_at),
    error = CASE status WHEN 'queued' THEN 'the process that queued it stopped before it started' ELSE 'the process running it stopped before it finished' END
        || ' (found at ' || shown_at(CAST($1 AS TIMESTAMPTZ), $2) || ')'
WHERE status IN ('running', 'queued');

-- name: run-replacements
-- The files that put the earlier file of their source and day out of
-- force, with the file each replaced, that run $1 names: those it loaded
-- and those it took in (adopt-unnamed-corrections), in the order they were
-- loaded, so that a chain reads as it happened ("B replaces A", then "E
-- replaces B"). loaded_by and forced say how a file it took in came.
SELECT f.business_date, f.name, f.rows, e.id AS earlier_id, e.name AS earlier_name, e.rows AS earlier_rows,
    f.run_id AS loaded_by, coalesce(f.forced, false) AS forced
FROM ledger_files f JOIN ledger_files e ON e.replaced_by = f.id
WHERE f.run_id = $1 OR f.id IN (SELECT file_id FROM run_named_files WHERE run_id = $1)
ORDER BY f.id;

-- name: run-rejected-files
-- The ledger files run $1 refused whole, with why.
SELECT name, reason FROM ledger_files WHERE run_id = $1 AND outcome = 'rejected' ORDER BY id;

-- name: run-files-dated-among-days
-- The files run $1 loaded or took in (adopt-unnamed-corrections) whose
-- name spells several days, with the day they were given and why
-- (ledger.NameDate).
SELECT name, business_date, reason FROM ledger_files
WHERE (run_id = $1 OR id IN (SELECT file_id FROM run_named_files WHERE run_id = $1))
  AND outcome <> 'rejected' AND reason IS NOT NULL ORDER BY id;

-- name: count-verdicts
SELECT count(*) FROM verdicts WHERE run_id = $1;

-- name: run-state-counts
-- Ledger rows per transmit state and outcome, and findings per category,
-- in that order. A repeated row (occurrence 2 on) is its first's attempt:
-- its outcome is counted once, as Summary, Recovery and Exceptions by
-- category count it, so the run page's missed evaluates are the workbook's.
SELECT * FROM (
    SELECT 'transmit' AS kind, transmit_state AS state, count(*) AS n FROM results WHERE run_id = $1 GROUP BY ALL
    UNION ALL
    SELECT 'outcome', outcome_state, count(*) FROM results WHERE run_id = $1 AND outcome_state IS NOT NULL AND occurrence = 1 GROUP BY ALL
    UNION ALL
    SELECT 'finding', category, count(*) FROM findings WHERE run_id = $1 GROUP BY ALL
)
ORDER BY CASE kind WHEN 'transmit' THEN 1 WHEN 'outcome' THEN 2 ELSE 3 END, state;

-- name: run-verdicts
-- Every transaction's verdict in a run, for comparing with expectations.
SELECT r.partner_merchant_id, r.transaction_id, r.occurrence, r.transmit_state, coalesce(r.outcome_state, '') AS outcome_state,
    coalesce(string_agg(DISTINCT f.category, ';' ORDER BY f.category), '') AS findings
FROM results r LEFT JOIN findings f ON f.run_id = r.run_id AND f.partner_merchant_id = r.partner_merchant_id
    AND f.transaction_id = r.transaction_id AND f.occurrence = r.occurrence
WHERE r.run_id = $1 GROUP BY ALL ORDER BY 1, 2, 3;

-- name: keep-order-sites
-- The FlexCharge side of run $1's Sites sheet, kept as the run found it.
INSERT INTO run_order_sites BY NAME SELECT $1 AS run_id, * FROM order_sites($1);

-- name: keep-site-descriptors
-- The registry's site descriptors run $1's Sites sheet reads, kept as the
-- run found them.
INSERT INTO run_site_descriptors SELECT $1, merchant_id, url, descriptor FROM sites;

-- name: adopt-unnamed-corrections
-- The corrections no published run has named (files_awaiting_run: loaded
-- outside runs, by ingest or ingest --replace, or by a run that failed, a
-- dry run or one merchant's run) become run $1's to name: its notices,
-- manifest and ingest detail then name the replacement they made, which
-- finance would otherwise never read of (a correction "shows in the run
-- history", ledger-format.md). Only a run that judges the file's day takes
-- it: a recorded run (not a dry run, whose workbook is a preview) of every
-- merchant (one merchant's judges only its rows of the file) whose window
-- holds the file's day. A nightly run's window is recorded with its
-- trailing days (and the days it reaches back to for pending declines): it
-- judges those days again, and takes their files. Until such a run
-- succeeds, the file waits, and the health page says so: a run that named
-- it and then failed published nothing (its workbook is removed), and the
-- next one names it again. The file stays the run's that loaded it, whose
-- history still says it did.
INSERT OR IGNORE INTO run_named_files (run_id, file_id)
SELECT r.id, w.id FROM runs r JOIN files_awaiting_run w ON w.business_date BETWEEN r.window_from AND r.window_to
WHERE r.id = $1 AND NOT r.dry_run AND r.merchant IS NULL;

-- name: files-awaiting-run
SELECT name, business_date, loaded_at FROM files_awaiting_run ORDER BY business_date, id;
