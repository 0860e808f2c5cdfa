-- +goose Up
-- The W3C traceparent of the call that wrote the event, when that call was traced
-- (platform/telemetry); the relay sends it on the message. NULL when tracing was off.
ALTER TABLE outbox ADD COLUMN trace_parent TEXT;

-- +goose Down
ALTER TABLE outbox DROP COLUMN trace_parent;
