-- The FlexCharge side of a run's "Sites and descriptors" sheet, as the run
-- found it. The sheet sums the orders the run linked (matched to a decline,
-- or orphans) under the site, descriptor, currency and amount FlexCharge
-- holds; read again from fc_orders at each download, an old run's workbook
-- changed whenever FlexCharge updated one of its orders.
CREATE TABLE run_order_sites (
    run_id     BIGINT NOT NULL,
    merchant   VARCHAR NOT NULL,
    site       VARCHAR NOT NULL,
    descriptor VARCHAR NOT NULL,
    currency   VARCHAR,
    fc_orders  BIGINT NOT NULL,
    fc_amount  BIGINT
);

-- order_sites(run): those sums, from the orders as they are now.
CREATE MACRO order_sites(run) AS TABLE
WITH linked AS (
    SELECT partner_merchant_id AS merchant, fc_order_id AS id FROM results WHERE run_id = run AND fc_order_id IS NOT NULL
    UNION
    SELECT coalesce(f.partner_merchant_id, ''), o.id
    FROM findings f JOIN fc_orders o ON o.id = f.fc_order_id
    WHERE f.run_id = run AND f.category = 'orphan_order'
)
SELECT l.merchant, coalesce(o.site_url, '') AS site, coalesce(o.descriptor, '') AS descriptor, o.currency,
    count(*) AS fc_orders, CAST(sum(o.amount) AS BIGINT) AS fc_amount
FROM linked l
JOIN fc_orders o ON o.id = l.id
GROUP BY ALL;

-- The runs before this table get theirs from the orders as they are now,
-- the best left to know.
INSERT INTO run_order_sites
WITH linked AS (
    SELECT run_id, partner_merchant_id AS merchant, fc_order_id AS id FROM results WHERE fc_order_id IS NOT NULL
    UNION
    SELECT f.run_id, coalesce(f.partner_merchant_id, ''), o.id
    FROM findings f JOIN fc_orders o ON o.id = f.fc_order_id
    WHERE f.category = 'orphan_order'
)
SELECT l.run_id, l.merchant, coalesce(o.site_url, '') AS site, coalesce(o.descriptor, '') AS descriptor, o.currency,
    count(*), CAST(sum(o.amount) AS BIGINT)
FROM linked l
JOIN fc_orders o ON o.id = l.id
GROUP BY ALL;
