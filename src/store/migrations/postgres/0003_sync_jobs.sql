-- The sync pipeline's outbox (issue 6): one row per subscription and outside system (target),
-- holding the desired state's sequence number and what was last applied, not one event per
-- save, so a burst of saves is one job and the target converges to the newest revision.
-- Written in the same transaction as the revision that makes it due.
CREATE TABLE sync_jobs (
  subscription_id   TEXT COLLATE "C" NOT NULL REFERENCES subscriptions (id),
  target            TEXT COLLATE "C" NOT NULL,
  desired_seq       BIGINT NOT NULL,
  desired_revision  BIGINT NOT NULL,
  applied_seq       BIGINT NOT NULL DEFAULT 0,
  applied_revision  BIGINT NOT NULL DEFAULT 0,
  state             TEXT COLLATE "C" NOT NULL
                    CHECK (state IN ('pending', 'syncing', 'in_sync', 'failing', 'dead')),
  attempts          INTEGER NOT NULL DEFAULT 0,
  next_attempt_at   BIGINT NOT NULL,
  lease_token       TEXT COLLATE "C",
  lease_until       BIGINT,
  claimed_seq       BIGINT NOT NULL DEFAULT 0,
  claimed_revision  BIGINT NOT NULL DEFAULT 0,
  last_error        TEXT NOT NULL DEFAULT '',
  message           TEXT NOT NULL DEFAULT '',
  progress          TEXT NOT NULL DEFAULT '',
  resources         TEXT NOT NULL DEFAULT '{}',
  updated_at        BIGINT NOT NULL,
  PRIMARY KEY (subscription_id, target)
);
CREATE INDEX sync_jobs_due ON sync_jobs (next_attempt_at)
  WHERE state IN ('pending', 'failing', 'syncing') AND lease_token IS NULL;
CREATE INDEX sync_jobs_leased ON sync_jobs (lease_until) WHERE lease_token IS NOT NULL;

CREATE FUNCTION capconf_bump_generation_on_resources() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE agent_configs SET generation = generation + 1
   WHERE subscription_id = NEW.subscription_id;
  RETURN NULL;
END
$$;
CREATE TRIGGER sync_jobs_bump_generation AFTER UPDATE OF resources ON sync_jobs
  FOR EACH ROW WHEN (OLD.resources IS DISTINCT FROM NEW.resources)
  EXECUTE FUNCTION capconf_bump_generation_on_resources();

-- Subscriptions made before the pipeline existed are provisioned too: a job for each active one
-- (Ragflow only where the knowledge base is on), due at once.
INSERT INTO sync_jobs (subscription_id, target, desired_seq, desired_revision, state,
                       next_attempt_at, updated_at)
SELECT s.id, 'langflow', 1, c.revision, 'pending', 0,
       (EXTRACT(EPOCH FROM now()) * 1000)::BIGINT
  FROM subscriptions s JOIN agent_configs c ON c.subscription_id = s.id
 WHERE s.state = 'active';
INSERT INTO sync_jobs (subscription_id, target, desired_seq, desired_revision, state,
                       next_attempt_at, updated_at)
SELECT s.id, 'ragflow', 1, c.revision, 'pending', 0,
       (EXTRACT(EPOCH FROM now()) * 1000)::BIGINT
  FROM subscriptions s JOIN agent_configs c ON c.subscription_id = s.id
 WHERE s.state = 'active' AND c.enabled LIKE '%"rag"%';
