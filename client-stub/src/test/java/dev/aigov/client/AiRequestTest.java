package dev.aigov.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AiRequestTest {

    static Stream<Arguments> requiredParts() {
        return Stream.of(
                Arguments.of("workspaceId", (UnaryOperator<AiRequest.Builder>) b -> b.useCase("u").sourceFamily("s")
                        .providerClass(ProviderClass.LOCAL_PRIVATE).dataClassifications(DataClassification.SECRET)
                        .actor(Actor.user("a"))),
                Arguments.of("useCase", (UnaryOperator<AiRequest.Builder>) b -> b.workspaceId("w").sourceFamily("s")
                        .providerClass(ProviderClass.LOCAL_PRIVATE).dataClassifications(DataClassification.SECRET)
                        .actor(Actor.user("a"))),
                Arguments.of("providerClass", (UnaryOperator<AiRequest.Builder>) b -> b.workspaceId("w").useCase("u")
                        .sourceFamily("s").dataClassifications(DataClassification.SECRET).actor(Actor.user("a"))),
                Arguments.of("dataClassifications", (UnaryOperator<AiRequest.Builder>) b -> b.workspaceId("w")
                        .useCase("u").sourceFamily("s").providerClass(ProviderClass.LOCAL_PRIVATE)
                        .actor(Actor.user("a"))),
                Arguments.of("sourceFamily", (UnaryOperator<AiRequest.Builder>) b -> b.workspaceId("w").useCase("u")
                        .providerClass(ProviderClass.LOCAL_PRIVATE).dataClassifications(DataClassification.SECRET)
                        .actor(Actor.user("a"))),
                Arguments.of("actor", (UnaryOperator<AiRequest.Builder>) b -> b.workspaceId("w").useCase("u")
                        .sourceFamily("s").providerClass(ProviderClass.LOCAL_PRIVATE)
                        .dataClassifications(DataClassification.SECRET)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requiredParts")
    void buildNamesTheMissingRequiredPart(String missing, UnaryOperator<AiRequest.Builder> allBut) {
        assertThatThrownBy(() -> allBut.apply(AiRequest.builder()).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("AiRequest needs " + missing);
    }

    @Test
    void aRequestCannotDeclareAnUnrecognizedClassification() {
        assertThatThrownBy(() -> AiRequest.builder().dataClassifications(DataClassification.UNRECOGNIZED))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void classificationsAccumulateWithoutRepeatsAndTheRequestIsImmutable() {
        AiRequest request = Requests.productAnswer("ws")
                .dataClassifications(List.of(DataClassification.OPERATIONAL_METADATA, DataClassification.PRODUCT_KNOWLEDGE))
                .build();

        assertThat(request.dataClassifications())
                .containsExactly(DataClassification.PRODUCT_KNOWLEDGE, DataClassification.OPERATIONAL_METADATA);
        assertThatThrownBy(() -> request.dataClassifications().add(DataClassification.SECRET))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void optionalPartsAreEmptyUnlessGiven() {
        AiRequest request = AiRequest.builder().workspaceId("w").useCase("u").sourceFamily("s")
                .providerClass(ProviderClass.LOCAL_PRIVATE).dataClassifications(DataClassification.SECRET)
                .actor(Actor.service("job")).build();

        assertThat(request.tenantId()).isEmpty();
        assertThat(request.callerSurface()).isEmpty();
        assertThat(request.requestId()).isEmpty();
    }

    @Test
    void theClientBuilderRefusesAClientWithoutAToken() {
        assertThatThrownBy(() -> AiGovernanceClient.builder("127.0.0.1:1").plaintext().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("bearer token");
    }
}
