package dev.aigov.server.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code @connectrpc/connect-node}, the Connect project's own client for Node.js: a client of the
 * Connect port independent of aigov's code, which knows the API only by the descriptors it is given.
 * It is installed from npm with its peers ({@code @connectrpc/connect}, {@code @bufbuild/protobuf}
 * v2), pinned, once into {@code ~/.cache/aigov/connect-node-VERSION} and reused from there, as
 * {@link BufCurl} installs buf. Connect-ES 2.1.x is the last line that supports Node.js 20 (2.2 needs
 * 22), the Node.js the project's machines have.
 */
public final class ConnectNode {
    public static final String CONNECT_VERSION = "2.1.2";
    public static final String PROTOBUF_VERSION = "2.17.0";
    private static final int NODE_MAJOR = 20;
    private static final List<String> PACKAGES = List.of("@connectrpc/connect@" + CONNECT_VERSION,
            "@connectrpc/connect-node@" + CONNECT_VERSION, "@bufbuild/protobuf@" + PROTOBUF_VERSION);
    private static final Duration CHECK_BOUND = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String node;
    private final Path modules;

    private ConnectNode(String node, Path modules) {
        this.node = node;
        this.modules = modules;
    }

    /** The packages, from the cache, installed there first if they are not; fails with what to do if node or npm is missing. */
    public static ConnectNode installed() {
        String node =
                Npm.onPath("node").orElseThrow(() -> new AssertionError("ConnectNodeIT runs a Connect client on Node.js (" + NODE_MAJOR
                        + " or later), but node is not on the PATH. Install Node.js."));
        String version = Command.run(List.of(node, "--version"), Path.of("."), Map.of(), CHECK_BOUND).succeeded().strip();
        if (Integer.parseInt(version.replaceFirst("^v", "").split("\\.", -1)[0]) < NODE_MAJOR) {
            throw new AssertionError(node + " is Node.js " + version + "; @connectrpc/connect-node " + CONNECT_VERSION + " needs "
                    + NODE_MAJOR + " or later");
        }
        Path home = Path.of(System.getProperty("user.home"), ".cache", "aigov", "connect-node-" + CONNECT_VERSION + "-protobuf-"
                + PROTOBUF_VERSION);
        Path modules = home.resolve("node_modules");
        if (!Files.isRegularFile(modules.resolve("@connectrpc/connect-node/package.json"))) {
            Npm.install(home, PACKAGES, "ConnectNodeIT");
        }
        expectVersion(modules, "@connectrpc/connect", CONNECT_VERSION, home);
        expectVersion(modules, "@connectrpc/connect-node", CONNECT_VERSION, home);
        expectVersion(modules, "@bufbuild/protobuf", PROTOBUF_VERSION, home);
        return new ConnectNode(node, modules);
    }

    private static void expectVersion(Path modules, String name, String expected, Path home) {
        Path manifest = modules.resolve(name).resolve("package.json");
        String version;
        try {
            version = JSON.readTree(manifest.toFile()).path("version").asText();
        } catch (IOException e) {
            throw new AssertionError(manifest + " is unreadable: remove " + home + " to reinstall it", e);
        }
        if (!version.equals(expected)) {
            throw new AssertionError(name + " in " + modules + " is " + version + ", not " + expected + ": remove " + home
                    + " to reinstall it");
        }
    }

    /**
     * Runs the ES module {@code script} with these arguments and environment: copied into {@code folder}
     * beside a {@code node_modules} link to the cache (an ES module resolves its imports from where it
     * lies, not from {@code NODE_PATH}), and run there.
     */
    public Command.Result run(Path script, Path folder, List<String> args, Map<String, String> environment, Duration bound) {
        try {
            Files.createDirectories(folder);
            Path copy = folder.resolve(script.getFileName());
            Files.copy(script, copy, StandardCopyOption.REPLACE_EXISTING);
            Path link = folder.resolve("node_modules");
            if (!Files.exists(link)) {
                Files.createSymbolicLink(link, modules);
            }
            List<String> command = new ArrayList<>(List.of(node, copy.toString()));
            command.addAll(args);
            return Command.run(command, folder, environment, bound);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "@connectrpc/connect-node " + CONNECT_VERSION + " (@bufbuild/protobuf " + PROTOBUF_VERSION + ") at " + modules;
    }
}
