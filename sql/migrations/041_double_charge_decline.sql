-- A double_charge_risk keeps the decline its order was paired with as its
-- ledger value (the ledger's side of field rescue), where explain finds it;
-- it read the ' for decline <id>' the detail ended with, and a reworded
-- detail would have hidden every decline's risk without an error. The
-- findings of runs stored before this get it once, here, from that detail.
UPDATE findings SET ledger_value = regexp_extract(detail, ' for decline (.+)$', 1)
WHERE category = 'double_charge_risk' AND ledger_value IS NULL AND detail LIKE '% for decline %';
