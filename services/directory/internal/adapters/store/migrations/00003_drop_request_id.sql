-- +goose Up
-- organisations.request_id and members.request_id were never written: idempotent creates keep
-- their keys in idempotency_keys (platform/idempotency). Each UNIQUE column still cost every
-- insert an index entry (a NULL one), a page more in the commit of each create. SQLite drops
-- neither a UNIQUE column nor its index, and its foreign keys name their table, so both tables
-- are rebuilt: copied aside, dropped (members first, it refers to organisations), created again
-- without the column as a fresh install has them (the same constraint and index names on
-- PostgreSQL), and filled back. The same statements run on both engines.
CREATE TEMPORARY TABLE organisations_copy AS
    SELECT id, display_name, kind, siret, commune, address, illustrative, revision, create_time, update_time, delete_time
    FROM organisations;
CREATE TEMPORARY TABLE members_copy AS
    SELECT network, id, organisation, display_name, role, domains, email, phone, revision, create_time, update_time
    FROM members;
DROP TABLE members;
DROP TABLE organisations;

CREATE TABLE organisations (
    id           TEXT COLLATE "C" PRIMARY KEY,
    display_name TEXT NOT NULL,
    kind         TEXT NOT NULL,
    siret        TEXT NOT NULL DEFAULT '',
    commune      TEXT NOT NULL DEFAULT '',
    address      TEXT NOT NULL DEFAULT '',
    illustrative BOOLEAN NOT NULL DEFAULT FALSE,
    revision     BIGINT NOT NULL,
    create_time  TIMESTAMPTZ NOT NULL,
    update_time  TIMESTAMPTZ NOT NULL,
    delete_time  TIMESTAMPTZ
);
CREATE INDEX organisations_kind ON organisations (kind, id);
CREATE INDEX organisations_commune ON organisations (commune, id);

CREATE TABLE members (
    network      TEXT COLLATE "C" NOT NULL,
    id           TEXT COLLATE "C" NOT NULL,
    organisation TEXT NOT NULL REFERENCES organisations (id),
    display_name TEXT NOT NULL,
    role         TEXT NOT NULL DEFAULT '',
    domains      TEXT NOT NULL, -- ",JUSTICE,SOCIAL," so that a domain filter is one LIKE
    email        TEXT NOT NULL DEFAULT '',
    phone        TEXT NOT NULL DEFAULT '',
    revision     BIGINT NOT NULL,
    create_time  TIMESTAMPTZ NOT NULL,
    update_time  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (network, id)
);
CREATE INDEX members_organisation ON members (organisation);

INSERT INTO organisations (id, display_name, kind, siret, commune, address, illustrative, revision, create_time, update_time, delete_time)
    SELECT id, display_name, kind, siret, commune, address, illustrative, revision, create_time, update_time, delete_time
    FROM organisations_copy;
INSERT INTO members (network, id, organisation, display_name, role, domains, email, phone, revision, create_time, update_time)
    SELECT network, id, organisation, display_name, role, domains, email, phone, revision, create_time, update_time
    FROM members_copy;
DROP TABLE members_copy;
DROP TABLE organisations_copy;

-- +goose Down
-- The same rebuild the other way: SQLite adds no UNIQUE column either.
CREATE TEMPORARY TABLE organisations_copy AS
    SELECT id, display_name, kind, siret, commune, address, illustrative, revision, create_time, update_time, delete_time
    FROM organisations;
CREATE TEMPORARY TABLE members_copy AS
    SELECT network, id, organisation, display_name, role, domains, email, phone, revision, create_time, update_time
    FROM members;
DROP TABLE members;
DROP TABLE organisations;

CREATE TABLE organisations (
    id           TEXT COLLATE "C" PRIMARY KEY,
    display_name TEXT NOT NULL,
    kind         TEXT NOT NULL,
    siret        TEXT NOT NULL DEFAULT '',
    commune      TEXT NOT NULL DEFAULT '',
    address      TEXT NOT NULL DEFAULT '',
    illustrative BOOLEAN NOT NULL DEFAULT FALSE,
    revision     BIGINT NOT NULL,
    request_id   TEXT UNIQUE,
    create_time  TIMESTAMPTZ NOT NULL,
    update_time  TIMESTAMPTZ NOT NULL,
    delete_time  TIMESTAMPTZ
);
CREATE INDEX organisations_kind ON organisations (kind, id);
CREATE INDEX organisations_commune ON organisations (commune, id);

CREATE TABLE members (
    network      TEXT COLLATE "C" NOT NULL,
    id           TEXT COLLATE "C" NOT NULL,
    organisation TEXT NOT NULL REFERENCES organisations (id),
    display_name TEXT NOT NULL,
    role         TEXT NOT NULL DEFAULT '',
    domains      TEXT NOT NULL,
    email        TEXT NOT NULL DEFAULT '',
    phone        TEXT NOT NULL DEFAULT '',
    revision     BIGINT NOT NULL,
    request_id   TEXT UNIQUE,
    create_time  TIMESTAMPTZ NOT NULL,
    update_time  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (network, id)
);
CREATE INDEX members_organisation ON members (organisation);

INSERT INTO organisations (id, display_name, kind, siret, commune, address, illustrative, revision, create_time, update_time, delete_time)
    SELECT id, display_name, kind, siret, commune, address, illustrative, revision, create_time, update_time, delete_time
    FROM organisations_copy;
INSERT INTO members (network, id, organisation, display_name, role, domains, email, phone, revision, create_time, update_time)
    SELECT network, id, organisation, display_name, role, domains, email, phone, revision, create_time, update_time
    FROM members_copy;
DROP TABLE members_copy;
DROP TABLE organisations_copy;
