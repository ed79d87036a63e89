package dev.aigov.client.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** client-stub/README.md shows this module's examples word for word, so they compile and run with the build. */
class ReadmeExamplesTest {

    private static final Path EXAMPLES = Path.of("src/test/java/dev/aigov/client/testing/example");

    @ParameterizedTest
    @ValueSource(strings = {"DraftService.java", "DraftServiceTest.java", "NoAiBypassTest.java"})
    void theReadmeShowsTheExampleWordForWord(String example) throws Exception {
        String readme = Files.readString(Path.of("../README.md"));

        assertThat(readme).contains("```java\n" + Files.readString(EXAMPLES.resolve(example)) + "```");
    }
}
