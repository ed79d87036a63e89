/**
 * Previews of a change against the recorded trail: a candidate policy mode, pause or resume (or a
 * candidate catalog, from the command line) replayed through the core's rules over the decisions
 * recorded in a window, streamed from the database with bounded memory, and counted as flips.
 * Nothing here changes any state; a preview over gRPC records one audit event of its own.
 */
package dev.aigov.server.preview;
