-- Claims many request_ids at once, each with the audit event that records its result, for the
-- group-commit audit writer: one statement of constant text whatever the batch size (so it is
-- prepared once per connection), with the rows as arrays. Claims are made in request_id order, so
-- that two concurrent batches never wait for each other in a cycle. Returns the ids it claimed; the
-- others were claimed before (the writer reads them back). Runs with the caller's rights.
CREATE FUNCTION claim_request_ids(p_operation text, p_request_ids uuid[], p_fingerprints bytea[],
                                  p_created_at timestamptz[], p_event_ids uuid[], p_event_at timestamptz[])
    RETURNS uuid[] LANGUAGE sql VOLATILE AS $$
    WITH claimed AS (
        INSERT INTO idempotency_records (request_id, operation, fingerprint, created_at, result_event_id, result_event_at)
        SELECT claim.request_id, p_operation, claim.fingerprint, claim.created_at, claim.event_id, claim.event_at
        FROM unnest(p_request_ids, p_fingerprints, p_created_at, p_event_ids, p_event_at)
             AS claim(request_id, fingerprint, created_at, event_id, event_at)
        ORDER BY claim.request_id
        ON CONFLICT DO NOTHING
        RETURNING request_id)
    SELECT coalesce(array_agg(request_id), '{}') FROM claimed
$$;
