-- report: sites
-- sheet: Sites and descriptors
-- title: Volumes per site and descriptor: ledger against FlexCharge orders
-- column: merchant | Merchant | text | 12
-- column: site | Site | text | 28
-- column: descriptor | Descriptor | text | 22
-- column: currency | Currency | text | 9
-- column: ledger_transactions | Ledger transactions | int | 12 | total
-- column: ledger_amount | Ledger amount | money:currency | 16 | total
-- column: ledger_evaluated | Ledger evaluated | int | 12 | total
-- column: fc_orders | FlexCharge orders | int | 12 | total
-- column: fc_amount | FlexCharge amount | money:currency | 16 | total
-- column: drift | Drift (orders) | int | 10 | total
-- The FlexCharge side is the orders this run matched to a ledger decline
-- plus the orphans it found, each under the site and descriptor FlexCharge
-- holds. Drift is FlexCharge orders less ledger declines with an order: where
-- FlexCharge files an order under another site or descriptor than the ledger,
-- one row shows a surplus and another the same shortfall; an orphan shows as
-- a surplus. $2 is a merchant, '' for every merchant. r is read twice; left
-- to DuckDB it would be materialised, every column of the run's results.
WITH r AS NOT MATERIALIZED (
    SELECT * FROM results WHERE run_id = $1 AND ($2 = '' OR partner_merchant_id = $2)
),
ledger AS (
    SELECT partner_merchant_id AS merchant, coalesce(site_url, '') AS site, coalesce(descriptor, '') AS descriptor, currency,
        count(*) AS ledger_transactions, sum(amount) AS ledger_amount,
        count(*) FILTER (fc_order_id IS NOT NULL) AS ledger_evaluated
    FROM r GROUP BY ALL
),
linked AS (
    SELECT partner_merchant_id AS merchant, fc_order_id AS id FROM r WHERE fc_order_id IS NOT NULL
    UNION
    SELECT coalesce(f.partner_merchant_id, ''), o.id
    FROM findings f JOIN fc_orders o ON o.id = f.fc_order_id
    WHERE f.run_id = $1 AND f.category = 'orphan_order' AND ($2 = '' OR f.partner_merchant_id = $2)
),
fc AS (
    SELECT l.merchant, coalesce(o.site_url, '') AS site, coalesce(o.descriptor, '') AS descriptor, o.currency,
        count(*) AS fc_orders, sum(o.amount) AS fc_amount
    FROM linked l
    JOIN fc_orders o ON o.id = l.id
    GROUP BY ALL
)
SELECT merchant, site, descriptor, currency,
    coalesce(ledger_transactions, 0) AS ledger_transactions, CAST(coalesce(ledger_amount, 0) AS BIGINT) AS ledger_amount,
    coalesce(ledger_evaluated, 0) AS ledger_evaluated,
    coalesce(fc_orders, 0) AS fc_orders, CAST(coalesce(fc_amount, 0) AS BIGINT) AS fc_amount,
    coalesce(fc_orders, 0) - coalesce(ledger_evaluated, 0) AS drift
FROM ledger FULL OUTER JOIN fc USING (merchant, site, descriptor, currency)
ORDER BY merchant, site, descriptor, currency
