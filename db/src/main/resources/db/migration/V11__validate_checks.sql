-- The checks V9 and V10 added NOT VALID, validated over the rows written before them. In a
-- transaction of its own (Flyway runs each migration in one): VALIDATE CONSTRAINT takes SHARE UPDATE
-- EXCLUSIVE on audit_events and each partition, which lets the audit writer's COPY and inserts go on
-- while it scans. Every row written since V9 or V10 was checked as it was written.
ALTER TABLE audit_events VALIDATE CONSTRAINT audit_events_catalog_digest_check;
ALTER TABLE audit_events VALIDATE CONSTRAINT audit_events_catalog_label_check;
ALTER TABLE audit_events VALIDATE CONSTRAINT audit_events_kind_check;
ALTER TABLE audit_events VALIDATE CONSTRAINT audit_events_preview_replayed_check;
ALTER TABLE audit_events VALIDATE CONSTRAINT audit_events_preview_allow_to_block_check;
ALTER TABLE audit_events VALIDATE CONSTRAINT audit_events_preview_block_to_allow_check;
ALTER TABLE audit_events VALIDATE CONSTRAINT audit_events_preview_complete_check;
