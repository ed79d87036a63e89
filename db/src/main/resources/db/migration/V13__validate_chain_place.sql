-- V12 added the check NOT VALID (no scan under its ACCESS EXCLUSIVE lock); validating it takes only
-- SHARE UPDATE EXCLUSIVE, which lets the audit writer go on.
ALTER TABLE audit_events VALIDATE CONSTRAINT audit_events_chain_place_check;
