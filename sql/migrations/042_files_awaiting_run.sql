-- The ledger files no run has taken in yet, which the next run that judges
-- their day takes (adopt-loads-outside-runs) and the health page lists, so
-- that a forced correction still waiting shows (one of a day that no
-- nightly window reaches back to waits for a run of that day): those loaded
-- outside any run (flexrecon ingest --replace, run 0), and those forced so
-- that a run took in and then failed (it published nothing). A file
-- --replace refused changed nothing in force: the operator saw why. Nor does
-- one a new export has replaced since wait: the run that took that export
-- in named it ("E replaces B"), and a later run announcing "B replaces A"
-- would tell of a day's file no longer in force.
CREATE VIEW files_awaiting_run AS
SELECT id, name, business_date, loaded_at FROM ledger_files
WHERE outcome <> 'rejected' AND replaced_by IS NULL
  AND (run_id = 0 OR forced AND run_id IN (SELECT id FROM runs WHERE status = 'failed'));
