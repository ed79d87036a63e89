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
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@link Caller} over the Connect port: the same EvaluateAiRequest calls as unary Connect requests
 * ({@code POST /aigov.v1.DecisionService/EvaluateAiRequest}, JSON or binary protobuf), over HTTP/1.1
 * with keep-alive, one call per connection at a time (32 in flight: 32 connections, opened during
 * the warm-up and reused). HTTP/1.1 because it is how most callers without gRPC (curl, PHP, scripts)
 * reach the port. The client is a minimal one of the generator's own, blocking sockets on virtual
 * threads (write the request, read the status line, the headers and Content-Length's bytes), as wrk
 * is for HTTP benchmarks: the JDK's {@code HttpClient} cost the generator 380 to 640 µs of CPU a
 * call, against 50 to 75 for gRPC's, CPU that the server, on the same 2 cores, then lacked, so the
 * ratio measured the client. Errors are read from the Connect error body and counted as the gRPC ones
 * are (code, and the ErrorInfo's reason): {@link ErrorDetails} reads them from a status built from it.
 */
final class ConnectCaller implements Caller, AutoCloseable {
    static final String METHOD_PATH = "/aigov.v1.DecisionService/EvaluateAiRequest";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
    /** A response head beyond this is not the Connect port's. */
    private static final int MAX_HEAD_BYTES = 64 * 1024;

    private final InetSocketAddress address;
    private final String head;
    private final Duration deadline;
    private final boolean binary;
    private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();

    /** One kept-alive connection, used by one call at a time. */
    private record Connection(Socket socket, InputStream in, OutputStream out) {
        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // Gone either way.
            }
        }
    }

    /** One HTTP answer: its status and body, and whether the connection may carry the next call. */
    private record Answer(int status, byte[] body, boolean keepAlive) {
    }

    /**
     * @param address the Connect port, {@code HOST:PORT}
     * @param binary  {@code application/proto} rather than {@code application/json}
     */
    ConnectCaller(String address, String token, Duration deadline, boolean binary) {
        int colon = address.lastIndexOf(':');
        this.address = new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
        this.head = "POST " + METHOD_PATH + " HTTP/1.1\r\nhost: " + address + "\r\ncontent-type: "
                + (binary ? "application/proto" : "application/json") + "\r\nconnect-protocol-version: 1\r\nconnect-timeout-ms: "
                + deadline.toMillis() + "\r\nauthorization: Bearer " + token + "\r\ncontent-length: ";
        this.deadline = deadline;
        this.binary = binary;
    }

    @Override
    public Duration deadline() {
        return deadline;
    }

    @Override
    public void send(Workload.Probe probe, long start, Tally tally, Runnable onDone) {
        byte[] body = body(probe.request());
        byte[] request = (head + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        calls.execute(() -> {
            try {
                call(probe, start, tally, request, body);
            } catch (RuntimeException bug) {
                // A fault of the generator's own, not of the call: said, not swallowed (the run then stops at its deadline).
                bug.printStackTrace();
                return;
            }
            onDone.run();
        });
    }

    private void call(Workload.Probe probe, long start, Tally tally, byte[] request, byte[] body) {
        Connection connection = idle.pollFirst();
        Answer answer;
        try {
            if (connection == null) {
                Socket socket = new Socket();
                socket.setTcpNoDelay(true);
                socket.connect(address, (int) deadline.toMillis());
                connection = new Connection(socket, new BufferedInputStream(socket.getInputStream()),
                        new BufferedOutputStream(socket.getOutputStream()));
            }
            connection.socket().setSoTimeout((int) Math.max(1, deadline.toMillis()));
            connection.out().write(request);
            connection.out().write(body);
            connection.out().flush();
            answer = read(connection.in());
        } catch (IOException e) {
            if (connection != null) {
                connection.close();
            }
            Status status = e instanceof SocketTimeoutException ? Status.DEADLINE_EXCEEDED : Status.UNAVAILABLE;
            tally.failed(start, System.nanoTime(), status.withDescription(e.toString()).withCause(e).asRuntimeException());
            return;
        }
        if (answer.keepAlive()) {
            idle.offerFirst(connection);
        } else {
            connection.close();
        }
        complete(probe, start, tally, answer);
    }

    /** Reads one response: the status line, the headers, and the body Content-Length says. */
    private static Answer read(InputStream in) throws IOException {
        StringBuilder headText = new StringBuilder(256);
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection closed before an answer");
            }
            headText.append((char) b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3)) ? matched + 1
                    : b == '\r' ? 1 : 0;
            if (headText.length() > MAX_HEAD_BYTES) {
                throw new IOException("an answer's head over " + MAX_HEAD_BYTES + " bytes");
            }
        }
        String[] lines = headText.toString().split("\r\n", -1);
        String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.1 answer: " + lines[0]);
        }
        int status = Integer.parseInt(statusLine[1]);
        int length = -1;
        boolean keepAlive = true;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                String name = lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT);
                String value = lines[i].substring(colon + 1).strip();
                if (name.equals("content-length")) {
                    length = Integer.parseInt(value);
                } else if (name.equals("connection") && value.equalsIgnoreCase("close")) {
                    keepAlive = false;
                }
            }
        }
        if (length < 0) {
            throw new IOException("an answer without Content-Length");
        }
        return new Answer(status, in.readNBytes(length), keepAlive);
    }

    private void complete(Workload.Probe probe, long start, Tally tally, Answer response) {
        if (response.status() != 200) {
            tally.failed(start, System.nanoTime(), connectError(response.status(), response.body()));
            return;
        }
        EvaluateAiRequestResponse answer;
        try {
            answer = parse(response.body());
        } catch (InvalidProtocolBufferException e) {
            tally.failed(start, System.nanoTime(), Status.INTERNAL.withDescription("unreadable answer").withCause(e).asRuntimeException());
            return;
        }
        // Timed once the answer is parsed, as gRPC's onCompleted is.
        tally.answered(start, System.nanoTime(), probe.expected(), answer.getDecision());
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
        calls.shutdownNow();
        for (Connection connection = idle.pollFirst(); connection != null; connection = idle.pollFirst()) {
            connection.close();
        }
    }
}
