-- +goose Up
-- The day a vehicle left service ('' while in service, or when it was registered retired without
-- it), kept since a cession may not be proposed before it.
ALTER TABLE vehicles ADD COLUMN retire_date TEXT NOT NULL DEFAULT '';
-- A plate is unique among the vehicles the Caf still holds (domain.HeldStates): a ceded vehicle
-- belongs to its beneficiary and a scrapped one is destroyed. An unknown plate ('', which the
-- service never writes) clashes with none. The store reports a violation as ErrPlateInUse.
CREATE UNIQUE INDEX vehicles_held_plate ON vehicles (plate) WHERE state IN ('IN_SERVICE', 'RETIRED', 'RESERVED') AND plate <> '';

-- +goose Down
DROP INDEX vehicles_held_plate;
ALTER TABLE vehicles DROP COLUMN retire_date;
