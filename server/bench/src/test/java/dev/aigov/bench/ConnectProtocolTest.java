package dev.aigov.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.rpc.ErrorInfo;
import dev.aigov.server.testing.AigovServerExtension;
import dev.aigov.server.testing.TestServer;
import dev.aigov.server.testing.WithAigovServer;
import io.grpc.Status;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --protocol connect-json} and {@code connect-proto}: the same checked mix over the real server's Connect port. */
@WithAigovServer(transport = WithAigovServer.Transport.NETTY, http = true)
class ConnectProtocolTest {
    private final TestServer server;
    private final String admin;

    ConnectProtocolTest(AigovServerExtension.Aigov aigov) {
        this.server = aigov.server();
        this.admin = aigov.admin();
    }

    @Test
    void everyAnswerOverConnectIsRightInJsonAndInBinary(@TempDir Path dir) throws Exception {
        for (String protocol : new String[]{"connect-json", "connect-proto"}) {
            Path json = dir.resolve(protocol + ".json");
            StringWriter printed = new StringWriter();
            int exit = run(printed, "--target", server.target(), "--token", admin, "--protocol", protocol, "--connect-target",
                    "127.0.0.1:" + server.httpPort(), "--concurrency", "4", "--warmup", "200ms", "--duration", "1s",
                    "--workspaces", "40", "--workspace-prefix", "ct-" + UUID.randomUUID().toString().substring(0, 8) + "-",
                    "--label", protocol, "--json", json.toString());
            assertThat(exit).as(printed.toString()).isZero();
            JsonNode results = BenchResults.JSON.readTree(json.toFile());
            assertThat(results.path("protocol").asText()).isEqualTo(protocol);
            assertThat(results.path("target").asText()).isEqualTo("127.0.0.1:" + server.httpPort());
            JsonNode run = results.path("runs").get(0);
            assertThat(run.path("errorCount").asLong()).as("%s: %s", protocol, printed).isZero();
            assertThat(run.path("mismatches").path("unsafeAllow").asLong() + run.path("mismatches").path("unexpectedBlock").asLong()
                    + run.path("mismatches").path("wrongReason").asLong()).as(protocol).isZero();
            assertThat(run.path("answered").asLong()).as(protocol).isPositive();
            assertThat(run.path("allowShare").asDouble()).isBetween(0.60, 0.95);
        }
    }

    @Test
    void aConnectErrorIsCountedAsItsGrpcStatusAndReason() {
        // The real server's answer to a call without a token, over the Connect port.
        java.net.http.HttpResponse<byte[]> refused;
        try (java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient()) {
            refused = client.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + server.httpPort() + ConnectCaller.METHOD_PATH))
                    .header("content-type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        assertThat(refused.statusCode()).isEqualTo(401);
        Throwable error = ConnectCaller.connectError(refused.statusCode(), refused.body());
        assertThat(ErrorDetails.describe(error)).isEqualTo("UNAUTHENTICATED/ERROR_REASON_MISSING_CREDENTIAL");

        // Unpadded base64, as the Connect protocol sends it; canceled is gRPC's CANCELLED.
        String info = Base64.getEncoder().withoutPadding().encodeToString(
                ErrorInfo.newBuilder().setDomain("aigov").setReason("ERROR_REASON_OVERLOADED").build().toByteArray());
        byte[] overloaded = ("{\"code\":\"unavailable\",\"message\":\"busy\",\"details\":[{\"type\":\"google.rpc.ErrorInfo\",\"value\":\""
                + info + "\"}]}").getBytes(StandardCharsets.UTF_8);
        assertThat(ErrorDetails.describe(ConnectCaller.connectError(503, overloaded))).isEqualTo("UNAVAILABLE/ERROR_REASON_OVERLOADED");
        assertThat(ConnectCaller.codeOf("canceled")).isEqualTo(Status.Code.CANCELLED);
        assertThat(ErrorDetails.describe(ConnectCaller.connectError(502, "<html>bad gateway</html>".getBytes(StandardCharsets.UTF_8))))
                .as("no Connect error body: the code of its HTTP status").isEqualTo("UNAVAILABLE");
    }

    @Test
    void aConnectProtocolNeedsTheConnectPort() {
        StringWriter printed = new StringWriter();
        assertThat(run(printed, "--target", server.target(), "--token", admin, "--protocol", "connect-json")).isEqualTo(2);
        assertThat(printed.toString()).contains("needs --connect-target");
        StringWriter unknown = new StringWriter();
        assertThat(run(unknown, "--target", server.target(), "--token", admin, "--protocol", "http3")).isEqualTo(2);
        assertThat(unknown.toString()).contains("expected grpc, connect-json or connect-proto");
    }

    private static int run(StringWriter printed, String... args) {
        CommandLine commandLine = Main.commandLine();
        PrintWriter writer = new PrintWriter(printed, true);
        commandLine.setOut(writer);
        commandLine.setErr(writer);
        return commandLine.execute(args);
    }
}
