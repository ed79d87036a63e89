package dev.aigov.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.ErrorInfo;
import dev.aigov.server.testing.Clients;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** What every aigov error must look like: one status code, one ErrorInfo of domain "aigov" with its reason. */
final class StatusAssertions {
    private StatusAssertions() {
    }

    /** Runs {@code call}, which must fail with {@code code} and ErrorInfo {@code reason}; returns the ErrorInfo. */
    static ErrorInfo assertFails(ThrowingCallable call, Status.Code code, String reason) {
        StatusRuntimeException error = catchThrowableOfType(StatusRuntimeException.class, call);
        assertThat(error).as("the call should have failed with %s %s", code, reason).isNotNull();
        assertThat(error.getStatus().getCode()).as(error.getStatus().toString()).isEqualTo(code);
        ErrorInfo info = Clients.errorInfo(error);
        assertThat(info.getDomain()).isEqualTo("aigov");
        assertThat(info.getReason()).isEqualTo(reason);
        return info;
    }

    /** INVALID_ARGUMENT naming {@code field} in the ErrorInfo metadata and at the start of the message. */
    static void assertInvalidField(ThrowingCallable call, String field) {
        StatusRuntimeException error = catchThrowableOfType(StatusRuntimeException.class, call);
        assertThat(error).as("the call should have failed naming %s", field).isNotNull();
        assertThat(error.getStatus().getCode()).as(error.getStatus().toString()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(error.getStatus().getDescription()).startsWith(field);
        ErrorInfo info = Clients.errorInfo(error);
        assertThat(info.getDomain()).isEqualTo("aigov");
        assertThat(info.getReason()).isEqualTo("ERROR_REASON_INVALID_FIELD");
        assertThat(info.getMetadataMap()).containsEntry("field", field);
    }

    /** PERMISSION_DENIED for want of {@code capability}. */
    static void assertMissingCapability(ThrowingCallable call, String capability) {
        ErrorInfo info = assertFails(call, Status.Code.PERMISSION_DENIED, "ERROR_REASON_MISSING_CAPABILITY");
        assertThat(info.getMetadataMap()).containsEntry("capability", capability);
    }

    /** PERMISSION_DENIED because the token's capability reaches other workspaces only. */
    static void assertWorkspaceNotPermitted(ThrowingCallable call) {
        ErrorInfo info = assertFails(call, Status.Code.PERMISSION_DENIED, "ERROR_REASON_WORKSPACE_NOT_PERMITTED");
        assertThat(info.getMetadataMap()).containsEntry("field", "workspace_id");
    }
}
