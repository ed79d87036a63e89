/**
 * The server's failures a caller can act on, one sealed hierarchy; {@code grpc.StatusMapping} is
 * the one place that turns them (and the core's {@code InvalidRequest}) into gRPC statuses.
 */
package dev.aigov.server.error;
