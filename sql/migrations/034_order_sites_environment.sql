-- The Sites sheet keeps sandbox and production apart, as every sheet of
-- money does: each FlexCharge order is counted under the environment
-- FlexCharge holds it in, so a sandbox test order's amount is not summed
-- with a site's production orders.
ALTER TABLE run_order_sites ADD COLUMN environment VARCHAR;

-- order_sites(run) as in 023, per environment.
CREATE OR REPLACE MACRO order_sites(run) AS TABLE
WITH linked AS (
    SELECT partner_merchant_id AS merchant, fc_order_id AS id, any_value(currency) AS ledger_currency
    FROM results WHERE run_id = run AND fc_order_id IS NOT NULL
    GROUP BY ALL
    UNION
    SELECT coalesce(f.partner_merchant_id, ''), o.id, NULL
    FROM findings f JOIN fc_orders o ON o.id = f.fc_order_id
    WHERE f.run_id = run AND f.category = 'orphan_order'
    UNION
    SELECT partner_merchant_id, fc_order_id, currency FROM run_extra_orders WHERE run_id = run
)
SELECT l.merchant, coalesce(o.site_url, '') AS site, coalesce(o.descriptor, '') AS descriptor,
    o.environment, coalesce(o.currency, l.ledger_currency, 'XXX') AS currency,
    count(*) AS fc_orders, CAST(sum(o.amount) AS BIGINT) AS fc_amount,
    count(*) FILTER (o.amount IS NULL) AS fc_amounts_unknown
FROM linked l
JOIN fc_orders o ON o.id = l.id
GROUP BY ALL;

-- The rows kept before hold both environments' orders in one sum, which
-- cannot be split again. Where the run's orders of a row are, as they are
-- now, all of one environment, the row is that environment's; a row whose
-- orders are of both stays without one (the sheet shows it apart, with an
-- empty environment, rather than guess which side its sum belongs to).
-- So does a row that no longer counts as many orders: FlexCharge moved one
-- to another site or descriptor since, and the ones left say nothing of
-- the one gone (a production order left where a sandbox one was summed).
-- Only the runs that kept rows are worked out again: at the upgrade, every
-- one of them reads its results' orders once.
UPDATE run_order_sites k SET environment = s.environment
FROM (
    SELECT r.id AS run_id, s.merchant, s.site, s.descriptor, s.currency, any_value(s.environment) AS environment,
        sum(s.fc_orders) AS fc_orders
    FROM (SELECT DISTINCT run_id AS id FROM run_order_sites) r, LATERAL order_sites(r.id) s
    GROUP BY ALL
    HAVING count(DISTINCT s.environment) = 1
) s
WHERE k.run_id = s.run_id AND k.merchant = s.merchant AND k.site = s.site AND k.descriptor = s.descriptor
    AND k.currency IS NOT DISTINCT FROM s.currency AND k.fc_orders = s.fc_orders;
