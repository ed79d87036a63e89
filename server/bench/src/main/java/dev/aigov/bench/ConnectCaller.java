package dev.aigov.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.aigov.api.v1.EvaluateAiRequestRequest;
import dev.aigov.api.v1.EvaluateAiRequestResponse;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ForkJoinPool;

/**
 * {@link Caller} over the Connect port: the same EvaluateAiRequest calls as unary Connect requests
 * ({@code POST /aigov.v1.DecisionService/EvaluateAiRequest}, JSON or binary protobuf), sent with the
 * JDK's {@link HttpClient} over HTTP/1.1 with keep-alive. HTTP/1.1, not h2c: the JDK's client reaches
 * cleartext HTTP/2 only by an {@code Upgrade: h2c}, which the Connect port declines (it speaks
 * cleartext HTTP/2 with prior knowledge only), so over {@code http://} it speaks HTTP/1.1 either way;
 * and HTTP/1.1 is how most callers without gRPC (curl, scripts, services behind a plain HTTP
 * client) reach it. One call per connection at a time, so the client's pool holds one kept-alive
 * connection per call in flight (32 in flight: 32 connections), opened during the warm-up and
 * reused. Errors are read from the Connect error body and counted as the gRPC ones are (code, and
 * the ErrorInfo's reason): {@link ErrorDetails} reads them from a status built from it.
 */
final class ConnectCaller implements Caller, AutoCloseable {
    static final String METHOD_PATH = "/aigov.v1.DecisionService/EvaluateAiRequest";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

    private final HttpClient client;
    private final URI uri;
    private final String authorization;
    private final Duration deadline;
    private final boolean binary;

    /**
     * @param address the Connect port, {@code HOST:PORT}
     * @param binary  {@code application/proto} rather than {@code application/json}
     */
    ConnectCaller(String address, String token, Duration deadline, boolean binary) {
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(deadline).build();
        this.uri = URI.create("http://" + address + METHOD_PATH);
        this.authorization = "Bearer " + token;
        this.deadline = deadline;
        this.binary = binary;
    }

    @Override
    public Duration deadline() {
        return deadline;
    }

    @Override
    public void send(Workload.Probe probe, long start, Tally tally, Runnable onDone) {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(deadline)
                .header("content-type", binary ? "application/proto" : "application/json")
                .header("connect-protocol-version", "1")
                .header("connect-timeout-ms", Long.toString(deadline.toMillis()))
                .header("authorization", authorization)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body(probe.request()))).build();
        CompletableFuture<Void> unused = client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                .handle((response, failure) -> {
                    complete(probe, start, tally, onDone, response, failure);
                    return (Void) null;
                }).exceptionally(bug -> {
                    // A fault of the generator's own, not of the call: said, not swallowed (the run then stops at its deadline).
                    bug.printStackTrace();
                    return null;
                });
    }

    private void complete(Workload.Probe probe, long start, Tally tally, Runnable onDone, HttpResponse<byte[]> response,
            Throwable failure) {
        if (failure != null) {
            tally.failed(start, System.nanoTime(), transportFailure(failure));
            // As over gRPC: a call that fails at once must not start the next one on this stack.
            ForkJoinPool.commonPool().execute(onDone);
            return;
        }
        if (response.statusCode() != 200) {
            tally.failed(start, System.nanoTime(), connectError(response.statusCode(), response.body()));
            onDone.run();
            return;
        }
        EvaluateAiRequestResponse answer;
        try {
            answer = parse(response.body());
        } catch (InvalidProtocolBufferException e) {
            tally.failed(start, System.nanoTime(), Status.INTERNAL.withDescription("unreadable answer").withCause(e).asRuntimeException());
            onDone.run();
            return;
        }
        // Timed once the answer is parsed, as gRPC's onCompleted is.
        tally.answered(start, System.nanoTime(), probe.expected(), answer.getDecision());
        onDone.run();
    }

    private byte[] body(EvaluateAiRequestRequest request) {
        if (binary) {
            return request.toByteArray();
        }
        try {
            return PRINTER.print(request).getBytes(StandardCharsets.UTF_8);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("the request has no JSON form", e);
        }
    }

    private EvaluateAiRequestResponse parse(byte[] body) throws InvalidProtocolBufferException {
        if (binary) {
            return EvaluateAiRequestResponse.parseFrom(body);
        }
        EvaluateAiRequestResponse.Builder answer = EvaluateAiRequestResponse.newBuilder();
        PARSER.merge(new String(body, StandardCharsets.UTF_8), answer);
        return answer.build();
    }

    /** A call that got no HTTP answer: its deadline passed, or the connection failed. */
    private static Throwable transportFailure(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        Status status = cause instanceof HttpTimeoutException ? Status.DEADLINE_EXCEEDED : Status.UNAVAILABLE;
        return status.withDescription(cause.toString()).withCause(cause).asRuntimeException();
    }

    /**
     * A Connect error ({@code {"code": "unavailable", "message": ..., "details": [{"type":
     * "google.rpc.ErrorInfo", "value": base64}]}}) as the gRPC status it stands for, its details with
     * it; a body that is no Connect error gets the code the Connect protocol gives its HTTP status.
     */
    static Throwable connectError(int httpStatus, byte[] body) {
        JsonNode error;
        try {
            error = JSON.readTree(body);
        } catch (IOException notJson) {
            error = null;
        }
        if (error == null || !error.path("code").isTextual()) {
            return Status.fromCode(codeOfHttpStatus(httpStatus)).withDescription("HTTP " + httpStatus).asRuntimeException();
        }
        com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder()
                .setCode(codeOf(error.path("code").asText()).value()).setMessage(error.path("message").asText());
        for (JsonNode detail : error.path("details")) {
            try {
                status.addDetails(Any.newBuilder().setTypeUrl("type.googleapis.com/" + detail.path("type").asText())
                        .setValue(ByteString.copyFrom(Base64.getDecoder().decode(padded(detail.path("value").asText())))));
            } catch (IllegalArgumentException notBase64) {
                // A detail that cannot be read is left out; the code still counts.
            }
        }
        return StatusProto.toStatusRuntimeException(status.build());
    }

    /** Connect's code names are gRPC's in lower case, but for {@code canceled}. */
    static Status.Code codeOf(String connectCode) {
        if (connectCode.equals("canceled")) {
            return Status.Code.CANCELLED;
        }
        try {
            return Status.Code.valueOf(connectCode.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException unknown) {
            return Status.Code.UNKNOWN;
        }
    }

    /** The Connect protocol's code for an HTTP status without a Connect error body. */
    private static Status.Code codeOfHttpStatus(int httpStatus) {
        return switch (httpStatus) {
            case 400 -> Status.Code.INTERNAL;
            case 401 -> Status.Code.UNAUTHENTICATED;
            case 403 -> Status.Code.PERMISSION_DENIED;
            case 404 -> Status.Code.UNIMPLEMENTED;
            case 429, 502, 503, 504 -> Status.Code.UNAVAILABLE;
            default -> Status.Code.UNKNOWN;
        };
    }

    /** Connect sends base64 without padding; the JDK's decoder wants it. */
    private static String padded(String base64) {
        return base64 + "===".substring(0, (4 - base64.length() % 4) % 4);
    }

    @Override
    public void close() {
        client.close();
    }
}
