-- money_text: minor units as exact decimal text in their currency's major
-- units (1999 USD → '19.99', 1000 JPY → '1000'), by string arithmetic, never
-- through a float. For values finance reads in findings.
CREATE MACRO money_text(minor, currency) AS (
    WITH d AS (
        SELECT coalesce((SELECT digits FROM currencies WHERE code = currency), 2) AS n,
               CAST(abs(minor) AS VARCHAR) AS raw
    ),
    p AS (SELECT n, lpad(raw, CAST(greatest(length(raw), n + 1) AS INTEGER), '0') AS s FROM d)
    SELECT CASE WHEN minor < 0 THEN '-' ELSE '' END
        || CASE WHEN n = 0 THEN s ELSE substr(s, 1, length(s) - n) || '.' || substr(s, length(s) - n + 1) END
    FROM p
);
