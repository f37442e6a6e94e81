-- Classification of one run, as ordered steps on one connection; each step
-- says its parameters.

-- name: classify-judge
-- $1 window start, $2 window end (exclusive), $3 merchant ('' for all).
-- Each ledger transaction of the window, with its registry site and the
-- switch in force when it was processed: the most specific scope wins
-- (campaign, then site, then merchant), and within a scope the latest
-- effective switch at or before the processing time.
CREATE OR REPLACE TEMP TABLE judged AS
WITH latest AS (
    SELECT * FROM switches
    QUALIFY row_number() OVER (PARTITION BY merchant_id, profile, scope, scope_value, effective_at ORDER BY id DESC) = 1
),
-- Each switch holds until the next one of its scope: an interval per switch
-- makes the lookups equality hash joins against a tiny table, which is far
-- cheaper than an ASOF join that sorts every transaction of the window.
sw AS (
    SELECT merchant_id, profile, scope, scope_value, state, id, effective_at,
        coalesce(lead(effective_at) OVER (PARTITION BY merchant_id, profile, scope, scope_value ORDER BY effective_at),
                 TIMESTAMPTZ 'infinity') AS until
    FROM latest
),
site_by_descriptor AS (
    SELECT merchant_id, descriptor, min(url) AS url FROM sites GROUP BY ALL
),
-- Only the columns later steps read: at ten million rows every column of
-- this temporary table is held in memory for the whole classification.
tx AS (
    SELECT l.file_id, l.line, l.partner_merchant_id, l.mid, l.order_id, l.transaction_id, l.occurrence,
        l.processed_at, l.amount, l.currency, l.status, l.profile, l.site_url, l.descriptor, l.campaign_id,
        l.environment, l.fc_transmit_key, m.name AS merchant_name,
        coalesce(su.url, sd.url) AS reg_site_url
    FROM ledger_tx l
    LEFT JOIN merchants m ON m.id = l.partner_merchant_id
    LEFT JOIN sites su ON su.merchant_id = l.partner_merchant_id AND su.url = l.site_url
    LEFT JOIN site_by_descriptor sd ON sd.merchant_id = l.partner_merchant_id AND sd.descriptor = l.descriptor
    WHERE l.processed_at >= $1 AND l.processed_at < $2 AND ($3 = '' OR l.partner_merchant_id = $3)
),
switched AS (
    SELECT tx.*,
        coalesce(c.state, s.state, w.state, 'off') AS switch_state,
        coalesce(c.id, s.id, w.id) AS switch_id
    FROM tx
    LEFT JOIN (SELECT * FROM sw WHERE scope = 'campaign') c
        ON c.merchant_id = tx.partner_merchant_id AND c.profile = tx.profile
       AND c.scope_value = tx.campaign_id AND tx.processed_at >= c.effective_at AND tx.processed_at < c.until
    LEFT JOIN (SELECT * FROM sw WHERE scope = 'site') s
        ON s.merchant_id = tx.partner_merchant_id AND s.profile = tx.profile
       AND s.scope_value = tx.reg_site_url AND tx.processed_at >= s.effective_at AND tx.processed_at < s.until
    LEFT JOIN (SELECT * FROM sw WHERE scope = 'merchant') w
        ON w.merchant_id = tx.partner_merchant_id AND w.profile = tx.profile
       AND tx.processed_at >= w.effective_at AND tx.processed_at < w.until
)
-- At ten million rows every column here is held (or spilled) for the rest of
-- the classification, so what results need is settled now: the site as
-- registered, the transmit key and state, instead of the columns they come from.
SELECT s.* EXCLUDE (mid, campaign_id, site_url, reg_site_url, fc_transmit_key),
    coalesce(s.reg_site_url, s.site_url) AS site_url, s.reg_site_url IS NOT NULL AS site_known,
    CASE WHEN s.reg_site_url IS DISTINCT FROM s.site_url THEN s.reg_site_url END AS registered_site,
    CASE WHEN s.switch_state = 'off' THEN NULL ELSE s.switch_state END AS judged_env,
    CASE WHEN s.mid IS NULL THEN mm.mid END AS registry_mid,
    CASE WHEN s.fc_transmit_key IS NULL AND t.state = 'sent' THEN t.transmit_key END AS pushed_key,
    CASE
        WHEN s.fc_transmit_key IS NOT NULL THEN 'transmitted'
        WHEN t.state = 'sent' AND t.done_at > s.processed_at + INTERVAL 24 HOUR THEN 'transmitted_late'
        WHEN t.state = 'sent' THEN 'pushed'
        WHEN s.switch_state = 'off' THEN 'not_expected'
        WHEN t.state = 'failed' THEN 'push_failed'
        ELSE 'untransmitted'
    END AS transmit_state
FROM switched s
LEFT JOIN merchant_mids mm ON mm.merchant_id = s.partner_merchant_id
    AND mm.environment = CASE WHEN s.switch_state = 'off' THEN s.environment ELSE s.switch_state END
LEFT JOIN transmits t ON t.partner_merchant_id = s.partner_merchant_id AND t.transaction_id = s.transaction_id;

-- name: classify-assign
-- Every FlexCharge order goes to at most one decline of the same merchant and
-- order id: the attempt it names, else the nearest decline in time. Orders are
-- known by merchant, not mid, so one found in the other environment still
-- finds its decline (and is flagged). A repeated ledger row shares its
-- first occurrence's orders. A decline's primary order is in its own
-- environment if it can be, then names the attempt, then is the latest.
CREATE OR REPLACE TEMP TABLE assigned AS
WITH orders AS (
    SELECT o.*, mm.merchant_id FROM fc_orders o
    JOIN merchant_mids mm ON mm.mid = o.mid AND mm.environment = o.environment
),
declines AS (
    SELECT * FROM judged WHERE status = 'declined' AND occurrence = 1
),
matched AS (
    SELECT o.environment AS order_env, o.id AS order_key, d.partner_merchant_id, d.transaction_id, d.judged_env,
        o.transaction_id = d.transaction_id AS names_attempt, o.created_on
    FROM orders o
    JOIN declines d ON d.partner_merchant_id = o.merchant_id AND d.order_id = o.external_order_id
    QUALIFY row_number() OVER (PARTITION BY o.environment, o.id
        ORDER BY (o.transaction_id = d.transaction_id) DESC,
                 abs(epoch(o.created_on) - epoch(d.processed_at)), d.file_id, d.line) = 1
)
SELECT *,
    count(*) OVER (PARTITION BY partner_merchant_id, transaction_id) AS orders_for_decline,
    row_number() OVER (PARTITION BY partner_merchant_id, transaction_id
        ORDER BY (order_env = judged_env) DESC NULLS LAST, names_attempt DESC, created_on DESC, order_key) = 1 AS is_primary
FROM matched;

-- name: classify-results
-- $1 run id, $2 the run's clock: a pending order past its expiry then is expired.
INSERT INTO verdicts BY NAME
SELECT $1 AS run_id, j.file_id, j.line, j.switch_state, j.switch_id,
    coalesce(j.judged_env, j.environment) AS environment,
    j.registered_site AS site_url, j.registry_mid AS mid, j.pushed_key AS transmit_key, j.transmit_state,
    o.id AS fc_order_id, o.status AS fc_status,
    CASE
        WHEN j.status <> 'declined' OR j.switch_state = 'off' THEN NULL
        WHEN o.id IS NULL THEN 'missed_evaluate'
        WHEN o.status_name = 'CHARGEBACK' THEN 'chargeback'
        WHEN o.status = 7 THEN 'recovered'
        WHEN o.status = 2 THEN 'not_recovered'
        WHEN o.status = 6 THEN 'refunded'
        WHEN o.status = 3 THEN 'problem'
        WHEN o.expiry_at IS NOT NULL AND o.expiry_at < $2 THEN 'expired'
        ELSE 'pending'
    END AS outcome_state,
    -- The field comparisons of classify-findings, folded into one flag so
    -- that findings look up the primary order only for the rows that differ.
    o.id IS NOT NULL AND coalesce(
        j.amount <> o.amount OR j.currency <> o.currency
        OR coalesce(o.site_id, '') <> '' AND o.site_id IS DISTINCT FROM
            CASE o.environment WHEN 'sandbox' THEN s.site_id_sandbox ELSE s.site_id_production END
        OR coalesce(o.site_id, '') = '' AND coalesce(o.site_url, '') <> '' AND o.site_url IS DISTINCT FROM j.site_url
        OR coalesce(o.descriptor, '') <> '' AND o.descriptor IS DISTINCT FROM j.descriptor
        OR j.profile <> CASE WHEN o.is_mit THEN 'mit' WHEN o.order_source = 'callcenter' THEN 'cit_callcenter' ELSE 'cit_web' END
        OR coalesce(j.judged_env, j.environment) <> o.environment, false) AS differs
FROM judged j
LEFT JOIN assigned a ON a.partner_merchant_id = j.partner_merchant_id AND a.transaction_id = j.transaction_id AND a.is_primary
LEFT JOIN fc_orders o ON o.environment = a.order_env AND o.id = a.order_key
LEFT JOIN sites s ON o.id IS NOT NULL AND s.merchant_id = j.partner_merchant_id AND s.url = j.site_url;

-- name: classify-findings
-- Findings on transactions and their orders. $1 run id. Every branch is a
-- filtered scan; only the rows whose results say they differ from their
-- primary order look the order up again.
INSERT INTO findings BY NAME
WITH r AS (SELECT * FROM results WHERE run_id = $1),
primary_order AS (
    SELECT r.*, o.environment AS order_env, o.amount AS o_amount, o.currency AS o_currency,
        o.site_id AS o_site_id, o.site_url AS o_site_url, o.descriptor AS o_descriptor,
        o.is_mit AS o_is_mit, o.order_source AS o_source,
        CASE o.environment WHEN 'sandbox' THEN s.site_id_sandbox ELSE s.site_id_production END AS reg_site_id
    FROM (SELECT * FROM r WHERE differs) r
    JOIN fc_orders o ON o.id = r.fc_order_id
    JOIN assigned a ON a.partner_merchant_id = r.partner_merchant_id AND a.transaction_id = r.transaction_id AND a.is_primary AND a.order_env = o.environment
    LEFT JOIN sites s ON s.merchant_id = r.partner_merchant_id AND s.url = r.site_url
),
field_diffs AS (
    SELECT p.*, d.category, d.field, d.ledger_value, d.fc_value FROM primary_order p,
    unnest([
        {'category': 'amount_mismatch', 'field': 'amount', 'ledger_value': money_text(p.amount, p.currency), 'fc_value': money_text(p.o_amount, p.o_currency), 'differs': p.amount <> p.o_amount},
        {'category': 'currency_mismatch', 'field': 'currency', 'ledger_value': p.currency, 'fc_value': p.o_currency, 'differs': p.currency <> p.o_currency},
        {'category': 'site_mismatch', 'field': 'site', 'ledger_value': coalesce(p.reg_site_id, p.site_url), 'fc_value': coalesce(p.o_site_id, p.o_site_url),
            'differs': coalesce(p.o_site_id, '') <> '' AND p.o_site_id IS DISTINCT FROM p.reg_site_id
                OR coalesce(p.o_site_id, '') = '' AND coalesce(p.o_site_url, '') <> '' AND p.o_site_url IS DISTINCT FROM p.site_url},
        {'category': 'descriptor_mismatch', 'field': 'descriptor', 'ledger_value': p.descriptor, 'fc_value': p.o_descriptor,
            'differs': coalesce(p.o_descriptor, '') <> '' AND p.o_descriptor IS DISTINCT FROM p.descriptor},
        {'category': 'profile_mismatch', 'field': 'profile', 'ledger_value': p.profile,
            'fc_value': CASE WHEN p.o_is_mit THEN 'mit' WHEN p.o_source = 'callcenter' THEN 'cit_callcenter' ELSE 'cit_web' END,
            'differs': p.profile <> CASE WHEN p.o_is_mit THEN 'mit' WHEN p.o_source = 'callcenter' THEN 'cit_callcenter' ELSE 'cit_web' END},
        {'category': 'environment_mismatch', 'field': 'environment', 'ledger_value': p.environment, 'fc_value': p.order_env, 'differs': p.environment <> p.order_env}
    ]) AS u(d)
    WHERE d.differs
)
SELECT $1 AS run_id, category, partner_merchant_id, site_url, profile, order_id, transaction_id, occurrence,
    fc_order_id, field, ledger_value, fc_value, processed_at, NULL AS detail
FROM field_diffs
UNION ALL
SELECT $1, 'evaluated_while_off', r.partner_merchant_id, r.site_url, r.profile, r.order_id, r.transaction_id, r.occurrence,
    a.order_key, 'switch', r.switch_state, a.order_env, r.processed_at, 'FlexCharge has an order although the profile was off'
FROM r JOIN assigned a ON a.partner_merchant_id = r.partner_merchant_id AND a.transaction_id = r.transaction_id AND a.is_primary
WHERE r.switch_state = 'off'
UNION ALL
SELECT $1, 'duplicate_evaluate', r.partner_merchant_id, r.site_url, r.profile, r.order_id, r.transaction_id, r.occurrence,
    r.fc_order_id, 'orders', NULL, CAST(a.orders_for_decline AS VARCHAR), r.processed_at, 'several FlexCharge orders for one decline'
FROM r JOIN assigned a ON a.partner_merchant_id = r.partner_merchant_id AND a.transaction_id = r.transaction_id AND a.is_primary
WHERE a.orders_for_decline > 1
UNION ALL
SELECT $1, 'double_charge_risk', r.partner_merchant_id, r.site_url, r.profile, r.order_id, r.transaction_id, r.occurrence,
    r.fc_order_id, 'retry', NULL, NULL, r.processed_at,
    'FlexCharge completed the order and the merchant''s later retry ' || min(l.transaction_id) || ' was also approved'
FROM r JOIN ledger_tx l ON l.partner_merchant_id = r.partner_merchant_id AND l.order_id = r.order_id
    AND l.status = 'approved' AND l.processed_at > r.processed_at
WHERE r.outcome_state = 'recovered'
GROUP BY ALL
UNION ALL
SELECT $1, 'unknown_merchant', partner_merchant_id, site_url, profile, order_id, transaction_id, occurrence,
    NULL, 'partner_merchant_id', partner_merchant_id, NULL, processed_at, 'merchant is not in the registry'
FROM r WHERE merchant_name IS NULL
UNION ALL
SELECT $1, 'unknown_site', partner_merchant_id, site_url, profile, order_id, transaction_id, occurrence,
    NULL, 'site', coalesce(site_url, descriptor), NULL, processed_at, 'neither the site URL nor the descriptor is registered for the merchant'
FROM judged WHERE merchant_name IS NOT NULL AND NOT site_known
UNION ALL
SELECT $1, 'duplicate_row', partner_merchant_id, site_url, profile, order_id, transaction_id, occurrence,
    NULL, 'occurrence', CAST(occurrence AS VARCHAR), NULL, processed_at, 'the transaction appears more than once in the ledger'
FROM r WHERE occurrence > 1;


-- name: classify-orphans
-- Orders of the window that no ledger decline claims. $1 run id, $2 window
-- start, $3 window end, $4 merchant ('' for all).
INSERT INTO findings BY NAME
SELECT $1 AS run_id, 'orphan_order' AS category, mm.merchant_id AS partner_merchant_id, o.site_url,
    CASE WHEN o.is_mit THEN 'mit' WHEN o.order_source = 'callcenter' THEN 'cit_callcenter' ELSE 'cit_web' END AS profile,
    o.external_order_id AS order_id, o.transaction_id, NULL AS occurrence, o.id AS fc_order_id,
    'order' AS field, NULL AS ledger_value, o.environment AS fc_value, o.created_on AS processed_at,
    'FlexCharge order with no ledger decline' AS detail
FROM fc_orders o
LEFT JOIN merchant_mids mm ON mm.mid = o.mid AND mm.environment = o.environment
LEFT JOIN assigned a ON a.order_env = o.environment AND a.order_key = o.id
WHERE a.order_key IS NULL AND o.created_on >= $2 AND o.created_on < $3
  AND ($4 = '' OR mm.merchant_id = $4);

-- name: classify-quarantined
-- Rows quarantined from files of the window's business days. $1 run id,
-- $2 first day, $3 last day.
INSERT INTO findings BY NAME
SELECT $1 AS run_id, 'quarantined' AS category, f.name AS site_url, q.column_name AS field,
    CAST(q.line AS VARCHAR) AS ledger_value, q.reason AS detail
FROM quarantine q JOIN ledger_files f ON f.id = q.file_id
WHERE f.business_date BETWEEN $2 AND $3 AND f.outcome = 'loaded';

-- name: tie-out
-- Per merchant and currency: do the run's transmit states add up to the
-- ledger's count and amount? Any row returned is a failure.
WITH ledger AS (
    SELECT partner_merchant_id, currency, count(*) AS n, CAST(sum(amount) AS BIGINT) AS total FROM ledger_tx
    WHERE processed_at >= $2 AND processed_at < $3 AND ($4 = '' OR partner_merchant_id = $4)
    GROUP BY ALL
),
judged_states AS (
    SELECT partner_merchant_id, currency, count(*) AS n, CAST(sum(amount) AS BIGINT) AS total FROM results
    WHERE run_id = $1 AND transmit_state IN ('transmitted', 'transmitted_late', 'pushed', 'untransmitted', 'push_failed', 'not_expected')
    GROUP BY ALL
)
SELECT coalesce(l.partner_merchant_id, s.partner_merchant_id) AS merchant, coalesce(l.currency, s.currency) AS currency,
    coalesce(l.n, 0) AS ledger_count, coalesce(s.n, 0) AS state_count,
    coalesce(l.total, 0) AS ledger_amount, coalesce(s.total, 0) AS state_amount
FROM ledger l FULL JOIN judged_states s USING (partner_merchant_id, currency)
WHERE l.n IS DISTINCT FROM s.n OR l.total IS DISTINCT FROM s.total;

-- name: insertion-order-off
-- Classification writes whole tables whose order nothing reads; without
-- insertion order DuckDB can spill them, where at 10M rows under a 3GB
-- memory limit it otherwise runs out of memory.
SET preserve_insertion_order = false;

-- name: insertion-order-on
SET preserve_insertion_order = true;
