-- Accounts and personal API keys (issue 3). Sessions and refresh tokens live in Redis.
-- username and email are stored normalised (lower-cased) by the application; the CHECKs and
-- the unique indexes on lower() keep them case-insensitively unique even if a writer forgets.
CREATE TABLE users (
    id                  bigserial   PRIMARY KEY,
    username            text        NOT NULL CHECK (username = lower(username) AND length(username) BETWEEN 3 AND 50),
    email               text        NOT NULL CHECK (email = lower(email) AND length(email) <= 254),
    full_name           text        CHECK (full_name IS NULL OR length(full_name) <= 200),
    password_hash       text        NOT NULL,
    role                text        NOT NULL DEFAULT 'user' CHECK (role IN ('admin', 'user', 'analyst', 'viewer')),
    is_active           boolean     NOT NULL DEFAULT true,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    last_login_at       timestamptz,
    password_changed_at timestamptz NOT NULL DEFAULT now()
);

-- Named <table>_<column>_key so a unique violation maps to a 409 naming the field.
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- Only the SHA-256 (hex) of a key is stored; prefix is the key id shown in lists.
CREATE TABLE api_keys (
    id           bigserial   PRIMARY KEY,
    user_id      bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    prefix       text        NOT NULL,
    key_hash     text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz,
    last_used_at timestamptz,
    revoked_at   timestamptz
);

CREATE UNIQUE INDEX api_keys_key_hash_key ON api_keys (key_hash);
CREATE INDEX api_keys_user_idx ON api_keys (user_id, created_at DESC);
