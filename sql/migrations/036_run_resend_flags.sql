-- A run records whether it was asked to backfill (push transactions older
-- than push.max_age) and to resend pushes in doubt (which may send
-- FlexCharge a second copy). Only the audit line named them, so the run's
-- page and GET /api/runs/{id} could not say why a run pushed what it did.
-- Runs before this hold NULL, read as false (get-run, list-runs): with
-- DEFAULT false, DuckDB refused the second ALTER in the migration's
-- transaction once runs held rows ("another transaction has altered this
-- table").
ALTER TABLE runs ADD COLUMN backfill BOOLEAN;
ALTER TABLE runs ADD COLUMN resend_in_doubt BOOLEAN;
