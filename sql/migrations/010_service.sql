-- The service's own records: who did what, and the webhook events received.

CREATE SEQUENCE audit_id_seq;
CREATE TABLE audit_log (
    id      BIGINT PRIMARY KEY,
    happened_at TIMESTAMPTZ NOT NULL,
    actor   VARCHAR NOT NULL,          -- user name, or "scheduler"
    action  VARCHAR NOT NULL,          -- login | run | switch | ...
    detail  VARCHAR NOT NULL
);

-- One row per webhook event, however often FlexCharge resends it.
CREATE TABLE webhook_events (
    dedupe_key        VARCHAR PRIMARY KEY, -- environment|OrderId|Event|TimeStamp (web/webhook.go)
    environment       VARCHAR NOT NULL,
    event             VARCHAR NOT NULL,
    order_id          VARCHAR NOT NULL,
    external_order_id VARCHAR,
    confirmation_id   VARCHAR,
    event_at          TIMESTAMPTZ NOT NULL,
    is_test_mode      BOOLEAN NOT NULL,
    body              VARCHAR NOT NULL,
    received_at       TIMESTAMPTZ NOT NULL,
    deliveries        INTEGER NOT NULL
);
