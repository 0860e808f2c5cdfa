-- +goose Up
-- Organisations are soft-deleted (AIP-164): other services refer to them, so the row stays with
-- the time it was deleted; NULL while it is not.
ALTER TABLE organisations ADD COLUMN delete_time TIMESTAMPTZ;

-- +goose Down
ALTER TABLE organisations DROP COLUMN delete_time;
