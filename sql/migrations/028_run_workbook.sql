-- A run's workbook is known by its digest as well as its path: the output
-- folder may be shared with another service, or a file there edited by
-- hand, and a download serves the file only while it is the one the run
-- wrote (its size and sha256 as recorded), rendering it again otherwise.
-- Runs before this recorded none: theirs are rendered again.
ALTER TABLE runs ADD COLUMN workbook_sha256 VARCHAR;
ALTER TABLE runs ADD COLUMN workbook_size BIGINT;

-- The workbook stage's detail is the file's name. Runs recorded before
-- that kept its full path there, which the run page and the workbook's
-- manifest showed every reader. A failed stage's detail is its error, left
-- as it is.
UPDATE run_stages SET detail = regexp_replace(detail, '^.*[/\\]', '')
WHERE stage = 'workbook' AND detail NOT LIKE 'failed: %' AND regexp_matches(detail, '[/\\]');

-- The registry's site descriptors as a run's workbook stage found them. The
-- Sites sheet shows a ledger row that names its site by URL alone under its
-- registered site's descriptor, as classify compares it; read from sites at
-- each download, a descriptor changed in the registry since would move an
-- old run's rows, and show drift its findings never had.
CREATE TABLE run_site_descriptors (
    run_id      BIGINT NOT NULL,
    merchant_id VARCHAR NOT NULL,
    url         VARCHAR NOT NULL,
    descriptor  VARCHAR NOT NULL
);
