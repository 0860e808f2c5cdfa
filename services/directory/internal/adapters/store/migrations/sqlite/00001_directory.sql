-- +goose Up
CREATE TABLE organisations (
    id           TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    kind         TEXT NOT NULL,
    siret        TEXT NOT NULL DEFAULT '',
    commune      TEXT NOT NULL DEFAULT '',
    address      TEXT NOT NULL DEFAULT '',
    illustrative BOOLEAN NOT NULL DEFAULT FALSE,
    revision     INTEGER NOT NULL,
    request_id   TEXT UNIQUE,
    create_time  TIMESTAMP NOT NULL,
    update_time  TIMESTAMP NOT NULL
);
CREATE INDEX organisations_kind ON organisations (kind, id);
CREATE INDEX organisations_commune ON organisations (commune, id);

CREATE TABLE members (
    network      TEXT NOT NULL,
    id           TEXT NOT NULL,
    organisation TEXT NOT NULL REFERENCES organisations (id),
    display_name TEXT NOT NULL,
    role         TEXT NOT NULL DEFAULT '',
    domains      TEXT NOT NULL, -- ",JUSTICE,SOCIAL," so that a domain filter is one LIKE
    email        TEXT NOT NULL DEFAULT '',
    phone        TEXT NOT NULL DEFAULT '',
    revision     INTEGER NOT NULL,
    request_id   TEXT UNIQUE,
    create_time  TIMESTAMP NOT NULL,
    update_time  TIMESTAMP NOT NULL,
    PRIMARY KEY (network, id)
);
CREATE INDEX members_organisation ON members (organisation);

-- +goose Down
DROP TABLE members;
DROP TABLE organisations;
