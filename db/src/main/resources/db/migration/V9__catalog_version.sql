-- The catalog each decision was made with: the digest of its content (sha256: and 64 hex digits,
-- docs/catalog.md says how it is computed) and the catalog file's optional label. NULL on the
-- decisions recorded before this migration. With them a decision can be reconstructed, and two
-- replicas deciding with different catalogs during a rollout show in the trail.
ALTER TABLE audit_events
    ADD COLUMN catalog_digest text CHECK (catalog_digest ~ '^sha256:[0-9a-f]{64}$'),
    ADD COLUMN catalog_label  text CHECK (char_length(catalog_label) BETWEEN 1 AND 128);
