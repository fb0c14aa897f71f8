-- The first schema (SQLite). STRICT tables, so a value of the wrong type is refused on write
-- instead of surfacing as unreadable data later. Times are Unix milliseconds from the caller.

CREATE TABLE organizations (
  id          TEXT    NOT NULL PRIMARY KEY,
  name        TEXT    NOT NULL,
  kind        TEXT    NOT NULL CHECK (kind IN ('operator', 'seller', 'buyer')),
  created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
  id               TEXT    NOT NULL PRIMARY KEY,
  organization_id  TEXT    NOT NULL REFERENCES organizations (id),
  email            TEXT    NOT NULL,
  email_key        TEXT    NOT NULL UNIQUE,  -- email with ASCII letters lowered, by the store
  display_name     TEXT    NOT NULL,
  role             TEXT    NOT NULL CHECK (role IN ('operator', 'seller', 'buyer')),
  password_hash    TEXT    NOT NULL,
  created_at       INTEGER NOT NULL,
  disabled         INTEGER NOT NULL CHECK (disabled IN (0, 1))
) STRICT;
CREATE INDEX users_by_organization ON users (organization_id, created_at, id);

CREATE TABLE sessions (
  id_hash          TEXT    NOT NULL PRIMARY KEY,
  user_id          TEXT    NOT NULL REFERENCES users (id),
  csrf_token_hash  TEXT    NOT NULL,
  created_at       INTEGER NOT NULL,
  expires_at       INTEGER NOT NULL,
  last_seen_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE api_tokens (
  id            TEXT    NOT NULL PRIMARY KEY,
  user_id       TEXT    NOT NULL REFERENCES users (id),
  name          TEXT    NOT NULL,
  token_hash    TEXT    NOT NULL UNIQUE,
  prefix        TEXT    NOT NULL,
  created_at    INTEGER NOT NULL,
  last_used_at  INTEGER,
  revoked_at    INTEGER
) STRICT;
CREATE INDEX api_tokens_by_user ON api_tokens (user_id, created_at, id);

CREATE TABLE template_versions (
  template_id      TEXT    NOT NULL,
  version          INTEGER NOT NULL,
  document         TEXT    NOT NULL,
  organization_id  TEXT    NOT NULL REFERENCES organizations (id),
  created_at       INTEGER NOT NULL,
  PRIMARY KEY (template_id, version)
) STRICT;

CREATE TABLE offerings (
  id                TEXT    NOT NULL PRIMARY KEY,
  organization_id   TEXT    NOT NULL REFERENCES organizations (id),
  template_id       TEXT    NOT NULL,
  template_version  INTEGER NOT NULL,
  name              TEXT    NOT NULL,
  description       TEXT    NOT NULL,
  credit_costs      TEXT    NOT NULL,
  state             TEXT    NOT NULL CHECK (state IN ('draft', 'active', 'archived')),
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL
) STRICT;
CREATE INDEX offerings_by_seller ON offerings (organization_id, created_at, id);
CREATE INDEX offerings_by_state ON offerings (state, created_at, id);

CREATE TABLE subscriptions (
  id               TEXT    NOT NULL PRIMARY KEY,
  offering_id      TEXT    NOT NULL REFERENCES offerings (id),
  organization_id  TEXT    NOT NULL REFERENCES organizations (id),
  created_by       TEXT    NOT NULL,
  state            TEXT    NOT NULL CHECK (state IN ('active', 'cancelled')),
  created_at       INTEGER NOT NULL,
  cancelled_at     INTEGER
) STRICT;
CREATE INDEX subscriptions_by_buyer ON subscriptions (organization_id, created_at, id);
CREATE INDEX subscriptions_by_offering ON subscriptions (offering_id, created_at, id);

CREATE TABLE agent_configs (
  subscription_id  TEXT    NOT NULL PRIMARY KEY REFERENCES subscriptions (id),
  enabled          TEXT    NOT NULL,
  config           TEXT    NOT NULL,
  revision         INTEGER NOT NULL,
  is_configured    INTEGER NOT NULL CHECK (is_configured IN (0, 1)),
  updated_at       INTEGER NOT NULL,
  updated_by       TEXT    NOT NULL
) STRICT;

CREATE TABLE revisions (
  subscription_id  TEXT    NOT NULL REFERENCES subscriptions (id),
  revision         INTEGER NOT NULL,
  enabled          TEXT    NOT NULL,
  config           TEXT    NOT NULL,
  is_configured    INTEGER NOT NULL CHECK (is_configured IN (0, 1)),
  created_at       INTEGER NOT NULL,
  created_by       TEXT    NOT NULL,
  note             TEXT    NOT NULL,
  PRIMARY KEY (subscription_id, revision)
) STRICT;

CREATE TABLE api_keys (
  id               TEXT    NOT NULL PRIMARY KEY,
  subscription_id  TEXT    NOT NULL REFERENCES subscriptions (id),
  name             TEXT    NOT NULL,
  prefix           TEXT    NOT NULL UNIQUE,
  key_hash         TEXT    NOT NULL,
  permissions      TEXT    NOT NULL,
  created_at       INTEGER NOT NULL,
  created_by       TEXT    NOT NULL,
  last_used_at     INTEGER,
  revoked_at       INTEGER
) STRICT;
CREATE INDEX api_keys_by_subscription ON api_keys (subscription_id, created_at, id);

CREATE TABLE secrets (
  subscription_id  TEXT    NOT NULL REFERENCES subscriptions (id),
  pointer          TEXT    NOT NULL,
  ciphertext       BLOB    NOT NULL,
  nonce            BLOB    NOT NULL,
  last4            TEXT    NOT NULL,
  updated_at       INTEGER NOT NULL,
  updated_by       TEXT    NOT NULL,
  PRIMARY KEY (subscription_id, pointer)
) STRICT;

CREATE TABLE files (
  id               TEXT    NOT NULL PRIMARY KEY,
  organization_id  TEXT    NOT NULL REFERENCES organizations (id),
  sha256           TEXT    NOT NULL,
  size             INTEGER NOT NULL,
  content_type     TEXT    NOT NULL,
  filename         TEXT    NOT NULL,
  purpose          TEXT    NOT NULL CHECK (purpose IN ('document', 'avatar')),
  created_at       INTEGER NOT NULL,
  created_by       TEXT    NOT NULL
) STRICT;
CREATE INDEX files_by_organization ON files (organization_id, created_at, id);
