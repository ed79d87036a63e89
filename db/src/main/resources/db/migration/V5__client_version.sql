-- The version of aigov-client that asked for a decision, as the client announced it in the
-- aigov-client-version header (normalised by the server: empty is NULL, anything that is not a
-- version is 'invalid'), so that operators can tell which client versions call the service before
-- they change what an ALLOW means. Bounded here too: the header is the caller's.
ALTER TABLE audit_events
    ADD COLUMN client_version text CHECK (char_length(client_version) <= 64);
