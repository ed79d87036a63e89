-- How many monthly audit partitions exist after the current month (UTC): what the metric
-- aigov_audit_partitions_ahead reports, so that an alert fires long before a month starts without
-- its partition (its events would land in audit_events_default, which must then be emptied before
-- that month's partition can be made). Housekeeping keeps two ready.
CREATE FUNCTION audit_partitions_ahead() RETURNS integer
    LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT count(*)::integer
    FROM pg_catalog.pg_inherits i
    JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'public.audit_events'::regclass
      AND c.relname ~ '^audit_events_[0-9]{4}_[0-9]{2}$'   -- the monthly ones, not audit_events_default
      AND c.relname > 'audit_events_' || to_char(now() AT TIME ZONE 'UTC', 'YYYY_MM')
$$;

REVOKE EXECUTE ON FUNCTION audit_partitions_ahead() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit_partitions_ahead() TO aigov_runtime;
