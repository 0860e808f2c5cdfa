-- +goose Up
-- reports.request_id and national_figures.request_id were never written: idempotent writes keep
-- their keys in idempotency_keys (platform/idempotency). Each UNIQUE column still cost every
-- insert an index entry (a NULL one). SQLite drops neither a UNIQUE column nor its index, so both
-- tables are rebuilt: copied aside, dropped, created again without the column as a fresh install
-- has them (the same constraint and index names on PostgreSQL: the store reads the name of a
-- violated one), and filled back. The same statements run on both engines.
CREATE TEMPORARY TABLE reports_copy AS
    SELECT network, period, revision, year, granularity, first_month, counts, illustrative, submit_time, submitted_by, latest
    FROM reports;
CREATE TEMPORARY TABLE national_figures_copy AS
    SELECT year, value, source, source_url, illustrative, create_time
    FROM national_figures;
DROP TABLE reports;
DROP TABLE national_figures;

-- One row per revision of a network's report for a period: see migration 00001 for the columns.
CREATE TABLE reports (
    network      TEXT COLLATE "C" NOT NULL,
    period       TEXT COLLATE "C" NOT NULL,
    revision     BIGINT NOT NULL CONSTRAINT reports_revision_positive CHECK (revision >= 1),
    year         INTEGER NOT NULL,
    granularity  INTEGER NOT NULL CONSTRAINT reports_granularity_known CHECK (granularity IN (1, 2, 3)),
    first_month  INTEGER NOT NULL CONSTRAINT reports_first_month_known CHECK (first_month BETWEEN 1 AND 12),
    counts       TEXT NOT NULL,
    illustrative BOOLEAN NOT NULL DEFAULT FALSE,
    submit_time  TIMESTAMPTZ NOT NULL,
    submitted_by TEXT NOT NULL DEFAULT '',
    latest       BOOLEAN NOT NULL,
    CONSTRAINT reports_pkey PRIMARY KEY (network, period, revision)
);
CREATE UNIQUE INDEX reports_latest ON reports (network, year, first_month, granularity) WHERE latest;

CREATE TABLE national_figures (
    year         INTEGER CONSTRAINT national_figures_pkey PRIMARY KEY,
    value        BIGINT NOT NULL,
    source       TEXT NOT NULL DEFAULT '',
    source_url   TEXT NOT NULL DEFAULT '',
    illustrative BOOLEAN NOT NULL DEFAULT FALSE,
    create_time  TIMESTAMPTZ NOT NULL
);

INSERT INTO reports (network, period, revision, year, granularity, first_month, counts, illustrative, submit_time, submitted_by, latest)
    SELECT network, period, revision, year, granularity, first_month, counts, illustrative, submit_time, submitted_by, latest
    FROM reports_copy;
INSERT INTO national_figures (year, value, source, source_url, illustrative, create_time)
    SELECT year, value, source, source_url, illustrative, create_time
    FROM national_figures_copy;
DROP TABLE reports_copy;
DROP TABLE national_figures_copy;

-- +goose Down
-- The same rebuild the other way: SQLite adds no UNIQUE column either.
CREATE TEMPORARY TABLE reports_copy AS
    SELECT network, period, revision, year, granularity, first_month, counts, illustrative, submit_time, submitted_by, latest
    FROM reports;
CREATE TEMPORARY TABLE national_figures_copy AS
    SELECT year, value, source, source_url, illustrative, create_time
    FROM national_figures;
DROP TABLE reports;
DROP TABLE national_figures;

CREATE TABLE reports (
    network      TEXT COLLATE "C" NOT NULL,
    period       TEXT COLLATE "C" NOT NULL,
    revision     BIGINT NOT NULL CONSTRAINT reports_revision_positive CHECK (revision >= 1),
    year         INTEGER NOT NULL,
    granularity  INTEGER NOT NULL CONSTRAINT reports_granularity_known CHECK (granularity IN (1, 2, 3)),
    first_month  INTEGER NOT NULL CONSTRAINT reports_first_month_known CHECK (first_month BETWEEN 1 AND 12),
    counts       TEXT NOT NULL,
    illustrative BOOLEAN NOT NULL DEFAULT FALSE,
    submit_time  TIMESTAMPTZ NOT NULL,
    submitted_by TEXT NOT NULL DEFAULT '',
    latest       BOOLEAN NOT NULL,
    request_id   TEXT CONSTRAINT reports_request_id_key UNIQUE,
    CONSTRAINT reports_pkey PRIMARY KEY (network, period, revision)
);
CREATE UNIQUE INDEX reports_latest ON reports (network, year, first_month, granularity) WHERE latest;

CREATE TABLE national_figures (
    year         INTEGER CONSTRAINT national_figures_pkey PRIMARY KEY,
    value        BIGINT NOT NULL,
    source       TEXT NOT NULL DEFAULT '',
    source_url   TEXT NOT NULL DEFAULT '',
    illustrative BOOLEAN NOT NULL DEFAULT FALSE,
    request_id   TEXT CONSTRAINT national_figures_request_id_key UNIQUE,
    create_time  TIMESTAMPTZ NOT NULL
);

INSERT INTO reports (network, period, revision, year, granularity, first_month, counts, illustrative, submit_time, submitted_by, latest)
    SELECT network, period, revision, year, granularity, first_month, counts, illustrative, submit_time, submitted_by, latest
    FROM reports_copy;
INSERT INTO national_figures (year, value, source, source_url, illustrative, create_time)
    SELECT year, value, source, source_url, illustrative, create_time
    FROM national_figures_copy;
DROP TABLE reports_copy;
DROP TABLE national_figures_copy;
