-- +goose Up
CREATE TABLE outbox (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id          TEXT        NOT NULL UNIQUE,
    subject     TEXT        NOT NULL,
    source      TEXT        NOT NULL,
    data_schema TEXT        NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL,
    payload     BYTEA       NOT NULL,
    attempts    INTEGER     NOT NULL DEFAULT 0,
    last_error  TEXT,
    sent_at     TIMESTAMPTZ
);
-- The relay's question, "the oldest unsent rows", reads this small index only.
CREATE INDEX outbox_unsent ON outbox (seq) WHERE sent_at IS NULL;
-- Pruning finds sent rows by age.
CREATE INDEX outbox_sent_at ON outbox (sent_at) WHERE sent_at IS NOT NULL;

-- +goose Down
DROP TABLE outbox;
