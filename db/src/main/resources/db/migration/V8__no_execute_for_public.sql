-- No function is callable by PUBLIC: PostgreSQL lets every role execute a new function unless
-- told otherwise, and four of aigov's still could be by any login. They run with the caller's
-- rights, so that gave no privilege on their own, but the runtime role's grants are an exact,
-- documented list (docs/operations.md), and a login that is not aigov's has no business calling
-- them. The runtime role keeps what it calls; a trigger function needs no EXECUTE to fire.
REVOKE EXECUTE ON FUNCTION claim_request_ids(text, uuid[], bytea[], timestamptz[], uuid[], timestamptz[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION claim_request_ids(text, uuid[], bytea[], timestamptz[], uuid[], timestamptz[]) TO aigov_runtime;
REVOKE EXECUTE ON FUNCTION undurable_settings() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION undurable_settings() TO aigov_runtime;
REVOKE EXECUTE ON FUNCTION listen_for_state_changes() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION listen_for_state_changes() TO aigov_runtime;
REVOKE EXECUTE ON FUNCTION audit_events_refuse_change() FROM PUBLIC;
