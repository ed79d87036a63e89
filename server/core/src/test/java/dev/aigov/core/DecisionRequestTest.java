package dev.aigov.core;

import static dev.aigov.core.DataClassification.OPERATIONAL_METADATA;
import static dev.aigov.core.DataClassification.PERSONAL_DATA;
import static dev.aigov.core.DataClassification.PRODUCT_KNOWLEDGE;
import static dev.aigov.core.DataClassification.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class DecisionRequestTest {
    private static final List<String> ID_FIELDS =
            List.of("workspace_id", "tenant_id", "use_case", "source_family", "actor.id", "caller_surface");
    private static final List<String> REQUIRED_ID_FIELDS = List.of("workspace_id", "use_case", "source_family", "actor.id");
    private static final List<String> OPTIONAL_ID_FIELDS = List.of("tenant_id", "caller_surface");

    private static void assertRejects(String field, ThrowingCallable build) {
        assertThatThrownBy(build)
                .isInstanceOfSatisfying(InvalidRequest.class, invalid -> assertThat(invalid.field()).isEqualTo(field))
                .hasMessageStartingWith(field + ": ");
    }

    @Test
    void wellFormedRequestKeepsEveryField() {
        RequestBuilder fields = RequestBuilder.valid();
        fields.tenantId = "tenant-1";
        fields.useCase = RequestBuilder.SUMMARY_DRAFT;
        fields.sourceFamily = "support_diagnostics";
        fields.callerSurface = "ticket.view";
        fields.actorKind = ActorKind.SERVICE;
        fields.classifications(OPERATIONAL_METADATA);

        DecisionRequest request = fields.build();

        assertThat(request.workspaceId()).isEqualTo("ws-1");
        assertThat(request.tenantId()).isEqualTo("tenant-1");
        assertThat(request.hasTenant()).isTrue();
        assertThat(request.useCase()).isEqualTo(RequestBuilder.SUMMARY_DRAFT);
        assertThat(request.providerClass()).isEqualTo(ProviderClass.LOCAL_PRIVATE);
        assertThat(request.dataClassifications()).containsExactly(OPERATIONAL_METADATA);
        assertThat(request.sourceFamily()).isEqualTo("support_diagnostics");
        assertThat(request.actor()).isEqualTo(new Actor("user-1", ActorKind.SERVICE));
        assertThat(request.callerSurface()).isEqualTo("ticket.view");
    }

    // --- ids ------------------------------------------------------------------------------------

    static Stream<Arguments> requiredIdsMissing() {
        return REQUIRED_ID_FIELDS.stream().flatMap(field -> Stream.of(arguments(field, null), arguments(field, "")));
    }

    @ParameterizedTest(name = "{0} = ''{1}''")
    @MethodSource("requiredIdsMissing")
    void missingRequiredIdIsRejectedNamingTheField(String field, String value) {
        assertRejects(field, () -> RequestBuilder.valid().id(field, value).build());
    }

    static Stream<Arguments> optionalIdsAbsent() {
        return OPTIONAL_ID_FIELDS.stream().flatMap(field -> Stream.of(arguments(field, null), arguments(field, "")));
    }

    @ParameterizedTest(name = "{0} = ''{1}''")
    @MethodSource("optionalIdsAbsent")
    void absentOptionalIdIsAcceptedAsEmpty(String field, String value) {
        DecisionRequest request = RequestBuilder.valid().id(field, value).build();

        if (field.equals("tenant_id")) {
            assertThat(request.tenantId()).isEmpty();
            assertThat(request.hasTenant()).isFalse();
        } else {
            assertThat(request.callerSurface()).isEmpty();
        }
    }

    static Stream<String> idFields() {
        return ID_FIELDS.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("idFields")
    void idOf128CharactersIsAccepted(String field) {
        String longest = "a".repeat(128);

        assertThatCode(() -> RequestBuilder.valid().id(field, longest).build()).doesNotThrowAnyException();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("idFields")
    void idOf129CharactersIsRejectedNamingTheField(String field) {
        assertRejects(field, () -> RequestBuilder.valid().id(field, "a".repeat(129)).build());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("idFields")
    void idMayUseLettersDigitsDotUnderscoreColonAndHyphen(String field) {
        String everyKindOfCharacter = "AZaz09._:-";

        assertThatCode(() -> RequestBuilder.valid().id(field, everyKindOfCharacter).build()).doesNotThrowAnyException();
    }

    static Stream<Arguments> idsWithIllegalCharacters() {
        List<String> illegal = List.of("ws 1", "ws/1", "wörkspace", "ws\n", "ws\t1", "ws*", "ws@acme", "ws%20",
                "工作区", "ws\u00001", " ws");
        return ID_FIELDS.stream().flatMap(field -> illegal.stream().map(value -> arguments(field, value)));
    }

    @ParameterizedTest(name = "{0} = ''{1}''")
    @MethodSource("idsWithIllegalCharacters")
    void idWithIllegalCharacterIsRejectedNamingTheField(String field, String value) {
        assertRejects(field, () -> RequestBuilder.valid().id(field, value).build());
    }

    // --- enums and the actor --------------------------------------------------------------------

    @Test
    void missingProviderClassIsRejected() {
        RequestBuilder fields = RequestBuilder.valid();
        fields.providerClass = null;

        assertRejects("provider_class", fields::build);
    }

    @Test
    void missingActorIsRejected() {
        RequestBuilder fields = RequestBuilder.valid();
        fields.withActor = false;

        assertRejects("actor", fields::build);
    }

    @Test
    void actorWithoutKindIsRejected() {
        RequestBuilder fields = RequestBuilder.valid();
        fields.actorKind = null;

        assertRejects("actor.kind", fields::build);
    }

    // --- data classifications -------------------------------------------------------------------

    @ParameterizedTest
    @NullAndEmptySource
    void requestDeclaringNoClassificationIsRejected(List<DataClassification> none) {
        RequestBuilder fields = RequestBuilder.valid();
        fields.dataClassifications = none;

        assertRejects("data_classifications", fields::build);
    }

    @ParameterizedTest(name = "{0} classifications")
    @ValueSource(ints = {1, 16})
    void oneToSixteenClassificationsAreAccepted(int count) {
        RequestBuilder fields = RequestBuilder.valid();
        fields.dataClassifications = cycleOfClassifications(count);

        assertThat(fields.build().dataClassifications())
                .containsExactlyElementsOf(cycleOfClassifications(count).stream().distinct().toList());
    }

    @Test
    void seventeenClassificationsAreRejected() {
        RequestBuilder fields = RequestBuilder.valid();
        fields.dataClassifications = cycleOfClassifications(17);

        assertRejects("data_classifications", fields::build);
    }

    @Test
    void classificationsAreCountedBeforeRepeatsAreRemoved() {
        RequestBuilder fields = RequestBuilder.valid();
        fields.dataClassifications = Collections.nCopies(17, PRODUCT_KNOWLEDGE);

        assertRejects("data_classifications", fields::build);
    }

    @Test
    void repeatedClassificationsCountOnceInTheOrderFirstDeclared() {
        RequestBuilder fields = RequestBuilder.valid()
                .classifications(SECRET, PRODUCT_KNOWLEDGE, SECRET, OPERATIONAL_METADATA, PRODUCT_KNOWLEDGE);

        assertThat(fields.build().dataClassifications()).containsExactly(SECRET, PRODUCT_KNOWLEDGE, OPERATIONAL_METADATA);
    }

    @Test
    void unspecifiedClassificationIsRejected() {
        RequestBuilder fields = RequestBuilder.valid().classifications(PRODUCT_KNOWLEDGE, null);

        assertRejects("data_classifications", fields::build);
    }

    @Test
    void declaredClassificationsCannotChangeAfterValidation() {
        List<DataClassification> declared = new ArrayList<>(List.of(PRODUCT_KNOWLEDGE));
        RequestBuilder fields = RequestBuilder.valid();
        fields.dataClassifications = declared;
        DecisionRequest request = fields.build();

        declared.add(PERSONAL_DATA);

        assertThat(request.dataClassifications()).containsExactly(PRODUCT_KNOWLEDGE);
        assertThatThrownBy(() -> request.dataClassifications().add(SECRET))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    private static List<DataClassification> cycleOfClassifications(int count) {
        DataClassification[] all = DataClassification.values();
        List<DataClassification> classifications = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            classifications.add(all[i % all.length]);
        }
        return classifications;
    }
}
