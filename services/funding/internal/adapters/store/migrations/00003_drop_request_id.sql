-- +goose Up
-- The request_id columns of funders, posts, plans, agreements and payments were never written:
-- idempotent writes (creates, RecordPayment) keep their keys in idempotency_keys
-- (platform/idempotency). Each UNIQUE column still cost every insert an index entry (a NULL
-- one). SQLite drops neither a UNIQUE column nor its index, and its foreign keys name their
-- table, so the five tables are rebuilt, and contributions with them since it sits between
-- agreements and payments: copied aside, dropped (children first), created again without the
-- column as a fresh install has them (the same constraint and index names on PostgreSQL), and
-- filled back (parents first). The same statements run on both engines.
CREATE TEMPORARY TABLE funders_copy AS
    SELECT id, display_name, kind, epci, commune, organisation, siret, illustrative, revision, create_time, update_time
    FROM funders;
CREATE TEMPORARY TABLE posts_copy AS
    SELECT id, display_name, network, host_organisation, fte_thousandths, start_date, end_date, illustrative, revision, create_time, update_time, siret
    FROM posts;
CREATE TEMPORARY TABLE plans_copy AS
    SELECT post, year, annual_cost_cents, state_share_bp, state_funder, rule, shares, departement_funder, departement_share_bp,
           epci_funders, contributions, revisions, illustrative, revision, create_time, update_time
    FROM plans;
CREATE TEMPORARY TABLE agreements_copy AS
    SELECT id, post, year, state, reference, purpose, sign_date, start_date, close_date, total_cents, revision, create_time, update_time
    FROM agreements;
CREATE TEMPORARY TABLE contributions_copy AS
    SELECT agreement, funder, funder_kind, year, amount_cents, called_cents, paid_cents, revision, update_time
    FROM contributions;
CREATE TEMPORARY TABLE payments_copy AS
    SELECT agreement, funder, seq, amount_cents, payment_date, reference
    FROM payments;
DROP TABLE payments;
DROP TABLE contributions;
DROP TABLE agreements;
DROP TABLE plans;
DROP TABLE posts;
DROP TABLE funders;

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
    create_time  TIMESTAMPTZ NOT NULL,
    update_time  TIMESTAMPTZ NOT NULL
);
CREATE INDEX funders_kind ON funders (kind, id);
CREATE INDEX funders_epci ON funders (epci, id);
-- One funder per EPCI: a plan split pro rata to population finds the funder of each EPCI.
CREATE UNIQUE INDEX funders_one_per_epci ON funders (epci) WHERE kind = 'EPCI';
CREATE INDEX funders_organisation ON funders (organisation, id);

-- siret is the SIRET of the body that employs the post's social worker and receives the funds
-- ('' when not given): the SCDL export's idBeneficiaire.
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
    create_time       TIMESTAMPTZ NOT NULL,
    update_time       TIMESTAMPTZ NOT NULL,
    siret             TEXT NOT NULL DEFAULT ''
);
CREATE INDEX posts_network ON posts (network, id);
CREATE INDEX posts_host_organisation ON posts (host_organisation, id);

-- A plan's lists are JSON arrays in text columns, read and written with the plan only (see
-- migration 00001).
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
-- back oldest first.
CREATE TABLE payments (
    agreement    TEXT COLLATE "C" NOT NULL,
    funder       TEXT COLLATE "C" NOT NULL,
    seq          BIGINT NOT NULL,
    amount_cents BIGINT NOT NULL,
    payment_date TEXT NOT NULL,
    reference    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (agreement, funder, seq),
    FOREIGN KEY (agreement, funder) REFERENCES contributions (agreement, funder)
);

INSERT INTO funders (id, display_name, kind, epci, commune, organisation, siret, illustrative, revision, create_time, update_time)
    SELECT id, display_name, kind, epci, commune, organisation, siret, illustrative, revision, create_time, update_time
    FROM funders_copy;
INSERT INTO posts (id, display_name, network, host_organisation, fte_thousandths, start_date, end_date, illustrative, revision, create_time, update_time, siret)
    SELECT id, display_name, network, host_organisation, fte_thousandths, start_date, end_date, illustrative, revision, create_time, update_time, siret
    FROM posts_copy;
INSERT INTO plans (post, year, annual_cost_cents, state_share_bp, state_funder, rule, shares, departement_funder, departement_share_bp,
                       epci_funders, contributions, revisions, illustrative, revision, create_time, update_time)
    SELECT post, year, annual_cost_cents, state_share_bp, state_funder, rule, shares, departement_funder, departement_share_bp,
           epci_funders, contributions, revisions, illustrative, revision, create_time, update_time
    FROM plans_copy;
INSERT INTO agreements (id, post, year, state, reference, purpose, sign_date, start_date, close_date, total_cents, revision, create_time, update_time)
    SELECT id, post, year, state, reference, purpose, sign_date, start_date, close_date, total_cents, revision, create_time, update_time
    FROM agreements_copy;
INSERT INTO contributions (agreement, funder, funder_kind, year, amount_cents, called_cents, paid_cents, revision, update_time)
    SELECT agreement, funder, funder_kind, year, amount_cents, called_cents, paid_cents, revision, update_time
    FROM contributions_copy;
INSERT INTO payments (agreement, funder, seq, amount_cents, payment_date, reference)
    SELECT agreement, funder, seq, amount_cents, payment_date, reference
    FROM payments_copy;
DROP TABLE payments_copy;
DROP TABLE contributions_copy;
DROP TABLE agreements_copy;
DROP TABLE plans_copy;
DROP TABLE posts_copy;
DROP TABLE funders_copy;

-- +goose Down
-- The same rebuild the other way, to the tables as migration 00002 left them: SQLite adds no
-- UNIQUE column either.
CREATE TEMPORARY TABLE funders_copy AS
    SELECT id, display_name, kind, epci, commune, organisation, siret, illustrative, revision, create_time, update_time
    FROM funders;
CREATE TEMPORARY TABLE posts_copy AS
    SELECT id, display_name, network, host_organisation, fte_thousandths, start_date, end_date, illustrative, revision, create_time, update_time, siret
    FROM posts;
CREATE TEMPORARY TABLE plans_copy AS
    SELECT post, year, annual_cost_cents, state_share_bp, state_funder, rule, shares, departement_funder, departement_share_bp,
           epci_funders, contributions, revisions, illustrative, revision, create_time, update_time
    FROM plans;
CREATE TEMPORARY TABLE agreements_copy AS
    SELECT id, post, year, state, reference, purpose, sign_date, start_date, close_date, total_cents, revision, create_time, update_time
    FROM agreements;
CREATE TEMPORARY TABLE contributions_copy AS
    SELECT agreement, funder, funder_kind, year, amount_cents, called_cents, paid_cents, revision, update_time
    FROM contributions;
CREATE TEMPORARY TABLE payments_copy AS
    SELECT agreement, funder, seq, amount_cents, payment_date, reference
    FROM payments;
DROP TABLE payments;
DROP TABLE contributions;
DROP TABLE agreements;
DROP TABLE plans;
DROP TABLE posts;
DROP TABLE funders;

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
    update_time       TIMESTAMPTZ NOT NULL,
    siret             TEXT NOT NULL DEFAULT ''
);
CREATE INDEX posts_network ON posts (network, id);
CREATE INDEX posts_host_organisation ON posts (host_organisation, id);

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

INSERT INTO funders (id, display_name, kind, epci, commune, organisation, siret, illustrative, revision, create_time, update_time)
    SELECT id, display_name, kind, epci, commune, organisation, siret, illustrative, revision, create_time, update_time
    FROM funders_copy;
INSERT INTO posts (id, display_name, network, host_organisation, fte_thousandths, start_date, end_date, illustrative, revision, create_time, update_time, siret)
    SELECT id, display_name, network, host_organisation, fte_thousandths, start_date, end_date, illustrative, revision, create_time, update_time, siret
    FROM posts_copy;
INSERT INTO plans (post, year, annual_cost_cents, state_share_bp, state_funder, rule, shares, departement_funder, departement_share_bp,
                       epci_funders, contributions, revisions, illustrative, revision, create_time, update_time)
    SELECT post, year, annual_cost_cents, state_share_bp, state_funder, rule, shares, departement_funder, departement_share_bp,
           epci_funders, contributions, revisions, illustrative, revision, create_time, update_time
    FROM plans_copy;
INSERT INTO agreements (id, post, year, state, reference, purpose, sign_date, start_date, close_date, total_cents, revision, create_time, update_time)
    SELECT id, post, year, state, reference, purpose, sign_date, start_date, close_date, total_cents, revision, create_time, update_time
    FROM agreements_copy;
INSERT INTO contributions (agreement, funder, funder_kind, year, amount_cents, called_cents, paid_cents, revision, update_time)
    SELECT agreement, funder, funder_kind, year, amount_cents, called_cents, paid_cents, revision, update_time
    FROM contributions_copy;
INSERT INTO payments (agreement, funder, seq, amount_cents, payment_date, reference)
    SELECT agreement, funder, seq, amount_cents, payment_date, reference
    FROM payments_copy;
DROP TABLE payments_copy;
DROP TABLE contributions_copy;
DROP TABLE agreements_copy;
DROP TABLE plans_copy;
DROP TABLE posts_copy;
DROP TABLE funders_copy;
