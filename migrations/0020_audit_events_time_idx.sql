-- Housekeeping (issue 19): `tm prune` deletes audit events older than TM_AUDIT_RETENTION_DAYS
-- in bounded batches, oldest first. The existing indexes lead with user_id or event, so
-- without one on the time alone every batch would scan the whole table.
CREATE INDEX audit_events_time_idx ON audit_events (occurred_at);
