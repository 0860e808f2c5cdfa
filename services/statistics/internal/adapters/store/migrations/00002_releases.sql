-- +goose Up
-- One row per release of a year's figures: the state the service first served, protected, to a
-- reader not entitled to the raw counts (see the domain's release.go). number counts from 1 per
-- year; digest (hex SHA-256) names the state; figures is JSON text, every network's figures of
-- the year's periods: {"network": {"2024-03": {"derived": false, "counts": {...}}}}, counts as in
-- reports.counts. Rows are only ever added: what was published stays known.
CREATE TABLE releases (
    year    INTEGER NOT NULL,
    number  INTEGER NOT NULL CONSTRAINT releases_number_positive CHECK (number >= 1),
    digest  TEXT NOT NULL,
    figures TEXT NOT NULL,
    CONSTRAINT releases_pkey PRIMARY KEY (year, number)
);

-- +goose Down
DROP TABLE releases;
