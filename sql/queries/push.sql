-- name: push-candidates
-- What this run should transmit: untransmitted transactions (and failures a
-- later run may retry) with the fields /transmit needs. $1 run id. A send
-- is in doubt (in_doubt) when FlexCharge may
-- hold a copy already: an intent never answered (a run that crashed or was
-- stopped under its call, whether or not the answers of its batch's other
-- calls had come), or a failure in doubt (an attempt's answer was lost, or
-- came without a key to read).
-- At most once: no run sends a transaction in doubt again on its own.
-- /transmit has no idempotency key, so a resend may be a second copy: it is
-- listed push_in_doubt instead (in-doubt-findings), until a key reaches it
-- from the ledger or a transmit log, or ops, having checked with
-- FlexCharge that it holds no copy, resend it (reconcile --resend-in-doubt),
-- which lists it again as sent in doubt. The push leaves them out and
-- counts them, unless asked to resend (so no second pass over the run's
-- results counts them: at 10M rows one cost about 2 s).
SELECT r.partner_merchant_id, r.merchant_name, r.transaction_id, r.order_id, r.environment, r.mid,
    r.processed_at, r.amount, r.currency, r.status, r.profile, l.is_recurring,
    coalesce(l.response_code, '') AS response_code, coalesce(l.response_code_source, '') AS response_code_source,
    coalesce(r.site_url, '') AS site_url, coalesce(r.descriptor, '') AS descriptor,
    coalesce(CASE r.environment WHEN 'sandbox' THEN s.site_id_sandbox ELSE s.site_id_production END, '') AS site_id,
    coalesce(l.card_bin, '') AS card_bin, coalesce(l.card_last4, '') AS card_last4,
    coalesce(t.state = 'intent' OR t.in_doubt, false) AS in_doubt
FROM results r
JOIN ledger_tx l ON l.file_id = r.file_id AND l.line = r.line
LEFT JOIN sites s ON s.merchant_id = r.partner_merchant_id AND s.url = r.site_url
LEFT JOIN transmits t ON t.partner_merchant_id = r.partner_merchant_id AND t.transaction_id = r.transaction_id
WHERE r.run_id = $1 AND r.occurrence = 1 AND r.mid IS NOT NULL
  AND (r.transmit_state = 'untransmitted' OR (r.transmit_state = 'push_failed' AND t.retryable))
ORDER BY r.partner_merchant_id, r.processed_at, r.transaction_id;

-- name: clear-push-batch
-- push_batch holds one batch: the outcomes of one batch of calls, or of
-- records decided without one (local), and the intents (outcome 'intent') of the next.
DELETE FROM push_batch;

-- name: record-transmit-events
-- Appends to the outbox log the batch's intents (before their calls: if the
-- process dies before the answers, the next run finds these still the
-- latest events and knows the transmits are in doubt) and the answers of
-- the calls made (keys and refusals; done_at is the run's clock). Records
-- decided without a call have no intent to answer and leave the log alone.
-- Appending looks nothing up, so a batch costs the same however long the log.
INSERT INTO transmit_events (partner_merchant_id, transaction_id, environment, mid, state, transmit_key, error,
    in_doubt, retryable, intent_at, done_at, run_id)
SELECT partner_merchant_id, transaction_id, environment, mid,
    CASE outcome WHEN 'intent' THEN 'intent' WHEN 'pushed' THEN 'sent' ELSE 'failed' END,
    transmit_key, error, in_doubt, retryable,
    CASE WHEN outcome = 'intent' THEN recorded_at END,
    CASE WHEN outcome <> 'intent' THEN run_clock END,
    run_id
FROM push_batch WHERE outcome = 'intent' OR (outcome IN ('pushed', 'failed') AND NOT local);

-- name: record-pushes
INSERT INTO pushes (run_id, partner_merchant_id, transaction_id, environment, outcome, transmit_key, error, in_doubt, pushed_at)
SELECT run_id, partner_merchant_id, transaction_id, environment, outcome, transmit_key, error, in_doubt, recorded_at
FROM push_batch WHERE outcome <> 'intent';

-- name: apply-pushes
-- After pushing: the run's verdicts show what the pushes achieved. $1 run id.
UPDATE verdicts SET transmit_key = p.transmit_key, transmit_state = p.transmit_state
FROM (
    SELECT r.file_id, r.line, t.transmit_key,
        CASE WHEN t.state = 'sent' AND t.done_at > r.processed_at + INTERVAL 24 HOUR THEN 'transmitted_late'
             WHEN t.state = 'sent' THEN 'pushed'
             WHEN t.state = 'failed' THEN 'push_failed'
             ELSE r.transmit_state END AS transmit_state
    FROM results r JOIN transmits t ON t.partner_merchant_id = r.partner_merchant_id AND t.transaction_id = r.transaction_id
    WHERE r.run_id = $1 AND r.transmit_state IN ('untransmitted', 'push_failed')
) p
WHERE verdicts.run_id = $1 AND verdicts.file_id = p.file_id AND verdicts.line = p.line;

-- name: in-doubt-findings
-- $1 run id. In doubt: resent after an intent that got no answer, or such an
-- intent still unanswered (no run resends it unless ops ask, and even then
-- not when too old or in a dry run), unless the transaction has its key from
-- elsewhere since (the ledger, a transmit log), or failed after an attempt
-- whose answer was lost. An intent outlives a run only if the run died or
-- stopped under its call.
-- An unanswered intent is listed by every run until one answers it: it waits
-- for ops (reconcile --resend-in-doubt). An answered doubt (a copy sent again, or one
-- whose resend FlexCharge refused with a 4xx and is never sent again) is
-- listed once, by the first succeeded run (not a dry run) from the one whose
-- push raised it: listed each night its day is judged again, it read as a
-- new problem every night, and nothing a run does changes it. Later runs
-- count it (doubts-listed-before); explain shows it; a new doubt of the same
-- transaction (a later resend) is listed again.
-- An unanswered intent on a transaction no longer expected at /transmit
-- (not_expected: a refund, void or chargeback an older release pushed, or
-- test traffic) is never sent again, so no run will answer it: it is listed
-- once too, as an answered doubt is. Listed every night, it read as a new
-- problem that nothing could settle; dropped, nobody would learn that
-- FlexCharge may hold a refund as an approved payment.
-- So is an unanswered resend (an intent itself in doubt) whose transaction
-- has its key from the ledger or a transmit log since: FlexCharge holds a
-- copy, and may hold the resent one too. No run sends it again (it is
-- transmitted), so none answers it; listed every night it read as new, while
-- the health page (open-doubts) rightly leaves it out: nothing is left to
-- resend.
INSERT INTO findings BY NAME
SELECT $1 AS run_id, 'push_in_doubt' AS category, r.partner_merchant_id, r.site_url, r.profile, r.order_id,
    r.transaction_id, r.occurrence, t.transmit_key AS fc_value, 'transmit' AS field, r.processed_at, r.environment,
    CASE WHEN t.state = 'intent' AND r.transmit_state = 'not_expected'
             THEN 'a push got no answer: FlexCharge may hold this copy, which is no longer expected and is not sent again'
         WHEN t.state = 'intent' AND r.transmit_state IN ('transmitted', 'transmitted_late')
             THEN 'a push sent again got no answer, and the ledger has its key since: FlexCharge may hold two copies'
         WHEN t.state = 'intent' THEN 'a push got no answer: FlexCharge may already hold this copy'
         WHEN t.state = 'failed' AND NOT t.retryable
             THEN 'a push got no answer and FlexCharge refused it since: it may hold this copy, which is not sent again'
         WHEN t.state = 'failed' THEN 'a push got no answer and failed since: FlexCharge may already hold this copy'
         ELSE 'an earlier push got no answer and was sent again: FlexCharge may hold two copies' END AS detail
FROM results r JOIN transmits t ON t.partner_merchant_id = r.partner_merchant_id AND t.transaction_id = r.transaction_id
WHERE r.run_id = $1 AND r.occurrence = 1
  -- Implied by the test below, but read on transmits alone: DuckDB then
  -- joins the few such transmits to the ledger first, not after joining the
  -- run's 10M verdicts to their rows (at 10M: 0.5 s against 1.4 s).
  AND (t.state = 'intent' OR t.in_doubt)
  AND (t.state = 'intent' AND r.transmit_state NOT IN ('not_expected', 'transmitted', 'transmitted_late')
       OR (t.state <> 'intent' AND t.in_doubt OR t.state = 'intent' AND (r.transmit_state = 'not_expected'
               OR t.in_doubt AND r.transmit_state IN ('transmitted', 'transmitted_late')))
           AND NOT doubt_listed(r.partner_merchant_id, r.transaction_id, t.run_id, $1))
  AND NOT EXISTS (SELECT 1 FROM findings f WHERE f.run_id = $1 AND f.category = 'push_in_doubt'
                  AND f.partner_merchant_id = r.partner_merchant_id AND f.transaction_id = r.transaction_id);

-- name: doubts-listed-before
-- $1 run id. The answered doubts among the run's transactions that an
-- earlier run listed (in-doubt-findings), which this one does not list again:
-- answered ones, and unanswered intents no run will answer (not_expected,
-- or a resend whose key came from the ledger since).
SELECT count(*) FROM results r
JOIN transmits t ON t.partner_merchant_id = r.partner_merchant_id AND t.transaction_id = r.transaction_id
WHERE r.run_id = $1 AND r.occurrence = 1
  AND (t.state = 'intent' OR t.in_doubt) -- as in in-doubt-findings, for the join order
  AND (t.state <> 'intent' AND t.in_doubt OR t.state = 'intent' AND (r.transmit_state = 'not_expected'
          OR t.in_doubt AND r.transmit_state IN ('transmitted', 'transmitted_late')))
  AND doubt_listed(r.partner_merchant_id, r.transaction_id, t.run_id, $1);
