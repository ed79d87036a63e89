/**
 * The audit trail's read side and its events: what {@code ListAuditEvents} pages through, the
 * event types every change and decision is recorded as, and the refusals of mutations. Decisions
 * are written by {@code evaluation.commit}; changes by their own transactions.
 */
package dev.aigov.server.audit;
