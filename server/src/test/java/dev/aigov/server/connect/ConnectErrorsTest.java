package dev.aigov.server.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Connect protocol's table of error codes: each gRPC code's Connect name and HTTP status. */
class ConnectErrorsTest {
    @Test
    void everyCodeHasTheSpecifiedNameAndHttpStatus() {
        Map<Status.Code, String> table = new EnumMap<>(Status.Code.class);
        table.put(Status.Code.CANCELLED, "canceled 499");
        table.put(Status.Code.UNKNOWN, "unknown 500");
        table.put(Status.Code.INVALID_ARGUMENT, "invalid_argument 400");
        table.put(Status.Code.DEADLINE_EXCEEDED, "deadline_exceeded 504");
        table.put(Status.Code.NOT_FOUND, "not_found 404");
        table.put(Status.Code.ALREADY_EXISTS, "already_exists 409");
        table.put(Status.Code.PERMISSION_DENIED, "permission_denied 403");
        table.put(Status.Code.RESOURCE_EXHAUSTED, "resource_exhausted 429");
        table.put(Status.Code.FAILED_PRECONDITION, "failed_precondition 400");
        table.put(Status.Code.ABORTED, "aborted 409");
        table.put(Status.Code.OUT_OF_RANGE, "out_of_range 400");
        table.put(Status.Code.UNIMPLEMENTED, "unimplemented 501");
        table.put(Status.Code.INTERNAL, "internal 500");
        table.put(Status.Code.UNAVAILABLE, "unavailable 503");
        table.put(Status.Code.DATA_LOSS, "data_loss 500");
        table.put(Status.Code.UNAUTHENTICATED, "unauthenticated 401");
        assertThat(table).hasSize(Status.Code.values().length - 1);
        table.forEach((code, expected) -> assertThat(ConnectErrors.code(code) + " " + ConnectErrors.httpStatus(code)).as("%s", code)
                .isEqualTo(expected));
    }
}
