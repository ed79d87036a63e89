-- Evidence (docs/evidence.md): every audit event is a leaf of its batch's Merkle tree, every batch a
-- signed checkpoint of a chain, and each event row names its place. Events recorded before this
-- migration have no place (NULL): they predate the evidence, and audit verify counts them apart.
ALTER TABLE audit_events
    ADD COLUMN chain_id   uuid,
    ADD COLUMN chain_seq  bigint,
    ADD COLUMN leaf_index integer;
ALTER TABLE audit_events
    ADD CONSTRAINT audit_events_chain_place_check CHECK ((chain_id IS NULL) = (chain_seq IS NULL)
        AND (chain_id IS NULL) = (leaf_index IS NULL) AND (chain_seq IS NULL OR chain_seq >= 0)
        AND (leaf_index IS NULL OR leaf_index >= 0)) NOT VALID;

-- Verify and export read a checkpoint's events by their place.
CREATE INDEX audit_events_by_chain ON audit_events (chain_id, chain_seq, leaf_index);

-- One row a committed batch: its signed note as signed (the other columns repeat it, for queries).
-- Partitioned by month like the events, so that retention drops both together.
CREATE TABLE audit_checkpoints (
    chain_id  uuid        NOT NULL,
    seq       bigint      NOT NULL CHECK (seq >= 0),
    signed_at timestamptz NOT NULL,
    size      integer     NOT NULL CHECK (size >= 1),
    key_id    text        NOT NULL CHECK (key_id ~ '^aigov-[0-9a-f]{16}$'),
    note      text        NOT NULL CHECK (char_length(note) <= 1024),
    PRIMARY KEY (chain_id, seq, signed_at)
) PARTITION BY RANGE (signed_at);
CREATE TABLE audit_checkpoints_default PARTITION OF audit_checkpoints DEFAULT;
CREATE INDEX audit_checkpoints_by_time ON audit_checkpoints (signed_at, chain_id, seq);

-- The public keys that sign checkpoints; never changed, never removed while a checkpoint names them.
CREATE TABLE signing_keys (
    key_id     text        PRIMARY KEY CHECK (key_id ~ '^aigov-[0-9a-f]{16}$'),
    algorithm  text        NOT NULL CHECK (algorithm = 'ed25519'),
    public_key bytea       NOT NULL CHECK (length(public_key) = 32),
    replica    text        NOT NULL CHECK (char_length(replica) <= 512),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION evidence_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
REVOKE EXECUTE ON FUNCTION evidence_refuse_change() FROM PUBLIC;
CREATE TRIGGER audit_checkpoints_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION evidence_refuse_change();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION evidence_refuse_change();
CREATE TRIGGER audit_checkpoints_default_no_truncate BEFORE TRUNCATE ON audit_checkpoints_default
    FOR EACH STATEMENT EXECUTE FUNCTION evidence_refuse_change();
CREATE TRIGGER signing_keys_no_update_or_delete BEFORE UPDATE OR DELETE ON signing_keys
    FOR EACH ROW EXECUTE FUNCTION evidence_refuse_change();
CREATE TRIGGER signing_keys_no_truncate BEFORE TRUNCATE ON signing_keys
    FOR EACH STATEMENT EXECUTE FUNCTION evidence_refuse_change();

GRANT SELECT, INSERT ON audit_checkpoints TO aigov_runtime;
GRANT SELECT, INSERT ON signing_keys TO aigov_runtime;

-- Partitions: each month's audit_events partition gets its audit_checkpoints partition beside it.
CREATE OR REPLACE FUNCTION ensure_audit_partitions(months_ahead integer) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    first_month timestamptz := date_trunc('month', now(), 'UTC');
    month_start timestamptz;
    partition   text;
    checkpoints text;
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
        checkpoints := 'audit_checkpoints_' || to_char(month_start AT TIME ZONE 'UTC', 'YYYY_MM');
        IF to_regclass('public.' || checkpoints) IS NULL THEN
            EXECUTE format('CREATE TABLE public.%I PARTITION OF audit_checkpoints FOR VALUES FROM (%L) TO (%L)',
                           checkpoints, month_start, month_start + interval '1 month');
            EXECUTE format('CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON public.%I'
                           ' FOR EACH STATEMENT EXECUTE FUNCTION evidence_refuse_change()', checkpoints);
        END IF;
    END LOOP;
    RETURN created;
END
$$;
