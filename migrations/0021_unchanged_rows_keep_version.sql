-- A write that changes nothing changes no version (issue 26): `PATCH {}`, a PATCH that sets
-- what is already there, or a PUT of the same definition leaves the row's version and
-- updated_at as they were, so every other client's If-Match stays good and the ETag stays
-- the representation's. One rule for every versioned table, in triggers, so no UPDATE can
-- forget it: a row is unchanged when every column but version and updated_at is equal.
CREATE FUNCTION keep_version_when_unchanged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (to_jsonb(NEW) - 'version' - 'updated_at') = (to_jsonb(OLD) - 'version' - 'updated_at') THEN
        NEW.version := OLD.version;
        NEW.updated_at := OLD.updated_at;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER strategies_keep_version BEFORE UPDATE ON strategies
    FOR EACH ROW EXECUTE FUNCTION keep_version_when_unchanged();
CREATE TRIGGER datasets_keep_version BEFORE UPDATE ON datasets
    FOR EACH ROW EXECUTE FUNCTION keep_version_when_unchanged();

-- Users bumped their version on every UPDATE (0003); now only on a change.
CREATE OR REPLACE FUNCTION users_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (to_jsonb(NEW) - 'version' - 'updated_at') = (to_jsonb(OLD) - 'version' - 'updated_at') THEN
        NEW.version := OLD.version;
        NEW.updated_at := OLD.updated_at;
    ELSE
        NEW.version := OLD.version + 1;
    END IF;
    RETURN NEW;
END;
$$;
