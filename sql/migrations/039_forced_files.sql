-- A ledger file ops put in force with flexrecon ingest --replace, past the
-- guard against unlike replacements. The content it put out of force does
-- not come back by itself (file-by-hash): forced, the file is ops' word on
-- the day, and holds until a new export or ops' word again. Files loaded
-- before this were not forced, or are not known to have been.
ALTER TABLE ledger_files ADD COLUMN forced BOOLEAN DEFAULT false;
