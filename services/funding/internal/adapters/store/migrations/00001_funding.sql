-- +goose Up
-- Keys use the C collation so that ORDER BY and keyset pages follow byte order, as on SQLite.
-- Money is BIGINT cents; dates are 'YYYY-MM-DD' text ('' when unknown), whose text order is date
-- order; request_id is NULL when the call gave none, so UNIQUE holds only between given ones.
CREATE TABLE funders (
    id           TEXT COLLATE "C" PRIMARY KEY,
    display_name TEXT NOT NULL,
    kind         TEXT NOT NULL,
    epci         TEXT NOT NULL DEFAULT '',
    commune      TEXT NOT NULL DEFAULT '',
    organisation TEXT NOT NULL DEFAULT '',
    siret        TEXT NOT NULL DEFAULT '',
    illustrative BOOLEAN NOT NULL DEFAULT FALSE,
    revision     BIGINT NOT NULL,
    request_id   TEXT UNIQUE,
    create_time  TIMESTAMPTZ NOT NULL,
    update_time  TIMESTAMPTZ NOT NULL
);
CREATE INDEX funders_kind ON funders (kind, id);
CREATE INDEX funders_epci ON funders (epci, id);
-- One funder per EPCI: a plan split pro rata to population finds the funder of each EPCI.
CREATE UNIQUE INDEX funders_one_per_epci ON funders (epci) WHERE kind = 'EPCI';
CREATE INDEX funders_organisation ON funders (organisation, id);

CREATE TABLE posts (
    id                TEXT COLLATE "C" PRIMARY KEY,
    display_name      TEXT NOT NULL,
    network           TEXT NOT NULL DEFAULT '',
    host_organisation TEXT NOT NULL DEFAULT '',
    fte_thousandths   INTEGER NOT NULL DEFAULT 0,
    start_date        TEXT NOT NULL DEFAULT '',
    end_date          TEXT NOT NULL DEFAULT '',
    illustrative      BOOLEAN NOT NULL DEFAULT FALSE,
    revision          BIGINT NOT NULL,
    request_id        TEXT UNIQUE,
    create_time       TIMESTAMPTZ NOT NULL,
    update_time       TIMESTAMPTZ NOT NULL
);
CREATE INDEX posts_network ON posts (network, id);
CREATE INDEX posts_host_organisation ON posts (host_organisation, id);

-- A plan's lists are JSON arrays in text columns, read and written with the plan only:
--   shares         [{"funder": "...", "bp": 6000}, ...]                       (explicit rule)
--   epci_funders   ["funder-id", ...]                                         (population rule)
--   contributions  [{"funder": "...", "kind": "EPCI", "amount_cents": 1}, ...] (computed)
CREATE TABLE plans (
    post                 TEXT COLLATE "C" NOT NULL REFERENCES posts (id),
    year                 INTEGER NOT NULL,
    annual_cost_cents    BIGINT NOT NULL,
    state_share_bp       INTEGER NOT NULL,
    state_funder         TEXT NOT NULL DEFAULT '',
    rule                 TEXT NOT NULL,
    shares               TEXT NOT NULL DEFAULT '[]',
    departement_funder   TEXT NOT NULL DEFAULT '',
    departement_share_bp INTEGER NOT NULL DEFAULT 0,
    epci_funders         TEXT NOT NULL DEFAULT '[]',
    contributions        TEXT NOT NULL DEFAULT '[]',
    revisions            INTEGER NOT NULL DEFAULT 0,
    illustrative         BOOLEAN NOT NULL DEFAULT FALSE,
    revision             BIGINT NOT NULL,
    request_id           TEXT UNIQUE,
    create_time          TIMESTAMPTZ NOT NULL,
    update_time          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (post, year)
);
CREATE INDEX plans_year ON plans (year, post);

-- UNIQUE (post, year): a plan has one agreement.
CREATE TABLE agreements (
    id          TEXT COLLATE "C" PRIMARY KEY,
    post        TEXT COLLATE "C" NOT NULL,
    year        INTEGER NOT NULL,
    state       TEXT NOT NULL,
    reference   TEXT NOT NULL DEFAULT '',
    purpose     TEXT NOT NULL DEFAULT '',
    sign_date   TEXT NOT NULL DEFAULT '',
    start_date  TEXT NOT NULL DEFAULT '',
    close_date  TEXT NOT NULL DEFAULT '',
    total_cents BIGINT NOT NULL DEFAULT 0,
    revision    BIGINT NOT NULL,
    request_id  TEXT UNIQUE,
    create_time TIMESTAMPTZ NOT NULL,
    update_time TIMESTAMPTZ NOT NULL,
    UNIQUE (post, year),
    FOREIGN KEY (post, year) REFERENCES plans (post, year)
);
CREATE INDEX agreements_year ON agreements (year, id);
CREATE INDEX agreements_state ON agreements (state, id);

CREATE TABLE contributions (
    agreement    TEXT COLLATE "C" NOT NULL REFERENCES agreements (id),
    funder       TEXT COLLATE "C" NOT NULL REFERENCES funders (id),
    funder_kind  TEXT NOT NULL,
    year         INTEGER NOT NULL,
    amount_cents BIGINT NOT NULL,
    called_cents BIGINT NOT NULL DEFAULT 0,
    paid_cents   BIGINT NOT NULL DEFAULT 0,
    revision     BIGINT NOT NULL,
    update_time  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (agreement, funder)
);
CREATE INDEX contributions_funder ON contributions (funder, agreement);
CREATE INDEX contributions_year ON contributions (year, agreement, funder);

-- One row per payment, numbered from 1 per contribution (seq): a contribution's payments read
-- back oldest first, and a payment's request id makes RecordPayment idempotent.
CREATE TABLE payments (
    agreement    TEXT COLLATE "C" NOT NULL,
    funder       TEXT COLLATE "C" NOT NULL,
    seq          BIGINT NOT NULL,
    amount_cents BIGINT NOT NULL,
    payment_date TEXT NOT NULL,
    reference    TEXT NOT NULL DEFAULT '',
    request_id   TEXT UNIQUE,
    PRIMARY KEY (agreement, funder, seq),
    FOREIGN KEY (agreement, funder) REFERENCES contributions (agreement, funder)
);

-- +goose Down
DROP TABLE payments;
DROP TABLE contributions;
DROP TABLE agreements;
DROP TABLE plans;
DROP TABLE posts;
DROP TABLE funders;
