-- Comparing a run with an earlier one.

-- name: diff-previous-run
-- The latest succeeded run before run $1 of the same merchant over the same
-- window, or, for a nightly run, the night before (whose window overlaps
-- it); 0 when there is none. A dry run is no baseline: it pushed nothing.
SELECT coalesce(max(p.id), 0) FROM runs p JOIN runs n ON n.id = $1
WHERE p.id < n.id AND coalesce(p.merchant, '') = coalesce(n.merchant, '') AND p.status = 'succeeded' AND NOT p.dry_run
  AND (p.window_from = n.window_from AND p.window_to = n.window_to
       OR p.kind = 'nightly' AND n.kind = 'nightly' AND p.window_from <= n.window_to AND p.window_to >= n.window_from);

-- name: run-diff
-- What changed from run $1 to run $2, one row per transaction and change.
-- A transaction is matched when FlexCharge's side agrees with the ledger:
-- it has a transmit key (or none was expected), a decline whose profile was
-- on has an order, and no field, switch or environment finding stands.
-- Compared are the merchants both runs covered, and the days both windows
-- hold ($3: the zone they are days in): two nights' windows overlap. A
-- transaction only run $2 judged on those days (a late file, a correction's
-- new row) is newly matched or newly broken as it stands, its before empty;
-- one only run $1 judged (a correction took it away) is removed. On the days
-- only run $2's window holds (a night's new day), what is broken is newly
-- broken; the rest is no news.
-- A state names the findings that break it, so that a change of findings
-- alone reads as one.
-- Confirmed: pushed by run $1 or a run between it and $2, and run $2 still
-- holds that key, from any source, the ledger row's own column included
-- (pushes confirmed by an earlier diff are not listed again).
-- Push lost: such a push whose key run $2 does not hold (it holds another,
-- say a correction's row carrying the gateway's key, or none). Finance
-- reads it as a copy FlexCharge may hold twice or not at all, whatever the
-- transaction's state: it was listed only where the transaction broke
-- anew, so a push of a transaction broken already (a lost rescue) vanished
-- from the diff. Each push is thus confirmed or lost, or its transaction is
-- not judged by run $2: removed, on a shared day, or of a day only run
-- $1's window holds (a trailing window moved on), listed nowhere, as
-- nothing there is news. A lost push names the
-- key pushed, and the key run $2 holds instead if any.
-- What else run $2 finds does not unconfirm a push: FlexCharge holds the
-- copy, and a lost rescue or an order's field differing is news of its own
-- kind, which the state after names. Asking for a matched transaction left
-- such pushes in no kind at all, so the confirmed fell short of the pushed
-- with nothing saying why.
-- Each kind is counted whole (of_kind) and listed up to $4 rows ($4 < 1:
-- all): a night may change millions, and the web page's link asks for a
-- sample, which must not cost the service a row in memory for each.
WITH broken AS (
    SELECT run_id, partner_merchant_id, transaction_id, occurrence, string_agg(DISTINCT category, ', ' ORDER BY category) AS findings
    FROM findings
    WHERE run_id IN ($1, $2) AND category IN ('amount_mismatch', 'currency_mismatch', 'site_mismatch',
        'descriptor_mismatch', 'profile_mismatch', 'environment_mismatch', 'evaluated_while_off')
    GROUP BY ALL
),
bounds AS (
    SELECT max(window_from) AS first_day, min(window_to) AS last_day,
        max(merchant) FILTER (id = $1) AS merchant1, max(merchant) FILTER (id = $2) AS merchant2
    FROM runs WHERE id IN ($1, $2)
),
v AS (
    SELECT r.run_id, r.partner_merchant_id, r.transaction_id, r.occurrence, r.transmit_state, r.transmit_key,
        coalesce(r.outcome_state, '') AS outcome_state,
        r.transmit_state || coalesce('/' || r.outcome_state, '') || coalesce(' (' || b.findings || ')', '') AS state,
        r.transmit_state IN ('transmitted', 'transmitted_late', 'pushed', 'not_expected')
            AND coalesce(r.outcome_state, '') <> 'missed_evaluate' AND b.run_id IS NULL AS matched,
        CAST(timezone($3, r.processed_at) AS DATE) BETWEEN x.first_day AND x.last_day AS shared_day
    FROM results r CROSS JOIN bounds x
    LEFT JOIN broken b USING (run_id, partner_merchant_id, transaction_id, occurrence)
    WHERE r.run_id IN ($1, $2)
      AND r.partner_merchant_id = coalesce(x.merchant1, r.partner_merchant_id)
      AND r.partner_merchant_id = coalesce(x.merchant2, r.partner_merchant_id)
),
pairs AS (
    SELECT coalesce(n.partner_merchant_id, o.partner_merchant_id) AS partner_merchant_id,
        coalesce(n.transaction_id, o.transaction_id) AS transaction_id, coalesce(n.occurrence, o.occurrence) AS occurrence,
        coalesce(o.state, '') AS before, coalesce(n.state, '') AS after, coalesce(n.shared_day, true) AS shared_day,
        coalesce(o.matched, false) AS was_matched, n.matched AS is_matched, o.run_id IS NOT NULL AS was_judged,
        n.run_id IS NOT NULL AS is_judged, o.outcome_state AS was_outcome, n.outcome_state AS outcome
    FROM (SELECT * FROM v WHERE run_id = $2) n
    FULL JOIN (SELECT * FROM v WHERE run_id = $1 AND shared_day) o ON o.partner_merchant_id = n.partner_merchant_id
        AND o.transaction_id = n.transaction_id AND o.occurrence = n.occurrence
),
changes AS (
    SELECT 'newly_matched' AS kind, partner_merchant_id, transaction_id, occurrence, before, after FROM pairs
    WHERE is_matched AND NOT was_matched AND shared_day
    UNION ALL
    SELECT 'newly_broken', partner_merchant_id, transaction_id, occurrence, before, after FROM pairs
    WHERE NOT is_matched AND (was_matched OR NOT was_judged)
    UNION ALL
    SELECT 'pending_settled', partner_merchant_id, transaction_id, occurrence, before, after FROM pairs
    WHERE was_outcome = 'pending' AND outcome <> 'pending'
    UNION ALL
    SELECT 'removed', partner_merchant_id, transaction_id, occurrence, before, after FROM pairs
    WHERE NOT is_judged
    UNION ALL
    SELECT 'pushed', p.partner_merchant_id, p.transaction_id, 1, '', coalesce(p.transmit_key, '') FROM pushes p
    WHERE p.run_id = $2 AND p.outcome = 'pushed'
    UNION ALL
    SELECT CASE WHEN held THEN 'confirmed' ELSE 'push_lost' END, partner_merchant_id, transaction_id, occurrence,
        'pushed in run ' || run_id || CASE WHEN held THEN '' ELSE ' as ' || pushed_key END,
        state || CASE WHEN held THEN '' ELSE coalesce(' as ' || held_key, '') END
    FROM (
        SELECT p.run_id, n.partner_merchant_id, n.transaction_id, n.occurrence, n.state, p.transmit_key AS pushed_key,
            n.transmit_key AS held_key, coalesce(n.transmit_key = p.transmit_key, false) AS held
        FROM pushes p JOIN v n ON n.run_id = $2 AND n.partner_merchant_id = p.partner_merchant_id
            AND n.transaction_id = p.transaction_id AND n.occurrence = 1
        WHERE p.run_id >= $1 AND p.run_id < $2 AND p.outcome = 'pushed'
    )
)
SELECT *, count(*) OVER (PARTITION BY kind) AS of_kind FROM changes
QUALIFY $4 < 1 OR row_number() OVER (PARTITION BY kind ORDER BY partner_merchant_id, transaction_id, occurrence, before, after) <= $4
ORDER BY 1, 2, 3, 4;
