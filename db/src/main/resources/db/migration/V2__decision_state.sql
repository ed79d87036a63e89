-- The decision state (execution controls, workspace policies, principals) is kept in memory by
-- every replica. This migration gives that state one version, a notification on every change, and
-- the lock that makes the emergency stop linearizable with the decisions.

-- The version of the whole decision state: every committed change of a control, a policy or a
-- principal adds one, in commit order (the row stays locked until the changing transaction ends).
-- A replica that has applied version N and reads N here knows its state is current.
CREATE TABLE state_version (
    id      integer PRIMARY KEY CHECK (id = 1),
    version bigint  NOT NULL CHECK (version >= 0)
);
INSERT INTO state_version (id, version) VALUES (1, 0);

-- The advisory lock that orders changes against recorded decisions: a change holds it exclusively
-- until it commits; every batch of decisions holds it shared until its own commit.
CREATE FUNCTION decision_state_lock_key() RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
    SELECT 7140114001::bigint
$$;

-- Called by a change before it reads what it changes: it waits for the batches of decisions in
-- flight to commit, and batches that start later wait for the change to commit (and then see it).
-- Only READ COMMITTED gives the statements after it a snapshot that sees what committed meanwhile.
CREATE FUNCTION lock_state_for_change() RETURNS void LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'aigov changes its decision state under READ COMMITTED only (this transaction is %)',
            current_setting('transaction_isolation');
    END IF;
    PERFORM pg_advisory_xact_lock(decision_state_lock_key());
END
$$;

-- Called first by every transaction that records decisions: takes the lock shared, then returns
-- the state version. The read is a statement of its own, so its snapshot is taken after the lock
-- is granted and sees every change committed before it.
CREATE FUNCTION lock_state_for_decisions() RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    current_version bigint;
BEGIN
    -- Under REPEATABLE READ or SERIALIZABLE the read below would see the snapshot taken before the
    -- lock was granted, and miss a change committed while this batch waited for it.
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'aigov records decisions under READ COMMITTED only (this transaction is %)',
            current_setting('transaction_isolation');
    END IF;
    PERFORM pg_advisory_xact_lock_shared(decision_state_lock_key());
    SELECT version INTO current_version FROM state_version WHERE id = 1;
    RETURN current_version;
END
$$;

-- Subscribes the calling session to state changes (channel aigov_state). Each notification's
-- payload is '<version> <table> <key>': the key is the workspace id of a policy, the control key
-- and workspace id of a control ('ai.execution/' for the global scope), the hex token hash of a
-- principal; '<version> reload <table>' after a TRUNCATE. The listener reads the row back (a payload
-- never carries state) and reloads everything on anything else.
CREATE FUNCTION listen_for_state_changes() RETURNS void LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    EXECUTE 'LISTEN aigov_state';
END
$$;

-- Every statement that changes the decision state, by aigov or by hand, takes the lock before it
-- touches a row (taking it after a row lock could deadlock with a change that took it first).
CREATE FUNCTION lock_state_before_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(decision_state_lock_key());
    RETURN NULL;
END
$$;

-- Every changed row: count a version and notify, in the same transaction.
CREATE FUNCTION record_state_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed     jsonb;
    new_version bigint;
    changed_key text;
BEGIN
    PERFORM pg_advisory_xact_lock(decision_state_lock_key());
    changed := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END);
    UPDATE state_version SET version = version + 1 WHERE id = 1 RETURNING version INTO new_version;
    changed_key := CASE TG_TABLE_NAME
        WHEN 'workspace_policies' THEN changed ->> 'workspace_id'
        WHEN 'execution_controls' THEN (changed ->> 'control_key') || '/' || (changed ->> 'workspace_id')
        -- bytea in JSON is '\x' and hex digits.
        WHEN 'principals' THEN substr(changed ->> 'token_hash', 3)
    END;
    PERFORM pg_notify('aigov_state', new_version || ' ' || TG_TABLE_NAME || ' ' || changed_key);
    RETURN NULL;
END
$$;

-- TRUNCATE fires no row trigger: count a version and tell every replica to reload everything.
CREATE FUNCTION record_state_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    new_version bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(decision_state_lock_key());
    UPDATE state_version SET version = version + 1 WHERE id = 1 RETURNING version INTO new_version;
    PERFORM pg_notify('aigov_state', new_version || ' reload ' || TG_TABLE_NAME);
    RETURN NULL;
END
$$;

CREATE TRIGGER workspace_policies_state_lock
    BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON workspace_policies
    FOR EACH STATEMENT EXECUTE FUNCTION lock_state_before_change();
CREATE TRIGGER workspace_policies_state_change
    AFTER INSERT OR UPDATE OR DELETE ON workspace_policies
    FOR EACH ROW EXECUTE FUNCTION record_state_change();
CREATE TRIGGER workspace_policies_state_truncate
    AFTER TRUNCATE ON workspace_policies
    FOR EACH STATEMENT EXECUTE FUNCTION record_state_truncate();

CREATE TRIGGER execution_controls_state_lock
    BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON execution_controls
    FOR EACH STATEMENT EXECUTE FUNCTION lock_state_before_change();
CREATE TRIGGER execution_controls_state_change
    AFTER INSERT OR UPDATE OR DELETE ON execution_controls
    FOR EACH ROW EXECUTE FUNCTION record_state_change();
CREATE TRIGGER execution_controls_state_truncate
    AFTER TRUNCATE ON execution_controls
    FOR EACH STATEMENT EXECUTE FUNCTION record_state_truncate();

CREATE TRIGGER principals_state_lock
    BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON principals
    FOR EACH STATEMENT EXECUTE FUNCTION lock_state_before_change();
CREATE TRIGGER principals_state_change
    AFTER INSERT OR UPDATE OR DELETE ON principals
    FOR EACH ROW EXECUTE FUNCTION record_state_change();
CREATE TRIGGER principals_state_truncate
    AFTER TRUNCATE ON principals
    FOR EACH STATEMENT EXECUTE FUNCTION record_state_truncate();
