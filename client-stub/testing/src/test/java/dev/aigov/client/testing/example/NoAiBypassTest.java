package dev.aigov.client.testing.example;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import dev.aigov.client.testing.AiGovernanceRules;
import org.junit.jupiter.api.Test;

class NoAiBypassTest {

    @Test
    void noCodeCallsAnAiProviderOutsideTheGuard() {
        AiGovernanceRules.noProviderCallsOutsideGuard()
                .check(new ClassFileImporter().importPackages("dev.aigov.client.testing.example"));
    }
}
