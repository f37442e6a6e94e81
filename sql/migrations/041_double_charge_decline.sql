-- A double_charge_risk keeps the decline its order was paired with as its
-- ledger value (the ledger's side of field rescue), where explain finds it;
-- it read the ' for decline <id>' the detail ended with, and a reworded
-- detail would have hidden every decline's risk without an error. The
-- findings of runs stored before this get it once, here, from that detail:
-- the text after the one wording classify wrote, taken whole, not matched by
-- a pattern: a transaction id is any text, and a line break in one made
-- regexp_extract's '.+$' match nothing, an empty ledger value.
UPDATE findings SET ledger_value = substr(detail, length(w.words) + 1)
FROM (SELECT 'the merchant''s retry was approved after FlexCharge completed the order for decline ' AS words) w
WHERE category = 'double_charge_risk' AND ledger_value IS NULL AND starts_with(detail, w.words);
