-- order_sites(run) as in 034, each order found by what names it. FlexCharge's
-- sandbox and production are separate systems, so an id may name an order in
-- each: joined on the id alone, such an order was counted twice, once under
-- each environment, its amount summed in both. A decline's order (primary or
-- extra) is, as classify paired it, the one of that id under a mid of the
-- decline's merchant whose external order id is the decline's order id (the
-- merchant alone does not tell them apart: its mids of both environments
-- may hold the id). An orphan's is the one of the environment its finding
-- names (fc_value). The rows runs kept before stay as they were written: the
-- sheet a run wrote is the sheet it shows, and their sums cannot be split
-- again (034), so nothing is recomputed.
ALTER TABLE run_extra_orders ADD COLUMN order_id VARCHAR;

CREATE OR REPLACE MACRO order_sites(run) AS TABLE
WITH linked AS (
    SELECT partner_merchant_id AS merchant, order_id, fc_order_id AS id, any_value(currency) AS ledger_currency
    FROM results WHERE run_id = run AND fc_order_id IS NOT NULL
    GROUP BY ALL
    UNION
    SELECT partner_merchant_id, order_id, fc_order_id, currency FROM run_extra_orders WHERE run_id = run
),
orders AS (
    SELECT l.merchant, l.ledger_currency, o.*
    FROM linked l
    JOIN merchant_mids mm ON mm.merchant_id = l.merchant
    JOIN fc_orders o ON o.id = l.id AND o.external_order_id = l.order_id AND o.mid = mm.mid AND o.environment = mm.environment
    UNION ALL
    SELECT coalesce(f.partner_merchant_id, ''), NULL, o.*
    FROM (SELECT DISTINCT partner_merchant_id, fc_order_id, fc_value FROM findings WHERE run_id = run AND category = 'orphan_order') f
    JOIN fc_orders o ON o.id = f.fc_order_id AND o.environment = f.fc_value
)
SELECT merchant, coalesce(site_url, '') AS site, coalesce(descriptor, '') AS descriptor,
    environment, coalesce(currency, ledger_currency, 'XXX') AS currency,
    count(*) AS fc_orders, CAST(sum(amount) AS BIGINT) AS fc_amount,
    count(*) FILTER (amount IS NULL) AS fc_amounts_unknown
FROM orders
GROUP BY ALL;
