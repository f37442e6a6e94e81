-- A push in doubt is listed once (push.sql, in-doubt-findings): by the first
-- succeeded run, not a dry run, from the one whose push raised the doubt.
-- doubt_listed(m, tx, since, until) says whether a run from run since to
-- before run until has listed merchant m's transaction tx so.
CREATE MACRO doubt_listed(m, tx, since, until) AS EXISTS (
    SELECT 1 FROM findings f JOIN runs p ON p.id = f.run_id
    WHERE f.category = 'push_in_doubt' AND f.partner_merchant_id = m AND f.transaction_id = tx
      AND f.run_id >= since AND f.run_id < until AND p.status = 'succeeded' AND NOT p.dry_run
);
