-- report: manifest
-- sheet: Manifest
-- title: Run manifest
-- column: item | Item | key | 28
-- column: value | Value | value | 80
-- zone: last parameter
-- Times are on the configured zone's clock with its offset (shown_at, its
-- name the query's last parameter, $3), as everywhere a person reads
-- them; the window's days are dates, never shifted. Input files are those
-- of the window as the run found them: a file loaded after it, or the
-- correction that replaced one later, does not change an old run's manifest.
-- They are the files of the window's days, those the run loaded, those whose
-- rows it judged (an export named for another day), and the transmit logs
-- whose keys it could use. A workbook for one merchant, to be sent to it,
-- tells nothing of the others: its switches only, the files with its rows
-- without their counts (every merchant's rows), and no stages, whose counts
-- are the whole run's.
WITH run AS (SELECT * FROM runs WHERE id = $1)
SELECT item, value FROM (
    SELECT 1 AS k, 'Run' AS item, CAST(id AS VARCHAR) AS value FROM run
    UNION ALL SELECT 2, 'Kind', kind || CASE WHEN dry_run THEN ' (dry run)' ELSE '' END FROM run
    UNION ALL SELECT 3, 'Window', strftime(window_from, '%Y-%m-%d') || ' to ' || strftime(window_to, '%Y-%m-%d') FROM run
    UNION ALL SELECT 4, 'Merchant', coalesce(merchant, 'all') FROM run
    UNION ALL SELECT 9, 'Workbook for', CASE WHEN $2 = '' THEN 'every merchant' ELSE $2 END FROM run
    UNION ALL SELECT 5, 'As of', shown_at(as_of, $3) FROM run
    UNION ALL SELECT 6, 'Started', shown_at(started_at, $3) FROM run
    -- The workbook a run writes is its last stage, written before the run's
    -- end is recorded: every figure in it is final, and "not yet" would tell
    -- a reader the run was unfinished. It is finished, as far as its figures
    -- go, when the workbook is begun, which says so; rendered again later,
    -- the workbook shows the end the run recorded, a few seconds on.
    UNION ALL SELECT 6.5, 'Finished', coalesce(shown_at(run.finished_at, $3),
        shown_at(w.started_at, $3)
            || ', as its last stage began writing this workbook: every figure here is final',
        'not yet: the run is under way')
        FROM run LEFT JOIN run_stages w ON w.run_id = run.id AND w.stage = 'workbook'
    UNION ALL SELECT 7, 'Version', version FROM run
    UNION ALL SELECT 8, 'Configuration hash', config_hash FROM run
    UNION ALL SELECT 8.5, 'Switches judged by', count(*) || ' changes recorded'
        || coalesce(', the latest #' || arg_max(s.id, (s.recorded_at, s.id)) || ' at '
            || shown_at(max(s.recorded_at), $3), '')
        FROM switches s CROSS JOIN run
        WHERE s.recorded_at <= coalesce((SELECT started_at FROM run_stages WHERE run_id = $1 AND stage = 'classify'), run.started_at)
          AND s.merchant_id = coalesce(nullif($2, ''), run.merchant, s.merchant_id)
    UNION ALL SELECT 20 + row_number() OVER (ORDER BY started_at, stage), 'Stage ' || stage,
        CASE WHEN finished_at IS NULL AND stage = 'workbook' THEN 'writing this workbook'
             WHEN finished_at IS NULL THEN 'under way when this was written'
             ELSE coalesce(CAST(rows AS VARCHAR), '') || ' rows in ' || CAST(round(epoch(finished_at) - epoch(started_at), 2) AS VARCHAR) || ' s' END
        || CASE WHEN coalesce(detail, '') <> '' THEN '; ' || detail ELSE '' END
        FROM run_stages WHERE run_id = $1 AND $2 = ''
    UNION ALL SELECT 100 + row_number() OVER (ORDER BY f.id), 'Input file ' || f.name,
        CASE WHEN f.outcome = 'replaced' AND later.loaded_at > coalesce(run.finished_at, now()) THEN 'loaded' ELSE f.outcome END
        || CASE WHEN $2 = '' THEN ', ' || f.rows || ' rows, ' || f.quarantined || ' quarantined' ELSE '' END
        || ', sha256 ' || f.sha256
        || CASE WHEN f.reason IS NOT NULL THEN '; ' || f.reason ELSE '' END
        FROM ledger_files f CROSS JOIN run LEFT JOIN ledger_files later ON later.id = f.replaced_by
        WHERE (f.business_date BETWEEN run.window_from AND run.window_to OR f.run_id = $1
               OR f.id IN (SELECT file_id FROM verdicts WHERE run_id = $1)
               OR f.id IN (SELECT file_id FROM transmit_log WHERE transmitted_at >= CAST(run.window_from AS TIMESTAMPTZ) - INTERVAL 2 DAY))
          AND f.loaded_at <= coalesce(run.finished_at, now())
          AND ($2 = '' OR f.id IN (SELECT file_id FROM results WHERE run_id = $1 AND partner_merchant_id = $2))
)
ORDER BY k
