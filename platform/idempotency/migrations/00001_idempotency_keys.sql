-- +goose Up
-- One row per idempotency key: who asked (caller), through which RPC (method), under which
-- parent, with which request_id. The fingerprint is the SHA-256 of the request; resource is what
-- the first request created, which a replay reads back.
CREATE TABLE idempotency_keys (
    caller      TEXT        NOT NULL,
    method      TEXT        NOT NULL,
    parent      TEXT        NOT NULL,
    request_id  TEXT        NOT NULL,
    fingerprint BYTEA       NOT NULL,
    resource    TEXT        NOT NULL,
    create_time TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (caller, method, parent, request_id)
);

-- +goose Down
DROP TABLE idempotency_keys;
