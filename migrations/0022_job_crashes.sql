-- Poison jobs (issue 20): how many times a job stopped its worker (a trap or fault while the
-- job's thread ran it, read from the dead worker's crash record). The job that stopped a
-- worker is charged the attempt; jobs that merely ran beside it go back to the queue without
-- losing one. At TM_JOB_MAX_CRASHES the job fails for good.
ALTER TABLE jobs ADD COLUMN crashes integer NOT NULL DEFAULT 0 CHECK (crashes >= 0);
