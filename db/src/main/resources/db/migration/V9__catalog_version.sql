-- The catalog each decision was made with: the digest of its content (sha256: and 64 hex digits,
-- docs/catalog.md says how it is computed) and the catalog file's optional label. NULL on the
-- decisions recorded before this migration. With them a decision can be reconstructed, and two
-- replicas deciding with different catalogs during a rollout show in the trail.
--
-- The columns come without a default, so adding them rewrites nothing. Their checks come NOT VALID:
-- every row written from now on is checked, and the rows already there (NULL in both) are validated
-- by V11 in a transaction of its own, whose lock (SHARE UPDATE EXCLUSIVE) lets audit writes go on
-- while it reads a trail of any size; a CHECK added valid here would scan every partition under this
-- transaction's ACCESS EXCLUSIVE lock, and hold every audit write for as long.
ALTER TABLE audit_events
    ADD COLUMN catalog_digest text,
    ADD COLUMN catalog_label  text;
ALTER TABLE audit_events
    ADD CONSTRAINT audit_events_catalog_digest_check CHECK (catalog_digest ~ '^sha256:[0-9a-f]{64}$') NOT VALID,
    ADD CONSTRAINT audit_events_catalog_label_check CHECK (char_length(catalog_label) BETWEEN 1 AND 128) NOT VALID;
