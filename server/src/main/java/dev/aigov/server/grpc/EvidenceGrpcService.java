package dev.aigov.server.grpc;

import dev.aigov.api.v1.Checkpoint;
import dev.aigov.api.v1.EvidenceServiceGrpc;
import dev.aigov.api.v1.GetCheckpointRequest;
import dev.aigov.api.v1.GetCheckpointResponse;
import dev.aigov.api.v1.ListSigningKeysRequest;
import dev.aigov.api.v1.ListSigningKeysResponse;
import dev.aigov.evidence.SignedCheckpoint;
import dev.aigov.server.evidence.Evidence;
import dev.aigov.server.evidence.KeysFile;
import dev.aigov.server.storage.Transactions;
import io.grpc.stub.StreamObserver;
import org.jooq.DSLContext;

/** EvidenceService over gRPC: this replica's latest checkpoints, and the published keys. */
public final class EvidenceGrpcService extends EvidenceServiceGrpc.EvidenceServiceImplBase {
    private final Evidence evidence;
    private final DSLContext dsl;

    public EvidenceGrpcService(Evidence evidence, DSLContext dsl) {
        this.evidence = evidence;
        this.dsl = dsl;
    }

    @Override
    public void getCheckpoint(GetCheckpointRequest request, StreamObserver<GetCheckpointResponse> observer) {
        Calls.unary("GetCheckpoint", observer, () -> {
            GetCheckpointResponse.Builder response = GetCheckpointResponse.newBuilder();
            evidence.latest().forEach(signed -> response.addCheckpoints(toProto(signed)));
            return response.build();
        });
    }

    @Override
    public void listSigningKeys(ListSigningKeysRequest request, StreamObserver<ListSigningKeysResponse> observer) {
        Calls.unary("ListSigningKeys", observer, () -> Transactions.read(dsl, "reading the signing keys", KeysFile::published));
    }

    static Checkpoint toProto(SignedCheckpoint signed) {
        dev.aigov.evidence.Checkpoint checkpoint = signed.checkpoint();
        return Checkpoint.newBuilder()
                .setNote(signed.note())
                .setChainId(checkpoint.chain().toString())
                .setSeq(checkpoint.seq())
                .setSize(checkpoint.size())
                .setKeyId(checkpoint.keyId())
                .setSignedAt(ProtoMapping.timestamp(checkpoint.time()))
                .build();
    }
}
