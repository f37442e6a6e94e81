-- The transmit outbox becomes an append-only log. A batch used to replace
-- its intents into transmits and then update them with the answers; both
-- statements look every key up in the whole table (its ART index on insert,
-- a hash join scanning it on UPDATE ... FROM), so with gateway transaction
-- ids, which are not clustered, a batch's commit grew with every transmit
-- ever made (128 intents and answers: 9 ms over an empty outbox, 44 ms over
-- a million transmits). Appending events costs the same whatever the log holds.
CREATE SEQUENCE transmit_event_seq START 1;

-- One row per intent (state 'intent', written before the call) and per
-- answer ('sent' or 'failed', written after it). A key's latest event is its
-- state; an intent that is still the latest never got its answer.
CREATE TABLE transmit_events (
    seq                 BIGINT NOT NULL DEFAULT nextval('transmit_event_seq'),
    partner_merchant_id VARCHAR NOT NULL,
    transaction_id      VARCHAR NOT NULL,
    environment         VARCHAR NOT NULL,
    mid                 VARCHAR NOT NULL,
    state               VARCHAR NOT NULL,    -- intent | sent | failed
    transmit_key        VARCHAR,
    error               VARCHAR,
    in_doubt            BOOLEAN NOT NULL,    -- the intent resends one that never got an answer
    retryable           BOOLEAN NOT NULL,    -- a failure a later run may try again
    intent_at           TIMESTAMPTZ,         -- intents only: when it was recorded
    done_at             TIMESTAMPTZ,         -- answers only: the answering run's clock (as-of)
    run_id              BIGINT NOT NULL
);

INSERT INTO transmit_events (partner_merchant_id, transaction_id, environment, mid, state, transmit_key, error,
    in_doubt, retryable, intent_at, done_at, run_id)
SELECT partner_merchant_id, transaction_id, environment, mid, state, transmit_key, error,
    in_doubt, retryable, intent_at, done_at, run_id
FROM transmits;

DROP TABLE transmits;

-- transmits keeps its columns for every reader (classify, explain, push):
-- each key's latest event, with the time of its latest intent. A hash
-- aggregate over the log: at 100k keys it adds about 40 ms to a join with
-- ten million ledger rows. arg_max_null keeps an answer's NULL key or error
-- where arg_max would skip to an older event's.
CREATE VIEW transmits AS
SELECT partner_merchant_id, transaction_id,
    arg_max(environment, seq) AS environment,
    arg_max(mid, seq) AS mid,
    arg_max(state, seq) AS state,
    arg_max_null(transmit_key, seq) AS transmit_key,
    arg_max_null(error, seq) AS error,
    arg_max(in_doubt, seq) AS in_doubt,
    arg_max(retryable, seq) AS retryable,
    arg_max(intent_at, seq) AS intent_at,
    arg_max_null(done_at, seq) AS done_at,
    arg_max(run_id, seq) AS run_id
FROM transmit_events
GROUP BY partner_merchant_id, transaction_id;

-- push_batch only ever holds the batch being recorded, so it is recreated
-- with one more column: which staged outcomes were decided without a call
-- (dry run, too old, no credentials), and so answer no intent in the log.
DROP TABLE push_batch;
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
    run_clock           TIMESTAMPTZ NOT NULL,
    local               BOOLEAN NOT NULL
);
