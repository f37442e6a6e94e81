-- An order's amount, currency and isMIT may be unknown. The contract only
-- assumes the names "amount" and "isMIT", and an order may carry any of the
-- three as null. Stored as 0, "XXX" or false, an unknown value read
-- as a difference: every order would have been flagged against its decline.
-- NULL compares as no difference, and findings show no FlexCharge value.
ALTER TABLE fc_orders ALTER COLUMN amount DROP NOT NULL;
ALTER TABLE fc_orders ALTER COLUMN currency DROP NOT NULL;
ALTER TABLE fc_orders ALTER COLUMN is_mit DROP NOT NULL;

-- order_profile(is_mit, order_source): the profile an order was evaluated
-- under. isMIT decides when FlexCharge gives it; otherwise the order source
-- does ("recurring" is MIT); with neither, the profile is unknown (NULL).
CREATE OR REPLACE MACRO order_profile(is_mit, order_source) AS
    CASE
        WHEN coalesce(is_mit, order_source = 'recurring') THEN 'mit'
        WHEN order_source = 'callcenter' THEN 'cit_callcenter'
        WHEN is_mit IS NOT NULL OR coalesce(order_source, '') <> '' THEN 'cit_web'
    END;

-- order_sites(run) as in 018, but an order whose currency is unknown is
-- summed under its decline's currency (an orphan's, under XXX, ISO's "no
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
)
SELECT l.merchant, coalesce(o.site_url, '') AS site, coalesce(o.descriptor, '') AS descriptor,
    coalesce(o.currency, l.ledger_currency, 'XXX') AS currency,
    count(*) AS fc_orders, CAST(sum(o.amount) AS BIGINT) AS fc_amount
FROM linked l
JOIN fc_orders o ON o.id = l.id
GROUP BY ALL;
