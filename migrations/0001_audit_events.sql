-- Security and operational events, written by the API (register, login, key revocation…).
-- Append-only; never holds a secret.
CREATE TABLE audit_events (
    id             bigserial PRIMARY KEY,
    occurred_at    timestamptz NOT NULL DEFAULT now(),
    event          text        NOT NULL CHECK (event <> ''),
    user_id        bigint,
    request_id     text,
    client_address text,
    details        jsonb       NOT NULL DEFAULT '{}'::jsonb
);

CREATE INDEX audit_events_user_time_idx ON audit_events (user_id, occurred_at DESC);
CREATE INDEX audit_events_event_time_idx ON audit_events (event, occurred_at DESC);
