-- Pulls stage their orders in a temporary table (clear-orders-stage), which
-- start-up also makes before it prepares the queries: 001's persistent
-- fc_orders_stage is written by nothing.
DROP TABLE fc_orders_stage;
