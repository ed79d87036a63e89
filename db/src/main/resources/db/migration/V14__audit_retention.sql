-- Retention (docs/evidence.md, "Retention"): housekeeping drops whole monthly partitions of the
-- audit trail past AIGOV_AUDIT_RETENTION, through drop_audit_month alone. The runtime role cannot
-- drop a table; the function can, and only for a month that ended at least the floor before now.

-- The floor: one row, the owner's alone (the runtime role can neither read nor change it). Six
-- months is the legal floor in the EU; an owner who must keep less lowers it here, knowingly:
--   UPDATE audit_retention_floor SET keep_at_least = interval '90 days';
CREATE TABLE audit_retention_floor (
    only_row      boolean  PRIMARY KEY DEFAULT true CHECK (only_row),
    keep_at_least interval NOT NULL CHECK (keep_at_least >= interval '0')
);
INSERT INTO audit_retention_floor (only_row, keep_at_least) VALUES (true, interval '183 days');

-- Every drop, appended by drop_audit_month: what went, and where its archive is (NULL: none).
CREATE TABLE audit_retention_drops (
    month          date        PRIMARY KEY CHECK (extract(day FROM month) = 1),
    dropped_at     timestamptz NOT NULL DEFAULT now(),
    events         bigint      NOT NULL CHECK (events >= 0),
    checkpoints    bigint      NOT NULL CHECK (checkpoints >= 0),
    archive        text        CHECK (char_length(archive) <= 4096),
    archive_sha256 text        CHECK (archive_sha256 ~ '^[0-9a-f]{64}$'),
    CHECK ((archive IS NULL) = (archive_sha256 IS NULL))
);
CREATE TRIGGER audit_retention_drops_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_retention_drops
    FOR EACH ROW EXECUTE FUNCTION evidence_refuse_change();
CREATE TRIGGER audit_retention_drops_no_truncate BEFORE TRUNCATE ON audit_retention_drops
    FOR EACH STATEMENT EXECUTE FUNCTION evidence_refuse_change();
GRANT SELECT ON audit_retention_drops TO aigov_runtime;

-- Drops audit_events_YYYY_MM and audit_checkpoints_YYYY_MM of the month beginning on month_start
-- (UTC), when that month ended at least the floor before now(), and records the drop. Returns the
-- events dropped. A month without partitions is recorded too (0 and 0): retention is past it.
CREATE FUNCTION drop_audit_month(month_start date, archive text, archive_sha256 text) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    month_begins timestamptz;
    month_ends   timestamptz;
    floor        interval;
    events_table text;
    checkpoints_table text;
    event_count  bigint := 0;
    checkpoint_count bigint := 0;
BEGIN
    IF month_start IS NULL OR extract(day FROM month_start) <> 1 THEN
        RAISE EXCEPTION 'month_start must be the first day of a month (got %)', month_start USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF (archive IS NULL) <> (archive_sha256 IS NULL) THEN
        RAISE EXCEPTION 'archive and archive_sha256 go together' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    month_begins := month_start::timestamp AT TIME ZONE 'UTC';
    month_ends := month_begins + interval '1 month';
    SELECT keep_at_least INTO STRICT floor FROM audit_retention_floor;
    IF month_ends > now() - floor THEN
        RAISE EXCEPTION 'refused: the audit month % ended at %, less than the retention floor (%) before now; only the owner can lower it (audit_retention_floor)',
            to_char(month_start, 'YYYY-MM'), month_ends, floor USING ERRCODE = 'insufficient_privilege';
    END IF;
    events_table := 'audit_events_' || to_char(month_start, 'YYYY_MM');
    checkpoints_table := 'audit_checkpoints_' || to_char(month_start, 'YYYY_MM');
    -- Dropping a partition locks its parent; never queue audit writes behind it for long.
    PERFORM set_config('lock_timeout', '2s', true);
    PERFORM pg_advisory_xact_lock(hashtext('aigov.audit_events.partitions'));
    IF to_regclass('public.' || events_table) IS NOT NULL THEN
        EXECUTE format('SELECT count(*) FROM public.%I', events_table) INTO event_count;
        EXECUTE format('DROP TABLE public.%I', events_table);
    END IF;
    IF to_regclass('public.' || checkpoints_table) IS NOT NULL THEN
        EXECUTE format('SELECT count(*) FROM public.%I', checkpoints_table) INTO checkpoint_count;
        EXECUTE format('DROP TABLE public.%I', checkpoints_table);
    END IF;
    INSERT INTO audit_retention_drops (month, events, checkpoints, archive, archive_sha256)
        VALUES (month_start, event_count, checkpoint_count, archive, archive_sha256);
    RETURN event_count;
END
$$;
REVOKE EXECUTE ON FUNCTION drop_audit_month(date, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION drop_audit_month(date, text, text) TO aigov_runtime;

-- The months that have an audit_events partition, oldest first: what retention looks at.
CREATE FUNCTION audit_months() RETURNS SETOF date LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT to_date(substring(c.relname FROM 'audit_events_(\d{4}_\d{2})$'), 'YYYY_MM')
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'public.audit_events'::regclass AND c.relname ~ '^audit_events_\d{4}_\d{2}$'
    ORDER BY 1
$$;
REVOKE EXECUTE ON FUNCTION audit_months() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit_months() TO aigov_runtime;
