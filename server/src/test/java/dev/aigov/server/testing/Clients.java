package dev.aigov.server.testing;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import dev.aigov.api.v1.AuditServiceGrpc;
import dev.aigov.api.v1.DecisionServiceGrpc;
import dev.aigov.api.v1.ExecutionControlServiceGrpc;
import dev.aigov.api.v1.WorkspacePolicyServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/** Real-channel clients of a {@link TestServer}, and what tests need to read its answers. */
public final class Clients implements AutoCloseable {
    private final ManagedChannel channel;

    /** Over loopback to a Netty server, by name to an in-process one. */
    public Clients(TestServer server) {
        // InProcess is loaded only for an in-process server: the test-jar's other users lack grpc-inprocess.
        this.channel = server.inProcessName().isPresent() ? InProcess.channel(server.inProcessName().get())
                : NettyChannelBuilder.forTarget(server.target()).usePlaintext().build();
    }

    public ManagedChannel channel() {
        return channel;
    }

    public DecisionServiceGrpc.DecisionServiceBlockingStub decisions(String token) {
        return withToken(DecisionServiceGrpc.newBlockingStub(channel), token);
    }

    public WorkspacePolicyServiceGrpc.WorkspacePolicyServiceBlockingStub policies(String token) {
        return withToken(WorkspacePolicyServiceGrpc.newBlockingStub(channel), token);
    }

    public ExecutionControlServiceGrpc.ExecutionControlServiceBlockingStub controls(String token) {
        return withToken(ExecutionControlServiceGrpc.newBlockingStub(channel), token);
    }

    public dev.aigov.api.v1.EvidenceServiceGrpc.EvidenceServiceBlockingStub evidence(String token) {
        return withToken(dev.aigov.api.v1.EvidenceServiceGrpc.newBlockingStub(channel), token);
    }

    public AuditServiceGrpc.AuditServiceBlockingStub audit(String token) {
        return withToken(AuditServiceGrpc.newBlockingStub(channel), token);
    }

    /** Sends {@code authorization: Bearer <token>} on every call; a null token sends no header. */
    public static <S extends AbstractStub<S>> S withToken(S stub, String token) {
        S timed = stub.withDeadlineAfter(10, TimeUnit.SECONDS);
        if (token == null) {
            return timed;
        }
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return timed.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    /** The one google.rpc.ErrorInfo every aigov error carries. */
    public static ErrorInfo errorInfo(StatusRuntimeException error) {
        com.google.rpc.Status status = StatusProto.fromThrowable(error);
        if (status == null) {
            throw new AssertionError("no google.rpc.Status details in " + error);
        }
        var infos = status.getDetailsList().stream().filter(any -> any.is(ErrorInfo.class)).toList();
        if (infos.size() != 1) {
            throw new AssertionError("expected exactly one ErrorInfo, got " + infos.size() + " in " + error);
        }
        try {
            return infos.get(0).unpack(ErrorInfo.class);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    /** How many audit events carry this request_id. */
    public static int auditEventsWithRequestId(DataSource dataSource, UUID requestId) {
        return count(dataSource, "SELECT count(*) FROM audit_events WHERE request_id = ?", requestId);
    }

    /** How many audit events concern this workspace. */
    public static int auditEventsForWorkspace(DataSource dataSource, String workspaceId) {
        return count(dataSource, "SELECT count(*) FROM audit_events WHERE workspace_id = ?", workspaceId);
    }

    private static int count(DataSource dataSource, String sql, Object parameter) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setObject(1, parameter);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    /** A workspace id no other test uses. */
    public static String freshWorkspace() {
        return "ws-" + UUID.randomUUID();
    }

    @Override
    public void close() {
        channel.shutdownNow();
    }
}
