-- +goose Up
-- The resource name of what changed, sent as the CloudEvents subject (ce-subject). Rows written
-- before it existed go out without one.
ALTER TABLE outbox ADD COLUMN resource TEXT NOT NULL DEFAULT '';
-- When the writer added the row, by its wall clock, just before its transaction commits: the
-- relay measures the commit -> publish lag from it (vif_outbox_publish_lag_seconds).
ALTER TABLE outbox ADD COLUMN written_at TIMESTAMPTZ;

-- +goose Down
ALTER TABLE outbox DROP COLUMN written_at;
ALTER TABLE outbox DROP COLUMN resource;
