-- +goose Up
-- The pattern a release after the first was published with: a JSON array of the names of its
-- hidden figures (the domain's cell names, e.g. "0/chalonnais/0/0/2024-03"). Stored when the
-- release is made, so that every later answer from it, and the protection of the releases after
-- it, use what was published, even after a restart or a change of the protection code (which
-- could choose another pattern for the same figures: two patterns of one state give more away
-- than either). NULL for the first release of a year (protected as any single state) and for
-- releases recorded before this column: their pattern is computed again.
ALTER TABLE releases ADD COLUMN hidden TEXT;

-- +goose Down
ALTER TABLE releases DROP COLUMN hidden;
