-- +goose Up
-- When an admin published the release (PublishRelease): publication is explicit, and reads
-- answer from the latest release only. NULL for the releases recorded before, each made by the
-- first protected read after a change. Every release recorded from now on carries its pattern
-- (hidden), the first of a year's included.
ALTER TABLE releases ADD COLUMN publish_time TIMESTAMPTZ;

-- +goose Down
ALTER TABLE releases DROP COLUMN publish_time;
