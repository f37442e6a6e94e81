-- A workbook stage that failed kept its error, with the server's paths in
-- it, as the stage's detail and the run's error, on the run page and in the
-- API ("mkdir /srv/flexrecon/out: not a directory"); 028 left failed stages
-- as they were. A stage failing now names each file by its name alone
-- (pathless, in jobs/workbook.go): so do the runs before, each absolute path
-- in their error cut to its last element ("mkdir out: not a directory").
UPDATE run_stages SET detail = regexp_replace(detail, '([A-Za-z]:)?([/\\][^/\\\s:"]+)+[/\\]', '', 'g')
WHERE stage = 'workbook' AND detail LIKE 'failed: %';

UPDATE runs SET error = regexp_replace(error, '([A-Za-z]:)?([/\\][^/\\\s:"]+)+[/\\]', '', 'g')
WHERE id IN (SELECT run_id FROM run_stages WHERE stage = 'workbook' AND detail LIKE 'failed: %');
