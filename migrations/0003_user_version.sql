-- Every change to a user row bumps its version (issue 8): the session cache of the profile in
-- Redis keeps only the newest version it is given, so concurrent updates cannot leave a stale
-- profile behind. A trigger, so no UPDATE can forget it.
ALTER TABLE users ADD COLUMN version bigint NOT NULL DEFAULT 1;

CREATE FUNCTION users_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := OLD.version + 1;
    RETURN NEW;
END;
$$;

CREATE TRIGGER users_version BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION users_bump_version();
