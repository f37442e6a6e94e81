-- report: sites
-- sheet: Sites and descriptors
-- title: Volumes per site and descriptor: ledger against FlexCharge orders
-- column: merchant | Merchant | text | 12
-- column: site | Site | text | 28
-- column: descriptor | Descriptor | text | 22
-- column: environment | Environment | text | 12
-- column: currency | Currency | text | 9
-- column: ledger_transactions | Ledger transactions | int | 12 | total
-- column: ledger_amount | Ledger amount | money:currency | 16 | total
-- column: ledger_evaluated | Ledger evaluated | int | 12 | total
-- column: fc_orders | FlexCharge orders | int | 12 | total
-- column: fc_amount | FlexCharge amount | money:currency | 16 | total if known
-- column: fc_amounts_unknown | FlexCharge amounts unknown | int | 12 | total
-- column: drift | Drift (orders) | int | 10 | total
-- The FlexCharge side is the orders this run matched to a ledger decline
-- plus the orphans it found, each under the site and descriptor FlexCharge
-- holds. Drift is FlexCharge orders less ledger declines with an order: where
-- FlexCharge files an order under another site or descriptor than the ledger,
-- one row shows a surplus and another the same shortfall; an orphan, or a
-- second order for one decline (a duplicate evaluate), shows as a surplus.
-- The FlexCharge amount is blank where FlexCharge gave no amount for one of
-- the row's orders, and so is its currency's total: the sum of the others,
-- even beside a note, is a figure that gets copied on as the full amount.
-- The next column counts the orders whose amount is unknown, so the blank
-- says why. Ledger evaluated counts declines with an order of either
-- environment (the drift compares orders), so it counts a production
-- decline with only a sandbox order, which Recovery counts as a lost rescue.
-- A ledger row that names its site by URL alone is under its registered
-- site's descriptor, by which classify compares it with its orders (sited in
-- classify.sql): under none, each of its orders showed as drift, a surplus
-- beside the same shortfall, where the run found no descriptor_mismatch.
-- Each side is per environment, as every sheet of money: the ledger's
-- rows under the one they were judged in, FlexCharge's orders under the
-- one it holds them in (migration 034), so a sandbox test order's amount
-- never adds to a site's production orders. A decline judged in one
-- environment whose order is in the other shows as drift, a shortfall
-- beside a surplus, as an order filed under another site does.
-- $2 is a merchant, '' for every merchant.
WITH registered AS (
    -- The registry as the run's workbook stage kept it (migration 030 kept
    -- it for the runs before). A run that kept none had none: classify
    -- gave its URL-only rows no descriptor either.
    SELECT merchant_id, url, descriptor FROM run_site_descriptors WHERE run_id = $1
),
ledger AS (
    SELECT r.partner_merchant_id AS merchant, coalesce(r.site_url, '') AS site, coalesce(r.descriptor, g.descriptor, '') AS descriptor,
        r.environment, r.currency, count(*) AS ledger_transactions, sum(r.amount) AS ledger_amount,
        count(*) FILTER (r.fc_order_id IS NOT NULL AND r.occurrence = 1) AS ledger_evaluated
    FROM results r
    LEFT JOIN registered g ON r.descriptor IS NULL AND g.merchant_id = r.partner_merchant_id AND g.url = r.site_url
    WHERE r.run_id = $1 AND ($2 = '' OR r.partner_merchant_id = $2)
    GROUP BY ALL
),
-- The FlexCharge side as the run's workbook stage kept it (run_order_sites),
-- so that the sheet downloaded later is the sheet the run wrote.
fc AS (
    SELECT * EXCLUDE (run_id, environment), coalesce(environment, '') AS environment
    FROM run_order_sites WHERE run_id = $1 AND ($2 = '' OR merchant = $2)
)
SELECT merchant, site, descriptor, environment, currency,
    coalesce(ledger_transactions, 0) AS ledger_transactions, CAST(coalesce(ledger_amount, 0) AS BIGINT) AS ledger_amount,
    coalesce(ledger_evaluated, 0) AS ledger_evaluated,
    coalesce(fc_orders, 0) AS fc_orders,
    CAST(CASE WHEN fc_orders IS NULL THEN 0 WHEN fc_amounts_unknown = 0 THEN fc_amount END AS BIGINT) AS fc_amount,
    coalesce(fc_amounts_unknown, 0) AS fc_amounts_unknown,
    coalesce(fc_orders, 0) - coalesce(ledger_evaluated, 0) AS drift
FROM ledger FULL OUTER JOIN fc USING (merchant, site, descriptor, environment, currency)
ORDER BY merchant, site, descriptor, environment, currency
