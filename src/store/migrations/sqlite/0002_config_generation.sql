-- A configuration's generation: increased by every change to its subscription's secrets or API
-- keys (and by every saved revision, in UpdateAgentConfigIfRevision), so that (revision,
-- generation) identifies what GET .../config shows and a cached view can be reused safely.
ALTER TABLE agent_configs ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER secrets_bump_generation_on_insert AFTER INSERT ON secrets BEGIN
  UPDATE agent_configs SET generation = generation + 1 WHERE subscription_id = NEW.subscription_id;
END;
CREATE TRIGGER secrets_bump_generation_on_update AFTER UPDATE ON secrets BEGIN
  UPDATE agent_configs SET generation = generation + 1
   WHERE subscription_id IN (OLD.subscription_id, NEW.subscription_id);
END;
CREATE TRIGGER secrets_bump_generation_on_delete AFTER DELETE ON secrets BEGIN
  UPDATE agent_configs SET generation = generation + 1 WHERE subscription_id = OLD.subscription_id;
END;

CREATE TRIGGER api_keys_bump_generation_on_insert AFTER INSERT ON api_keys BEGIN
  UPDATE agent_configs SET generation = generation + 1 WHERE subscription_id = NEW.subscription_id;
END;
CREATE TRIGGER api_keys_bump_generation_on_update AFTER UPDATE ON api_keys BEGIN
  UPDATE agent_configs SET generation = generation + 1
   WHERE subscription_id IN (OLD.subscription_id, NEW.subscription_id);
END;
CREATE TRIGGER api_keys_bump_generation_on_delete AFTER DELETE ON api_keys BEGIN
  UPDATE agent_configs SET generation = generation + 1 WHERE subscription_id = OLD.subscription_id;
END;
