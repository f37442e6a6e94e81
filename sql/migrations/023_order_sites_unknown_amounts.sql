-- How many of the orders a row of the Sites sheet counts have no amount
-- (FlexCharge did not give one). Their row's sum leaves them out, so it is
-- a partial sum; with the count kept the sheet can leave it blank and say
-- how many amounts are unknown, rather than show it as the full one.
ALTER TABLE run_order_sites ADD COLUMN fc_amounts_unknown BIGINT;

-- order_sites(run) as in 022, with that count.
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
    coalesce(o.currency, l.ledger_currency, 'XXX') AS currency,
    count(*) AS fc_orders, CAST(sum(o.amount) AS BIGINT) AS fc_amount,
    count(*) FILTER (o.amount IS NULL) AS fc_amounts_unknown
FROM linked l
JOIN fc_orders o ON o.id = l.id
GROUP BY ALL;

-- The rows kept before. One without an amount had none known. Before 019
-- an order without an amount was stored as 0, so a run before it left none
-- out. A run since may have: its rows are compared with its orders as they
-- are now, the best left to know. The same orders and known sum as then:
-- as many unknown as now. A kept sum below today's known one of as many
-- orders left out an amount known since: at least one unknown. Otherwise as
-- many as now, even where an amount FlexCharge has stopped giving was known
-- then: a blank where a sum was whole is the safer error, since the sheet
-- must show no partial sum as a whole one.
UPDATE run_order_sites SET fc_amounts_unknown = CASE WHEN fc_amount IS NULL THEN fc_orders ELSE 0 END;
UPDATE run_order_sites k SET fc_amounts_unknown = CASE
        WHEN s.fc_orders = k.fc_orders AND k.fc_amount < coalesce(s.fc_amount, 0) THEN greatest(s.fc_amounts_unknown, 1)
        ELSE s.fc_amounts_unknown END
FROM (
    SELECT r.id AS run_id, s.*
    FROM runs r, LATERAL order_sites(r.id) s
    WHERE r.started_at >= (SELECT applied_at FROM schema_migrations WHERE version = 19)
) s
WHERE k.run_id = s.run_id AND k.merchant = s.merchant AND k.site = s.site AND k.descriptor = s.descriptor
    AND k.currency IS NOT DISTINCT FROM s.currency AND k.fc_amount IS NOT NULL;
