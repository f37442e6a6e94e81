-- The corrections a run named that it did not load: a day's replacement
-- loaded outside runs (ingest, ingest --replace), or by a run whose history
-- is not the one finance reads (a run that failed, a dry run, one
-- merchant's run), is named by the next recorded run of every merchant
-- whose window holds its day (adopt-unnamed-corrections), and again by the
-- next after it if that one fails. The run that loaded a file still names
-- it (ledger_files.run_id).
CREATE TABLE run_named_files (
    run_id  BIGINT NOT NULL,
    file_id BIGINT NOT NULL,
    PRIMARY KEY (run_id, file_id)
);

-- A run that names a file's correction and publishes it: succeeded, not a
-- dry run (its workbook is a preview), of every merchant (one merchant's
-- tells only of its rows).
CREATE VIEW publishing_runs AS
SELECT id, window_from, window_to FROM runs WHERE status = 'succeeded' AND NOT dry_run AND merchant IS NULL;

-- The corrections loaded before this rule, which the rule before it
-- (042) held named: every one but those its files_awaiting_run listed
-- (loaded outside runs, or forced and taken by a run that failed). Without
-- it, the upgrade listed every correction a failed, dry or one-merchant run
-- ever loaded as waiting, and those of days older than the nightly window
-- stayed on the health page until someone ran each day ad hoc: history
-- finance read long ago, announced again as news. Those 042 left waiting
-- wait still, and the next run of their day names them, as it would have.
CREATE TABLE corrections_named_before_043 (file_id BIGINT PRIMARY KEY);
INSERT INTO corrections_named_before_043
SELECT DISTINCT replaced_by FROM ledger_files
WHERE replaced_by IS NOT NULL AND replaced_by NOT IN (SELECT id FROM files_awaiting_run);

-- The corrections no published run has named yet: every file that put an
-- earlier file of its day out of force, in force still or replaced since
-- (of a chain A, B, E, where E replaced B before any run named "B replaces
-- A", both steps wait), unless the publishing run that loaded it named it,
-- or a publishing run whose window holds its day did. The next recorded
-- run of every merchant whose window holds the day names them
-- (adopt-unnamed-corrections), and the health page lists them until one
-- succeeds. A file that replaced no earlier file (ingest --replace of a new
-- day) changed nothing a run published: the run of its day reads it as any
-- file. A file --replace refused changed nothing in force either.
CREATE OR REPLACE VIEW files_awaiting_run AS
SELECT f.id, f.name, f.business_date, f.loaded_at FROM ledger_files f
WHERE f.id IN (SELECT replaced_by FROM ledger_files WHERE replaced_by IS NOT NULL)
  AND f.run_id NOT IN (SELECT id FROM publishing_runs)
  AND f.id NOT IN (SELECT file_id FROM corrections_named_before_043)
  AND NOT EXISTS (
      SELECT 1 FROM run_named_files n JOIN publishing_runs r ON r.id = n.run_id
      WHERE n.file_id = f.id AND f.business_date BETWEEN r.window_from AND r.window_to);
