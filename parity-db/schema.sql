-- parity-db: the Go test catalogue, the mapping read from the code, and recorded run results.
-- The database file (parity.db) is generated; this schema is the contract.

CREATE TABLE IF NOT EXISTS catalogues (
    version      TEXT PRIMARY KEY,          -- Go version the rows came from, e.g. v2.15.0-dev
    source       TEXT NOT NULL,             -- TSV path or scanned Go tree
    imported_at  TEXT NOT NULL,
    is_current   INTEGER NOT NULL DEFAULT 0 -- the catalogue parity is measured against
);

CREATE TABLE IF NOT EXISTS go_tests (
    version     TEXT NOT NULL REFERENCES catalogues(version),
    go_file     TEXT NOT NULL,
    go_test     TEXT NOT NULL,
    line        INTEGER NOT NULL,
    kind        TEXT NOT NULL,              -- test | benchmark | fuzz
    subsystem   TEXT NOT NULL,
    build_tags  TEXT NOT NULL DEFAULT '',
    skips       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (version, go_file, go_test)
);

-- One row per (.NET test or scenario) -> Go test link, as read from [GoTest] attributes and @go: tags.
CREATE TABLE IF NOT EXISTS mappings (
    go_file      TEXT NOT NULL,
    go_test      TEXT NOT NULL,
    dotnet_test  TEXT NOT NULL,             -- Namespace.Class.Method, or "<feature> / <scenario>"
    origin       TEXT NOT NULL,             -- attribute | scenario
    source_file  TEXT NOT NULL DEFAULT '',
    source_line  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (go_file, go_test, dotnet_test)
);

CREATE TABLE IF NOT EXISTS runs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    target       TEXT NOT NULL,             -- ours | reference
    commit_sha   TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    source       TEXT NOT NULL              -- result file(s) read
);

CREATE TABLE IF NOT EXISTS results (
    run_id       INTEGER NOT NULL REFERENCES runs(id),
    dotnet_test  TEXT NOT NULL,             -- Namespace.Class.Method (theory rows collapse onto it)
    display_name TEXT NOT NULL,
    outcome      TEXT NOT NULL              -- Passed | Failed | NotExecuted ...
);
CREATE INDEX IF NOT EXISTS results_by_test ON results(dotnet_test, run_id);

CREATE TABLE IF NOT EXISTS exclusions (
    go_file  TEXT NOT NULL,
    go_test  TEXT NOT NULL,
    reason   TEXT NOT NULL,
    PRIMARY KEY (go_file, go_test)
);
