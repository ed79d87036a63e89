/**
 * Where a decision is made and made final. {@link dev.aigov.server.evaluation.DecisionService}
 * reads a {@link dev.aigov.server.evaluation.SnapshotSource} (the in-memory state of {@code state/}),
 * decides with the core's rules, and hands the decision to a {@link
 * dev.aigov.server.evaluation.DecisionRecorder} (the group-commit writer of {@code commit/}), which
 * re-decides it under the state lock when the state moved, and answers only once it is durable.
 * The stop guarantee lives here, not in {@code audit/}, which holds the trail's read side.
 */
package dev.aigov.server.evaluation;
