-- Classification of one run, as ordered steps on one connection; each step
-- says its parameters.

-- name: classify-switches
-- The switches a run judges by, as they are when it starts: its steps do not
-- share one transaction, and a switch recorded meanwhile must not judge some
-- of its rows and not others.
CREATE OR REPLACE TEMP TABLE run_switches AS SELECT * FROM switches;

-- name: classify-judge
-- sited(from_ts, to_ts, only_merchant): each ledger transaction processed
-- from from_ts to to_ts (exclusive), of one merchant or of all (''), with its
-- merchant's name and the site it is registered under (by URL, else by
-- descriptor). Findings need no more of a transaction than this. A row may
-- name its site by URL alone (ledger-format.md): its descriptor is then its
-- registered site's, as a row naming only its descriptor has its site's
-- URL; otherwise every order of it was a descriptor_mismatch against
-- nothing.
CREATE OR REPLACE TEMP MACRO sited(from_ts, to_ts, only_merchant) AS TABLE
WITH site_by_descriptor AS (
    SELECT merchant_id, descriptor, min(url) AS url FROM sites GROUP BY ALL
)
SELECT l.file_id, l.line, l.partner_merchant_id, l.mid, l.order_id, l.transaction_id, l.occurrence,
    l.processed_at, l.amount, l.currency, l.status, l.profile, l.site_url,
    coalesce(l.descriptor, su.descriptor) AS descriptor, l.campaign_id,
    l.environment, l.fc_transmit_key, m.name AS merchant_name,
    coalesce(su.url, sd.url) AS reg_site_url
FROM ledger_tx l
LEFT JOIN merchants m ON m.id = l.partner_merchant_id
LEFT JOIN sites su ON su.merchant_id = l.partner_merchant_id AND su.url = l.site_url
LEFT JOIN site_by_descriptor sd ON sd.merchant_id = l.partner_merchant_id AND sd.descriptor = l.descriptor
WHERE l.processed_at >= from_ts AND l.processed_at < to_ts AND (only_merchant = '' OR l.partner_merchant_id = only_merchant);

-- test_traffic(switch_state, row_env): a row the ledger marks sandbox
-- while its profile was in production. It is pushed nowhere
-- (reconciliation.md pushes only to the environment the profile was on in:
-- production takes no copy of test traffic, and the profile was not on in
-- sandbox, where the merchant may have no credentials left).
CREATE OR REPLACE TEMP MACRO test_traffic(switch_state, row_env) AS
    switch_state = 'production' AND row_env = 'sandbox';

-- judged_environment(switch_state, row_env): the environment a transaction
-- is judged and matched in (and pushed in, but test_traffic is not);
-- NULL while its profile is off. Test traffic stays in sandbox under a
-- production switch (matched as a sandbox decline: a production order of
-- it is an environment_mismatch; findings flag the row itself
-- environment_mismatch too). A production row (the column's default,
-- ledger-format.md, so also a row that leaves it empty) goes where its
-- switch is: under a sandbox switch the merchant is testing FlexCharge with
-- copies of its live traffic.
CREATE OR REPLACE TEMP MACRO judged_environment(switch_state, row_env) AS
    CASE WHEN switch_state = 'off' THEN NULL WHEN test_traffic(switch_state, row_env) THEN 'sandbox' ELSE switch_state END;

-- rescue(order_outcome, order_env, judged_env): the outcome a decline
-- judged in judged_env gets from its order. A production decline whose
-- order is a sandbox one is a lost rescue: a sandbox order moves no money
-- (the verdict still names it, and the environment_mismatch finding). A
-- production order for a decline whose profile was in sandbox did charge
-- the customer: its outcome stands.
CREATE OR REPLACE TEMP MACRO rescue(order_outcome, order_env, judged_env) AS
    CAST(CASE WHEN order_env = 'sandbox' AND judged_env = 'production' THEN 'missed_evaluate' ELSE order_outcome END AS outcome_state);

-- order_outcome(status, status_name, expiry_at, as_of): the outcome an
-- order gives its decline; a pending order past its expiry at as_of, the
-- run's clock, is expired.
CREATE OR REPLACE TEMP MACRO order_outcome(status, status_name, expiry_at, as_of) AS
    CAST(CASE
        WHEN status_name = 'CHARGEBACK' THEN 'chargeback'
        WHEN status = 7 THEN 'recovered'
        WHEN status = 2 THEN 'not_recovered'
        WHEN status = 6 THEN 'refunded'
        WHEN status = 3 THEN 'problem'
        WHEN expiry_at IS NOT NULL AND expiry_at < as_of THEN 'expired'
        ELSE 'pending'
    END AS outcome_state);

-- evaluates(created_on, processed_at, names_attempt, margin, late): whether
-- an order made at created_on may be the evaluation of a decline processed
-- at processed_at (classify-pair-orders says why), margin and late in
-- seconds.
CREATE OR REPLACE TEMP MACRO evaluates(created_on, processed_at, names_attempt, margin, late) AS
    created_on BETWEEN processed_at - to_seconds(margin)
                   AND processed_at + to_seconds(CASE WHEN names_attempt THEN late ELSE margin END);

-- An order names its site by FlexCharge siteId, or by URL. It is compared by
-- siteId where the registry has one for the order's environment too, else
-- by URL where the order gives one (site_ids are optional in the registry):
-- what neither side says is no difference. Against a missing siteId, every
-- order of a site was a site_mismatch with nothing on the ledger's side.
CREATE OR REPLACE TEMP MACRO by_site_id(order_site_id, reg_site_id) AS
    coalesce(order_site_id, '') <> '' AND coalesce(reg_site_id, '') <> '';
CREATE OR REPLACE TEMP MACRO site_differs(order_site_id, reg_site_id, order_url, site_url) AS
    CASE WHEN by_site_id(order_site_id, reg_site_id) THEN order_site_id <> reg_site_id
         ELSE coalesce(order_url, '') <> '' AND order_url IS DISTINCT FROM site_url END;

-- judged(from_ts, to_ts, only_merchant): each transaction of sited with the
-- switch in force when it was processed (of run_switches): the most specific
-- scope wins (campaign, then site, then merchant), and within a scope the
-- latest effective switch at or before the processing time. Its transmit key
-- is the ledger row's, else a transmit log's (the earliest logged), else the
-- one flexrecon's push obtained; transmit_key is a key found outside the row.
-- It is late when the first key was obtained more than 24 h after processing:
-- the earlier of the log's and the push's times, or for a key the ledger row
-- carries, the time a log gives that same key (none: not known to be late).
-- A key an earlier run's push obtained is transmitted, as any key is:
-- `pushed` is what this run sends, which apply-pushes records after it.
-- Only a payment attempt is expected at /transmit ("a copy of every processed
-- payment, approved or declined"): approved, declined, and error (an attempt
-- that failed, sent as declined). A refund, void or chargeback row records
-- what became of an earlier payment: it is not_expected whatever the switch,
-- and never pushed (a copy of it would reach FlexCharge as a second approved
-- payment, which no later call can take back). A key it carries stands.
-- Test traffic under a production switch is not_expected too: the rule is
-- expects_copy (migration 033), which the coverage of the reports asks too.
--
-- A macro, not a table: held as a temporary table, ten million judged rows
-- took 2.7 GB, uncompressed, and pushed every later step to disk. Judging
-- again where a step needs it costs less than that (under 2 s), and each
-- step reads only the columns and rows it uses.
CREATE OR REPLACE TEMP MACRO judged(from_ts, to_ts, only_merchant) AS TABLE
WITH latest AS (
    SELECT * FROM run_switches
    QUALIFY row_number() OVER (PARTITION BY merchant_id, profile, scope, scope_value, effective_at ORDER BY id DESC) = 1
),
-- Each switch holds until the next one of its scope: an interval per switch
-- makes the lookups equality hash joins against a tiny table, which is far
-- cheaper than an ASOF join that sorts every transaction of the window.
sw AS (
    SELECT merchant_id, profile, scope, scope_value, state, id, effective_at,
        coalesce(lead(effective_at) OVER (PARTITION BY merchant_id, profile, scope, scope_value ORDER BY effective_at),
                 TIMESTAMPTZ 'infinity') AS until
    FROM latest
),
-- A transaction is transmitted at or after it is processed: a day's margin
-- keeps a clock's skew in, and the log's older years out.
-- The earliest logged, the least key of those logged at once.
logged AS (
    SELECT partner_merchant_id, transaction_id, first.at AS transmitted_at, first.key AS transmit_key
    FROM (
        SELECT partner_merchant_id, transaction_id, min({'at': transmitted_at, 'key': transmit_key}) AS first
        FROM transmit_log WHERE transmitted_at >= from_ts - INTERVAL 1 DAY
        GROUP BY ALL
    )
),
switched AS (
    SELECT tx.*,
        coalesce(c.state, s.state, w.state, 'off') AS switch_state,
        coalesce(c.id, s.id, w.id) AS switch_id
    FROM sited(from_ts, to_ts, only_merchant) tx
    LEFT JOIN (SELECT * FROM sw WHERE scope = 'campaign') c
        ON c.merchant_id = tx.partner_merchant_id AND c.profile = tx.profile
       AND c.scope_value = tx.campaign_id AND tx.processed_at >= c.effective_at AND tx.processed_at < c.until
    LEFT JOIN (SELECT * FROM sw WHERE scope = 'site') s
        ON s.merchant_id = tx.partner_merchant_id AND s.profile = tx.profile
       AND s.scope_value = tx.reg_site_url AND tx.processed_at >= s.effective_at AND tx.processed_at < s.until
    LEFT JOIN (SELECT * FROM sw WHERE scope = 'merchant') w
        ON w.merchant_id = tx.partner_merchant_id AND w.profile = tx.profile
       AND tx.processed_at >= w.effective_at AND tx.processed_at < w.until
)
SELECT s.* EXCLUDE (mid, campaign_id, site_url, reg_site_url, fc_transmit_key),
    coalesce(s.reg_site_url, s.site_url) AS site_url, s.reg_site_url IS NOT NULL AS site_known,
    CASE WHEN s.reg_site_url IS DISTINCT FROM s.site_url THEN s.reg_site_url END AS registered_site,
    judged_environment(s.switch_state, s.environment) AS judged_env,
    CASE WHEN s.mid IS NULL THEN mm.mid END AS registry_mid,
    CASE WHEN s.fc_transmit_key IS NULL THEN coalesce(lg.transmit_key, CASE WHEN t.state = 'sent' THEN t.transmit_key END) END AS transmit_key,
    CASE
        WHEN CASE WHEN s.fc_transmit_key IS NULL THEN least(lg.transmitted_at, CASE WHEN t.state = 'sent' THEN t.done_at END)
                  WHEN lg.transmit_key = s.fc_transmit_key THEN lg.transmitted_at END
             > s.processed_at + INTERVAL 24 HOUR THEN 'transmitted_late'
        WHEN s.fc_transmit_key IS NOT NULL OR lg.transmit_key IS NOT NULL OR t.state = 'sent' THEN 'transmitted'
        WHEN NOT expects_copy(s.switch_state, s.status, s.environment) THEN 'not_expected'
        WHEN t.state = 'failed' THEN 'push_failed'
        ELSE 'untransmitted'
    END AS transmit_state
FROM switched s
LEFT JOIN merchant_mids mm ON mm.merchant_id = s.partner_merchant_id
    AND mm.environment = coalesce(judged_environment(s.switch_state, s.environment), s.environment)
LEFT JOIN transmits t ON t.partner_merchant_id = s.partner_merchant_id AND t.transaction_id = s.transaction_id
LEFT JOIN logged lg ON lg.partner_merchant_id = s.partner_merchant_id AND lg.transaction_id = s.transaction_id;

-- name: classify-pair-orders
-- $1 window start, $2 window end, $3 merchant ('' for all), $4 the run's
-- clock: a pending order past its expiry then is expired. $5 the clocks'
-- margin, in seconds (what the ledger's and FlexCharge's clocks may
-- disagree by); $6 how late, in seconds, an order naming its attempt may
-- still be that decline's evaluation.
-- An order is made when the gateway asks FlexCharge to evaluate a decline,
-- in real time (flexcharge-api.md): one made more than the margin before a
-- decline is not its evaluation, whatever attempt it names, and one made
-- more than the margin after it is not either, unless it names that very
-- attempt (a gateway that asked late, or again) within $6. Without the
-- bounds, last month's order of a reused order id (a monthly rebill's)
-- claimed this month's decline, recovered or a duplicate evaluate beside its
-- own order, and an order went to a decline days before it.
-- So which decline an order goes to depends on the order and the ledger
-- alone, never on the run's window: a run reads the orders made from the
-- margin before its window to $6 after it (no others can be its declines'),
-- and every decline those orders could go to, from the margin and $6 before
-- the window to the margin and $6 after it. Declines outside the window
-- claim their orders and get no verdict here. An order without a date
-- (FlexCharge gave none: Go's zero time, in year 1) is the decline's it
-- names, or if it names none, any decline's the run reads: that choice
-- alone depends on the window.
-- A run reads its window's orders, not every order ever pulled, so that its
-- time does not grow with the history kept (at 10M orders a day, a month's
-- history made pairing read 300M). Two scans, not one with an OR, so that
-- each skips by the created_on ranges of fc_orders' row groups.
-- Every FlexCharge order with each decline it may belong to: the first
-- occurrences of declines of the same merchant and order id. Orders are
-- known by merchant, not mid, so one found in the other environment still
-- finds its decline (and is flagged).
--
-- At ten million rows, windows over string keys and joins that carry an
-- order's fields to its decline cost more than the rest of a run's judging.
-- So an order is known here by its row in fc_orders and a decline by its
-- ledger line, and each pair settles at once what results need of the
-- order: its outcome, and whether it differs from the decline in a field a
-- finding names (so that findings look up only the pairs that differ).
CREATE OR REPLACE TEMP TABLE order_pairs AS
WITH candidates AS (
    SELECT rowid AS order_row, * FROM fc_orders
    WHERE created_on >= $1 - to_seconds($5) AND created_on < $2 + to_seconds($6)
    UNION ALL
    SELECT rowid AS order_row, * FROM fc_orders WHERE created_on < TIMESTAMPTZ '0002-01-01 00:00:00+00'
),
orders AS (
    SELECT o.order_row, o.environment AS order_env, o.id AS order_key, o.external_order_id,
        o.transaction_id, o.created_on, mm.merchant_id, o.status AS fc_status,
        order_outcome(o.status, o.status_name, o.expiry_at, $4) AS order_outcome,
        o.amount, o.currency, o.site_id, o.site_url, o.descriptor,
        order_profile(o.is_mit, o.order_source) AS profile
    FROM candidates o
    JOIN merchant_mids mm ON mm.mid = o.mid AND mm.environment = o.environment
),
declines AS (
    SELECT j.file_id, j.line, j.partner_merchant_id, j.order_id, j.transaction_id, j.processed_at, j.judged_env,
        coalesce(j.judged_env, j.environment) AS environment, j.amount, j.currency, j.site_url, j.descriptor, j.profile,
        s.site_id_sandbox, s.site_id_production
    FROM judged($1 - to_seconds($5) - to_seconds($6), $2 + to_seconds($5) + to_seconds($6), $3) j
    LEFT JOIN sites s ON s.merchant_id = j.partner_merchant_id AND s.url = j.site_url
    WHERE j.status = 'declined' AND j.occurrence = 1
)
SELECT o.order_row, o.order_env, o.order_key, o.created_on, o.fc_status, o.order_outcome,
    d.file_id, d.line, d.judged_env, d.processed_at, d.transaction_id AS decline_tx,
    o.transaction_id = d.transaction_id AS names_attempt,
    coalesce(d.amount <> o.amount OR d.currency <> o.currency
        OR site_differs(o.site_id, CASE o.order_env WHEN 'sandbox' THEN d.site_id_sandbox ELSE d.site_id_production END,
            o.site_url, d.site_url)
        OR coalesce(o.descriptor, '') <> '' AND o.descriptor IS DISTINCT FROM d.descriptor
        OR d.profile <> o.profile OR d.environment <> o.order_env, false) AS differs
FROM orders o
JOIN declines d ON d.partner_merchant_id = o.merchant_id AND d.order_id = o.external_order_id
    AND (evaluates(o.created_on, d.processed_at, o.transaction_id = d.transaction_id, $5, $6)
         OR o.created_on < TIMESTAMPTZ '0002-01-01 00:00:00+00' AND (coalesce(o.transaction_id, '') = '' OR o.transaction_id = d.transaction_id));

-- name: classify-repeat-rows
-- Every ledger row of the transactions repeated in the window, with the
-- fields a repeat is compared by (classify-assign-repeats). $1 window
-- start, $2 window end, $3 merchant ('' for all). Repeats are few: only
-- their transactions are looked up, once for both steps that need them.
CREATE OR REPLACE TEMP TABLE repeated_rows AS
SELECT file_id, line, partner_merchant_id, order_id, transaction_id, occurrence, status, processed_at,
    {'amount': amount, 'currency': currency, 'site_url': site_url, 'descriptor': descriptor,
     'profile': profile, 'environment': environment} AS fields
FROM ledger_tx
WHERE (partner_merchant_id, transaction_id) IN (
    SELECT (partner_merchant_id, transaction_id) FROM ledger_tx
    WHERE occurrence > 1 AND processed_at >= $1 AND processed_at < $2 AND ($3 = '' OR partner_merchant_id = $3));

-- name: classify-early-firsts
-- $1 window start, $2 the clocks' margin, $3 how late an order naming its
-- attempt may be, in seconds: the declines repeated in the window whose
-- first occurrence is before it (none on most nights), as spans of
-- processing times (first, last) whose orders' spans overlap, so that the
-- orders of each are read over it alone. One span from the earliest to the
-- latest read every order between: a repeat of last month's attempt beside
-- one of yesterday's read the month's orders (300M at 10M a day).
-- Before the window, not before the declines pair-orders reads: it reads
-- orders from the margin before the window only, so a first occurrence
-- hours before the window lost its order as one days before did.
WITH firsts AS (
    SELECT DISTINCT processed_at FROM repeated_rows
    WHERE occurrence = 1 AND status = 'declined' AND processed_at < $1
),
apart AS (
    SELECT processed_at, coalesce(processed_at - lag(processed_at) OVER (ORDER BY processed_at)
        > to_seconds($2 + $3), true) AS starts_span
    FROM firsts
)
SELECT min(processed_at) AS first, max(processed_at) AS last
FROM (SELECT processed_at, count(*) FILTER (starts_span) OVER (ORDER BY processed_at) AS span FROM apart)
GROUP BY span ORDER BY first;

-- name: classify-pair-early-firsts
-- A repeat shares its first occurrence's orders (classify-assign-repeats):
-- a first occurrence processed before the window (a gateway that exported
-- the attempt again hours or days later) is paired here with the orders
-- made around it that pair-orders does not read (made over the margin
-- before the window; it pairs the later ones, the first occurrence being
-- among its declines when it is that recent), or its repeat found no order
-- and was a false missed_evaluate. $1, $2 the span its orders may have been
-- made in, $3 window start, $4 the run's clock, $5 the clocks' margin and
-- $6 how late an order naming its attempt may be, in seconds.
-- Narrow by design: only the repeated transactions' first occurrences, not
-- every decline of their order ids then (an order naming no attempt goes to
-- the first occurrence, not to another decline of its order id beside it).
-- Whether its order differs is left to findings, which compare the repeat's
-- own fields: the first occurrence has no verdict of this run.
INSERT INTO order_pairs BY NAME
SELECT o.rowid AS order_row, o.environment AS order_env, o.id AS order_key, o.created_on, o.status AS fc_status,
    order_outcome(o.status, o.status_name, o.expiry_at, $4) AS order_outcome,
    f.file_id, f.line, NULL AS judged_env, f.processed_at, f.transaction_id AS decline_tx,
    o.transaction_id = f.transaction_id AS names_attempt, true AS differs
FROM fc_orders o
JOIN merchant_mids mm ON mm.mid = o.mid AND mm.environment = o.environment
JOIN repeated_rows f ON f.partner_merchant_id = mm.merchant_id AND f.order_id = o.external_order_id
WHERE o.created_on >= $1 AND o.created_on <= $2 AND o.created_on < $3 - to_seconds($5)
  AND f.occurrence = 1 AND f.status = 'declined' AND f.processed_at < $3
  AND evaluates(o.created_on, f.processed_at, o.transaction_id = f.transaction_id, $5, $6);

-- name: classify-assign
-- Each order goes to one of its declines: the attempt it names, else the
-- nearest in time, else (equally near) the earlier one, the order being made
-- after the decline it evaluates, else the least transaction id. Ties are
-- broken by what the rows say, never by where they are (file_id, line):
-- the same files loaded in another order, or a file replaced by an identical
-- copy, pair the same. A decline's primary order is a production one if it has
-- any (it moved money: a production order beside a sandbox one for a
-- profile in test is the charge finance must see, and the mismatch), then
-- names the attempt (reconciliation.md: an order naming no attempt or
-- another one does not outrank it, whatever its status), then one that
-- charged the customer (completed, since refunded or charged back: a
-- gateway that asked twice got a rescue and a refusal, and the decline was
-- rescued, whichever came last), then is the latest. Partitions by integer
-- keys cost a fraction of the same windows over strings. $1 window start,
-- $2 window end: pairs of the declines around the window that pair-orders
-- reads are no verdict of this run's.
-- A pair carries the outcome its decline gets from its order (rescue).
CREATE OR REPLACE TEMP TABLE assigned AS
WITH matched AS (
    SELECT * FROM order_pairs
    QUALIFY row_number() OVER (PARTITION BY order_row
        ORDER BY names_attempt DESC, abs(epoch(created_on) - epoch(processed_at)), processed_at, decline_tx) = 1
)
SELECT * EXCLUDE (processed_at, created_on, names_attempt, decline_tx), rescue(order_outcome, order_env, judged_env) AS outcome,
    judged_env IS NULL AS while_off, processed_at >= $1 AND processed_at < $2 AS in_window,
    count(*) OVER (PARTITION BY file_id, line) AS orders_for_decline,
    row_number() OVER (PARTITION BY file_id, line
        ORDER BY order_env = 'production' DESC, names_attempt DESC,
            order_outcome IN ('recovered', 'refunded', 'chargeback') DESC, created_on DESC, order_key) = 1 AS is_primary
FROM matched;

-- name: classify-assign-repeats
-- A repeated ledger row shares its first occurrence's orders, judged by its
-- own switch as its verdict is (findings read the environment a pair was
-- judged in from here). $1 window start, $2 window end, $3 merchant ('' for
-- all). Repeats are few: only they are judged, and their rows are
-- repeated_rows'.
-- A pair's differs was settled on the first occurrence's fields: a repeat
-- that says otherwise (another amount, site, profile, or judged in another
-- environment) is compared field by field again by findings, as its own
-- row (differs asks findings to compare; it is no finding of itself).
-- Without that, a repeat's own difference was named only when its first
-- occurrence happened to differ too.
-- A repeat is of the window (this run judges it), wherever its first
-- occurrence is: with the first's in_window, a repeat's orders beside its
-- primary one went uncounted on the Sites sheet when the first occurrence
-- was stamped before the window, while its primary order was counted.
INSERT INTO assigned
WITH repeats AS (
    SELECT file_id, line, partner_merchant_id, transaction_id, judged_env FROM judged($1, $2, $3)
    WHERE occurrence > 1
)
SELECT a.* REPLACE (r.file_id AS file_id, r.line AS line, r.judged_env AS judged_env, r.judged_env IS NULL AS while_off, true AS in_window,
    rescue(a.order_outcome, a.order_env, r.judged_env) AS outcome,
    a.differs OR own.fields IS DISTINCT FROM f.fields OR r.judged_env IS DISTINCT FROM a.judged_env AS differs)
FROM repeats r
JOIN repeated_rows own ON own.file_id = r.file_id AND own.line = r.line
JOIN repeated_rows f ON f.partner_merchant_id = r.partner_merchant_id AND f.transaction_id = r.transaction_id AND f.occurrence = 1
JOIN assigned a ON a.file_id = f.file_id AND a.line = f.line;

-- name: classify-results
-- $1 run id, $2 window start, $3 window end, $4 merchant ('' for all). A
-- pair's outcome (rescue) is settled in assigned: read from both sides of
-- this join, it made DuckDB build the join's hash table from the ten million
-- judged rows (results 4.2 → 6.2 s at 10M).
INSERT INTO verdicts BY NAME
SELECT $1 AS run_id, j.file_id, j.line, j.occurrence, j.switch_state, j.switch_id,
    coalesce(j.judged_env, j.environment) AS environment,
    j.registered_site AS site_url, j.registry_mid AS mid, j.transmit_key, j.transmit_state,
    a.order_key AS fc_order_id, a.fc_status,
    CASE
        WHEN j.status <> 'declined' OR j.switch_state = 'off' THEN NULL
        WHEN a.order_key IS NULL THEN 'missed_evaluate'
        ELSE a.outcome
    END AS outcome_state
FROM judged($2, $3, $4) j
LEFT JOIN assigned a ON a.file_id = j.file_id AND a.line = j.line AND a.is_primary;

-- name: classify-findings
-- Findings on transactions and their orders. $1 run id, $2 window start,
-- $3 window end, $4 merchant ('' for all); $5 the retry horizon, $6 the
-- clocks' margin and $7 how late an order may be its decline's, in seconds.
-- One pass over the window's transactions keeps the rows that call for a
-- finding; only the pairs that differ look the order up again. It needs no
-- switches: a pair carries the environment its decline was judged in, and a
-- pair found while off was off; test traffic under a production switch is
-- read from the run's verdicts (results wrote them before).
--
-- A double charge: FlexCharge completed a production order for a decline
-- (its primary order or not, the profile on or off: the customer paid
-- FlexCharge either way; a sandbox order charges no one), and the merchant's
-- own retry of the same merchant order was approved after the decline, up
-- to the retry horizon ($5) after it (a monthly rebill of a reused order id
-- in a long window is a new charge). The risk is the approval's, the second
-- charge, so the same approval carries it whichever window judges it.
-- The orders that may have charged first: those of the declines this run
-- pairs (from the margin and $7 before the window) that have an approval in
-- the window after them, found from the ledger alone first, so that every
-- other recovered pair (most of them) stays out of the work (at 10M: 4.0 s
-- down to 2.5 s), and the completed orders of that span this run did not
-- pair: those no decline claims (orphans), and those made over the margin
-- before the window, which pairing does not read (their decline is not
-- named; they are in fc_orders as earlier runs pulled them, this run's pull
-- starting at the margin). An older order is not looked for: reading the
-- horizon's orders (three weeks of them) made every run grow with the
-- history kept (a week at a million orders a day: +0.56 s, +33 %). So a
-- retry approved more than about a window after its decline is never
-- reported, and one approved days after it only by the runs whose span
-- holds the first charge too, not by the later ones holding the approval
-- alone. Only the window's approvals are read.
INSERT INTO findings BY NAME
WITH retried AS (
    SELECT d.file_id, d.line, d.partner_merchant_id, d.order_id, d.transaction_id, d.processed_at FROM ledger_tx d
    SEMI JOIN (SELECT partner_merchant_id, order_id, max(processed_at) AS last_approved FROM ledger_tx
               WHERE status = 'approved' AND processed_at >= $2 AND processed_at < $3 GROUP BY ALL) a
        ON a.partner_merchant_id = d.partner_merchant_id AND a.order_id = d.order_id AND a.last_approved > d.processed_at
    WHERE d.status = 'declined' AND d.occurrence = 1 AND d.processed_at >= $2 - to_seconds($6) - to_seconds($7) AND d.processed_at < $3
      AND ($4 = '' OR d.partner_merchant_id = $4)
),
rescued AS (
    SELECT r.partner_merchant_id, r.order_id, r.processed_at AS rescued_at, a.order_key, r.transaction_id AS decline
    FROM assigned a JOIN retried r ON r.file_id = a.file_id AND r.line = a.line
    WHERE a.order_outcome = 'recovered' AND a.order_env = 'production'
    UNION ALL
    SELECT mm.merchant_id, o.external_order_id, o.created_on, o.id, NULL
    FROM fc_orders o JOIN merchant_mids mm ON mm.mid = o.mid AND mm.environment = o.environment
    ANTI JOIN assigned a ON a.order_row = o.rowid
    WHERE o.created_on >= $2 - to_seconds($6) - to_seconds($7) AND o.created_on < $3 AND o.environment = 'production'
      AND o.status = 7 AND order_outcome(o.status, o.status_name, NULL, NULL) = 'recovered' -- the scan filters by status
),
-- One risk per approval, naming the least order (and its decline, where
-- this run paired it: the finding's ledger value, by which explain-findings
-- finds a decline's risk; the detail's wording is for people and may change).
charged_twice AS (
    SELECT t.file_id, t.line, min({'order_key': r.order_key, 'decline': r.decline}) AS rescue
    FROM ledger_tx t JOIN rescued r ON r.partner_merchant_id = t.partner_merchant_id AND r.order_id = t.order_id
    WHERE t.status = 'approved' AND t.occurrence = 1 AND t.processed_at >= $2 AND t.processed_at < $3
      AND ($4 = '' OR t.partner_merchant_id = $4)
      AND t.processed_at > r.rescued_at AND t.processed_at <= r.rescued_at + to_seconds($5)
    GROUP BY ALL
),
flagged_pairs AS (
    SELECT * FROM assigned WHERE is_primary AND (differs OR while_off OR orders_for_decline > 1)
),
-- Test traffic under a live switch: judged in sandbox while the switch in
-- force was production (test_traffic), as results recorded it. It is one
-- problem, so one finding: field switch (ledger sandbox, switch production),
-- or, where FlexCharge holds its order in production, field environment
-- against that order (ledger sandbox, FlexCharge production, the order
-- named): the ledger alone says test where the switch and FlexCharge both
-- say live, and the order is what finance looks up. Both were written, two
-- environment_mismatch rows for one transaction on the Exceptions sheet.
test_traffic AS (
    SELECT file_id, line FROM verdicts WHERE run_id = $1 AND switch_state = 'production' AND environment = 'sandbox'
),
flagged_rows AS MATERIALIZED (
    SELECT t.file_id, t.line, t.partner_merchant_id, coalesce(t.reg_site_url, t.site_url) AS site_url, t.profile, t.order_id,
        t.transaction_id, t.occurrence, t.processed_at, t.status, t.amount, t.currency, t.descriptor,
        t.merchant_name IS NULL AS unknown_merchant, t.reg_site_url IS NOT NULL AS site_known,
        coalesce(a.judged_env, t.environment) AS verdict_env,
        a.order_row, a.order_env, a.order_key, a.order_outcome, a.orders_for_decline, a.differs, a.while_off,
        (t.file_id, t.line) IN (SELECT (file_id, line) FROM test_traffic) AS test_traffic
    FROM sited($2, $3, $4) t
    LEFT JOIN flagged_pairs a ON a.file_id = t.file_id AND a.line = t.line
    WHERE a.file_id IS NOT NULL OR t.merchant_name IS NULL OR t.reg_site_url IS NULL OR t.occurrence > 1
        OR (t.file_id, t.line) IN (SELECT (file_id, line) FROM charged_twice)
        OR (t.file_id, t.line) IN (SELECT (file_id, line) FROM test_traffic)
),
-- Each finding keeps the environment its transaction was judged in (the
-- Exceptions sheet shows it, and ties it to its Summary row): its verdict's,
-- as results recorded it. A pair's judged_env gives a paired decline's, but
-- a row without one (a repeat, an approval at risk, an unknown site) was
-- judged by a switch this step does not read. Joined to the flagged rows
-- only, not to every transaction of the window.
flagged AS MATERIALIZED (
    SELECT f.*, v.environment FROM flagged_rows f
    LEFT JOIN verdicts v ON v.run_id = $1 AND v.file_id = f.file_id AND v.line = f.line
),
p AS (SELECT * FROM flagged WHERE order_row IS NOT NULL),
primary_order AS (
    SELECT p.*, o.amount AS o_amount, o.currency AS o_currency,
        o.site_id AS o_site_id, o.site_url AS o_site_url, o.descriptor AS o_descriptor,
        order_profile(o.is_mit, o.order_source) AS o_profile,
        CASE o.environment WHEN 'sandbox' THEN s.site_id_sandbox ELSE s.site_id_production END AS reg_site_id
    FROM p
    JOIN fc_orders o ON o.rowid = p.order_row
    LEFT JOIN sites s ON s.merchant_id = p.partner_merchant_id AND s.url = p.site_url
    WHERE p.differs
),
-- A macro in a struct's field loses the field's name: they are columns first.
sites_compared AS (
    SELECT *, by_site_id(o_site_id, reg_site_id) AS site_by_id,
        site_differs(o_site_id, reg_site_id, o_site_url, site_url) AS site_differs
    FROM primary_order
),
field_diffs AS (
    SELECT p.*, d.category, d.field, d.ledger_value, d.fc_value FROM sites_compared p,
    unnest([
        {'category': 'amount_mismatch', 'field': 'amount', 'ledger_value': money_text(p.amount, p.currency), 'fc_value': money_text(p.o_amount, p.o_currency), 'differs': p.amount <> p.o_amount},
        {'category': 'currency_mismatch', 'field': 'currency', 'ledger_value': p.currency, 'fc_value': p.o_currency, 'differs': p.currency <> p.o_currency},
        {'category': 'site_mismatch', 'field': 'site',
            'ledger_value': CASE WHEN p.site_by_id THEN p.reg_site_id ELSE p.site_url END,
            'fc_value': CASE WHEN p.site_by_id THEN p.o_site_id ELSE p.o_site_url END, 'differs': p.site_differs},
        {'category': 'descriptor_mismatch', 'field': 'descriptor', 'ledger_value': p.descriptor, 'fc_value': p.o_descriptor,
            'differs': coalesce(p.o_descriptor, '') <> '' AND p.o_descriptor IS DISTINCT FROM p.descriptor},
        {'category': 'profile_mismatch', 'field': 'profile', 'ledger_value': p.profile,
            'fc_value': p.o_profile, 'differs': p.profile <> p.o_profile},
        {'category': 'environment_mismatch', 'field': 'environment', 'ledger_value': p.verdict_env, 'fc_value': p.order_env, 'differs': p.verdict_env <> p.order_env}
    ]) AS u(d)
    WHERE d.differs
)
SELECT $1 AS run_id, category, partner_merchant_id, site_url, profile, order_id, transaction_id, occurrence,
    order_key AS fc_order_id, field, ledger_value, fc_value, processed_at, environment,
    CASE WHEN field = 'environment' AND test_traffic THEN
        'a sandbox (test) transaction while the switch in force was production, its order in production: judged in sandbox, pushed nowhere'
    END AS detail
FROM field_diffs
UNION ALL
SELECT $1, 'evaluated_while_off', partner_merchant_id, site_url, profile, order_id, transaction_id, occurrence,
    order_key, 'switch', 'off', order_env, processed_at, environment, 'FlexCharge has an order although the profile was off'
FROM p WHERE while_off
UNION ALL
SELECT $1, 'duplicate_evaluate', partner_merchant_id, site_url, profile, order_id, transaction_id, occurrence,
    order_key, 'orders', NULL, CAST(orders_for_decline AS VARCHAR), processed_at, environment, 'several FlexCharge orders for one decline'
FROM p WHERE orders_for_decline > 1
UNION ALL
SELECT $1, 'double_charge_risk', f.partner_merchant_id, f.site_url, f.profile, f.order_id, f.transaction_id, f.occurrence,
    c.rescue.order_key, 'rescue', c.rescue.decline, NULL, f.processed_at, f.environment,
    'the merchant''s retry was approved after FlexCharge completed the order' || coalesce(' for decline ' || c.rescue.decline, '')
FROM flagged f JOIN charged_twice c ON c.file_id = f.file_id AND c.line = f.line
UNION ALL
SELECT $1, 'environment_mismatch', f.partner_merchant_id, f.site_url, f.profile, f.order_id, f.transaction_id, f.occurrence,
    NULL, 'switch', 'sandbox', 'production', f.processed_at, f.environment,
    'a sandbox (test) transaction while the switch in force was production: judged and matched in sandbox, pushed nowhere'
FROM flagged f WHERE f.test_traffic AND f.order_env IS DISTINCT FROM 'production'
UNION ALL
SELECT $1, 'unknown_merchant', partner_merchant_id, site_url, profile, order_id, transaction_id, occurrence,
    NULL, 'partner_merchant_id', partner_merchant_id, NULL, processed_at, environment, 'merchant is not in the registry'
FROM flagged WHERE unknown_merchant
UNION ALL
SELECT $1, 'unknown_site', partner_merchant_id, site_url, profile, order_id, transaction_id, occurrence,
    NULL, 'site', coalesce(site_url, descriptor), NULL, processed_at, environment, 'neither the site URL nor the descriptor is registered for the merchant'
FROM flagged WHERE NOT unknown_merchant AND NOT site_known
UNION ALL
SELECT $1, 'duplicate_row', partner_merchant_id, site_url, profile, order_id, transaction_id, occurrence,
    NULL, 'occurrence', CAST(occurrence AS VARCHAR), NULL, processed_at, environment, 'the transaction appears more than once in the ledger'
FROM flagged WHERE occurrence > 1;


-- name: classify-orphans
-- Orders of the window that no ledger decline claims. $1 run id, $2 window
-- start, $3 window end, $4 merchant ('' for all).
-- An order FlexCharge gave no date (Go's zero time, in year 1) is in no
-- window, so it would never be an orphan: it could have charged a customer
-- with nothing in the ledger, and no run would say so. It is an orphan of
-- every run of its merchant, until the ledger holds a decline it could
-- belong to (of its order id, the attempt it names if it names one: what
-- pairing would take, wherever that decline's day), as an unanswered push
-- is listed by every run until it is answered. It has no date to show, so
-- its finding has none. Two scans, not one with an OR, so that the
-- window's skips by fc_orders' created_on ranges; undated orders are few.
-- Its environment is its order's, the one FlexCharge holds it in (and its
-- FlexCharge value).
INSERT INTO findings BY NAME
WITH orders AS (
    SELECT rowid AS order_row, * FROM fc_orders WHERE created_on >= $2 AND created_on < $3
    UNION ALL
    SELECT o.rowid AS order_row, o.* FROM fc_orders o
    LEFT JOIN merchant_mids mm ON mm.mid = o.mid AND mm.environment = o.environment
    WHERE o.created_on < TIMESTAMPTZ '0002-01-01 00:00:00+00'
      AND NOT EXISTS (SELECT 1 FROM ledger_tx d
                      WHERE d.partner_merchant_id = mm.merchant_id AND d.order_id = o.external_order_id
                        AND d.status = 'declined' AND d.occurrence = 1
                        AND (coalesce(o.transaction_id, '') = '' OR d.transaction_id = o.transaction_id))
)
SELECT $1 AS run_id, 'orphan_order' AS category, mm.merchant_id AS partner_merchant_id, o.site_url,
    order_profile(o.is_mit, o.order_source) AS profile,
    o.external_order_id AS order_id, o.transaction_id, NULL AS occurrence, o.id AS fc_order_id,
    'order' AS field, NULL AS ledger_value, o.environment AS fc_value, o.environment,
    CASE WHEN o.created_on >= TIMESTAMPTZ '0002-01-01 00:00:00+00' THEN o.created_on END AS processed_at,
    'FlexCharge order with no ledger decline' AS detail
FROM orders o
ANTI JOIN assigned a ON a.order_row = o.order_row
LEFT JOIN merchant_mids mm ON mm.mid = o.mid AND mm.environment = o.environment
WHERE $4 = '' OR mm.merchant_id = $4;

-- name: classify-extra-orders
-- The orders of the window's declines beside their primary ones (the Sites
-- sheet counts them). $1 run id. Only the run's own declines: assigned also
-- holds those around the window, which other runs judge.
INSERT INTO run_extra_orders BY NAME
SELECT DISTINCT $1 AS run_id, l.partner_merchant_id, l.currency, a.order_key AS fc_order_id, l.order_id
FROM (SELECT file_id, line, order_key FROM assigned WHERE NOT is_primary AND in_window) a
JOIN ledger_rows l ON l.file_id = a.file_id AND l.line = a.line;

-- name: classify-quarantined
-- Rows quarantined from files of the window's business days. $1 run id,
-- $2 first day, $3 last day. A quarantined row belongs to its file, not yet
-- to a merchant or site: the finding says where it is (file and line) and
-- why, and names the column. Judged in none, it has no environment.
INSERT INTO findings BY NAME
SELECT $1 AS run_id, 'quarantined' AS category, q.column_name AS field,
    f.name || ', line ' || q.line || ': ' || q.reason AS detail
FROM quarantine q JOIN ledger_files f ON f.id = q.file_id
WHERE f.business_date BETWEEN $2 AND $3 AND f.outcome = 'loaded';

-- name: tie-out
-- Per merchant and currency: do the run's transmit states add up to the
-- ledger's count and amount, and does every decline whose profile was on,
-- and nothing else, have an outcome state? Any row returned is a failure.
WITH ledger AS (
    SELECT partner_merchant_id, currency, count(*) AS n, CAST(sum(amount) AS BIGINT) AS total FROM ledger_tx
    WHERE processed_at >= $2 AND processed_at < $3 AND ($4 = '' OR partner_merchant_id = $4)
    GROUP BY ALL
),
judged_states AS (
    SELECT partner_merchant_id, currency, count(*) AS n, CAST(sum(amount) AS BIGINT) AS total FROM results
    WHERE run_id = $1 AND transmit_state IN ('transmitted', 'transmitted_late', 'pushed', 'untransmitted', 'push_failed', 'not_expected')
    GROUP BY ALL
),
declines_on AS (
    SELECT partner_merchant_id, currency, count(*) AS n, CAST(sum(amount) AS BIGINT) AS total FROM results
    WHERE run_id = $1 AND status = 'declined' AND switch_state <> 'off'
    GROUP BY ALL
),
outcomes AS (
    SELECT partner_merchant_id, currency, count(*) AS n, CAST(sum(amount) AS BIGINT) AS total FROM results
    WHERE run_id = $1 AND outcome_state IS NOT NULL
    GROUP BY ALL
),
checks AS (
    SELECT 'transmit states' AS states, coalesce(l.partner_merchant_id, s.partner_merchant_id) AS merchant,
        coalesce(l.currency, s.currency) AS currency, l.n AS ledger_n, s.n AS state_n, l.total AS ledger_total, s.total AS state_total
    FROM ledger l FULL JOIN judged_states s USING (partner_merchant_id, currency)
    UNION ALL
    SELECT 'outcome states', coalesce(d.partner_merchant_id, o.partner_merchant_id), coalesce(d.currency, o.currency),
        d.n, o.n, d.total, o.total
    FROM declines_on d FULL JOIN outcomes o USING (partner_merchant_id, currency)
)
SELECT states, merchant, currency, coalesce(ledger_n, 0) AS ledger_count, coalesce(state_n, 0) AS state_count,
    coalesce(ledger_total, 0) AS ledger_amount, coalesce(state_total, 0) AS state_amount
FROM checks
WHERE ledger_n IS DISTINCT FROM state_n OR ledger_total IS DISTINCT FROM state_total
ORDER BY ALL;

-- name: insertion-order-off
-- Classification writes whole tables whose order nothing reads; without
-- insertion order DuckDB can spill them, where at 10M rows under a 3GB
-- memory limit it otherwise runs out of memory.
SET preserve_insertion_order = false;

-- name: drop-order-pairs
-- Classification's temporary tables hold millions of rows: each goes as soon
-- as it has served, and the connection returns to the pool without them.
DROP TABLE IF EXISTS order_pairs;

-- name: drop-assigned
DROP TABLE IF EXISTS assigned;

-- name: drop-repeated-rows
DROP TABLE IF EXISTS repeated_rows;

-- name: drop-run-switches
DROP TABLE IF EXISTS run_switches;

-- name: insertion-order-on
SET preserve_insertion_order = true;
