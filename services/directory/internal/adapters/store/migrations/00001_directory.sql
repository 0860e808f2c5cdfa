-- +goose Up
-- Keys use the C collation so that ORDER BY and keyset pages follow byte order, as on SQLite.
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
    update_time  TIMESTAMPTZ NOT NULL
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
    request_id   TEXT UNIQUE,
    create_time  TIMESTAMPTZ NOT NULL,
    update_time  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (network, id)
);
CREATE INDEX members_organisation ON members (organisation);

-- +goose Down
DROP TABLE members;
DROP TABLE organisations;
