-- The orders a run found beside a decline's primary one (a duplicate
-- evaluate), with the decline's merchant and currency: results name only the
-- primary order, and the Sites sheet must count FlexCharge's every order.
-- Few rows: one per extra order.
CREATE TABLE run_extra_orders (
    run_id              BIGINT NOT NULL,
    partner_merchant_id VARCHAR NOT NULL,
    currency            VARCHAR NOT NULL,
    fc_order_id         VARCHAR NOT NULL
);

-- order_sites(run) as in 018, with the run's extra orders, each under its
-- decline's merchant. An order whose currency is unknown (019) is summed
-- under its decline's currency (an orphan's under XXX, ISO's "no
-- currency"): the Sites sheet needs a currency to format each amount in,
-- and its ledger and FlexCharge sides meet on it. An unknown amount adds
-- nothing to the sum, and a group of unknown amounts sums to NULL.
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
    count(*) AS fc_orders, CAST(sum(o.amount) AS BIGINT) AS fc_amount
FROM linked l
JOIN fc_orders o ON o.id = l.id
GROUP BY ALL;
