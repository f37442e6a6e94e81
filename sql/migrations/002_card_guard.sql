-- The card-number guard, as SQL so DuckDB applies it while it reads a file.

-- luhn_ok: do these ASCII digits pass the Luhn check?
CREATE MACRO luhn_ok(digits) AS (
    list_sum(list_transform(list_reverse(string_split(digits, '')), (c, i) ->
        CASE WHEN i % 2 = 0
             THEN CASE WHEN CAST(c AS INTEGER) * 2 > 9 THEN CAST(c AS INTEGER) * 2 - 9 ELSE CAST(c AS INTEGER) * 2 END
             ELSE CAST(c AS INTEGER) END)) % 10 = 0
);

-- card_like: does text hold 13 to 19 digits (spaces or dashes between them
-- allowed) that pass Luhn, i.e. something that looks like a full card number?
CREATE MACRO card_like(text) AS (
    regexp_matches(coalesce(text, ''), '[0-9](?:[ -]?[0-9]){12}')
    AND len(list_filter(
        list_transform(regexp_extract_all(text, '[0-9](?:[ -]?[0-9])*'), x -> regexp_replace(x, '[ -]', '', 'g')),
        d -> len(d) BETWEEN 13 AND 19 AND luhn_ok(d))) > 0
);
