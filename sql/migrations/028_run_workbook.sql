-- A run's workbook is known by its digest as well as its path: the output
-- folder may be shared with another service, or a file there edited by
-- hand, and a download serves the file only while it is the one the run
-- wrote (its size and sha256 as recorded), rendering it again otherwise.
-- Runs before this recorded none: theirs are rendered again.
ALTER TABLE runs ADD COLUMN workbook_sha256 VARCHAR;
ALTER TABLE runs ADD COLUMN workbook_size BIGINT;
