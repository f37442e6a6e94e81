-- A run keeps when it was queued apart from when it started. started_at
-- held a queued run's queueing time until its turn came (and for good if
-- it never came), so a run's "start" could be a queue time and its wait
-- counted in its duration. It is NULL now until the run begins.
ALTER TABLE runs ALTER COLUMN started_at DROP NOT NULL;
ALTER TABLE runs ADD COLUMN queued_at TIMESTAMPTZ;

-- The runs before this: one that started was queued by then (its queueing
-- time was overwritten when it began); one still queued, or failed before
-- its turn, holds its queueing time in started_at and never started.
-- (queued_at stays nullable: DuckDB cannot alter a column of a table with
-- an index in the transaction that updated it. Every run is recorded
-- with one.)
UPDATE runs SET queued_at = started_at;
UPDATE runs SET started_at = NULL
WHERE status = 'queued' OR (status = 'failed' AND error LIKE '%stopped before it started%');
