-- aigov's schema. Values of the code-owned vocabulary are stored as their lower_snake names
-- ('private_only', 'paused', ...), the same words an operator reads in the SPEC.

-- The workspace AI policy in force: one row per workspace that ever set one. A workspace with no
-- row is effectively 'disabled' at version 0.
CREATE TABLE workspace_policies (
    workspace_id text        PRIMARY KEY CHECK (workspace_id ~ '^[A-Za-z0-9._:-]{1,128}$'),
    policy_mode  text        NOT NULL CHECK (policy_mode IN ('disabled', 'private_only')),
    version      bigint      NOT NULL CHECK (version > 0),
    reason       text,
    updated_at   timestamptz NOT NULL,
    updated_by   text        NOT NULL
);

-- Every version a workspace policy ever had, so that a replayed request returns exactly what it set.
CREATE TABLE workspace_policy_versions (
    workspace_id text        NOT NULL,
    version      bigint      NOT NULL CHECK (version > 0),
    policy_mode  text        NOT NULL CHECK (policy_mode IN ('disabled', 'private_only')),
    reason       text,
    updated_at   timestamptz NOT NULL,
    updated_by   text        NOT NULL,
    PRIMARY KEY (workspace_id, version)
);

-- The execution control state in force per key and scope; workspace_id '' is the global scope.
-- A scope with no row is 'enabled' at version 0.
CREATE TABLE execution_controls (
    control_key  text        NOT NULL,
    workspace_id text        NOT NULL,
    state        text        NOT NULL CHECK (state IN ('enabled', 'paused')),
    reason       text,
    version      bigint      NOT NULL CHECK (version > 0),
    changed_at   timestamptz NOT NULL,
    changed_by   text        NOT NULL,
    PRIMARY KEY (control_key, workspace_id),
    CHECK (state <> 'paused' OR reason IS NOT NULL)
);

-- Control activations: the history of every change of every control (who, when, why, scope).
CREATE TABLE control_activations (
    activation_id bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    control_key   text        NOT NULL,
    workspace_id  text        NOT NULL,
    state         text        NOT NULL CHECK (state IN ('enabled', 'paused')),
    reason        text,
    version       bigint      NOT NULL CHECK (version > 0),
    changed_at    timestamptz NOT NULL,
    changed_by    text        NOT NULL,
    request_id    uuid,
    UNIQUE (control_key, workspace_id, version)
);
CREATE INDEX control_activations_by_key_time ON control_activations (control_key, changed_at DESC, activation_id DESC);

-- The audit trail: append-only, metadata only, partitioned by month so that retention drops whole
-- partitions instead of deleting rows. Columns are typed per kind of event; unused ones stay NULL.
CREATE TABLE audit_events (
    event_id                 uuid        NOT NULL,
    occurred_at              timestamptz NOT NULL,
    kind                     text        NOT NULL CHECK (kind IN ('ai_decision', 'workspace_policy_set',
                                                                  'execution_control_set', 'mutation_denied')),
    workspace_id             text,
    tenant_id                text,
    principal                text,
    actor_id                 text,
    actor_kind               text        CHECK (actor_kind IN ('user', 'service')),
    caller_surface           text,
    request_id               uuid,
    -- ai_decision
    decision_id              uuid,
    use_case                 text,
    provider_class           text,
    data_classifications     text[],
    source_family            text,
    outcome                  text        CHECK (outcome IN ('allow', 'block')),
    reason                   text,
    all_reasons              text[],
    rejected_classifications text[],
    policy_mode              text,
    policy_version           bigint,
    control_state            text,
    control_version          bigint,
    message                  text,
    -- workspace_policy_set and execution_control_set
    control_key              text,
    before_value             text,
    after_value              text,
    before_version           bigint,
    after_version            bigint,
    changed                  boolean,
    change_reason            text,
    -- mutation_denied
    method                   text,
    status_code              text,
    error_reason             text,
    capability               text,
    PRIMARY KEY (occurred_at, event_id)
) PARTITION BY RANGE (occurred_at);

-- Catches any row whose month has no partition yet, so that a missing partition never fails a write.
CREATE TABLE audit_events_default PARTITION OF audit_events DEFAULT;

CREATE INDEX audit_events_by_workspace ON audit_events (workspace_id, occurred_at DESC, event_id DESC);
CREATE INDEX audit_events_by_kind ON audit_events (kind, occurred_at DESC, event_id DESC);

CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_events_no_update_or_delete
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();

CREATE TRIGGER audit_events_no_truncate
    BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change();

-- Creates the monthly partitions (UTC) from this month to months_ahead months ahead; returns how
-- many it created. Safe to call from several replicas at once.
CREATE FUNCTION ensure_audit_partitions(months_ahead integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    first_month timestamptz := date_trunc('month', now(), 'UTC');
    month_start timestamptz;
    partition   text;
    created     integer := 0;
BEGIN
    -- Creating a partition locks audit_events; never queue audit writes behind it for long.
    PERFORM set_config('lock_timeout', '2s', true);
    PERFORM pg_advisory_xact_lock(hashtext('aigov.audit_events.partitions'));
    FOR i IN 0..months_ahead LOOP
        month_start := first_month + make_interval(months => i);
        partition := 'audit_events_' || to_char(month_start AT TIME ZONE 'UTC', 'YYYY_MM');
        IF to_regclass(partition) IS NULL THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF audit_events FOR VALUES FROM (%L) TO (%L)',
                           partition, month_start, month_start + interval '1 month');
            created := created + 1;
        END IF;
    END LOOP;
    RETURN created;
END
$$;

SELECT ensure_audit_partitions(2);

-- Principals: who may call, with which capabilities, for which workspaces. Tokens are stored only
-- as a SHA-256 hash; token_hint is the token's public prefix, to recognise it in a listing.
CREATE TABLE principals (
    principal_id uuid        PRIMARY KEY,
    name         text        NOT NULL CHECK (name ~ '^[A-Za-z0-9._:-]{1,128}$'),
    token_hash   bytea       NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    token_hint   text        NOT NULL,
    capabilities text[]      NOT NULL CHECK (cardinality(capabilities) > 0),
    -- NULL: every workspace; otherwise the workspaces the workspace-plane capabilities are limited to.
    workspaces   text[],
    created_at   timestamptz NOT NULL,
    revoked_at   timestamptz
);
CREATE UNIQUE INDEX principals_active_name ON principals (name) WHERE revoked_at IS NULL;

-- Idempotency records (AIP-155): the first result of each request_id, so that a retry returns it
-- and writes nothing new. fingerprint is a hash of the caller and the request's content.
CREATE TABLE idempotency_records (
    request_id      uuid        PRIMARY KEY,
    operation       text        NOT NULL,
    fingerprint     bytea       NOT NULL,
    created_at      timestamptz NOT NULL,
    -- EvaluateAiRequest: the audit event that records the decision.
    result_event_id uuid,
    result_event_at timestamptz,
    -- SetWorkspacePolicy and SetExecutionControl: the version in force after the call.
    result_version  bigint,
    result_changed  boolean
);
CREATE INDEX idempotency_records_by_age ON idempotency_records (created_at);
