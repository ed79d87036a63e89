package dev.aigov.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@code aigov-bench --json} writes: the run's set-up and one {@link RunResult} per row.
 *
 * @param target   the address the measured calls went to: the gRPC port, or the Connect port
 * @param protocol how they went: {@code grpc}, {@code connect-json} or {@code connect-proto} (absent in older files: grpc)
 * @param label    free text from --label, e.g. the mode of compare-hot-paths.sh ({@code baseline}, {@code batched})
 */
record BenchResults(String tool, String startedAt, String target, String protocol, String label, Mix mix, List<RunResult> runs) {
    static final String TOOL = "aigov bench 1";

    /** The request mix: how many workspaces, and the share of ALLOW answers it is built for. */
    record Mix(int workspaces, String workspacePrefix, double expectedAllowShare) {
    }

    /** Jackson, for records in and out; unknown fields are skipped so that older readers read newer files. */
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static BenchResults read(Path file) {
        try {
            return JSON.readValue(file.toFile(), BenchResults.class);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read bench results from " + file + ": " + e.getMessage(), e);
        }
    }
}
