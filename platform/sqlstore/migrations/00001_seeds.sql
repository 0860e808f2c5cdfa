-- +goose Up
-- The seeds bookkeeping of a service's database (Shell.Seeded, Shell.MarkSeeded): one row per
-- data set seeded once. IF NOT EXISTS: the services' own first migrations created this table
-- before the platform owned it, and a database they migrated keeps it as it is.
CREATE TABLE IF NOT EXISTS seeds (
    name       TEXT PRIMARY KEY,
    applied_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE seeds;
