-- The DuckDB floor for BenchmarkClassify10M: the bare join of the ledger
-- with FlexCharge's orders on (mid, external order id), materialised.
CREATE OR REPLACE TEMP TABLE floor AS
SELECT l.transaction_id, o.id, o.status FROM ledger_tx l
JOIN fc_orders o ON o.mid = l.mid AND o.external_order_id = l.order_id;
