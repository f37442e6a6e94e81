-- Findings for two runs; run 7 is the one the tests render. The amounts are
-- chosen to catch float arithmetic (0.10 + 0.20), signs, and currencies with
-- 0 and 3 minor digits.
CREATE TABLE findings (
    run_id       INTEGER,
    category     VARCHAR,
    merchant     VARCHAR,
    amount_minor BIGINT,
    currency     VARCHAR,
    rate         DOUBLE,
    processed_at TIMESTAMPTZ,
    booked       DATE,
    age_days     INTEGER
);
INSERT INTO findings VALUES
    (7, 'missing_in_ledger', 'Acme, Inc.',      10,    'USD', 0.5,   TIMESTAMPTZ '2025-03-09 06:30:00+00', DATE '2025-03-08', 1),
    (7, 'missing_in_ledger', 'Acme, Inc.',      20,    'USD', 0.125, TIMESTAMPTZ '2025-03-09 07:45:10+00', DATE '2025-03-08', 2),
    (7, 'amount_mismatch',   'Bücher "Ost"',    -1999, 'USD', 1,     TIMESTAMPTZ '2025-03-10 23:59:59+00', DATE '2025-03-10', 30),
    (7, 'amount_mismatch',   'Tokyo Tea',       1500,  'JPY', 0,     TIMESTAMPTZ '2025-03-11 00:00:00+00', DATE '2025-03-11', 4),
    (7, 'status_mismatch',   'Kuwait Gold',     12345, 'KWD', NULL,  NULL,                                 NULL,              NULL),
    (7, 'status_mismatch',   'Kuwait Gold',     -5,    'KWD', 0.333, TIMESTAMPTZ '2025-11-02 12:00:00+00', DATE '2025-11-02', 5),
    (7, 'late_transmit',     '=HYPERLINK("x")', NULL,  'USD', 0.01,  TIMESTAMPTZ '2025-01-01 00:00:00+00', DATE '2025-01-01', 0),
    (8, 'late_transmit',     'Other run',       99999, 'USD', 0.2,   TIMESTAMPTZ '2025-01-01 00:00:00+00', DATE '2025-01-01', 9);
