-- The card guard also finds a card number written beside other digits: a
-- descriptor "CARD 4111 1111 1111 1111 123" or "4111111111111111 12/28"
-- holds one, though the whole run of digits (18 or 19) fails Luhn. Within a
-- run (digits with at most one space or dash between two), the digits of
-- any consecutive groups between its spaces and dashes, 13 to 19 long, are
-- tried. A run without separators is tried whole, as before: checking every
-- 13 to 19 digits inside a long number would flag one in ten of them.
-- ledger.CardLike is the same rule in Go.

-- card_spans: the digits of every run of up to 19 consecutive groups of g.
CREATE MACRO card_spans(g) AS (
    flatten(list_transform(range(1, len(g) + 1), i ->
        list_transform(range(i, least(len(g), i + 18) + 1), j -> array_to_string(g[i:j], ''))))
);

CREATE OR REPLACE MACRO card_like(text) AS (
    regexp_matches(coalesce(text, ''), '[0-9](?:[ -]?[0-9]){12}')
    AND len(list_filter(
        flatten(list_transform(regexp_extract_all(text, '[0-9](?:[ -]?[0-9])*'), r -> card_spans(string_split_regex(r, '[ -]')))),
        d -> len(d) BETWEEN 13 AND 19 AND luhn_ok(d))) > 0
);
