-- Data for BenchmarkClassify10M: {{rows}} ledger rows over one day for three
-- merchants and as many FlexCharge orders, made by range() so that setting up
-- costs seconds, not minutes. Four in five rows are declines; every order
-- names its row, so declines find theirs and the orders of approvals are
-- orphans. Statements are separated by a line ending in ';'.

INSERT INTO ledger_files (id, source, name, sha256, size, business_date, rows, quarantined, duplicates, outcome, loaded_at)
VALUES (1, 'bench', 'ledger_2026-11-23.csv', '', 0, DATE '2026-11-23', {{rows}}, 0, 0, 'loaded', TIMESTAMPTZ '2026-11-24 06:00:00+00');

INSERT INTO ledger_rows BY NAME
SELECT 1 AS file_id, i AS line, 'M' || (i % 3 + 1) AS partner_merchant_id, 'P' || (i % 3 + 1) AS mid,
    'O' || i AS order_id, 'T' || i AS transaction_id, 1 AS occurrence,
    TIMESTAMPTZ '2026-11-23 00:00:00+00' + to_seconds(i % 86400) AS processed_at,
    1000 + i % 5000 AS amount, 'USD' AS currency,
    CASE WHEN i % 5 = 0 THEN 'approved' ELSE 'declined' END AS status,
    '05' AS response_code, 'nmi' AS response_code_source,
    CASE WHEN i % 4 = 0 THEN 'MIT' ELSE 'CIT' END AS initiator, 'web' AS channel,
    CASE WHEN i % 4 = 0 THEN 'mit' ELSE 'cit_web' END AS profile, i % 4 = 0 AS is_recurring,
    'https://m' || (i % 3 + 1) || '.example' AS site_url, 'SHOP*' || (i % 3 + 1) AS descriptor,
    'production' AS environment, '400000' AS card_bin, '1234' AS card_last4,
    CASE WHEN i % 3 <> 0 THEN 'K' || i END AS fc_transmit_key
FROM range({{rows}}) t(i);

INSERT INTO fc_orders BY NAME
SELECT 'production' AS environment, 'F' || i AS id, 'O' || i AS external_order_id, 'P' || (i % 3 + 1) AS mid,
    1000 + i % 5000 + CASE WHEN i % 1000 = 0 THEN 1 ELSE 0 END AS amount, 'USD' AS currency,
    i % 4 = 0 AS is_mit, 'web' AS order_source, 'sid-' || (i % 3 + 1) AS site_id,
    'https://m' || (i % 3 + 1) || '.example' AS site_url, 'SHOP*' || (i % 3 + 1) AS descriptor,
    'T' || i AS transaction_id, [7, 2, 4, 6, 7, 2, 7][i % 7 + 1] AS status,
    ['COMPLETED', 'CANCELLED', 'PROCESSING', 'RETURNED', 'COMPLETED', 'CANCELLED', 'COMPLETED'][i % 7 + 1] AS status_name,
    TIMESTAMPTZ '2026-11-23 00:01:00+00' + to_seconds(i % 86400) AS placed_at,
    TIMESTAMPTZ '2026-11-23 00:01:00+00' + to_seconds(i % 86400) AS created_on,
    TIMESTAMPTZ '2026-11-26 00:00:00+00' AS expiry_at, false AS is_test_mode,
    TIMESTAMPTZ '2026-11-24 07:30:00+00' AS fetched_at
FROM range({{rows}}) t(i);

CHECKPOINT;
