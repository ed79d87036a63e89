/**
 * The group-commit writer that makes decisions final: per batch, the decision-state lock and the
 * state version, a new decision for any made on an older state, the request_id claims, the audit
 * rows by COPY, one commit; no answer before its record is durable.
 */
package dev.aigov.server.evaluation.commit;
