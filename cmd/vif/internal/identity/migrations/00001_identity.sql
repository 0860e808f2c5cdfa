-- +goose Up
-- People who sign in on the built-in provider's login page.
CREATE TABLE accounts (
    email         TEXT PRIMARY KEY,      -- lower-cased; also the sub of their tokens
    password_hash TEXT NOT NULL,         -- bcrypt
    role          TEXT NOT NULL,
    network       TEXT NOT NULL DEFAULT '',
    organisation  TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    disabled_at   TEXT                   -- set by `vif users disable`: no sign-in, no refresh
);

-- Institutional systems (client credentials).
CREATE TABLE clients (
    id            TEXT PRIMARY KEY,      -- client_id; also the sub of their tokens
    name          TEXT NOT NULL,
    secret_hash   TEXT NOT NULL,         -- SHA-256 of a 256-bit random secret
    role          TEXT NOT NULL,
    network       TEXT NOT NULL DEFAULT '',
    organisation  TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    revoked_at    TEXT
);

-- Authorization requests, from /authorize to the code exchange.
CREATE TABLE auth_requests (
    id         TEXT PRIMARY KEY,
    request    TEXT NOT NULL,            -- the parsed oidc.AuthRequest, JSON
    account    TEXT NOT NULL DEFAULT '', -- who signed in, once they have
    auth_time  TEXT,
    code       TEXT UNIQUE,
    created_at TEXT NOT NULL
);

-- Refresh tokens: only their hash is kept; each use replaces the token (rotation). A used token
-- stays, marked, until it expires: presented again, it reveals a copy, and its family (every token
-- of that sign-in) is revoked.
CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    family     TEXT NOT NULL,
    used_at    TEXT,
    account    TEXT NOT NULL REFERENCES accounts (email),
    client_id  TEXT NOT NULL,
    scopes     TEXT NOT NULL,
    audience   TEXT NOT NULL,
    amr        TEXT NOT NULL,
    auth_time  TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX refresh_tokens_account ON refresh_tokens (account);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);

-- +goose Down
DROP TABLE refresh_tokens;
DROP TABLE auth_requests;
DROP TABLE clients;
DROP TABLE accounts;
