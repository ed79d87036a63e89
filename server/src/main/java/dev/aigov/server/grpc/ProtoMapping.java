package dev.aigov.server.grpc;

import com.google.protobuf.ProtocolMessageEnum;
import com.google.protobuf.Timestamp;
import dev.aigov.api.v1.ActorKind;
import dev.aigov.api.v1.BlockReason;
import dev.aigov.api.v1.ControlState;
import dev.aigov.api.v1.DataClassification;
import dev.aigov.api.v1.Outcome;
import dev.aigov.api.v1.PolicyMode;
import dev.aigov.api.v1.ProviderClass;
import dev.aigov.core.InvalidRequest;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * The one place proto enums, times and ids meet the domain's. Domain and proto enums share their
 * names after the proto prefix ({@code PROVIDER_CLASS_LOCAL_PRIVATE} is {@code LOCAL_PRIVATE}).
 */
final class ProtoMapping {
    private ProtoMapping() {
    }

    /** A proto enum from a request, as the domain's; UNSPECIFIED or a number this server does not know is bad input. */
    static <E extends Enum<E>> E toDomain(Class<E> domain, ProtocolMessageEnum value, String prefix, String field) {
        Enum<?> proto = (Enum<?>) value;
        if (proto.name().equals("UNRECOGNIZED")) {
            throw new InvalidRequest(field, "has an unknown value; known: " + known(value, prefix));
        }
        if (proto.name().endsWith("_UNSPECIFIED")) {
            throw new InvalidRequest(field, "is required; one of: " + known(value, prefix));
        }
        return Enum.valueOf(domain, proto.name().substring(prefix.length()));
    }

    private static String known(ProtocolMessageEnum value, String prefix) {
        StringBuilder names = new StringBuilder();
        for (var descriptor : value.getDescriptorForType().getValues()) {
            if (!descriptor.getName().endsWith("_UNSPECIFIED")) {
                names.append(names.isEmpty() ? "" : ", ").append(descriptor.getName());
            }
        }
        return names.toString();
    }

    static dev.aigov.core.ProviderClass providerClass(ProviderClass value, String field) {
        return toDomain(dev.aigov.core.ProviderClass.class, value, "PROVIDER_CLASS_", field);
    }

    static dev.aigov.core.DataClassification classification(DataClassification value, String field) {
        return toDomain(dev.aigov.core.DataClassification.class, value, "DATA_CLASSIFICATION_", field);
    }

    static dev.aigov.core.PolicyMode policyMode(PolicyMode value, String field) {
        return toDomain(dev.aigov.core.PolicyMode.class, value, "POLICY_MODE_", field);
    }

    static dev.aigov.core.ControlState controlState(ControlState value, String field) {
        return toDomain(dev.aigov.core.ControlState.class, value, "CONTROL_STATE_", field);
    }

    static dev.aigov.core.ActorKind actorKind(ActorKind value, String field) {
        return toDomain(dev.aigov.core.ActorKind.class, value, "ACTOR_KIND_", field);
    }

    static Outcome outcome(dev.aigov.core.Outcome value) {
        return Outcome.valueOf("OUTCOME_" + value.name());
    }

    static BlockReason blockReason(dev.aigov.core.BlockReason value) {
        return BlockReason.valueOf("BLOCK_REASON_" + value.name());
    }

    static DataClassification classification(dev.aigov.core.DataClassification value) {
        return DataClassification.valueOf("DATA_CLASSIFICATION_" + value.name());
    }

    static ProviderClass providerClass(dev.aigov.core.ProviderClass value) {
        return ProviderClass.valueOf("PROVIDER_CLASS_" + value.name());
    }

    static PolicyMode policyMode(dev.aigov.core.PolicyMode value) {
        return PolicyMode.valueOf("POLICY_MODE_" + value.name());
    }

    static ControlState controlState(dev.aigov.core.ControlState value) {
        return ControlState.valueOf("CONTROL_STATE_" + value.name());
    }

    static ActorKind actorKind(dev.aigov.core.ActorKind value) {
        return ActorKind.valueOf("ACTOR_KIND_" + value.name());
    }

    static dev.aigov.api.v1.CatalogVersion catalogVersion(dev.aigov.core.CatalogVersion version) {
        return dev.aigov.api.v1.CatalogVersion.newBuilder().setDigest(version.digest()).setLabel(version.label().orElse("")).build();
    }

    static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

    /** A request's time; out-of-range seconds or nanos are bad input. */
    static Instant instant(Timestamp timestamp, String field) {
        if (timestamp.getNanos() < 0 || timestamp.getNanos() > 999_999_999
                || timestamp.getSeconds() < -62_135_596_800L || timestamp.getSeconds() > 253_402_300_799L) {
            throw new InvalidRequest(field, "is not a valid timestamp");
        }
        return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
    }

    /** An optional request_id: empty is absent, anything else must be a UUID. */
    static Optional<UUID> requestId(String value) {
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            UUID parsed = UUID.fromString(value);
            if (!parsed.toString().equalsIgnoreCase(value)) {
                throw new IllegalArgumentException();
            }
            return Optional.of(parsed);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequest("request_id", "must be a UUID such as 3f2b8c1e-6a4d-4c1b-9a57-0f6e2d8b7c44 (got '"
                    + (value.length() > 64 ? value.substring(0, 64) + "…" : value) + "')");
        }
    }

    static OptionalLong expectedVersion(boolean present, long value) {
        return present ? OptionalLong.of(value) : OptionalLong.empty();
    }

    /** A decision's receipt as the contract carries it. */
    static dev.aigov.api.v1.Receipt receipt(dev.aigov.server.evidence.IssuedReceipt issued) {
        dev.aigov.evidence.Receipt receipt = issued.receipt();
        dev.aigov.api.v1.Receipt.Builder proto = dev.aigov.api.v1.Receipt.newBuilder()
                .setEvent(com.google.protobuf.ByteString.copyFrom(receipt.event()))
                .setLeafIndex(receipt.leafIndex())
                .setCheckpoint(receipt.checkpoint())
                .setExpiresAt(timestamp(issued.expiresAt()));
        receipt.inclusionPath().forEach(hash -> proto.addInclusionPath(com.google.protobuf.ByteString.copyFrom(hash)));
        return proto.build();
    }
}
