package dev.aigov.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code buf curl}, the Buf CLI's gRPC client: a client of the running server independent of aigov's
 * code, knowing only what server reflection tells it. It is installed from npm ({@code @bufbuild/buf},
 * pinned to {@link #VERSION}) once into {@code ~/.cache/aigov/buf-VERSION} and reused from there, so
 * that {@code ./mvnw verify} brings it on any machine with npm (grpcurl cannot be installed on the
 * project's machines).
 */
public final class BufCurl {
    public static final String VERSION = "1.75.0";
    private static final Duration CALL_BOUND = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path executable;

    private BufCurl(Path executable) {
        this.executable = executable;
    }

    /** buf, from the cache, installed there first if it is not; fails with what to do if npm is missing. */
    public static BufCurl installed() {
        Path home = Path.of(System.getProperty("user.home"), ".cache", "aigov", "buf-" + VERSION);
        Path executable = home.resolve("node_modules").resolve(".bin").resolve("buf");
        if (!Files.isExecutable(executable)) {
            Npm.install(home, List.of("@bufbuild/buf@" + VERSION), "The jar's integration test (buf curl)");
        }
        String version = Command.run(List.of(executable.toString(), "--version"), home, Map.of(), CALL_BOUND).succeeded().strip();
        if (!version.equals(VERSION)) {
            throw new AssertionError(executable + " is buf " + version + ", not " + VERSION + ": remove " + home + " to reinstall it");
        }
        return new BufCurl(executable);
    }

    /**
     * A grpcurl command line (its words after {@code grpcurl}) as {@code buf curl} arguments, translated
     * mechanically: {@code -plaintext} is {@code --protocol grpc --http2-prior-knowledge} and the address
     * {@code http://}, {@code -H} and {@code -d} are the same, {@code list} is {@code --list-services},
     * {@code describe SYMBOL} is the reflection request grpcurl makes for it (buf curl has no describe),
     * and the README's {@code localhost:50051} is {@code localhost:port}.
     */
    public static List<String> fromGrpcurl(List<String> words, int port) {
        List<String> args = new ArrayList<>();
        List<String> positional = new ArrayList<>();
        boolean plaintext = false;
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i);
            switch (word) {
                case "-plaintext" -> plaintext = true;
                case "-H", "-d" -> {
                    args.add(word);
                    args.add(words.get(++i));
                }
                default -> {
                    if (word.startsWith("-")) {
                        throw new AssertionError(
                                "no translation to buf curl for grpcurl's " + word + " in grpcurl " + String.join(" ", words));
                    }
                    positional.add(word);
                }
            }
        }
        if (!plaintext || positional.size() < 2 || !positional.get(0).equals("localhost:50051")) {
            throw new AssertionError("expected grpcurl -plaintext ... localhost:50051 VERB|METHOD, not grpcurl " + String.join(" ", words));
        }
        args.addAll(0, List.of("curl", "--protocol", "grpc", "--http2-prior-knowledge"));
        String base = "http://localhost:" + port;
        List<String> verb = positional.subList(1, positional.size());
        switch (verb.get(0)) {
            case "list" -> {
                args.add("--list-services");
                args.add(base);
            }
            case "describe" -> {
                args.add("-d");
                args.add(JsonNodeFactory.instance.objectNode().put("file_containing_symbol", verb.get(1)).toString());
                args.add(base + "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo");
            }
            default -> args.add(base + "/" + verb.get(0));
        }
        return args;
    }

    /** Runs {@code buf} with these arguments (from {@code curl} on); its exit code is the gRPC status code times 8. */
    public Command.Result run(List<String> args) {
        List<String> command = new ArrayList<>(List.of(executable.toString()));
        command.addAll(args);
        return Command.run(command, executable.getParent(), Map.of(), CALL_BOUND);
    }

    /** A unary call through reflection: {@code buf curl --protocol grpc --http2-prior-knowledge [-H header] -d json URL}. */
    public Command.Result call(int port, String method, Optional<String> token, String json) {
        List<String> args = new ArrayList<>(List.of("curl", "--protocol", "grpc", "--http2-prior-knowledge"));
        token.ifPresent(t -> args.addAll(List.of("-H", "authorization: Bearer " + t)));
        args.addAll(List.of("-d", json, "http://localhost:" + port + "/" + method));
        return run(args);
    }

    /** The file reflection serves for {@code symbol}, built from the files of its answer (its dependencies with it). */
    public Descriptors.FileDescriptor reflectedFile(int port, String symbol) {
        String json = JsonNodeFactory.instance.objectNode().put("file_containing_symbol", symbol).toString();
        JsonNode answer = parse(call(port, "grpc.reflection.v1.ServerReflection/ServerReflectionInfo", Optional.empty(), json).succeeded());
        if (answer.has("errorResponse")) {
            throw new AssertionError("server reflection does not serve " + symbol + ": " + answer.get("errorResponse"));
        }
        Map<String, FileDescriptorProto> files = new HashMap<>();
        String first = null;
        for (JsonNode encoded : answer.path("fileDescriptorResponse").path("fileDescriptorProto")) {
            FileDescriptorProto file = fileDescriptorProto(encoded.asText());
            files.put(file.getName(), file);
            first = first == null ? file.getName() : first;
        }
        return build(first, files, new HashMap<>());
    }

    /** One {@code FileDescriptorProto} as reflection's JSON carries it (base64). */
    public static FileDescriptorProto fileDescriptorProto(String base64) {
        try {
            return FileDescriptorProto.parseFrom(Base64.getDecoder().decode(base64));
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("not a FileDescriptorProto: " + base64, e);
        }
    }

    private static Descriptors.FileDescriptor build(String name, Map<String, FileDescriptorProto> files,
            Map<String, Descriptors.FileDescriptor> built) {
        Descriptors.FileDescriptor done = built.get(name);
        if (done != null) {
            return done;
        }
        FileDescriptorProto file = files.get(name);
        if (file == null) {
            throw new AssertionError("server reflection answered without " + name + ", a dependency of what it served");
        }
        List<Descriptors.FileDescriptor> dependencies = new ArrayList<>();
        for (String dependency : file.getDependencyList()) {
            dependencies.add(build(dependency, files, built));
        }
        try {
            Descriptors.FileDescriptor descriptor =
                    Descriptors.FileDescriptor.buildFrom(file, dependencies.toArray(Descriptors.FileDescriptor[]::new));
            built.put(name, descriptor);
            return descriptor;
        } catch (Descriptors.DescriptorValidationException e) {
            throw new AssertionError("server reflection served an invalid " + name, e);
        }
    }

    /** buf's JSON output. */
    public static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    @Override
    public String toString() {
        return "buf " + VERSION + " at " + executable;
    }
}
