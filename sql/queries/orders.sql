-- name: clear-orders-stage
DELETE FROM fc_orders_stage;

-- name: merge-orders-stage
-- Replace fetched orders by their newest copy.
INSERT OR REPLACE INTO fc_orders SELECT * FROM fc_orders_stage
QUALIFY row_number() OVER (PARTITION BY environment, id ORDER BY fetched_at DESC) = 1;
