-- +goose Up
-- The resource name of what changed, sent as the CloudEvents subject (ce-subject). Rows written
-- before it existed go out without one.
ALTER TABLE outbox ADD COLUMN resource TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE outbox DROP COLUMN resource;
