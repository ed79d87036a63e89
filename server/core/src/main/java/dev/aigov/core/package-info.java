/**
 * The decision as a pure function: {@link dev.aigov.core.Rules#evaluate} takes a {@link
 * dev.aigov.core.DecisionRequest}, a {@link dev.aigov.core.Snapshot} of the state and the {@link
 * dev.aigov.core.Catalog}, and returns a {@link dev.aigov.core.Decision} with every reason, in the
 * documented precedence. No I/O and no dependency: the server decides with it, and the client's
 * in-memory test double applies the very same rules. The one error it throws is {@link
 * dev.aigov.core.InvalidRequest}, naming the field.
 */
package dev.aigov.core;
