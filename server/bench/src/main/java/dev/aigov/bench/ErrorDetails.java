package dev.aigov.bench;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;

import java.util.Optional;

/** Reads the one {@code google.rpc.ErrorInfo} every aigov error carries. */
final class ErrorDetails {
    private ErrorDetails() {
    }

    static Optional<ErrorInfo> errorInfo(Throwable error) {
        com.google.rpc.Status details = StatusProto.fromThrowable(error);
        if (details == null) {
            return Optional.empty();
        }
        for (var any : details.getDetailsList()) {
            if (any.is(ErrorInfo.class)) {
                try {
                    return Optional.of(any.unpack(ErrorInfo.class));
                } catch (InvalidProtocolBufferException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /** {@code CODE}, or {@code CODE/ERROR_REASON_...} when the status carries an ErrorInfo: how errors are counted. */
    static String describe(Throwable error) {
        String code = Status.fromThrowable(error).getCode().name();
        return errorInfo(error).map(info -> code + "/" + info.getReason()).orElse(code);
    }
}
