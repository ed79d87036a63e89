-- The decision state that its own database cannot quietly break.
--
-- 1. Only the triggers write the state's version, and each change is a row of a log read in
--    version order: state_changes. The runtime role may read both, never write them; the trigger
--    functions run as their owner (SECURITY DEFINER, pinned search_path). A notification carries
--    no information a listener trusts: it only wakes the listener, which reads the log.
-- 2. The lock that orders changes against recorded decisions is a table lock on state_version,
--    which needs a privilege on that table: only the owner, a superuser, or the runtime role through
--    the two functions below can take it. It replaces the advisory key 7140114001, which any session
--    could hold. Table locks live in the lock manager like advisory ones: no WAL, no row version, no
--    MultiXact (what a row lock taken by concurrent batches would write for every batch).
-- 3. Decisions get a request_id replay window of their own (decision_request_ids), purged in
--    bounded chunks; the mutations keep theirs (idempotency_records, a week).

-- The log of changes: one row per changed key, numbered by the version the change made.
CREATE TABLE state_changes (
    version    bigint      PRIMARY KEY CHECK (version > 0),
    table_name text        NOT NULL CHECK (table_name IN ('workspace_policies', 'execution_controls', 'principals')),
    -- The key as the listener looks it up: the workspace id of a policy; '<control key>/<workspace id>'
    -- of a control ('ai.execution/' for the global scope); the hex token hash of a principal. NULL: the
    -- whole table changed (TRUNCATE), every replica reloads.
    change_key text,
    changed_at timestamptz NOT NULL DEFAULT now()
);
-- What the log must hold at least: the changes of the last hour (a listener further behind reloads).
CREATE INDEX state_changes_by_time ON state_changes (changed_at);
INSERT INTO state_changes (version, table_name, change_key)
    SELECT version, 'workspace_policies', NULL FROM state_version WHERE version > 0;

-- Takes the decision-state lock for a change, in a fixed order that no batch and no TRUNCATE can
-- invert: the state tables first (ROW EXCLUSIVE, as the change's own writes would), then
-- state_version EXCLUSIVE, which waits for the batches in flight and makes later ones wait. A
-- lock that cannot be had within lock_wait_ms fails with the sessions that hold it named.
CREATE FUNCTION lock_state_exclusively(lock_wait_ms integer) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    holders     text;
    was_timeout text := current_setting('lock_timeout');
BEGIN
    PERFORM set_config('lock_timeout', greatest(1, lock_wait_ms)::text, true);
    BEGIN
        LOCK TABLE workspace_policies, execution_controls, principals IN ROW EXCLUSIVE MODE;
        LOCK TABLE state_version IN EXCLUSIVE MODE;
    EXCEPTION WHEN lock_not_available THEN
        SELECT string_agg(DISTINCT format('pid %s (role %s, application %L, client %s, %s since %s)',
                   a.pid, a.usename, a.application_name, coalesce(a.client_addr::text, 'local'), coalesce(a.state, 'a session'),
                   coalesce(a.xact_start, a.backend_start)), '; ')
            INTO holders
            FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'relation' AND l.granted AND l.pid <> pg_backend_pid()
              AND l.relation IN ('state_version'::regclass, 'workspace_policies'::regclass,
                                 'execution_controls'::regclass, 'principals'::regclass)
              AND l.mode NOT IN ('AccessShareLock');
        RAISE EXCEPTION 'the decision-state lock was not granted within % ms: held by %', lock_wait_ms,
                coalesce(holders, 'a session that has released it since')
            USING ERRCODE = 'lock_not_available',
                  HINT = 'end that session''s transaction (pg_terminate_backend(pid)) if it is not aigov''s';
    END;
    PERFORM set_config('lock_timeout', was_timeout, true);
END
$$;
REVOKE EXECUTE ON FUNCTION lock_state_exclusively(integer) FROM PUBLIC;

-- Called by a change before it reads what it changes (READ COMMITTED only: the statements after
-- it must see what committed while it waited).
DROP FUNCTION lock_state_for_change();
CREATE FUNCTION lock_state_for_change(lock_wait_ms integer) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'aigov changes its decision state under READ COMMITTED only (this transaction is %)',
            current_setting('transaction_isolation');
    END IF;
    PERFORM lock_state_exclusively(lock_wait_ms);
END
$$;
REVOKE EXECUTE ON FUNCTION lock_state_for_change(integer) FROM PUBLIC;

-- Called first by every transaction that records decisions: the tables it may read (ACCESS SHARE,
-- so a TRUNCATE waiting for them cannot then wait for this batch), then state_version ROW SHARE,
-- then the version, read by a statement of its own (its snapshot is taken after the lock is granted).
CREATE OR REPLACE FUNCTION lock_state_for_decisions() RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    current_version bigint;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'aigov records decisions under READ COMMITTED only (this transaction is %)',
            current_setting('transaction_isolation');
    END IF;
    LOCK TABLE workspace_policies, execution_controls IN ACCESS SHARE MODE;
    LOCK TABLE state_version IN ROW SHARE MODE;
    SELECT version INTO current_version FROM state_version WHERE id = 1;
    RETURN current_version;
END
$$;
REVOKE EXECUTE ON FUNCTION lock_state_for_decisions() FROM PUBLIC;

-- The advisory key is no longer the lock: nothing takes it.
DROP FUNCTION decision_state_lock_key();

-- The key a row of a state table is looked up by (see state_changes.change_key).
CREATE FUNCTION state_key(table_name text, changed jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE SET search_path = public, pg_temp AS $$
    SELECT CASE table_name
        WHEN 'workspace_policies' THEN changed ->> 'workspace_id'
        WHEN 'execution_controls' THEN (changed ->> 'control_key') || '/' || (changed ->> 'workspace_id')
        -- bytea in JSON is '\x' and hex digits.
        WHEN 'principals' THEN substr(changed ->> 'token_hash', 3)
    END
$$;

-- One change: the next version, its row in the log, and a wake-up for the listeners. The next
-- version is past the log's last one too: a version set back by hand can never be taken twice.
CREATE FUNCTION append_state_change(table_name text, change_key text) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    new_version bigint;
BEGIN
    UPDATE state_version
        SET version = greatest(version, (SELECT coalesce(max(c.version), 0) FROM state_changes c)) + 1
        WHERE id = 1 RETURNING version INTO new_version;
    INSERT INTO state_changes (version, table_name, change_key) VALUES (new_version, table_name, change_key);
    PERFORM pg_notify('aigov_state', new_version::text);
END
$$;
REVOKE EXECUTE ON FUNCTION append_state_change(text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION state_key(text, jsonb) FROM PUBLIC;

-- Every statement that changes the decision state, by aigov or by hand, takes the lock before it
-- touches a row.
CREATE OR REPLACE FUNCTION lock_state_before_change() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM lock_state_exclusively(5000);
    RETURN NULL;
END
$$;

-- Every changed row: one change per key it touched. An UPDATE that changes the key is two: the old
-- key (now gone) and the new one.
CREATE OR REPLACE FUNCTION record_state_change() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    old_key text;
    new_key text;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        old_key := state_key(TG_TABLE_NAME, to_jsonb(OLD));
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        new_key := state_key(TG_TABLE_NAME, to_jsonb(NEW));
    END IF;
    IF old_key IS NOT NULL AND old_key IS DISTINCT FROM new_key THEN
        PERFORM append_state_change(TG_TABLE_NAME, old_key);
    END IF;
    IF new_key IS NOT NULL THEN
        PERFORM append_state_change(TG_TABLE_NAME, new_key);
    END IF;
    RETURN NULL;
END
$$;

-- TRUNCATE fires no row trigger: one change for the whole table (every replica reloads).
CREATE OR REPLACE FUNCTION record_state_truncate() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM append_state_change(TG_TABLE_NAME, NULL);
    RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION lock_state_before_change() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION record_state_change() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION record_state_truncate() FROM PUBLIC;

-- Forgets the log's changes older than keep_for_seconds, never the latest one (a listener compares the log
-- with state_version). Returns how many.
CREATE FUNCTION purge_state_changes(keep_for_seconds integer) RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    purged integer;
BEGIN
    IF keep_for_seconds < 3600 THEN
        RAISE EXCEPTION 'state changes are kept at least an hour (got % s)', keep_for_seconds USING ERRCODE = 'invalid_parameter_value';
    END IF;
    DELETE FROM state_changes
        WHERE changed_at < now() - make_interval(secs => keep_for_seconds)
          AND version < (SELECT version FROM state_version WHERE id = 1);
    GET DIAGNOSTICS purged = ROW_COUNT;
    RETURN purged;
END
$$;
REVOKE EXECUTE ON FUNCTION purge_state_changes(integer) FROM PUBLIC;

-- The runtime role reads the version and the log; only the functions above write them.
REVOKE ALL ON state_version FROM aigov_runtime;
GRANT SELECT ON state_version TO aigov_runtime;
GRANT SELECT ON state_changes TO aigov_runtime;
GRANT EXECUTE ON FUNCTION lock_state_for_change(integer) TO aigov_runtime;
GRANT EXECUTE ON FUNCTION lock_state_for_decisions() TO aigov_runtime;
GRANT EXECUTE ON FUNCTION purge_state_changes(integer) TO aigov_runtime;

-- Decisions' request_ids: retried within seconds (the client's deadline is 500 ms, 3 attempts), so
-- kept for a short window (AIGOV_DECISION_REPLAY_WINDOW), not the mutations' week; purged in bounded
-- chunks by created_at. About 150 bytes per decision with both indexes.
CREATE TABLE decision_request_ids (
    request_id      uuid        PRIMARY KEY,
    fingerprint     bytea       NOT NULL,
    created_at      timestamptz NOT NULL,
    -- The audit event that records the decision the request_id names.
    result_event_id uuid        NOT NULL,
    result_event_at timestamptz NOT NULL
);
CREATE INDEX decision_request_ids_by_age ON decision_request_ids (created_at);
GRANT SELECT, INSERT, UPDATE, DELETE ON decision_request_ids TO aigov_runtime;

-- Claims many decision request_ids at once (as claim_request_ids does for idempotency_records), in
-- request_id order; returns the ids it claimed. Runs with the caller's rights.
CREATE FUNCTION claim_decision_request_ids(p_request_ids uuid[], p_fingerprints bytea[], p_created_at timestamptz[],
                                           p_event_ids uuid[], p_event_at timestamptz[])
    RETURNS uuid[] LANGUAGE sql VOLATILE SET search_path = public, pg_temp AS $$
    WITH claimed AS (
        INSERT INTO decision_request_ids (request_id, fingerprint, created_at, result_event_id, result_event_at)
        SELECT claim.request_id, claim.fingerprint, claim.created_at, claim.event_id, claim.event_at
        FROM unnest(p_request_ids, p_fingerprints, p_created_at, p_event_ids, p_event_at)
             AS claim(request_id, fingerprint, created_at, event_id, event_at)
        ORDER BY claim.request_id
        ON CONFLICT DO NOTHING
        RETURNING request_id)
    SELECT coalesce(array_agg(request_id), '{}') FROM claimed
$$;
REVOKE EXECUTE ON FUNCTION claim_decision_request_ids(uuid[], bytea[], timestamptz[], uuid[], timestamptz[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION claim_decision_request_ids(uuid[], bytea[], timestamptz[], uuid[], timestamptz[]) TO aigov_runtime;
