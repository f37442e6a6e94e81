-- The files ingest has read, by source and name, with the size and
-- modification time they had: a file found again unchanged is not hashed
-- again. An inbox keeps every night's export, and hashing all of them each
-- night grew with its history (1.1 s per 10M-row export here). Rejected
-- files are not recorded: they are read again, in case their mapping was
-- fixed.
CREATE TABLE seen_files (
    source      VARCHAR NOT NULL,
    name        VARCHAR NOT NULL,
    size        BIGINT NOT NULL,
    modified_at TIMESTAMPTZ NOT NULL,
    sha256      VARCHAR NOT NULL,
    PRIMARY KEY (source, name)
);
