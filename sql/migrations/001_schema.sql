-- The whole schema of flexrecon. Money is BIGINT minor units with its
-- currency beside it; times are TIMESTAMPTZ.

CREATE SEQUENCE run_id_seq START 1;
CREATE TABLE runs (
    id            BIGINT PRIMARY KEY,
    kind          VARCHAR NOT NULL,          -- nightly | adhoc | demo
    window_from   DATE NOT NULL,
    window_to     DATE NOT NULL,
    as_of         TIMESTAMPTZ NOT NULL,      -- the clock the run judges ages by
    merchant      VARCHAR,                   -- NULL: every merchant
    dry_run       BOOLEAN NOT NULL,
    status        VARCHAR NOT NULL,          -- running | succeeded | failed
    started_at    TIMESTAMPTZ NOT NULL,
    finished_at   TIMESTAMPTZ,
    config_hash   VARCHAR NOT NULL,
    version       VARCHAR NOT NULL,
    error         VARCHAR,
    workbook      VARCHAR
);

CREATE TABLE run_stages (
    run_id      BIGINT NOT NULL,
    stage       VARCHAR NOT NULL,
    started_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    rows        BIGINT,
    detail      VARCHAR,
    PRIMARY KEY (run_id, stage)
);

CREATE TABLE currencies (code VARCHAR PRIMARY KEY, digits INTEGER NOT NULL);

-- The merchant registry: who is onboarded, where, and which switches were set when.
CREATE TABLE merchants (id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL);
CREATE TABLE merchant_mids (
    merchant_id VARCHAR NOT NULL,
    environment VARCHAR NOT NULL,
    mid         VARCHAR NOT NULL,
    PRIMARY KEY (merchant_id, environment)
);
CREATE TABLE sites (
    merchant_id        VARCHAR NOT NULL,
    url                VARCHAR NOT NULL,
    descriptor         VARCHAR NOT NULL,
    site_id_sandbox    VARCHAR,
    site_id_production VARCHAR,
    PRIMARY KEY (merchant_id, url)
);
CREATE TABLE campaigns (
    merchant_id VARCHAR NOT NULL,
    site_url    VARCHAR NOT NULL,
    campaign_id VARCHAR NOT NULL,
    PRIMARY KEY (merchant_id, campaign_id)
);
CREATE SEQUENCE switch_id_seq START 1;
CREATE TABLE switches (
    id           BIGINT PRIMARY KEY,
    merchant_id  VARCHAR NOT NULL,
    profile      VARCHAR NOT NULL,
    scope        VARCHAR NOT NULL,       -- merchant | site | campaign
    scope_value  VARCHAR NOT NULL,       -- '' for the merchant, else the site URL or campaign id
    state        VARCHAR NOT NULL,       -- off | sandbox | production
    effective_at TIMESTAMPTZ NOT NULL,
    actor        VARCHAR NOT NULL,
    reason       VARCHAR NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL,
    origin       VARCHAR NOT NULL        -- config | cli | web
);

-- Ledger exports: every file seen, and the rows of the files in force.
CREATE SEQUENCE file_id_seq START 1;
CREATE TABLE ledger_files (
    id            BIGINT PRIMARY KEY,
    source        VARCHAR NOT NULL,
    name          VARCHAR NOT NULL,
    sha256        VARCHAR NOT NULL,
    size          BIGINT NOT NULL,
    business_date DATE,
    rows          BIGINT NOT NULL,
    quarantined   BIGINT NOT NULL,
    duplicates    BIGINT NOT NULL,
    outcome       VARCHAR NOT NULL,      -- loaded | replaced | rejected
    reason        VARCHAR,
    loaded_at     TIMESTAMPTZ NOT NULL,
    run_id        BIGINT,
    replaced_by   BIGINT
);

CREATE TABLE ledger_tx (
    file_id              BIGINT NOT NULL,
    line                 BIGINT NOT NULL,
    partner_merchant_id  VARCHAR NOT NULL,
    mid                  VARCHAR,
    order_id             VARCHAR NOT NULL,
    transaction_id       VARCHAR NOT NULL,
    occurrence           INTEGER NOT NULL,
    processed_at         TIMESTAMPTZ NOT NULL,
    amount               BIGINT NOT NULL,
    currency             VARCHAR NOT NULL,
    status               VARCHAR NOT NULL,
    response_code        VARCHAR,
    response_code_source VARCHAR,
    initiator            VARCHAR NOT NULL,
    channel              VARCHAR NOT NULL,
    profile              VARCHAR NOT NULL,
    is_recurring         BOOLEAN NOT NULL,
    site_url             VARCHAR,
    descriptor           VARCHAR,
    campaign_id          VARCHAR,
    environment          VARCHAR NOT NULL,
    card_bin             VARCHAR,
    card_last4           VARCHAR,
    fc_transmit_key      VARCHAR,
    fc_order_id          VARCHAR
);

CREATE TABLE quarantine (
    file_id     BIGINT NOT NULL,
    line        BIGINT NOT NULL,
    column_name VARCHAR NOT NULL,
    reason      VARCHAR NOT NULL
);

-- FlexCharge's side: orders as last fetched.
CREATE TABLE fc_orders (
    environment       VARCHAR NOT NULL,
    id                VARCHAR NOT NULL,
    external_order_id VARCHAR NOT NULL,
    mid               VARCHAR NOT NULL,
    amount            BIGINT NOT NULL,
    currency          VARCHAR NOT NULL,
    is_mit            BOOLEAN NOT NULL,
    order_source      VARCHAR,
    site_id           VARCHAR,
    site_url          VARCHAR,
    descriptor        VARCHAR,
    transaction_id    VARCHAR,
    status            INTEGER NOT NULL,
    status_name       VARCHAR,
    placed_at         TIMESTAMPTZ,
    created_on        TIMESTAMPTZ NOT NULL,
    expiry_at         TIMESTAMPTZ,
    is_test_mode      BOOLEAN NOT NULL,
    fetched_at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (environment, id)
);
-- Orders as a pull appends them, before they replace fc_orders rows.
CREATE TABLE fc_orders_stage AS SELECT * FROM fc_orders LIMIT 0;

-- The transmit outbox: the intent is written before the call, the key after it.
CREATE TABLE transmits (
    partner_merchant_id VARCHAR NOT NULL,
    transaction_id      VARCHAR NOT NULL,
    environment         VARCHAR NOT NULL,
    mid                 VARCHAR NOT NULL,
    state               VARCHAR NOT NULL,    -- intent | sent | failed
    transmit_key        VARCHAR,
    error               VARCHAR,
    in_doubt            BOOLEAN NOT NULL,    -- an earlier intent never got an answer
    retryable           BOOLEAN NOT NULL,    -- a failure a later run may try again (retries ran out)
    intent_at           TIMESTAMPTZ NOT NULL,
    done_at             TIMESTAMPTZ,             -- the answering run's clock (as-of): verdicts never
                                                 -- depend on when a run happened to execute
    run_id              BIGINT NOT NULL,
    PRIMARY KEY (partner_merchant_id, transaction_id)
);

-- A run's verdicts: one row per ledger transaction in the window, and its findings.
-- The closed vocabularies of a run's verdicts as ENUMs: a run writes ten
-- million rows, and a VARCHAR column costs DuckDB a string compression pass
-- per row group (a second or more per column at that size) where an ENUM is
-- a small integer. Values are listed alphabetically so ORDER BY sorts as the
-- text did; ingest admits no other values.
CREATE TYPE tx_status AS ENUM ('approved', 'chargeback', 'declined', 'error', 'refunded', 'voided');
CREATE TYPE tx_profile AS ENUM ('cit_callcenter', 'cit_web', 'mit');
CREATE TYPE switch_state AS ENUM ('off', 'production', 'sandbox');
CREATE TYPE environment AS ENUM ('production', 'sandbox');
CREATE TYPE transmit_state AS ENUM ('not_expected', 'push_failed', 'pushed', 'transmitted', 'transmitted_late', 'untransmitted');
CREATE TYPE outcome_state AS ENUM ('chargeback', 'expired', 'missed_evaluate', 'not_recovered', 'pending', 'problem', 'recovered', 'refunded');

-- Each VARCHAR column names its compression: unique keys none, the rest a
-- dictionary (dict_fsst; see 006). Left to choose, DuckDB analyses every method on every row
-- group, which costs about a sixth of writing a run's ten million results.
CREATE TABLE results (
    run_id              BIGINT NOT NULL,
    file_id             BIGINT NOT NULL,
    line                BIGINT NOT NULL,
    partner_merchant_id VARCHAR USING COMPRESSION dict_fsst NOT NULL,
    merchant_name       VARCHAR USING COMPRESSION dict_fsst,
    transaction_id      VARCHAR USING COMPRESSION uncompressed NOT NULL,
    occurrence          INTEGER NOT NULL,
    order_id            VARCHAR USING COMPRESSION uncompressed NOT NULL,
    processed_at        TIMESTAMPTZ NOT NULL,
    status              tx_status NOT NULL,
    amount              BIGINT NOT NULL,
    currency            VARCHAR USING COMPRESSION dict_fsst NOT NULL,
    profile             tx_profile NOT NULL,
    site_url            VARCHAR USING COMPRESSION dict_fsst,
    descriptor          VARCHAR USING COMPRESSION dict_fsst,
    switch_state        switch_state NOT NULL,
    switch_id           BIGINT,
    environment         environment,
    mid                 VARCHAR USING COMPRESSION dict_fsst,
    transmit_key        VARCHAR USING COMPRESSION uncompressed,
    transmit_state      transmit_state NOT NULL,
    fc_order_id         VARCHAR USING COMPRESSION uncompressed,
    fc_status           INTEGER,
    outcome_state       outcome_state,
    differs             BOOLEAN NOT NULL    -- the primary order differs in a field a finding names
);

CREATE TABLE findings (
    run_id              BIGINT NOT NULL,
    category            VARCHAR NOT NULL,
    partner_merchant_id VARCHAR USING COMPRESSION dict_fsst,
    site_url            VARCHAR USING COMPRESSION dict_fsst,
    profile             VARCHAR,
    order_id            VARCHAR USING COMPRESSION uncompressed,
    transaction_id      VARCHAR USING COMPRESSION uncompressed,
    occurrence          INTEGER,
    fc_order_id         VARCHAR USING COMPRESSION uncompressed,
    field               VARCHAR USING COMPRESSION dict_fsst,
    ledger_value        VARCHAR USING COMPRESSION dict_fsst,
    fc_value            VARCHAR USING COMPRESSION dict_fsst,
    processed_at        TIMESTAMPTZ,
    detail              VARCHAR USING COMPRESSION dict_fsst
);

-- One batch of push records on its way into transmits and pushes: appended in
-- bulk, then merged by one statement each (single-row statements are slow in DuckDB).
CREATE TABLE push_batch (
    run_id              BIGINT NOT NULL,
    partner_merchant_id VARCHAR NOT NULL,
    transaction_id      VARCHAR NOT NULL,
    environment         VARCHAR NOT NULL,
    mid                 VARCHAR NOT NULL,
    outcome             VARCHAR NOT NULL,
    transmit_key        VARCHAR,
    error               VARCHAR,
    in_doubt            BOOLEAN NOT NULL,
    retryable           BOOLEAN NOT NULL,
    recorded_at         TIMESTAMPTZ NOT NULL,
    run_clock           TIMESTAMPTZ NOT NULL
);

CREATE TABLE pushes (
    run_id              BIGINT NOT NULL,
    partner_merchant_id VARCHAR NOT NULL,
    transaction_id      VARCHAR NOT NULL,
    environment         VARCHAR NOT NULL,
    outcome             VARCHAR NOT NULL,   -- pushed | failed | would_push | too_old
    transmit_key        VARCHAR,
    error               VARCHAR,
    in_doubt            BOOLEAN NOT NULL,
    pushed_at           TIMESTAMPTZ NOT NULL
);
