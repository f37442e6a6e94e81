-- name: clear-orders-stage
-- Temporary, so the pulled copies are neither logged nor checkpointed on
-- their way into fc_orders. Its rowids follow the order rows were appended
-- in, which is the order they were fetched in.
CREATE OR REPLACE TEMP TABLE fc_orders_stage AS SELECT * FROM fc_orders LIMIT 0;

-- name: merge-orders-stage
-- Fetched orders replace their stored copy, by one hash join; orders not
-- fetched again keep theirs, and so does a copy fresher than the pull's (a
-- webhook's, applied while the pull ran). Of an order fetched twice in one
-- pull (pages shift between requests) the later copy wins. Duplicates are rare, so only
-- they are grouped and joined: a window over every staged row cost twice as
-- much.
MERGE INTO fc_orders USING (
    SELECT s.* FROM fc_orders_stage s
    ANTI JOIN (
        SELECT environment, id, max(rowid) AS latest FROM fc_orders_stage
        GROUP BY environment, id HAVING count(*) > 1
    ) d ON d.environment = s.environment AND d.id = s.id AND s.rowid < d.latest
) AS s
ON fc_orders.environment = s.environment AND fc_orders.id = s.id
WHEN MATCHED AND fc_orders.fetched_at <= s.fetched_at THEN UPDATE SET *
WHEN NOT MATCHED THEN INSERT *;

-- name: discard-staged-orders
-- A merchant's listing that moved while it was read is read again from its
-- start, or, never read whole, not stored at all: what its reading staged
-- is taken back, so that only a listing read whole is merged.
DELETE FROM fc_orders_stage WHERE environment = $1 AND mid = $2;
