-- +goose Up
-- Keys use the C collation so that ORDER BY and keyset pages follow byte order, as on SQLite.
-- Counters and kilometres are BIGINT; dates are 'YYYY-MM-DD' text ('' when unknown), whose text
-- order is date order; request_id is NULL when the call gave none, so UNIQUE holds only between
-- given ones. Unique constraints are named: the store reads the name of the one a write violated.

-- readings is the odometer's history, a JSON array oldest first:
-- [{"date": "2024-05-02", "km": 48210}, ...], always read and written with the vehicle.
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
    update_time             TIMESTAMPTZ NOT NULL
);
CREATE INDEX vehicles_state ON vehicles (state, id);
CREATE INDEX vehicles_make ON vehicles (make, id);
CREATE INDEX vehicles_plate ON vehicles (plate, id);

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
    request_id           TEXT CONSTRAINT cessions_request_id_key UNIQUE,
    create_time          TIMESTAMPTZ NOT NULL,
    update_time          TIMESTAMPTZ NOT NULL
);
-- A vehicle has at most one open (PROPOSED or APPROVED) cession: the database holds the rule
-- whatever the interleaving of writers. The store reports its violation as ErrVehicleTaken.
CREATE UNIQUE INDEX cessions_one_open_per_vehicle ON cessions (vehicle) WHERE state IN ('PROPOSED', 'APPROVED');
CREATE INDEX cessions_vehicle ON cessions (vehicle, id);
CREATE INDEX cessions_state ON cessions (state, id);
CREATE INDEX cessions_beneficiary ON cessions (beneficiary, id);
CREATE INDEX cessions_handover_date ON cessions (handover_date) WHERE handover_date IS NOT NULL;
-- The overdue list: handed over, the declaration deadline passed.
CREATE INDEX cessions_overdue ON cessions (declaration_deadline) WHERE state = 'HANDED_OVER';

-- +goose Down
DROP TABLE cessions;
DROP TABLE vehicles;
