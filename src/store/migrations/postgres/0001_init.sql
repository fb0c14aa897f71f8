-- The first schema (PostgreSQL). JSON is kept as text so that it round-trips byte for byte (jsonb
-- would reorder and reformat it); text compares and sorts by bytes (COLLATE "C"), as SQLite does.
-- Times are Unix milliseconds from the caller.

CREATE TABLE organizations (
  id          TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  name        TEXT COLLATE "C" NOT NULL,
  kind        TEXT COLLATE "C" NOT NULL CHECK (kind IN ('operator', 'seller', 'buyer')),
  created_at  BIGINT NOT NULL
);

CREATE TABLE users (
  id               TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  organization_id  TEXT COLLATE "C" NOT NULL REFERENCES organizations (id),
  email            TEXT COLLATE "C" NOT NULL,
  email_key        TEXT COLLATE "C" NOT NULL UNIQUE,  -- email with ASCII letters lowered, by the store
  display_name     TEXT COLLATE "C" NOT NULL,
  role             TEXT COLLATE "C" NOT NULL CHECK (role IN ('operator', 'seller', 'buyer')),
  password_hash    TEXT COLLATE "C" NOT NULL,
  created_at       BIGINT NOT NULL,
  disabled         BOOLEAN NOT NULL
);
CREATE INDEX users_by_organization ON users (organization_id, created_at, id);

CREATE TABLE sessions (
  id_hash          TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  user_id          TEXT COLLATE "C" NOT NULL REFERENCES users (id),
  csrf_token_hash  TEXT COLLATE "C" NOT NULL,
  created_at       BIGINT NOT NULL,
  expires_at       BIGINT NOT NULL,
  last_seen_at     BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE api_tokens (
  id            TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  user_id       TEXT COLLATE "C" NOT NULL REFERENCES users (id),
  name          TEXT COLLATE "C" NOT NULL,
  token_hash    TEXT COLLATE "C" NOT NULL UNIQUE,
  prefix        TEXT COLLATE "C" NOT NULL,
  created_at    BIGINT NOT NULL,
  last_used_at  BIGINT,
  revoked_at    BIGINT
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id, created_at, id);

CREATE TABLE template_versions (
  template_id      TEXT COLLATE "C" NOT NULL,
  version          INTEGER NOT NULL,
  document         TEXT COLLATE "C" NOT NULL,
  organization_id  TEXT COLLATE "C" NOT NULL REFERENCES organizations (id),
  created_at       BIGINT NOT NULL,
  PRIMARY KEY (template_id, version)
);

CREATE TABLE offerings (
  id                TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  organization_id   TEXT COLLATE "C" NOT NULL REFERENCES organizations (id),
  template_id       TEXT COLLATE "C" NOT NULL,
  template_version  INTEGER NOT NULL,
  name              TEXT COLLATE "C" NOT NULL,
  description       TEXT COLLATE "C" NOT NULL,
  credit_costs      TEXT COLLATE "C" NOT NULL,
  state             TEXT COLLATE "C" NOT NULL CHECK (state IN ('draft', 'active', 'archived')),
  created_at        BIGINT NOT NULL,
  updated_at        BIGINT NOT NULL
);
CREATE INDEX offerings_by_seller ON offerings (organization_id, created_at, id);
CREATE INDEX offerings_by_state ON offerings (state, created_at, id);

CREATE TABLE subscriptions (
  id               TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  offering_id      TEXT COLLATE "C" NOT NULL REFERENCES offerings (id),
  organization_id  TEXT COLLATE "C" NOT NULL REFERENCES organizations (id),
  created_by       TEXT COLLATE "C" NOT NULL,
  state            TEXT COLLATE "C" NOT NULL CHECK (state IN ('active', 'cancelled')),
  created_at       BIGINT NOT NULL,
  cancelled_at     BIGINT
);
CREATE INDEX subscriptions_by_buyer ON subscriptions (organization_id, created_at, id);
CREATE INDEX subscriptions_by_offering ON subscriptions (offering_id, created_at, id);

CREATE TABLE agent_configs (
  subscription_id  TEXT COLLATE "C" NOT NULL PRIMARY KEY REFERENCES subscriptions (id),
  enabled          TEXT COLLATE "C" NOT NULL,
  config           TEXT COLLATE "C" NOT NULL,
  revision         BIGINT NOT NULL,
  is_configured    BOOLEAN NOT NULL,
  updated_at       BIGINT NOT NULL,
  updated_by       TEXT COLLATE "C" NOT NULL
);

CREATE TABLE revisions (
  subscription_id  TEXT COLLATE "C" NOT NULL REFERENCES subscriptions (id),
  revision         BIGINT NOT NULL,
  enabled          TEXT COLLATE "C" NOT NULL,
  config           TEXT COLLATE "C" NOT NULL,
  is_configured    BOOLEAN NOT NULL,
  created_at       BIGINT NOT NULL,
  created_by       TEXT COLLATE "C" NOT NULL,
  note             TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (subscription_id, revision)
);

CREATE TABLE api_keys (
  id               TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  subscription_id  TEXT COLLATE "C" NOT NULL REFERENCES subscriptions (id),
  name             TEXT COLLATE "C" NOT NULL,
  prefix           TEXT COLLATE "C" NOT NULL UNIQUE,
  key_hash         TEXT COLLATE "C" NOT NULL,
  permissions      TEXT COLLATE "C" NOT NULL,
  created_at       BIGINT NOT NULL,
  created_by       TEXT COLLATE "C" NOT NULL,
  last_used_at     BIGINT,
  revoked_at       BIGINT
);
CREATE INDEX api_keys_by_subscription ON api_keys (subscription_id, created_at, id);

CREATE TABLE secrets (
  subscription_id  TEXT COLLATE "C" NOT NULL REFERENCES subscriptions (id),
  pointer          TEXT COLLATE "C" NOT NULL,
  ciphertext       BYTEA    NOT NULL,
  nonce            BYTEA    NOT NULL,
  last4            TEXT COLLATE "C" NOT NULL,
  updated_at       BIGINT NOT NULL,
  updated_by       TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (subscription_id, pointer)
);

CREATE TABLE files (
  id               TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  organization_id  TEXT COLLATE "C" NOT NULL REFERENCES organizations (id),
  sha256           TEXT COLLATE "C" NOT NULL,
  size             BIGINT NOT NULL,
  content_type     TEXT COLLATE "C" NOT NULL,
  filename         TEXT COLLATE "C" NOT NULL,
  purpose          TEXT COLLATE "C" NOT NULL CHECK (purpose IN ('document', 'avatar')),
  created_at       BIGINT NOT NULL,
  created_by       TEXT COLLATE "C" NOT NULL
);
CREATE INDEX files_by_organization ON files (organization_id, created_at, id);
