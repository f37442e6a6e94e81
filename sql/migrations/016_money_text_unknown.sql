-- money_text of a currency flexrecon does not know (a FlexCharge order may
-- carry any code, or none): the minor units as given, as the workbook and
-- explain show them, never guessed into major units with two decimals.
CREATE OR REPLACE MACRO money_text(minor, currency) AS (
    WITH d AS (
        SELECT coalesce((SELECT digits FROM currencies WHERE code = currency), 0) AS n,
               CAST(abs(minor) AS VARCHAR) AS raw
    ),
    p AS (SELECT n, lpad(raw, CAST(greatest(length(raw), n + 1) AS INTEGER), '0') AS s FROM d)
    SELECT CASE WHEN minor < 0 THEN '-' ELSE '' END
        || CASE WHEN n = 0 THEN s ELSE substr(s, 1, length(s) - n) || '.' || substr(s, length(s) - n + 1) END
    FROM p
);
