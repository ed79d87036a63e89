/**
 * {@code audit verify}: walks the audit trail's chains (docs/evidence.md, "Verifying") from the
 * database or from an export file and reports the first break of each. Reads only.
 */
package dev.aigov.server.evidence;
