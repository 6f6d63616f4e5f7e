-- Numbered 0019: 0013 (run results) was already on main when this was added, and 0014/0015
-- belong to other branches. Renumber freely before it reaches main.
-- A counter per owner, bumped in the same transaction by every change of that owner's
-- strategies (their definitions, and the status, performance and last_run_at that runs
-- set): GET /api/v1/strategies keeps the pages it built (JSON from PostgreSQL) and reuses
-- one while its owner's counter is unchanged. No foreign key: deleting a user deletes their
-- strategies, whose trigger must not insert a row referring to that user.
CREATE TABLE strategy_list_versions (
    owner_id bigint PRIMARY KEY,
    version  bigint NOT NULL DEFAULT 1
);

CREATE FUNCTION bump_strategy_list_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.owner_id <> NEW.owner_id) THEN
        UPDATE strategy_list_versions SET version = version + 1 WHERE owner_id = OLD.owner_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO strategy_list_versions (owner_id) VALUES (NEW.owner_id)
        ON CONFLICT (owner_id) DO UPDATE SET version = strategy_list_versions.version + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER strategies_list_version AFTER INSERT OR UPDATE OR DELETE ON strategies
    FOR EACH ROW EXECUTE FUNCTION bump_strategy_list_version();
