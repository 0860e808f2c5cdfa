-- +goose Up
-- Keys use the C collation so that ORDER BY follows byte order, as on SQLite. request_id is NULL
-- when the call gave none, so UNIQUE holds only between given ones. Constraints are named: the
-- store reads the name of the one a write violated.

-- One row per revision of a network's report for a period. period is the domain's text
-- ("2022", "2022-Q1", "2022-03"); year, granularity (1 year, 2 quarter, 3 month: the domain's
-- Granularity) and first_month repeat it as numbers, so that a range of years is an index range
-- and (year, first_month, granularity) sorts periods by start, then longest first.
-- counts is JSON text, always read and written whole:
-- {"victims": 12, "children": 3, "breakdowns": [[...], ...]}, a list of buckets per dimension in
-- the domain's order.
-- latest marks the latest revision of each report, moved in the transaction that adds the next
-- one: the index below keeps one per report whatever the writers do, and is what LatestReports
-- reads (see the store's package doc for why a column rather than a MAX subquery).
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
-- (network, year, first_month, granularity) names a report as (network, period) does, so this
-- one index both admits a single latest revision per report and serves LatestReports in its
-- order, for one network (a range) or all of them (a scan of the latest rows only).
CREATE UNIQUE INDEX reports_latest ON reports (network, year, first_month, granularity) WHERE latest;

-- The national reference series, one figure per year.
CREATE TABLE national_figures (
    year         INTEGER CONSTRAINT national_figures_pkey PRIMARY KEY,
    value        BIGINT NOT NULL,
    source       TEXT NOT NULL DEFAULT '',
    source_url   TEXT NOT NULL DEFAULT '',
    illustrative BOOLEAN NOT NULL DEFAULT FALSE,
    request_id   TEXT CONSTRAINT national_figures_request_id_key UNIQUE,
    create_time  TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE national_figures;
DROP TABLE reports;
