-- One order per job for its status events (issue 25): every change of a job's status bumps
-- status_version, whichever statement made it (the pool's enqueue and cancel, the worker's
-- claim, finish, release and rescue). A job.status event carries it and the publisher drops
-- an event older than one already published for the job, so on every channel the events of
-- a job arrive in the order of its transitions (the pool's "queued" can no longer be numbered
-- after the worker's "running").
ALTER TABLE jobs ADD COLUMN status_version bigint NOT NULL DEFAULT 1 CHECK (status_version >= 1);

CREATE FUNCTION jobs_bump_status_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IS DISTINCT FROM OLD.status THEN
        NEW.status_version := OLD.status_version + 1;
    ELSE
        NEW.status_version := OLD.status_version;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER jobs_status_version BEFORE UPDATE ON jobs
    FOR EACH ROW EXECUTE FUNCTION jobs_bump_status_version();
