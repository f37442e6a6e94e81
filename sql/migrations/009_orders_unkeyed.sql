-- fc_orders without its PRIMARY KEY. Keeping one row per (environment, id)
-- is the pull's merge's work (orders.sql); the key's index made a merge of
-- 1.9M orders cost about 12 s of CPU, and a delete-then-insert of the same
-- keys in one transaction far more. String columns name their compression, as
-- ledger_rows' do (006), so a write skips DuckDB's per-row-group analysis:
-- none for per-order values, a dictionary (dict_fsst) for values that
-- repeat. A webhook finds its order by id with a scan, and an uncompressed
-- column scans in half the time of an FSST one (3.8M rows: 23 against
-- 49 ms), for about 20 more bytes an order.

CREATE TABLE fc_orders_unkeyed (
    environment       VARCHAR USING COMPRESSION dict_fsst NOT NULL,
    id                VARCHAR USING COMPRESSION uncompressed NOT NULL,
    external_order_id VARCHAR USING COMPRESSION uncompressed NOT NULL,
    mid               VARCHAR USING COMPRESSION dict_fsst NOT NULL,
    amount            BIGINT NOT NULL,
    currency          VARCHAR USING COMPRESSION dict_fsst NOT NULL,
    is_mit            BOOLEAN NOT NULL,
    order_source      VARCHAR USING COMPRESSION dict_fsst,
    site_id           VARCHAR USING COMPRESSION dict_fsst,
    site_url          VARCHAR USING COMPRESSION dict_fsst,
    descriptor        VARCHAR USING COMPRESSION dict_fsst,
    transaction_id    VARCHAR USING COMPRESSION uncompressed,
    status            INTEGER NOT NULL,
    status_name       VARCHAR USING COMPRESSION dict_fsst,
    placed_at         TIMESTAMPTZ,
    created_on        TIMESTAMPTZ NOT NULL,
    expiry_at         TIMESTAMPTZ,
    is_test_mode      BOOLEAN NOT NULL,
    fetched_at        TIMESTAMPTZ NOT NULL
);
INSERT INTO fc_orders_unkeyed SELECT * FROM fc_orders;
DROP TABLE fc_orders;
ALTER TABLE fc_orders_unkeyed RENAME TO fc_orders;

-- fc_orders_stage stays, though no pull writes to it (each stages in a
-- temporary table of the same name, orders.sql): start-up prepares the merge
-- against it. Its columns are fc_orders' still.
