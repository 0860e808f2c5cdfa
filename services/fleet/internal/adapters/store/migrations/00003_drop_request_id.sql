-- +goose Up
-- vehicles.request_id and cessions.request_id were never written: idempotent creates keep their
-- keys in idempotency_keys (platform/idempotency). Each UNIQUE column still cost every insert an
-- index entry (a NULL one). SQLite drops neither a UNIQUE column nor its index, and its foreign
-- keys name their table, so both tables are rebuilt: copied aside, dropped (cessions first, it
-- refers to vehicles), created again without the column as a fresh install has them (the same
-- constraint and index names on PostgreSQL: the store reads the name of a violated one), and
-- filled back. The same statements run on both engines.
CREATE TEMPORARY TABLE vehicles_copy AS
    SELECT id, vin, plate, make, model, first_registration_date, state, readings, illustrative, revision,
           create_time, update_time, retire_date
    FROM vehicles;
CREATE TEMPORARY TABLE cessions_copy AS
    SELECT id, vehicle, beneficiary, beneficiary_kind, state, note, propose_date, approve_date, handover_date,
           handover_place, handover_officials, handover_odometer_km, handover_certificate, declaration_deadline,
           declare_date, end_date, end_reason, illustrative, revision, create_time, update_time
    FROM cessions;
DROP TABLE cessions;
DROP TABLE vehicles;

-- readings is the odometer's history, a JSON array oldest first:
-- [{"date": "2024-05-02", "km": 48210}, ...], always read and written with the vehicle.
-- retire_date is the day the vehicle left service ('' while in service, or when it was
-- registered retired without it), kept since a cession may not be proposed before it.
CREATE TABLE vehicles (
    id                      TEXT COLLATE "C" PRIMARY KEY,
    vin                     TEXT NOT NULL CONSTRAINT vehicles_vin_key UNIQUE,
    plate                   TEXT NOT NULL DEFAULT '',
    make                    TEXT NOT NULL DEFAULT '',
    model                   TEXT NOT NULL DEFAULT '',
    first_registration_date TEXT NOT NULL DEFAULT '',
    state                   TEXT NOT NULL,
    readings                TEXT NOT NULL DEFAULT '[]',
    illustrative            BOOLEAN NOT NULL DEFAULT FALSE,
    revision                BIGINT NOT NULL,
    create_time             TIMESTAMPTZ NOT NULL,
    update_time             TIMESTAMPTZ NOT NULL,
    retire_date             TEXT NOT NULL DEFAULT ''
);
CREATE INDEX vehicles_state ON vehicles (state, id);
CREATE INDEX vehicles_make ON vehicles (make, id);
CREATE INDEX vehicles_plate ON vehicles (plate, id);
-- A plate is unique among the vehicles the Caf still holds (domain.HeldStates). The store
-- reports a violation as ErrPlateInUse.
CREATE UNIQUE INDEX vehicles_held_plate ON vehicles (plate) WHERE state IN ('IN_SERVICE', 'RETIRED', 'RESERVED') AND plate <> '';

-- handover_date is NULL until the handover, '' for a handover of unknown day; the officials
-- present are a JSON array in the order given: [{"name": "...", "title": "..."}, ...].
CREATE TABLE cessions (
    id                   TEXT COLLATE "C" PRIMARY KEY,
    vehicle              TEXT COLLATE "C" NOT NULL REFERENCES vehicles (id),
    beneficiary          TEXT NOT NULL,
    beneficiary_kind     TEXT NOT NULL,
    state                TEXT NOT NULL,
    note                 TEXT NOT NULL DEFAULT '',
    propose_date         TEXT NOT NULL DEFAULT '',
    approve_date         TEXT NOT NULL DEFAULT '',
    handover_date        TEXT,
    handover_place       TEXT NOT NULL DEFAULT '',
    handover_officials   TEXT NOT NULL DEFAULT '[]',
    handover_odometer_km BIGINT NOT NULL DEFAULT 0,
    handover_certificate TEXT NOT NULL DEFAULT '',
    declaration_deadline TEXT NOT NULL DEFAULT '',
    declare_date         TEXT NOT NULL DEFAULT '',
    end_date             TEXT NOT NULL DEFAULT '',
    end_reason           TEXT NOT NULL DEFAULT '',
    illustrative         BOOLEAN NOT NULL DEFAULT FALSE,
    revision             BIGINT NOT NULL,
    create_time          TIMESTAMPTZ NOT NULL,
    update_time          TIMESTAMPTZ NOT NULL
);
-- A vehicle has at most one open (PROPOSED or APPROVED) cession; the store reports a violation
-- as ErrVehicleTaken.
CREATE UNIQUE INDEX cessions_one_open_per_vehicle ON cessions (vehicle) WHERE state IN ('PROPOSED', 'APPROVED');
CREATE INDEX cessions_vehicle ON cessions (vehicle, id);
CREATE INDEX cessions_state ON cessions (state, id);
CREATE INDEX cessions_beneficiary ON cessions (beneficiary, id);
CREATE INDEX cessions_handover_date ON cessions (handover_date) WHERE handover_date IS NOT NULL;
-- The overdue list: handed over, the declaration deadline passed.
CREATE INDEX cessions_overdue ON cessions (declaration_deadline) WHERE state = 'HANDED_OVER';

INSERT INTO vehicles (id, vin, plate, make, model, first_registration_date, state, readings, illustrative, revision,
                      create_time, update_time, retire_date)
    SELECT id, vin, plate, make, model, first_registration_date, state, readings, illustrative, revision,
           create_time, update_time, retire_date
    FROM vehicles_copy;
INSERT INTO cessions (id, vehicle, beneficiary, beneficiary_kind, state, note, propose_date, approve_date, handover_date,
                      handover_place, handover_officials, handover_odometer_km, handover_certificate, declaration_deadline,
                      declare_date, end_date, end_reason, illustrative, revision, create_time, update_time)
    SELECT id, vehicle, beneficiary, beneficiary_kind, state, note, propose_date, approve_date, handover_date,
           handover_place, handover_officials, handover_odometer_km, handover_certificate, declaration_deadline,
           declare_date, end_date, end_reason, illustrative, revision, create_time, update_time
    FROM cessions_copy;
DROP TABLE cessions_copy;
DROP TABLE vehicles_copy;

-- +goose Down
-- The same rebuild the other way, to the tables as migration 00002 left them: SQLite adds no
-- UNIQUE column either.
CREATE TEMPORARY TABLE vehicles_copy AS
    SELECT id, vin, plate, make, model, first_registration_date, state, readings, illustrative, revision,
           create_time, update_time, retire_date
    FROM vehicles;
CREATE TEMPORARY TABLE cessions_copy AS
    SELECT id, vehicle, beneficiary, beneficiary_kind, state, note, propose_date, approve_date, handover_date,
           handover_place, handover_officials, handover_odometer_km, handover_certificate, declaration_deadline,
           declare_date, end_date, end_reason, illustrative, revision, create_time, update_time
    FROM cessions;
DROP TABLE cessions;
DROP TABLE vehicles;

CREATE TABLE vehicles (
    id                      TEXT COLLATE "C" PRIMARY KEY,
    vin                     TEXT NOT NULL CONSTRAINT vehicles_vin_key UNIQUE,
    plate                   TEXT NOT NULL DEFAULT '',
    make                    TEXT NOT NULL DEFAULT '',
    model                   TEXT NOT NULL DEFAULT '',
    first_registration_date TEXT NOT NULL DEFAULT '',
    state                   TEXT NOT NULL,
    readings                TEXT NOT NULL DEFAULT '[]',
    illustrative            BOOLEAN NOT NULL DEFAULT FALSE,
    revision                BIGINT NOT NULL,
    request_id              TEXT CONSTRAINT vehicles_request_id_key UNIQUE,
    create_time             TIMESTAMPTZ NOT NULL,
    update_time             TIMESTAMPTZ NOT NULL,
    retire_date             TEXT NOT NULL DEFAULT ''
);
CREATE INDEX vehicles_state ON vehicles (state, id);
CREATE INDEX vehicles_make ON vehicles (make, id);
CREATE INDEX vehicles_plate ON vehicles (plate, id);
CREATE UNIQUE INDEX vehicles_held_plate ON vehicles (plate) WHERE state IN ('IN_SERVICE', 'RETIRED', 'RESERVED') AND plate <> '';

CREATE TABLE cessions (
    id                   TEXT COLLATE "C" PRIMARY KEY,
    vehicle              TEXT COLLATE "C" NOT NULL REFERENCES vehicles (id),
    beneficiary          TEXT NOT NULL,
    beneficiary_kind     TEXT NOT NULL,
    state                TEXT NOT NULL,
    note                 TEXT NOT NULL DEFAULT '',
    propose_date         TEXT NOT NULL DEFAULT '',
    approve_date         TEXT NOT NULL DEFAULT '',
    handover_date        TEXT,
    handover_place       TEXT NOT NULL DEFAULT '',
    handover_officials   TEXT NOT NULL DEFAULT '[]',
    handover_odometer_km BIGINT NOT NULL DEFAULT 0,
    handover_certificate TEXT NOT NULL DEFAULT '',
    declaration_deadline TEXT NOT NULL DEFAULT '',
    declare_date         TEXT NOT NULL DEFAULT '',
    end_date             TEXT NOT NULL DEFAULT '',
    end_reason           TEXT NOT NULL DEFAULT '',
    illustrative         BOOLEAN NOT NULL DEFAULT FALSE,
    revision             BIGINT NOT NULL,
    request_id           TEXT CONSTRAINT cessions_request_id_key UNIQUE,
    create_time          TIMESTAMPTZ NOT NULL,
    update_time          TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX cessions_one_open_per_vehicle ON cessions (vehicle) WHERE state IN ('PROPOSED', 'APPROVED');
CREATE INDEX cessions_vehicle ON cessions (vehicle, id);
CREATE INDEX cessions_state ON cessions (state, id);
CREATE INDEX cessions_beneficiary ON cessions (beneficiary, id);
CREATE INDEX cessions_handover_date ON cessions (handover_date) WHERE handover_date IS NOT NULL;
CREATE INDEX cessions_overdue ON cessions (declaration_deadline) WHERE state = 'HANDED_OVER';

INSERT INTO vehicles (id, vin, plate, make, model, first_registration_date, state, readings, illustrative, revision,
                      create_time, update_time, retire_date)
    SELECT id, vin, plate, make, model, first_registration_date, state, readings, illustrative, revision,
           create_time, update_time, retire_date
    FROM vehicles_copy;
INSERT INTO cessions (id, vehicle, beneficiary, beneficiary_kind, state, note, propose_date, approve_date, handover_date,
                      handover_place, handover_officials, handover_odometer_km, handover_certificate, declaration_deadline,
                      declare_date, end_date, end_reason, illustrative, revision, create_time, update_time)
    SELECT id, vehicle, beneficiary, beneficiary_kind, state, note, propose_date, approve_date, handover_date,
           handover_place, handover_officials, handover_odometer_km, handover_certificate, declaration_deadline,
           declare_date, end_date, end_reason, illustrative, revision, create_time, update_time
    FROM cessions_copy;
DROP TABLE cessions_copy;
DROP TABLE vehicles_copy;
