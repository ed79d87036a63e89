package dev.aigov.server.connect;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Any;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * A gRPC status as the Connect protocol writes an error: the HTTP status its code maps to, and the
 * JSON body {@code {"code": "unavailable", "message": ..., "details": [{"type": "google.rpc.ErrorInfo",
 * "value": <base64>, "debug": {...}}]}}.
 */
final class ConnectErrors {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFormat.TypeRegistry DETAILS = JsonFormat.TypeRegistry.newBuilder()
            .add(ErrorInfo.getDescriptor()).add(RetryInfo.getDescriptor()).add(BadRequest.getDescriptor()).build();
    private static final JsonFormat.Printer DEBUG = JsonFormat.printer().usingTypeRegistry(DETAILS).omittingInsignificantWhitespace();

    private ConnectErrors() {
    }

    /** The Connect code: the gRPC code's name in lower case ({@code invalid_argument}), {@code canceled} for CANCELLED. */
    static String code(Status.Code code) {
        return code == Status.Code.CANCELLED ? "canceled" : code.name().toLowerCase(Locale.ROOT);
    }

    /** The HTTP status of an error with {@code code}, per the Connect protocol's table. */
    static int httpStatus(Status.Code code) {
        return switch (code) {
            case OK -> 200;
            case CANCELLED -> 499;
            case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> 400;
            case DEADLINE_EXCEEDED -> 504;
            case NOT_FOUND -> 404;
            case ALREADY_EXISTS, ABORTED -> 409;
            case PERMISSION_DENIED -> 403;
            case RESOURCE_EXHAUSTED -> 429;
            case UNIMPLEMENTED -> 501;
            case UNAVAILABLE -> 503;
            case UNAUTHENTICATED -> 401;
            case UNKNOWN, INTERNAL, DATA_LOSS -> 500;
        };
    }

    /** The error body of {@code status}, with the details its trailers carry. */
    static byte[] body(Status status, Metadata trailers) {
        return bytes(node(status, trailers));
    }

    /** The error body of {@code status} as JSON, for an answer that adds to it (AuthZEN's {@code field}). */
    static ObjectNode node(Status status, Metadata trailers) {
        ObjectNode error = JSON.createObjectNode();
        error.put("code", code(status.getCode()));
        com.google.rpc.Status rich = StatusProto.fromStatusAndTrailers(status, trailers);
        if (!rich.getMessage().isEmpty()) {
            error.put("message", rich.getMessage());
        }
        if (rich.getDetailsCount() > 0) {
            ArrayNode details = error.putArray("details");
            for (Any detail : rich.getDetailsList()) {
                String type = detail.getTypeUrl().substring(detail.getTypeUrl().lastIndexOf('/') + 1);
                ObjectNode written = details.addObject();
                written.put("type", type);
                written.put("value", Base64.getEncoder().withoutPadding().encodeToString(detail.getValue().toByteArray()));
                debug(type, detail).ifPresent(debug -> written.set("debug", debug));
            }
        }
        return error;
    }

    /** An error the port answers itself, before any call (a malformed request): code and message, no details. */
    static byte[] body(Status.Code code, String message) {
        return body(code.toStatus().withDescription(message), new Metadata());
    }

    /** The detail as JSON, for a reader without its schema, when it is a type the server sends. */
    private static java.util.Optional<com.fasterxml.jackson.databind.JsonNode> debug(String type, Any detail) {
        Descriptors.Descriptor descriptor = DETAILS.find(type);
        if (descriptor == null) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(JSON.readTree(DEBUG.print(DynamicMessage.parseFrom(descriptor, detail.getValue()))));
        } catch (InvalidProtocolBufferException | com.fasterxml.jackson.core.JsonProcessingException unreadable) {
            return java.util.Optional.empty();
        }
    }

    private static byte[] bytes(ObjectNode node) {
        try {
            return JSON.writeValueAsString(node).getBytes(StandardCharsets.UTF_8);
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
