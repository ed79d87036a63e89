package dev.aigov.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.api.v1.Outcome;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

class WorkloadTest {

    @Test
    void mixIsAboutEightyPercentAllowedOverBothUseCasesWithFreshRequestIds() {
        Workload workload = new Workload("w-", 1000);
        int allowed = 0;
        int calls = 20_000;
        Set<String> useCases = new HashSet<>();
        Set<String> requestIds = new HashSet<>();
        for (int i = 0; i < calls; i++) {
            Workload.Probe probe = workload.next();
            useCases.add(probe.request().getUseCase());
            requestIds.add(probe.request().getRequestId());
            if (probe.expected().outcome() == Outcome.OUTCOME_ALLOW) {
                allowed++;
            }
        }
        assertThat((double) allowed / calls).isBetween(0.76, 0.84);
        assertThat(useCases).contains(Workload.ANSWER_DRAFT, Workload.SUMMARY_DRAFT, Workload.UNKNOWN_USE_CASE);
        assertThat(requestIds).hasSize(calls);
    }

    @Test
    void requestIdsAreVersionFourUuids() {
        UUID id = UUID.fromString(Workload.freshRequestId(ThreadLocalRandom.current()));
        assertThat(id.version()).isEqualTo(4);
        assertThat(id.variant()).isEqualTo(2);
    }
}
