-- A configuration's generation: increased by every change to its subscription's secrets or API
-- keys (and by every saved revision, in UpdateAgentConfigIfRevision), so that (revision,
-- generation) identifies what GET .../config shows and a cached view can be reused safely.
ALTER TABLE agent_configs ADD COLUMN generation BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION capconf_bump_config_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE agent_configs SET generation = generation + 1
     WHERE subscription_id = OLD.subscription_id;
  END IF;
  IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.subscription_id <> OLD.subscription_id) THEN
    UPDATE agent_configs SET generation = generation + 1
     WHERE subscription_id = NEW.subscription_id;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER secrets_bump_generation AFTER INSERT OR UPDATE OR DELETE ON secrets
  FOR EACH ROW EXECUTE FUNCTION capconf_bump_config_generation();
CREATE TRIGGER api_keys_bump_generation AFTER INSERT OR UPDATE OR DELETE ON api_keys
  FOR EACH ROW EXECUTE FUNCTION capconf_bump_config_generation();
