-- The POST /api/runs Idempotency-Keys that started a run, so that a client
-- retrying after the service restarted (the usual moment to retry) gets the
-- run its key started, not a second one. Kept in memory only, a restart
-- forgot them. A key is known by its user and a digest of it (a client may
-- make its keys of anything: none of it is kept), with the run it asked
-- (the request's fields and as_of, to refuse the key asking another), the
-- run it started and when; older than a day it is ignored, and pruned.
CREATE TABLE idempotency_keys (
    user_name  VARCHAR NOT NULL,
    key_digest VARCHAR NOT NULL,
    asked      VARCHAR NOT NULL,
    run_id     BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_name, key_digest)
);
