/**
 * The decision state held in memory on each replica (controls, policies, principals) and the
 * listener that follows the database's changes: a state that cannot be confirmed current within
 * its bound fails closed ({@link dev.aigov.server.error.StateStale}).
 */
package dev.aigov.server.evaluation.state;
