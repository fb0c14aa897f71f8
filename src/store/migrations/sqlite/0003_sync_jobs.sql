-- The sync pipeline's outbox (issue 6): one row per subscription and outside system (target),
-- holding the desired state's sequence number and what was last applied, not one event per
-- save, so a burst of saves is one job and the target converges to the newest revision.
-- Written in the same transaction as the revision that makes it due.
CREATE TABLE sync_jobs (
  subscription_id   TEXT NOT NULL REFERENCES subscriptions (id),
  target            TEXT NOT NULL,
  desired_seq       INTEGER NOT NULL,          -- increased by every change of desired state
  desired_revision  INTEGER NOT NULL,          -- the configuration revision it stands for
  applied_seq       INTEGER NOT NULL DEFAULT 0,
  applied_revision  INTEGER NOT NULL DEFAULT 0,
  state             TEXT NOT NULL CHECK (state IN ('pending', 'syncing', 'in_sync', 'failing', 'dead')),
  attempts          INTEGER NOT NULL DEFAULT 0,  -- failed attempts at the current desired state
  next_attempt_at   INTEGER NOT NULL,
  lease_token       TEXT,                      -- set while a worker holds the job
  lease_until       INTEGER,
  claimed_seq       INTEGER NOT NULL DEFAULT 0,
  claimed_revision  INTEGER NOT NULL DEFAULT 0,
  last_error        TEXT NOT NULL DEFAULT '',
  message           TEXT NOT NULL DEFAULT '',  -- the last success's summary, or why it waits
  progress          TEXT NOT NULL DEFAULT '',
  resources         TEXT NOT NULL DEFAULT '{}',  -- JSON object: resource name -> id
  updated_at        INTEGER NOT NULL,
  PRIMARY KEY (subscription_id, target)
);
-- What the workers poll: jobs nobody holds, by due time; and leases that ran out.
CREATE INDEX sync_jobs_due ON sync_jobs (next_attempt_at)
  WHERE state IN ('pending', 'failing', 'syncing') AND lease_token IS NULL;
CREATE INDEX sync_jobs_leased ON sync_jobs (lease_until) WHERE lease_token IS NOT NULL;

-- Readiness depends on the resources a target made, so the cached view must move with them.
CREATE TRIGGER sync_jobs_bump_generation AFTER UPDATE OF resources ON sync_jobs
  WHEN OLD.resources IS NOT NEW.resources BEGIN
  UPDATE agent_configs SET generation = generation + 1 WHERE subscription_id = NEW.subscription_id;
END;

-- Subscriptions made before the pipeline existed are provisioned too: a job for each active one
-- (Ragflow only where the knowledge base is on), due at once.
INSERT INTO sync_jobs (subscription_id, target, desired_seq, desired_revision, state,
                       next_attempt_at, updated_at)
SELECT s.id, 'langflow', 1, c.revision, 'pending', 0, CAST(strftime('%s', 'now') AS INTEGER) * 1000
  FROM subscriptions s JOIN agent_configs c ON c.subscription_id = s.id
 WHERE s.state = 'active';
INSERT INTO sync_jobs (subscription_id, target, desired_seq, desired_revision, state,
                       next_attempt_at, updated_at)
SELECT s.id, 'ragflow', 1, c.revision, 'pending', 0, CAST(strftime('%s', 'now') AS INTEGER) * 1000
  FROM subscriptions s JOIN agent_configs c ON c.subscription_id = s.id
 WHERE s.state = 'active' AND c.enabled LIKE '%"rag"%';
