-- One transaction or order, explained. Every query takes $1 transaction id
-- and $2 order id (either may be ''): the ledger rows explained are those of
-- the transaction, or of the merchant order (its ledger order id, or the
-- FlexCharge order id whose externalOrderId it is), as the explain_target
-- macro (sql/migrations/026_explain_orders.sql) finds them; the FlexCharge
-- orders asked about (by their id, externalOrderId or transactionId, with a
-- ledger row or without: an orphan) are explain_orders'; and $3, the run
-- explained (0: none), which those not about a run leave unused.

-- name: explain-ledger
WITH target AS (SELECT * FROM explain_target($1, $2))
SELECT t.file_id, f.name AS file_name, t.line, t.partner_merchant_id, coalesce(t.mid, '') AS mid, t.order_id,
    t.transaction_id, t.occurrence, t.processed_at, t.amount, t.currency, t.status, t.profile,
    coalesce(t.site_url, '') AS site_url, coalesce(t.descriptor, '') AS descriptor,
    coalesce(t.campaign_id, '') AS campaign_id, t.environment, coalesce(t.fc_transmit_key, '') AS fc_transmit_key
FROM target t LEFT JOIN ledger_files f ON f.id = t.file_id
ORDER BY t.processed_at, t.file_id, t.line;

-- name: explain-orders
-- The FlexCharge orders asked about, and those of the explained rows'
-- merchant orders; merchant is the one its mid is registered for ('': none).
WITH target AS (SELECT * FROM explain_target($1, $2))
SELECT DISTINCT o.environment, o.id, o.external_order_id, o.mid, coalesce(mm.merchant_id, '') AS merchant,
    o.amount, coalesce(o.currency, '') AS currency, o.is_mit,
    coalesce(o.order_source, '') AS order_source, coalesce(o.site_id, '') AS site_id,
    coalesce(o.descriptor, '') AS descriptor, coalesce(o.transaction_id, '') AS transaction_id,
    o.status, coalesce(o.status_name, '') AS status_name, o.created_on, o.expiry_at
FROM fc_orders o
LEFT JOIN merchant_mids mm ON mm.mid = o.mid AND mm.environment = o.environment
WHERE (o.environment, o.id) IN (SELECT (environment, id) FROM explain_orders($1, $2))
   OR EXISTS (SELECT 1 FROM target t WHERE t.partner_merchant_id = mm.merchant_id AND t.order_id = o.external_order_id)
ORDER BY o.created_on, o.environment, o.id;

-- name: explain-transmits
-- The outbox rows of the explained transactions.
WITH target AS (SELECT * FROM explain_target($1, $2))
SELECT x.transaction_id, x.environment, x.mid, x.state, coalesce(x.transmit_key, '') AS transmit_key,
    coalesce(x.error, '') AS error, x.in_doubt, x.intent_at, x.done_at, x.run_id
FROM transmits x
WHERE EXISTS (SELECT 1 FROM target t WHERE t.partner_merchant_id = x.partner_merchant_id AND t.transaction_id = x.transaction_id)
ORDER BY x.transaction_id;

-- name: explain-switches
-- For each explained row, the latest switch of each scope in force when it
-- was processed, resolved as classify-judge resolves them (the registry site
-- by URL, else by descriptor); rank 1 is the one that won. For each order
-- asked about that no explained row's verdict of run $3 holds (an orphan,
-- or any before a run), the same when it was made, for its mid's merchant
-- and the profile it was evaluated under (its site by its FlexCharge siteId,
-- else by URL or descriptor; an order has no campaign): an orphan's
-- switches say whether FlexCharge was meant to evaluate its merchant's
-- declines then. A held order's decline shows the switches that judged it.
-- Of run $3, the switches as it judged by: those recorded before its
-- classify stage began.
WITH target AS (SELECT * FROM explain_target($1, $2)),
site_by_descriptor AS (
    SELECT merchant_id, descriptor, min(url) AS url FROM sites GROUP BY ALL
),
-- A site registered without a siteId (the configuration stores '') is no
-- order's by siteId: an order giving none would be of it, not of its URL's.
site_by_id AS (
    SELECT merchant_id, 'sandbox' AS environment, site_id_sandbox AS site_id, min(url) AS url FROM sites
    WHERE site_id_sandbox <> '' GROUP BY ALL
    UNION ALL
    SELECT merchant_id, 'production', site_id_production, min(url) FROM sites
    WHERE site_id_production <> '' GROUP BY ALL
),
subject AS (
    SELECT 'row ' || t.file_id || ' ' || t.line AS subject, t.transaction_id, t.occurrence, '' AS fc_order_id,
        t.partner_merchant_id AS merchant_id, CAST(t.profile AS VARCHAR) AS profile, t.processed_at AS happened_at,
        t.campaign_id, coalesce(su.url, sd.url) AS reg_site_url
    FROM target t
    LEFT JOIN sites su ON su.merchant_id = t.partner_merchant_id AND su.url = t.site_url
    LEFT JOIN site_by_descriptor sd ON sd.merchant_id = t.partner_merchant_id AND sd.descriptor = t.descriptor
    UNION ALL
    SELECT 'order ' || o.environment || ' ' || o.id, '', 0, o.id, mm.merchant_id, order_profile(o.is_mit, o.order_source),
        o.created_on, NULL, coalesce(si.url, su.url, sd.url)
    FROM explain_orders($1, $2) o
    JOIN merchant_mids mm ON mm.mid = o.mid AND mm.environment = o.environment
    LEFT JOIN site_by_id si ON si.merchant_id = mm.merchant_id AND si.environment = o.environment AND si.site_id = o.site_id
    LEFT JOIN sites su ON su.merchant_id = mm.merchant_id AND su.url = o.site_url
    LEFT JOIN site_by_descriptor sd ON sd.merchant_id = mm.merchant_id AND sd.descriptor = o.descriptor
    WHERE o.id NOT IN (SELECT r.fc_order_id FROM results r JOIN target t ON t.file_id = r.file_id AND t.line = r.line
                       WHERE r.run_id = $3 AND r.fc_order_id IS NOT NULL)
),
in_force AS (
    SELECT x.subject, x.transaction_id, x.occurrence, x.fc_order_id, x.happened_at, coalesce(x.reg_site_url, '') AS reg_site_url, s.*,
        CASE s.scope WHEN 'campaign' THEN 1 WHEN 'site' THEN 2 ELSE 3 END AS specificity
    FROM subject x JOIN switches s ON s.merchant_id = x.merchant_id AND s.profile = x.profile
        AND s.effective_at <= x.happened_at
        AND s.recorded_at <= coalesce((SELECT started_at FROM run_stages WHERE run_id = $3 AND stage = 'classify'), TIMESTAMPTZ 'infinity')
        AND (s.scope = 'merchant' OR (s.scope = 'site' AND s.scope_value = x.reg_site_url)
             OR (s.scope = 'campaign' AND s.scope_value = x.campaign_id))
    QUALIFY row_number() OVER (PARTITION BY x.subject, s.scope ORDER BY s.effective_at DESC, s.id DESC) = 1
)
SELECT transaction_id, occurrence, fc_order_id, happened_at AS processed_at, reg_site_url, id, profile, scope, scope_value, state,
    effective_at, actor, reason, origin,
    row_number() OVER (PARTITION BY subject ORDER BY specificity) = 1 AS won
FROM in_force
ORDER BY processed_at, transaction_id, occurrence, fc_order_id, specificity;

-- name: explain-latest-run
-- The run explained by default: of the runs that judged any explained row
-- or have a finding on an order asked about (an orphan order has no row to
-- judge: its run says so by a finding), the latest that succeeded and was
-- not a dry run, else the latest that succeeded, else the latest (a failed
-- run's verdicts were never published, and ops asking why a row landed
-- where it did mean the reports they read); 0 when none judged it.
WITH target AS (SELECT * FROM explain_target($1, $2)),
judging AS (
    SELECT r.run_id FROM results r
    JOIN target t ON t.file_id = r.file_id AND t.line = r.line
    UNION
    SELECT f.run_id FROM findings f
    WHERE f.fc_order_id IN (SELECT id FROM explain_orders($1, $2))
)
SELECT coalesce((
    SELECT j.run_id FROM judging j LEFT JOIN runs u ON u.id = j.run_id
    ORDER BY coalesce(u.status = 'succeeded', false) DESC, coalesce(NOT u.dry_run, false) DESC, j.run_id DESC
    LIMIT 1
), 0);

-- name: explain-results
-- The verdicts of run $3 on the explained rows, with where the key the run
-- holds came from (the ledger row, a transmit log, flexrecon's push).
WITH target AS (SELECT * FROM explain_target($1, $2)),
logged AS (
    SELECT partner_merchant_id, transaction_id, transmit_key, min(transmitted_at) AS transmitted_at
    FROM transmit_log
    WHERE (partner_merchant_id, transaction_id) IN (SELECT (partner_merchant_id, transaction_id) FROM target)
    GROUP BY ALL
)
SELECT r.transaction_id, r.occurrence, r.processed_at, r.status, r.profile, r.switch_state,
    coalesce(r.switch_id, 0) AS switch_id, coalesce(r.environment, '') AS environment, coalesce(r.mid, '') AS mid,
    coalesce(r.transmit_key, '') AS transmit_key, r.transmit_state, coalesce(r.fc_order_id, '') AS fc_order_id,
    coalesce(r.fc_status, -1) AS fc_status, coalesce(r.outcome_state, '') AS outcome_state,
    coalesce(x.state, '') AS push_state, x.done_at AS pushed_at, coalesce(x.error, '') AS push_error,
    coalesce(x.in_doubt, false) AS push_in_doubt, coalesce(x.retryable, false) AS push_retryable,
    CASE WHEN t.fc_transmit_key IS NOT NULL THEN 'ledger' WHEN lg.transmit_key = r.transmit_key THEN 'transmit log'
         WHEN x.transmit_key = r.transmit_key THEN 'push' ELSE '' END AS key_source,
    lg.transmitted_at AS logged_at, coalesce(p.last.outcome, '') AS run_push, coalesce(p.last.error, '') AS run_push_error
FROM results r
JOIN target t ON t.file_id = r.file_id AND t.line = r.line
LEFT JOIN (
    SELECT partner_merchant_id, transaction_id, arg_max({'outcome': outcome, 'error': error}, pushed_at) AS last
    FROM pushes WHERE run_id = $3 GROUP BY ALL
) p ON p.partner_merchant_id = r.partner_merchant_id AND p.transaction_id = r.transaction_id
LEFT JOIN transmits x ON x.partner_merchant_id = r.partner_merchant_id AND x.transaction_id = r.transaction_id
LEFT JOIN logged lg ON lg.partner_merchant_id = r.partner_merchant_id AND lg.transaction_id = r.transaction_id
    AND lg.transmit_key = r.transmit_key
WHERE r.run_id = $3
ORDER BY r.processed_at, r.transaction_id, r.occurrence;

-- name: explain-findings
-- The findings of run $3 on the explained rows and orders (explain_findings),
-- and the double_charge_risk of an explained decline's rescue: the risk is
-- the approved retry's (the second charge), a row explaining the decline
-- does not hold, and its order may not name the attempt. It names the least
-- completed order of the approval's, which need not be the decline's
-- primary one, and the decline the run paired that order with, as its
-- ledger value: the one record of a pair beside the primary order. Matched
-- on that decline, not on the orders of its merchant order id: a rebill
-- reusing the id has a decline per attempt, and an earlier one's risk is
-- not the later one's. Read from what the run recorded: no classifying
-- again, and not from the detail's wording, which may change.
WITH f AS (
    SELECT * FROM explain_findings($1, $2, $3)
    UNION
    SELECT f.* FROM findings f
    JOIN explain_target($1, $2) t ON t.partner_merchant_id = f.partner_merchant_id AND t.order_id = f.order_id
    WHERE f.run_id = $3 AND f.category = 'double_charge_risk' AND t.status = 'declined'
      AND f.ledger_value = t.transaction_id
)
SELECT f.category, coalesce(f.transaction_id, '') AS transaction_id, coalesce(f.occurrence, 0) AS occurrence,
    coalesce(f.fc_order_id, '') AS fc_order_id, coalesce(f.field, '') AS field,
    coalesce(f.ledger_value, '') AS ledger_value, coalesce(f.fc_value, '') AS fc_value, coalesce(f.detail, '') AS detail
FROM f
ORDER BY f.transaction_id, f.category;

-- name: explain-orphan-declines
-- For each orphan order among the findings explained, the ledger rows of its
-- merchant and order id: the declines that might have claimed it, with what
-- explain needs to say why none did (classify-pair-orders' rules): whether
-- the order names the attempt, whether run $3 gave the row a verdict (only
-- rows of its window get one; a row loaded after it classified was never
-- read by it), and the latest run that did. An orphan finding's FlexCharge value is its
-- order's environment.
WITH orphan AS (
    SELECT f.fc_order_id, o.created_on, o.transaction_id AS order_tx, f.partner_merchant_id, f.order_id
    FROM explain_findings($1, $2, $3) f
    JOIN fc_orders o ON o.id = f.fc_order_id AND o.environment = f.fc_value
    WHERE f.category = 'orphan_order'
),
candidate AS (
    SELECT o.*, l.file_id, l.line, l.transaction_id, l.occurrence, CAST(l.status AS VARCHAR) AS status, l.processed_at
    FROM orphan o
    JOIN ledger_tx l ON l.partner_merchant_id = o.partner_merchant_id AND l.order_id = o.order_id
),
judged AS (
    SELECT file_id, line, bool_or(run_id = $3) AS in_run, max(run_id) AS last_run FROM verdicts
    WHERE (file_id, line) IN (SELECT (file_id, line) FROM candidate)
    GROUP BY ALL
)
SELECT r.fc_order_id, r.created_on AS order_created_on, coalesce(r.order_tx, '') AS order_transaction_id,
    r.transaction_id, r.occurrence, r.status, r.processed_at, coalesce(r.order_tx = r.transaction_id, false) AS names_attempt,
    coalesce(j.in_run, false) AS in_run, coalesce(j.last_run, 0) AS last_run,
    coalesce(lf.loaded_at > (SELECT started_at FROM run_stages WHERE run_id = $3 AND stage = 'classify'), false) AS loaded_after_run
FROM candidate r
LEFT JOIN judged j ON j.file_id = r.file_id AND j.line = r.line
LEFT JOIN ledger_files lf ON lf.id = r.file_id
ORDER BY r.fc_order_id, r.processed_at, r.transaction_id, r.occurrence;
