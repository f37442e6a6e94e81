-- name: insert-audit
INSERT INTO audit_log (id, happened_at, actor, action, detail) VALUES (nextval('audit_id_seq'), $1, $2, $3, $4);

-- name: list-audit
SELECT id, happened_at AS "at", actor, action, detail FROM audit_log ORDER BY id DESC LIMIT $1;

-- name: insert-webhook-event
-- A resent event finds its key taken: it only counts the delivery.
INSERT INTO webhook_events (dedupe_key, environment, event, order_id, external_order_id, confirmation_id,
    event_at, is_test_mode, body, received_at, deliveries)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1)
ON CONFLICT (dedupe_key) DO UPDATE SET deliveries = webhook_events.deliveries + 1
RETURNING deliveries;

-- name: webhook-order-status
-- An event moves the stored order only when it is newer than what was last
-- fetched, so a late resend never undoes a fresher GET /orders.
UPDATE fc_orders SET status = $3, status_name = $4, fetched_at = $5
WHERE environment = $1 AND id = $2 AND fetched_at <= $5;

-- name: count-webhook-events
SELECT count(*) FROM webhook_events;

-- name: last-nightly-success
-- The latest night a nightly run covered successfully, by its last day.
SELECT max(window_to) FROM runs WHERE kind = 'nightly' AND status = 'succeeded';

-- name: nightly-caught-up
-- The last night no nightly run is owed for: the latest a nightly run
-- covered successfully, else the night before the first one made (it was
-- due, and failed or never finished: a start catches it up). NULL with no
-- nightly run at all: the schedule starts them.
SELECT coalesce(max(window_to) FILTER (WHERE status = 'succeeded'), min(window_to) - 1)
FROM runs WHERE kind = 'nightly';

-- name: last-successes
-- When the last succeeded run of each kind ended, for /metrics at start-up.
SELECT kind, max(finished_at) AS finished_at FROM runs WHERE status = 'succeeded' GROUP BY kind ORDER BY kind;

-- name: last-whole-run
-- The last succeeded run over every merchant that was not a dry run; 0 if none.
SELECT coalesce(max(id), 0) FROM runs WHERE status = 'succeeded' AND NOT dry_run AND merchant IS NULL;

-- name: earliest-pending
-- When the earliest decline the latest succeeded nightly run left pending was
-- processed, if at or after $1: a night judges it again until it settles.
SELECT min(l.processed_at) FROM verdicts v
JOIN ledger_rows l ON l.file_id = v.file_id AND l.line = v.line
WHERE v.run_id = (SELECT max(id) FROM runs WHERE kind = 'nightly' AND status = 'succeeded' AND coalesce(merchant, '') = '')
  AND v.outcome_state = 'pending' AND l.processed_at >= $1;

-- name: run-stages
SELECT stage, started_at, finished_at, coalesce(rows, 0) AS rows, coalesce(detail, '') AS detail
FROM run_stages WHERE run_id = $1 ORDER BY started_at;

-- name: run-exceptions
-- A quarantined row has no ledger value to show: its detail (file, line and
-- why) stands in the ledger's column. The environment is the finding's, as
-- the Exceptions sheet shows it (a quarantined row has none).
SELECT category, coalesce(partner_merchant_id, '') AS merchant, coalesce(environment, '') AS environment,
    coalesce(transaction_id, '') AS transaction_id, coalesce(fc_order_id, '') AS fc_order_id, coalesce(field, '') AS field,
    coalesce(ledger_value, CASE WHEN category = 'quarantined' THEN detail END, '') AS ledger_value, coalesce(fc_value, '') AS fc_value
FROM findings WHERE run_id = $1 ORDER BY category, merchant, transaction_id LIMIT $2;

-- name: order-status
SELECT status FROM fc_orders WHERE environment = $1 AND id = $2;

-- name: end-session
-- $1 digest of the session id, $2 its expiry.
INSERT OR IGNORE INTO ended_sessions VALUES ($1, $2);

-- name: prune-ended-sessions
-- $1 now: a session past its expiry is refused anyway.
DELETE FROM ended_sessions WHERE expires_at < $1;

-- name: ended-sessions
SELECT session_digest, expires_at FROM ended_sessions;

-- name: prune-idempotency-keys
-- $1 the oldest a key is kept (idempotency-key ignores older ones).
DELETE FROM idempotency_keys WHERE created_at < $1;

-- name: keep-idempotency-key
-- $1 user, $2 digest of the key, $3 the run it asked, $4 the run it started,
-- $5 when. An expired key sent again replaces its old row.
INSERT OR REPLACE INTO idempotency_keys VALUES ($1, $2, $3, $4, $5);

-- name: idempotency-key
-- $1 user, $2 digest of the key, $3 the oldest a key is kept.
SELECT * FROM idempotency_keys WHERE user_name = $1 AND key_digest = $2 AND created_at >= $3;

-- name: open-doubts
-- Pushes in doubt that no run has answered, whatever their day (a run lists
-- only its window's, in-doubt-findings): how many transactions, and when the
-- oldest was processed (NULL when none is, or the ledger in force holds none
-- of them). One that got its key from the ledger or a transmit log since is
-- no longer in doubt (classify makes it transmitted), and one a run judged
-- not_expected is left to that run's listing (below).
-- Bounded, where the transmits view aggregates every event ever: an intent
-- outlives its run only when the run failed (stopped under its call, or its
-- process died and abandon-running failed it), so only failed runs' intents
-- are read; a running run's are its calls in flight. The outbox log has no
-- index: it is keyed by (partner_merchant_id, transaction_id), appended in
-- seq order. The few intents found are the hash side of a semi join that
-- scans the log's key columns once for their later events, and of the join
-- to the ledger: scans, with no aggregate of the log (the transmit log, a
-- gateway's keys, is the smaller side of its anti join).
WITH intents AS (
    SELECT e.partner_merchant_id, e.transaction_id, e.seq FROM transmit_events e
    WHERE e.state = 'intent' AND e.run_id IN (SELECT id FROM runs WHERE status = 'failed')
),
latest AS (
    SELECT a.partner_merchant_id, a.transaction_id, max(a.seq) AS seq
    FROM transmit_events a SEMI JOIN intents i USING (partner_merchant_id, transaction_id)
    GROUP BY ALL
),
unanswered AS (
    SELECT DISTINCT i.partner_merchant_id, i.transaction_id FROM intents i JOIN latest USING (partner_merchant_id, transaction_id, seq)
    WHERE NOT EXISTS (SELECT 1 FROM transmit_log g
                      WHERE g.partner_merchant_id = i.partner_merchant_id AND g.transaction_id = i.transaction_id)
),
in_force AS (
    SELECT u.partner_merchant_id, u.transaction_id, l.file_id, l.line, l.occurrence, l.processed_at, l.fc_transmit_key
    FROM unanswered u
    LEFT JOIN ledger_tx l ON l.partner_merchant_id = u.partner_merchant_id AND l.transaction_id = u.transaction_id
),
-- The latest verdict of each one's first occurrence: one judged no longer
-- expected at /transmit (not_expected: a refund, void or chargeback an older
-- release pushed, or test traffic) is never sent again, so no run answers
-- it, and a resend cannot settle it: in-doubt-findings lists it once, and
-- counted here it held the gauge above 0 for good. The few rows found are
-- the hash side of a semi join scanning the verdicts' key columns once.
judged AS (
    SELECT v.file_id, v.line, arg_max(v.transmit_state, v.run_id) AS transmit_state
    FROM verdicts v SEMI JOIN (SELECT file_id, line FROM in_force WHERE occurrence = 1) f USING (file_id, line)
    GROUP BY ALL
),
unkeyed AS (
    SELECT min(i.processed_at) AS processed_at
    FROM in_force i LEFT JOIN judged j USING (file_id, line)
    GROUP BY i.partner_merchant_id, i.transaction_id
    HAVING count(i.fc_transmit_key) = 0 AND NOT coalesce(bool_or(j.transmit_state = 'not_expected'), false)
)
SELECT count(*) AS n, min(processed_at) AS oldest FROM unkeyed;
