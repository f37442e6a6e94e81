-- name: clear-orders-stage
-- Temporary, so the pulled copies are neither logged nor checkpointed on
-- their way into fc_orders; it hides the migration's fc_orders_stage on this
-- connection.
CREATE OR REPLACE TEMP TABLE fc_orders_stage AS SELECT * FROM fc_orders LIMIT 0;

-- name: merge-orders-stage
-- Replace fetched orders by their newest copy.
INSERT OR REPLACE INTO fc_orders SELECT * FROM fc_orders_stage
QUALIFY row_number() OVER (PARTITION BY environment, id ORDER BY fetched_at DESC) = 1;
