-- Least privilege. Migrations run as the owner role (the role that runs this file owns every
-- object); the server's pool connects as a member of aigov_runtime, which may read and append the
-- audit trail and do only the DML its other tables need: no UPDATE, DELETE or TRUNCATE of audit
-- events, no DDL, and (being no owner) no ALTER TABLE ... DISABLE TRIGGER, DROP or DETACH.
-- Roles are created by the operator (README, "Database roles"); the embedded PostgreSQL creates
-- them itself. The group role is created here only where the migrating role may create roles.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'aigov_runtime') THEN
        CREATE ROLE aigov_runtime NOLOGIN;
    END IF;
END
$$;

-- Nobody but the owner creates objects in the schema (PostgreSQL 15+ already says so; older ones did not).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO aigov_runtime;

REVOKE ALL ON ALL TABLES IN SCHEMA public FROM aigov_runtime;
GRANT SELECT, INSERT         ON audit_events              TO aigov_runtime;
GRANT SELECT, INSERT, UPDATE ON workspace_policies        TO aigov_runtime;
GRANT SELECT, INSERT         ON workspace_policy_versions TO aigov_runtime;
GRANT SELECT, INSERT, UPDATE ON execution_controls        TO aigov_runtime;
GRANT SELECT, INSERT         ON control_activations       TO aigov_runtime;
GRANT SELECT, INSERT, UPDATE ON principals                TO aigov_runtime;
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_records TO aigov_runtime;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO aigov_runtime;

-- So that a server without the owner's credentials can tell whether the schema is current.
DO $$
BEGIN
    IF to_regclass('flyway_schema_history') IS NOT NULL THEN
        GRANT SELECT ON flyway_schema_history TO aigov_runtime;
    END IF;
    -- The decision state's version row (V2__decision_state.sql, where present): read, and bumped by triggers.
    IF to_regclass('state_version') IS NOT NULL THEN
        GRANT SELECT, UPDATE ON state_version TO aigov_runtime;
    END IF;
END
$$;

-- Refused attempts that repeat are recorded once per peer, method and reason per time window.
ALTER TABLE audit_events
    ADD COLUMN peer              text,
    ADD COLUMN repeat_count      integer CHECK (repeat_count > 0),
    ADD COLUMN first_occurred_at timestamptz,
    ADD COLUMN last_occurred_at  timestamptz;

-- PostgreSQL gives a partitioned table's statement triggers to none of its partitions: a TRUNCATE
-- of one partition would pass the parent's trigger by. Every partition gets its own.
CREATE FUNCTION audit_partition_refuse_truncate(partition regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_trigger WHERE tgrelid = partition AND tgname = 'audit_events_no_truncate') THEN
        EXECUTE format('CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON %s'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()', partition);
    END IF;
END
$$;

SELECT audit_partition_refuse_truncate(inhrelid::regclass) FROM pg_inherits WHERE inhparent = 'audit_events'::regclass;

-- Partition creation: the runtime role may call it, and it runs as its owner (SECURITY DEFINER).
DROP FUNCTION ensure_audit_partitions(integer);
CREATE FUNCTION ensure_audit_partitions(months_ahead integer) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    first_month timestamptz := date_trunc('month', now(), 'UTC');
    month_start timestamptz;
    partition   text;
    created     integer := 0;
BEGIN
    IF months_ahead < 0 OR months_ahead > 24 THEN
        RAISE EXCEPTION 'months_ahead must be 0 to 24 (got %)', months_ahead USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- Creating a partition locks audit_events; never queue audit writes behind it for long.
    PERFORM set_config('lock_timeout', '2s', true);
    PERFORM pg_advisory_xact_lock(hashtext('aigov.audit_events.partitions'));
    FOR i IN 0..months_ahead LOOP
        month_start := first_month + make_interval(months => i);
        partition := 'audit_events_' || to_char(month_start AT TIME ZONE 'UTC', 'YYYY_MM');
        IF to_regclass('public.' || partition) IS NULL THEN
            EXECUTE format('CREATE TABLE public.%I PARTITION OF audit_events FOR VALUES FROM (%L) TO (%L)',
                           partition, month_start, month_start + interval '1 month');
            PERFORM audit_partition_refuse_truncate(('public.' || quote_ident(partition))::regclass);
            created := created + 1;
        END IF;
    END LOOP;
    RETURN created;
END
$$;
REVOKE EXECUTE ON FUNCTION ensure_audit_partitions(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ensure_audit_partitions(integer) TO aigov_runtime;
REVOKE EXECUTE ON FUNCTION audit_partition_refuse_truncate(regclass) FROM PUBLIC;

-- The settings that decide whether an acknowledged commit survives a crash, as 'name=value' for
-- each one that would lose it; empty when commits are durable. Read by the server at start.
CREATE FUNCTION undurable_settings() RETURNS text[] LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(name || '=' || setting ORDER BY name), '{}')
    FROM pg_settings
    WHERE (name = 'fsync' AND setting <> 'on')
       OR (name = 'full_page_writes' AND setting <> 'on')
       OR (name = 'synchronous_commit' AND setting = 'off')
$$;
