/**
 * Principals, tokens, capabilities and failed-authentication budgets, with no gRPC in them: the
 * interceptor that authenticates a call lives in {@code grpc/}.
 */
package dev.aigov.server.identity;
