-- Data for the classify benchmarks: {{rows}} ledger rows a day for three
-- merchants and as many FlexCharge orders, over {{days}} days ending with
-- the judged one (2026-11-23), each day a file of its own, loaded oldest
-- first as nightly runs would. Made by range() so that setting up costs
-- seconds, not minutes. Four in five rows are declines; every order names
-- its row, so declines find theirs and the orders of approvals are orphans.
-- Oldest first is sorted before the rows are made, on two integers.
-- A row's ids are its number over all days, so the judged day's are those
-- of a single day's data. Statements are separated by a line ending in ';'.

INSERT INTO ledger_files (id, source, name, sha256, size, business_date, rows, quarantined, duplicates, outcome, loaded_at)
SELECT d + 1, 'bench', 'ledger_' || strftime(DATE '2026-11-23' - CAST(d AS INTEGER), '%Y-%m-%d') || '.csv', '', 0, DATE '2026-11-23' - CAST(d AS INTEGER),
    {{rows}}, 0, 0, 'loaded', TIMESTAMPTZ '2026-11-24 06:00:00+00' - to_days(d)
FROM range({{days}}) t(d);

INSERT INTO ledger_rows BY NAME
SELECT d + 1 AS file_id, i AS line, 'M' || (i % 3 + 1) AS partner_merchant_id, 'P' || (i % 3 + 1) AS mid,
    'O' || (d * {{rows}} + i) AS order_id, 'T' || (d * {{rows}} + i) AS transaction_id, 1 AS occurrence,
    TIMESTAMPTZ '2026-11-23 00:00:00+00' - to_days(d) + to_seconds(i % 86400) AS processed_at,
    1000 + i % 5000 AS amount, 'USD' AS currency,
    CASE WHEN i % 5 = 0 THEN 'approved' ELSE 'declined' END AS status,
    '05' AS response_code, 'nmi' AS response_code_source,
    CASE WHEN i % 4 = 0 THEN 'MIT' ELSE 'CIT' END AS initiator, 'web' AS channel,
    CASE WHEN i % 4 = 0 THEN 'mit' ELSE 'cit_web' END AS profile, i % 4 = 0 AS is_recurring,
    'https://m' || (i % 3 + 1) || '.example' AS site_url, 'SHOP*' || (i % 3 + 1) AS descriptor,
    'production' AS environment, '400000' AS card_bin, '1234' AS card_last4,
    CASE WHEN i % 3 <> 0 THEN 'K' || (d * {{rows}} + i) END AS fc_transmit_key
FROM (SELECT d, i FROM range({{days}}) s(d), range({{rows}}) t(i) ORDER BY d DESC, i);

INSERT INTO fc_orders BY NAME
SELECT 'production' AS environment, 'F' || (d * {{rows}} + i) AS id, 'O' || (d * {{rows}} + i) AS external_order_id, 'P' || (i % 3 + 1) AS mid,
    1000 + i % 5000 + CASE WHEN i % 1000 = 0 THEN 1 ELSE 0 END AS amount, 'USD' AS currency,
    i % 4 = 0 AS is_mit, 'web' AS order_source, 'sid-' || (i % 3 + 1) AS site_id,
    'https://m' || (i % 3 + 1) || '.example' AS site_url, 'SHOP*' || (i % 3 + 1) AS descriptor,
    'T' || (d * {{rows}} + i) AS transaction_id, [7, 2, 4, 6, 7, 2, 7][i % 7 + 1] AS status,
    ['COMPLETED', 'CANCELLED', 'PROCESSING', 'RETURNED', 'COMPLETED', 'CANCELLED', 'COMPLETED'][i % 7 + 1] AS status_name,
    TIMESTAMPTZ '2026-11-23 00:01:00+00' - to_days(d) + to_seconds(i % 86400) AS placed_at,
    TIMESTAMPTZ '2026-11-23 00:01:00+00' - to_days(d) + to_seconds(i % 86400) AS created_on,
    TIMESTAMPTZ '2026-11-26 00:00:00+00' - to_days(d) AS expiry_at, false AS is_test_mode,
    TIMESTAMPTZ '2026-11-24 07:30:00+00' - to_days(d) AS fetched_at
FROM (SELECT d, i FROM range({{days}}) s(d), range({{rows}}) t(i) ORDER BY d DESC, i);

CHECKPOINT;
