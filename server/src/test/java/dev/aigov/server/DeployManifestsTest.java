package dev.aigov.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * What a user of deploy/ relies on without ever running Docker or a cluster: the files parse, they
 * agree with each other and with the server (port, environment names, jar path, user id), and the
 * Kubernetes manifests keep the promises written in their comments.
 */
class DeployManifestsTest {

    private static final int GRPC_PORT = 50051;
    private static final int HTTP_PORT = 8080;
    private static final int METRICS_PORT = 9464;
    private static final int DEFAULT_SHUTDOWN_GRACE_SECONDS = 30;
    private static final String JAR_NAME = "aigov-server.jar";
    private static final String EXAMPLE_SECRET = "secret.example.yaml";

    /** What the server reads, taken from its own command line so that this list cannot drift. */
    private static final Set<String> DOCUMENTED_VARIABLES = dev.aigov.server.cli.ServeCommand.environmentVariables();

    private static final Pattern AIGOV_NAME = Pattern.compile("AIGOV_[A-Z0-9_]*");
    private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)");

    private static Path deployDir;
    private static Path kubernetesDir;
    private static Map<String, Object> compose;
    /** Every Kubernetes object under kubernetes/, keyed by "Kind/name", with its file. */
    private static Map<String, KubeObject> objects;
    private static Dockerfile dockerfile;

    private record KubeObject(Path file, String kind, String name, Map<String, Object> body) {}

    @BeforeAll
    static void readDeployFiles() {
        deployDir = locateDeployDir();
        kubernetesDir = deployDir.resolve("kubernetes");
        assertThat(kubernetesDir).as("deploy/kubernetes").isDirectory();
        compose = asMap(loadSingle(deployDir.resolve("compose.yaml")), "compose.yaml");
        objects = new LinkedHashMap<>();
        for (Path file : yamlFilesIn(kubernetesDir)) {
            if (file.getFileName().toString().equals("kustomization.yaml")) {
                continue;
            }
            for (Object document : loadAll(file)) {
                Map<String, Object> body = asMap(document, file.getFileName().toString());
                String kind = string(body, "kind", file);
                String name = string(asMap(body.get("metadata"), file + " metadata"), "name", file);
                KubeObject previous = objects.put(kind + "/" + name, new KubeObject(file, kind, name, body));
                assertThat(previous).as("%s/%s is defined twice (%s)", kind, name, file).isNull();
            }
        }
        dockerfile = Dockerfile.parse(read(deployDir.resolve("Dockerfile")));
    }

    private static Path locateDeployDir() {
        return dev.aigov.server.testing.RepositoryFiles.deployDir();
    }

    @Test
    void everyYamlFileParsesAndEveryManifestIsNamespaceAgnostic() {
        List<Path> files = yamlFilesIn(deployDir);
        assertThat(files).as("YAML files under deploy/").isNotEmpty();
        for (Path file : files) {
            List<Object> documents = loadAll(file);
            assertThat(documents).as("%s has no document", file).isNotEmpty();
            documents.forEach(document -> asMap(document, file.toString()));
        }
        assertThat(objects).as("Kubernetes objects").isNotEmpty();
        for (KubeObject object : objects.values()) {
            assertThat(object.body()).as("%s in %s", object.kind(), object.file()).containsKey("apiVersion");
            assertThat(asMap(object.body().get("metadata"), "metadata"))
                    .as("%s/%s must not pin a namespace: choose it with -n or an overlay", object.kind(), object.name())
                    .doesNotContainKey("namespace");
        }
    }

    @Test
    void kustomizationListsEveryManifestButTheExampleSecret() {
        Map<String, Object> kustomization =
                asMap(loadSingle(kubernetesDir.resolve("kustomization.yaml")), "kustomization.yaml");
        assertThat(kustomization).as("kustomization.yaml").doesNotContainKey("namespace");
        List<String> resources = strings(kustomization.get("resources"), "kustomization resources");
        for (String resource : resources) {
            assertThat(kubernetesDir.resolve(resource)).as("kustomization lists %s", resource).isRegularFile();
        }
        // kubernetes/optional/ holds what not every cluster can take (a ServiceMonitor needs the
        // Prometheus Operator's CRDs): applied by hand, never by the kustomization.
        Set<String> expected = yamlFilesIn(kubernetesDir).stream()
                .filter(file -> file.getParent().equals(kubernetesDir))
                .map(file -> file.getFileName().toString())
                .filter(name -> !name.equals("kustomization.yaml") && !name.equals(EXAMPLE_SECRET))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(new TreeSet<>(resources))
                .as("kustomization.yaml resources: every manifest, and never the example secret")
                .isEqualTo(expected);
        assertThat(kubernetesDir.resolve(EXAMPLE_SECRET)).as("the documented example secret").isRegularFile();
    }

    @Test
    void everyPortAgreesWithTheGrpcHttpAndMetricsPorts() {
        Map<String, Object> container = aigovContainer();
        Map<String, Integer> containerPorts = new HashMap<>();
        for (Object port : list(container.get("ports"), "container ports")) {
            Map<String, Object> p = asMap(port, "container port");
            containerPorts.put((String) p.get("name"), integer(p.get("containerPort"), "containerPort"));
        }
        assertThat(containerPorts).as("container ports")
                .containsExactlyInAnyOrderEntriesOf(Map.of("grpc", GRPC_PORT, "http", HTTP_PORT, "metrics", METRICS_PORT));
        Map<String, Object> podAnnotations =
                asMap(at(single("Deployment").body(), "spec.template.metadata.annotations"), "pod annotations");
        assertThat(podAnnotations).as("pod annotations for Prometheus").containsEntry("prometheus.io/scrape", "true")
                .containsEntry("prometheus.io/port", String.valueOf(METRICS_PORT)).containsEntry("prometheus.io/path", "/metrics");

        List<KubeObject> services = ofKind("Service");
        assertThat(services).as("Services").hasSize(2);
        for (KubeObject service : services) {
            // gRPC first, then the Connect port; besides them only the metrics port (the ServiceMonitor scrapes it by name).
            List<Object> ports = list(at(service.body(), "spec.ports"), service.name() + " ports");
            assertThat(ports).as("%s ports", service.name()).hasSizeBetween(2, 3);
            Map<String, Integer> expectedPorts = Map.of("grpc", GRPC_PORT, "http", HTTP_PORT, "metrics", METRICS_PORT);
            List<String> order = List.of("grpc", "http", "metrics");
            for (int i = 0; i < ports.size(); i++) {
                Map<String, Object> port = asMap(ports.get(i), "service port");
                String portName = String.valueOf(port.get("name"));
                assertThat(portName).as("%s port name", service.name()).isEqualTo(order.get(i));
                assertThat(port.get("port")).as("%s port %s", service.name(), portName).isEqualTo(expectedPorts.get(portName));
                Object target = port.getOrDefault("targetPort", port.get("port"));
                int targetPort = target instanceof String name
                        ? containerPorts.getOrDefault(name, -1)
                        : integer(target, "targetPort");
                assertThat(targetPort).as("%s targetPort %s resolves to the container's port", service.name(), target)
                        .isEqualTo(expectedPorts.get(portName));
            }
        }

        for (Map.Entry<String, Map<String, Object>> probe : probes(container).entrySet()) {
            Map<String, Object> grpc = asMap(probe.getValue().get("grpc"), probe.getKey() + ".grpc");
            assertThat(grpc.get("port")).as("%s gRPC port", probe.getKey()).isEqualTo(GRPC_PORT);
        }

        KubeObject policy = single("NetworkPolicy");
        List<Integer> policyPorts = new ArrayList<>();
        for (Object rule : list(at(policy.body(), "spec.ingress"), "NetworkPolicy ingress")) {
            Map<String, Object> ingress = asMap(rule, "ingress rule");
            for (Object port : list(ingress.get("ports"), "ingress rule ports")) {
                int number = integer(asMap(port, "ingress port").get("port"), "NetworkPolicy port");
                policyPorts.add(number);
                if (number == METRICS_PORT) {
                    // The metrics port has no authentication: only the monitoring namespace may reach it.
                    assertThat(list(ingress.get("from"), "metrics ingress from")).as("NetworkPolicy metrics port sources").isNotEmpty();
                }
            }
        }
        assertThat(policyPorts).as("NetworkPolicy ingress ports").containsExactlyInAnyOrder(GRPC_PORT, HTTP_PORT, METRICS_PORT);

        String configuredPort = configMapData().get("AIGOV_GRPC_PORT");
        if (configuredPort != null) {
            assertThat(configuredPort).as("ConfigMap AIGOV_GRPC_PORT").isEqualTo(String.valueOf(GRPC_PORT));
        }
        String composePort = composeEnvironment().get("AIGOV_GRPC_PORT");
        if (composePort != null) {
            assertThat(composePort).as("compose AIGOV_GRPC_PORT").isEqualTo(String.valueOf(GRPC_PORT));
        }
        for (Map.Entry<String, Map<String, String>> env : Map.of(
                "ConfigMap", configMapData(), "compose", composeEnvironment()).entrySet()) {
            assertThat(env.getValue().get("AIGOV_HTTP_PORT")).as("%s AIGOV_HTTP_PORT", env.getKey()).isEqualTo(String.valueOf(HTTP_PORT));
            String metricsPort = env.getValue().get("AIGOV_METRICS_PORT");
            if (metricsPort != null) {
                assertThat(metricsPort).as("%s AIGOV_METRICS_PORT", env.getKey()).isEqualTo(String.valueOf(METRICS_PORT));
            }
        }

        List<Object> published = list(composeService("aigov").get("ports"), "compose aigov ports");
        assertThat(published).as("compose aigov ports").isNotEmpty();
        for (Object mapping : published) {
            PortMapping parsed = PortMapping.parse(mapping);
            assertThat(parsed.container()).as("compose port %s container side", mapping).isIn(GRPC_PORT, HTTP_PORT, METRICS_PORT);
            assertThat(parsed.hostIp()).as("compose port %s must be published on loopback only", mapping)
                    .isEqualTo("127.0.0.1");
        }

        assertThat(dockerfile.runtime().all("EXPOSE")).as("Dockerfile EXPOSE")
                .containsExactly(GRPC_PORT + " " + HTTP_PORT + " " + METRICS_PORT);
    }

    @Test
    void probesAreNativeGrpcProbes() {
        Map<String, Map<String, Object>> probes = probes(aigovContainer());
        assertThat(probes).as("probes").containsKeys("livenessProbe", "readinessProbe");
        for (Map.Entry<String, Map<String, Object>> probe : probes.entrySet()) {
            Set<String> handlers = new TreeSet<>(probe.getValue().keySet());
            handlers.retainAll(Set.of("grpc", "httpGet", "tcpSocket", "exec"));
            assertThat(handlers).as("%s handler", probe.getKey()).containsExactly("grpc");
        }
    }

    @Test
    void readinessFollowsTheDatabaseWhileLivenessAsksForTheWholeServer() {
        Map<String, Map<String, Object>> probes = probes(aigovContainer());
        // The server reports its aigov services NOT_SERVING while the database is unreachable, "" never.
        assertThat(grpcService(probes.get("readinessProbe"))).as("readinessProbe gRPC service")
                .isEqualTo("aigov.v1.DecisionService");
        assertThat(grpcService(probes.get("livenessProbe")))
                .as("livenessProbe names no gRPC service: a database outage must not restart the pods").isEmpty();
        if (probes.containsKey("startupProbe")) {
            assertThat(grpcService(probes.get("startupProbe")))
                    .as("startupProbe names no gRPC service: it gates liveness").isEmpty();
        }
    }

    @Test
    void everyAigovVariableIsADocumentedOne() throws IOException {
        Map<String, Set<String>> usedBy = new LinkedHashMap<>();
        usedBy.put("compose environment", composeEnvironment().keySet());
        usedBy.put("compose interpolation", interpolatedVariables(read(deployDir.resolve("compose.yaml"))));
        usedBy.put("ConfigMap", configMapData().keySet());
        usedBy.put("Deployment env", deploymentEnv().keySet());
        usedBy.put("Dockerfile ENV", dockerfile.runtime().envNames());
        for (Map.Entry<String, Set<String>> use : usedBy.entrySet()) {
            Set<String> aigov = use.getValue().stream().filter(name -> name.startsWith("AIGOV_"))
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(aigov).as("AIGOV_* names in %s that the server does not read", use.getKey())
                    .isSubsetOf(DOCUMENTED_VARIABLES);
        }
        assertThat(composeEnvironment()).as("compose environment")
                .containsKeys("AIGOV_DB_URL", "AIGOV_DB_USER", "AIGOV_DB_PASSWORD");
        assertThat(configMapData()).as("ConfigMap").containsKeys("AIGOV_DB_URL", "AIGOV_DB_USER");

        // Prose and comments too: a misspelt name in the README is a setting someone will never get.
        try (Stream<Path> files = Files.walk(deployDir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Matcher matcher = AIGOV_NAME.matcher(read(file));
                while (matcher.find()) {
                    String name = matcher.group();
                    if (name.endsWith("_")) { // a family such as AIGOV_TLS_*
                        assertThat(DOCUMENTED_VARIABLES).as("%s in %s names no documented variable", name + "*", file)
                                .anyMatch(documented -> documented.startsWith(name));
                    } else {
                        assertThat(DOCUMENTED_VARIABLES).as("%s in %s is not a documented variable", name, file)
                                .contains(name);
                    }
                }
            }
        }
    }

    @Test
    void deploymentReferencesTheConfigMapAndSecretThatExist() {
        Map<String, Object> container = aigovContainer();
        Set<String> configMaps = ofKind("ConfigMap").stream().map(KubeObject::name).collect(Collectors.toSet());
        List<String> referencedConfigMaps = new ArrayList<>();
        for (Object source : list(container.getOrDefault("envFrom", List.of()), "envFrom")) {
            Map<String, Object> ref = asMap(asMap(source, "envFrom").get("configMapRef"), "envFrom configMapRef");
            referencedConfigMaps.add((String) ref.get("name"));
        }
        assertThat(referencedConfigMaps).as("ConfigMaps the Deployment reads").isNotEmpty();
        assertThat(configMaps).as("ConfigMaps in kubernetes/").containsAll(referencedConfigMaps);
        assertThat(single("ConfigMap").file().getFileName().toString()).isNotEqualTo(EXAMPLE_SECRET);

        Map<String, Object> passwordVar = deploymentEnv().get("AIGOV_DB_PASSWORD");
        assertThat(passwordVar).as("Deployment env AIGOV_DB_PASSWORD").isNotNull();
        assertThat(passwordVar).as("AIGOV_DB_PASSWORD must come from a Secret, not a literal").doesNotContainKey("value");
        Map<String, Object> secretRef =
                asMap(at(passwordVar, "valueFrom.secretKeyRef"), "AIGOV_DB_PASSWORD valueFrom.secretKeyRef");
        assertThat(configMapData()).as("the ConfigMap must not carry the password").doesNotContainKey("AIGOV_DB_PASSWORD");

        KubeObject example = objects.get("Secret/" + secretRef.get("name"));
        assertThat(example).as("a Secret named %s (the example shows its shape)", secretRef.get("name")).isNotNull();
        assertThat(example.file().getFileName().toString()).as("the Secret lives only in the example").isEqualTo(EXAMPLE_SECRET);
        Set<String> keys = new TreeSet<>();
        keys.addAll(asMap(example.body().getOrDefault("stringData", Map.of()), "stringData").keySet());
        keys.addAll(asMap(example.body().getOrDefault("data", Map.of()), "data").keySet());
        assertThat(keys).as("keys of the example Secret %s", example.name()).contains((String) secretRef.get("key"));
    }

    @Test
    void selectorsMatchThePodTemplate() {
        KubeObject deployment = single("Deployment");
        Map<String, Object> podLabels = asMap(at(deployment.body(), "spec.template.metadata.labels"), "pod labels");
        assertThat(podLabels).as("Deployment selector").containsAllEntriesOf(
                asMap(at(deployment.body(), "spec.selector.matchLabels"), "Deployment matchLabels"));
        for (KubeObject service : ofKind("Service")) {
            Map<String, Object> selector = asMap(at(service.body(), "spec.selector"), service.name() + " selector");
            assertThat(selector).as("Service %s selector", service.name()).isNotEmpty();
            assertThat(podLabels).as("pods selected by Service %s", service.name()).containsAllEntriesOf(selector);
        }
        for (String kind : List.of("PodDisruptionBudget", "NetworkPolicy")) {
            String path = kind.equals("NetworkPolicy") ? "spec.podSelector.matchLabels" : "spec.selector.matchLabels";
            Map<String, Object> selector = asMap(at(single(kind).body(), path), kind + " selector");
            assertThat(selector).as("%s selector", kind).isNotEmpty();
            assertThat(podLabels).as("pods selected by the %s", kind).containsAllEntriesOf(selector);
        }

        Map<String, String> serviceTypes = ofKind("Service").stream().collect(Collectors.toMap(
                KubeObject::name,
                service -> "None".equals(at(service.body(), "spec.clusterIP"))
                        ? "headless"
                        : String.valueOf(asMap(service.body().get("spec"), "spec").getOrDefault("type", "ClusterIP"))));
        assertThat(serviceTypes.values()).as("one ClusterIP Service and one headless Service")
                .containsExactlyInAnyOrder("ClusterIP", "headless");
        assertThat(at(single("PodDisruptionBudget").body(), "spec.minAvailable")).as("PDB minAvailable").isEqualTo(1);
    }

    @Test
    void deploymentRollsWithoutLosingCapacityAndDrainsBeforeItIsKilled() {
        Map<String, Object> spec = asMap(single("Deployment").body().get("spec"), "Deployment spec");
        assertThat(spec.get("replicas")).as("replicas").isEqualTo(2);
        assertThat(at(spec, "strategy.type")).as("strategy").isEqualTo("RollingUpdate");
        assertThat(at(spec, "strategy.rollingUpdate.maxUnavailable")).as("maxUnavailable").isIn(0, "0%");

        Map<String, Object> container = aigovContainer();
        List<String> preStop = strings(at(container, "lifecycle.preStop.exec.command"), "preStop exec command");
        assertThat(preStop).as("preStop").hasSize(2).first().isEqualTo("sleep");
        int preStopSeconds = Integer.parseInt(preStop.get(1));
        assertThat(preStopSeconds).as("preStop sleep seconds").isPositive();

        int shutdownGrace = Integer.parseInt(
                configMapData().getOrDefault("AIGOV_SHUTDOWN_GRACE_SECONDS", String.valueOf(DEFAULT_SHUTDOWN_GRACE_SECONDS)));
        int terminationGrace = integer(at(spec, "template.spec.terminationGracePeriodSeconds"),
                "terminationGracePeriodSeconds");
        assertThat(terminationGrace)
                .as("terminationGracePeriodSeconds must outlast the preStop sleep (%d s) plus the server's grace (%d s)",
                        preStopSeconds, shutdownGrace)
                .isGreaterThan(preStopSeconds + shutdownGrace);
    }

    @Test
    void podRunsConfinedAsTheImagesUser() {
        Map<String, Object> podSpec = asMap(at(single("Deployment").body(), "spec.template.spec"), "pod spec");
        Map<String, Object> podSecurity = asMap(podSpec.get("securityContext"), "pod securityContext");
        Map<String, Object> container = aigovContainer();
        Map<String, Object> security = asMap(container.get("securityContext"), "container securityContext");

        assertThat(podSecurity.get("runAsNonRoot")).as("runAsNonRoot").isEqualTo(true);
        assertThat(security.get("readOnlyRootFilesystem")).as("readOnlyRootFilesystem").isEqualTo(true);
        assertThat(security.get("allowPrivilegeEscalation")).as("allowPrivilegeEscalation").isEqualTo(false);
        assertThat(strings(at(security, "capabilities.drop"), "capabilities.drop")).as("dropped capabilities")
                .containsExactly("ALL");
        assertThat(podSecurity.get("runAsUser")).as("runAsUser is the Dockerfile's USER")
                .isEqualTo(dockerfile.runtime().userId());

        Map<String, String> mounts = new HashMap<>();
        for (Object mount : list(container.get("volumeMounts"), "volumeMounts")) {
            Map<String, Object> m = asMap(mount, "volumeMount");
            mounts.put((String) m.get("mountPath"), (String) m.get("name"));
        }
        assertThat(mounts).as("a writable /tmp on the read-only root").containsKey("/tmp");
        Map<String, Object> tmpVolume = list(podSpec.get("volumes"), "volumes").stream()
                .map(volume -> asMap(volume, "volume"))
                .filter(volume -> mounts.get("/tmp").equals(volume.get("name")))
                .findFirst().orElseGet(() -> fail("no volume named %s for /tmp", mounts.get("/tmp")));
        assertThat(tmpVolume).as("the /tmp volume").containsKey("emptyDir");

        Map<String, Object> resources = asMap(container.get("resources"), "resources");
        assertThat(asMap(resources.get("requests"), "requests")).as("requests").containsKeys("cpu", "memory");
        assertThat(asMap(resources.get("limits"), "limits")).as("limits").containsKey("memory");
    }

    @Test
    void dockerfileRuntimeStageRunsTheJarAsNonRoot() {
        Dockerfile.Stage build = dockerfile.stages().getFirst();
        Dockerfile.Stage runtime = dockerfile.runtime();
        assertThat(dockerfile.stages()).as("stages").hasSizeGreaterThanOrEqualTo(2);
        assertThat(dockerfile.resolve(build.image())).as("build stage image").matches("maven:3\\.9[^:]*-eclipse-temurin-21.*");
        assertThat(String.join("\n", build.all("RUN"))).as("build stage RUN")
                .contains("package").contains("-DskipTests");
        assertThat(dockerfile.resolve(runtime.image())).as("runtime stage image").matches("eclipse-temurin:21[^:]*-jre.*");

        assertThat(runtime.userId()).as("runtime USER is a fixed, non-root, numeric id").isPositive();
        assertThat(runtime.all("EXPOSE")).as("EXPOSE").containsExactly(GRPC_PORT + " " + HTTP_PORT + " " + METRICS_PORT);

        List<String> entrypoint = runtime.execForm("ENTRYPOINT");
        assertThat(entrypoint).as("ENTRYPOINT (exec form, so java gets SIGTERM)").isNotEmpty();
        assertThat(entrypoint.getFirst()).as("ENTRYPOINT program").isEqualTo("java");
        assertThat(entrypoint).as("ENTRYPOINT").anyMatch(flag -> flag.startsWith("-XX:MaxRAMPercentage="));
        int jarFlag = entrypoint.indexOf("-jar");
        assertThat(jarFlag).as("ENTRYPOINT runs -jar").isNotNegative().isLessThan(entrypoint.size() - 1);
        String jarPath = entrypoint.get(jarFlag + 1);
        assertThat(jarPath).as("ENTRYPOINT jar").endsWith("/" + JAR_NAME);

        List<String> copy = runtime.all("COPY").stream().filter(args -> args.startsWith("--from=")).toList();
        assertThat(copy).as("runtime stage copies only the jar from the build stage").hasSize(1);
        List<String> words = List.of(copy.getFirst().split("\\s+"));
        assertThat(words.getFirst()).as("COPY source stage").isEqualTo("--from=" + build.name());
        assertThat(words.get(words.size() - 2)).as("COPY source").endsWith("server/target/" + JAR_NAME);
        assertThat(words.getLast()).as("COPY destination is the jar the ENTRYPOINT runs").isEqualTo(jarPath);

        // The token commands documented in compose.yaml and the README use that same path.
        String tokenCommand = "java -jar " + jarPath + " token create";
        assertThat(read(deployDir.resolve("compose.yaml"))).as("compose.yaml comment").contains(tokenCommand);
        assertThat(read(deployDir.resolve("README.md"))).as("README.md").contains(tokenCommand);
    }

    @Test
    void composeStartsAigovAfterAHealthyPostgresItCanReach() {
        Map<String, Object> postgres = composeService("postgres");
        assertThat((String) postgres.get("image")).as("postgres image").matches("postgres:17(\\.\\d+)?(-.*)?");
        assertThat(String.valueOf(at(postgres, "healthcheck.test"))).as("postgres healthcheck").contains("pg_isready");
        Set<String> namedVolumes = asMap(compose.get("volumes"), "top-level volumes").keySet();
        List<String> postgresVolumes = strings(postgres.get("volumes"), "postgres volumes");
        // Its data in a declared named volume; besides, only read-only files of deploy/postgres/ (the roles).
        assertThat(postgresVolumes).as("postgres data volume")
                .anyMatch(volume -> volume.endsWith(":/var/lib/postgresql/data") && namedVolumes.contains(volume.split(":")[0]))
                .allMatch(volume -> namedVolumes.contains(volume.split(":")[0])
                        || (volume.startsWith("./postgres/") && volume.endsWith(":ro")), "is a declared named volume or a read-only file");

        Map<String, Object> aigov = composeService("aigov");
        assertThat(at(aigov, "depends_on.postgres.condition")).as("aigov depends_on postgres").isEqualTo("service_healthy");

        Path context = deployDir.resolve(String.valueOf(at(aigov, "build.context"))).normalize();
        assertThat(context.resolve("pom.xml")).as("compose build context is the repository root").isRegularFile();
        assertThat(context.resolve(String.valueOf(at(aigov, "build.dockerfile"))).normalize())
                .as("compose build dockerfile").isEqualTo(deployDir.resolve("Dockerfile"));

        Map<String, String> env = composeEnvironment();
        Map<String, String> postgresEnv = environment(postgres, "postgres");
        URI dbUrl = URI.create(env.get("AIGOV_DB_URL").substring("jdbc:".length()));
        assertThat(dbUrl.getScheme()).as("AIGOV_DB_URL scheme").isEqualTo("postgresql");
        assertThat(dbUrl.getHost()).as("AIGOV_DB_URL host is the compose service").isEqualTo("postgres");
        assertThat(dbUrl.getPath()).as("AIGOV_DB_URL database").isEqualTo("/" + postgresEnv.get("POSTGRES_DB"));
        // Two roles, neither the superuser: the runtime role serves, the owner role migrates; the
        // postgres container creates both (with the same passwords) when it initialises its volume.
        assertThat(env.get("AIGOV_DB_USER")).as("AIGOV_DB_USER").isEqualTo("aigov_runtime").isNotEqualTo(postgresEnv.get("POSTGRES_USER"));
        assertThat(env.get("AIGOV_DB_MIGRATION_USER")).as("AIGOV_DB_MIGRATION_USER").isEqualTo("aigov_owner");
        assertThat(env.get("AIGOV_DB_PASSWORD")).as("AIGOV_DB_PASSWORD").isEqualTo(postgresEnv.get("AIGOV_DB_PASSWORD"))
                .isNotEqualTo(postgresEnv.get("POSTGRES_PASSWORD"));
        assertThat(env.get("AIGOV_DB_MIGRATION_PASSWORD")).as("AIGOV_DB_MIGRATION_PASSWORD")
                .isEqualTo(postgresEnv.get("AIGOV_DB_MIGRATION_PASSWORD"));
        assertThat(strings(postgres.get("volumes"), "postgres volumes"))
                .contains("./postgres/10-aigov-roles.sh:/docker-entrypoint-initdb.d/10-aigov-roles.sh:ro",
                        "./postgres/aigov-roles.sql:/etc/aigov-db/aigov-roles.sql:ro");
        assertThat(read(deployDir.resolve("postgres/aigov-roles.sql")))
                .contains("CREATE ROLE aigov_owner LOGIN NOSUPERUSER", "CREATE ROLE aigov_runtime LOGIN NOSUPERUSER");

        int shutdownGrace = Integer.parseInt(
                env.getOrDefault("AIGOV_SHUTDOWN_GRACE_SECONDS", String.valueOf(DEFAULT_SHUTDOWN_GRACE_SECONDS)));
        assertThat(parseComposeDuration(String.valueOf(aigov.get("stop_grace_period"))))
                .as("compose stop_grace_period must outlast the server's %d s grace", shutdownGrace)
                .isGreaterThan(Duration.ofSeconds(shutdownGrace));
    }

    @Test
    void dockerignoreKeepsBuildOutputAndHistoryOut() {
        Path ignoreFile = deployDir.resolve("Dockerfile.dockerignore");
        assertThat(ignoreFile).as("deploy/Dockerfile.dockerignore (read by BuildKit for deploy/Dockerfile)").isRegularFile();
        List<String> rules = read(ignoreFile).lines().map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        assertThat(rules).as("ignore rules").contains(".git").anyMatch(rule -> rule.matches("(\\*\\*/)?target/?"));
        assertThat(rules).as("ignore rules must keep what the build needs")
                .noneMatch(rule -> rule.matches("(\\*\\*/)?(src|pom\\.xml|mvnw|\\.mvn|proto|db|server)/?"));
    }

    // ---- Kubernetes helpers ----

    private static List<KubeObject> ofKind(String kind) {
        return objects.values().stream().filter(object -> object.kind().equals(kind)).toList();
    }

    private static KubeObject single(String kind) {
        List<KubeObject> found = ofKind(kind);
        assertThat(found).as("exactly one %s in kubernetes/", kind).hasSize(1);
        return found.getFirst();
    }

    private static Map<String, Object> aigovContainer() {
        List<Object> containers = list(at(single("Deployment").body(), "spec.template.spec.containers"), "containers");
        assertThat(containers).as("Deployment containers").hasSize(1);
        return asMap(containers.getFirst(), "container");
    }

    private static Map<String, Map<String, Object>> probes(Map<String, Object> container) {
        Map<String, Map<String, Object>> probes = new LinkedHashMap<>();
        for (String name : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            if (container.get(name) != null) {
                probes.put(name, asMap(container.get(name), name));
            }
        }
        return probes;
    }

    /** The grpc.health.v1 service a gRPC probe asks for; "" (the whole server) when it names none. */
    private static String grpcService(Map<String, Object> probe) {
        Object service = at(probe, "grpc.service");
        return service == null ? "" : String.valueOf(service);
    }

    private static Map<String, String> configMapData() {
        Map<String, String> data = new LinkedHashMap<>();
        asMap(single("ConfigMap").body().getOrDefault("data", Map.of()), "ConfigMap data")
                .forEach((key, value) -> data.put(key, String.valueOf(value)));
        return data;
    }

    private static Map<String, Map<String, Object>> deploymentEnv() {
        Map<String, Map<String, Object>> env = new LinkedHashMap<>();
        for (Object variable : list(aigovContainer().getOrDefault("env", List.of()), "env")) {
            Map<String, Object> v = asMap(variable, "env entry");
            env.put((String) v.get("name"), v);
        }
        return env;
    }

    // ---- compose helpers ----

    private static Map<String, Object> composeService(String name) {
        return asMap(asMap(compose.get("services"), "compose services").get(name), "compose service " + name);
    }

    private static Map<String, String> composeEnvironment() {
        return environment(composeService("aigov"), "aigov");
    }

    /** compose accepts a map or a list of KEY=VALUE. */
    private static Map<String, String> environment(Map<String, Object> service, String serviceName) {
        Object environment = service.getOrDefault("environment", Map.of());
        Map<String, String> env = new LinkedHashMap<>();
        if (environment instanceof List<?> entries) {
            for (Object entry : entries) {
                String text = String.valueOf(entry);
                int equals = text.indexOf('=');
                env.put(equals < 0 ? text : text.substring(0, equals), equals < 0 ? null : text.substring(equals + 1));
            }
        } else {
            asMap(environment, serviceName + " environment")
                    .forEach((key, value) -> env.put(key, value == null ? null : String.valueOf(value)));
        }
        return env;
    }

    private static Set<String> interpolatedVariables(String text) {
        Set<String> names = new TreeSet<>();
        Matcher matcher = INTERPOLATION.matcher(text);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }

    private record PortMapping(String hostIp, int container) {
        static PortMapping parse(Object mapping) {
            if (mapping instanceof Map<?, ?> longForm) {
                Object hostIp = longForm.get("host_ip");
                return new PortMapping(hostIp == null ? "" : String.valueOf(hostIp),
                        Integer.parseInt(String.valueOf(longForm.get("target"))));
            }
            String[] parts = String.valueOf(mapping).replaceFirst("/(tcp|udp)$", "").split(":");
            int container = Integer.parseInt(parts[parts.length - 1]);
            return new PortMapping(parts.length == 3 ? parts[0] : "", container);
        }
    }

    /** Compose durations: "40s", "1m30s", "1h", "500ms". */
    private static Duration parseComposeDuration(String text) {
        Matcher matcher = Pattern.compile("(\\d+)(ms|h|m|s)").matcher(text);
        Duration total = Duration.ZERO;
        int consumed = 0;
        while (matcher.find()) {
            long amount = Long.parseLong(matcher.group(1));
            total = total.plus(switch (matcher.group(2)) {
                case "h" -> Duration.ofHours(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "s" -> Duration.ofSeconds(amount);
                default -> Duration.ofMillis(amount);
            });
            consumed += matcher.group().length();
        }
        assertThat(consumed).as("compose duration %s", text).isPositive().isEqualTo(text.length());
        return total;
    }

    // ---- Dockerfile ----

    /** Just enough of the Dockerfile grammar: line continuations, comments, stages, global ARGs. */
    private record Dockerfile(Map<String, String> globalArgs, List<Stage> stages) {

        record Instruction(String keyword, String arguments) {}

        record Stage(String image, String name, List<Instruction> instructions) {
            List<String> all(String keyword) {
                return instructions.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
            }

            String last(String keyword) {
                List<String> found = all(keyword);
                assertThat(found).as("%s in the %s stage", keyword, name).isNotEmpty();
                return found.getLast();
            }

            /** The last ENTRYPOINT/CMD in exec (JSON array) form, or empty if it is in shell form. */
            List<String> execForm(String keyword) {
                String arguments = last(keyword).strip();
                if (!arguments.startsWith("[")) {
                    return List.of();
                }
                Object parsed = new Yaml(new SafeConstructor(new LoaderOptions())).load(arguments);
                return strings(parsed, keyword);
            }

            /** USER as a number: a name cannot be checked by Kubernetes' runAsNonRoot. */
            int userId() {
                String user = last("USER").split(":")[0];
                assertThat(user).as("USER %s is numeric", user).matches("\\d+");
                return Integer.parseInt(user);
            }

            Set<String> envNames() {
                Set<String> names = new LinkedHashSet<>();
                for (String env : all("ENV")) {
                    Matcher matcher = Pattern.compile("(?:^|\\s)([A-Za-z_][A-Za-z0-9_]*)[=\\s]").matcher(env);
                    if (env.contains("=")) {
                        while (matcher.find()) {
                            names.add(matcher.group(1));
                        }
                    } else {
                        names.add(env.split("\\s+")[0]); // legacy "ENV NAME value"
                    }
                }
                return names;
            }
        }

        static Dockerfile parse(String text) {
            List<String> logical = new ArrayList<>();
            StringBuilder current = new StringBuilder();
            for (String line : text.lines().toList()) {
                String stripped = line.strip();
                if (stripped.startsWith("#") || (stripped.isEmpty() && current.isEmpty())) {
                    continue;
                }
                if (stripped.endsWith("\\")) {
                    current.append(stripped, 0, stripped.length() - 1).append(' ');
                } else {
                    current.append(stripped);
                    logical.add(current.toString().strip());
                    current.setLength(0);
                }
            }
            Map<String, String> globalArgs = new LinkedHashMap<>();
            List<Stage> stages = new ArrayList<>();
            for (String instruction : logical) {
                String[] split = instruction.split("\\s+", 2);
                String keyword = split[0].toUpperCase(Locale.ROOT);
                String arguments = split.length > 1 ? split[1] : "";
                if (keyword.equals("FROM")) {
                    String[] from = arguments.replaceAll("--platform=\\S+\\s+", "").split("\\s+");
                    String name = from.length == 3 && from[1].equalsIgnoreCase("AS") ? from[2] : String.valueOf(stages.size());
                    stages.add(new Stage(from[0], name, new ArrayList<>()));
                } else if (stages.isEmpty()) {
                    assertThat(keyword).as("only ARG may precede the first FROM").isEqualTo("ARG");
                    String[] arg = arguments.split("=", 2);
                    globalArgs.put(arg[0], arg.length > 1 ? arg[1] : "");
                } else {
                    stages.getLast().instructions().add(new Instruction(keyword, arguments));
                }
            }
            assertThat(stages).as("Dockerfile stages").isNotEmpty();
            return new Dockerfile(globalArgs, stages);
        }

        Stage runtime() {
            return stages.getLast();
        }

        String resolve(String image) {
            Matcher matcher = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)}?").matcher(image);
            return matcher.replaceAll(match -> Matcher.quoteReplacement(
                    globalArgs.getOrDefault(match.group(1), match.group())));
        }
    }

    // ---- YAML and file helpers ----

    private static Yaml yaml() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false); // a repeated key silently wins otherwise
        return new Yaml(new SafeConstructor(options));
    }

    private static List<Object> loadAll(Path file) {
        List<Object> documents = new ArrayList<>();
        try {
            for (Object document : yaml().loadAll(read(file))) {
                if (document != null) {
                    documents.add(document);
                }
            }
        } catch (RuntimeException e) {
            return fail("%s does not parse as YAML: %s", file, e.getMessage());
        }
        return documents;
    }

    private static Object loadSingle(Path file) {
        List<Object> documents = loadAll(file);
        assertThat(documents).as("%s documents", file).hasSize(1);
        return documents.getFirst();
    }

    private static List<Path> yamlFilesIn(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(file -> file.getFileName().toString().matches(".*\\.ya?ml"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        assertThat(file).as("%s", file).isRegularFile();
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A dotted path through nested maps; null where any step is missing. */
    private static Object at(Map<String, Object> root, String path) {
        Object current = root;
        for (String step : path.split("\\.")) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(step);
        }
        return current;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object value, String what) {
        if (!(value instanceof Map<?, ?>)) {
            return fail("%s: expected a mapping, found %s", what, value);
        }
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value, String what) {
        if (!(value instanceof List<?>)) {
            return fail("%s: expected a list, found %s", what, value);
        }
        return (List<Object>) value;
    }

    private static List<String> strings(Object value, String what) {
        return list(value, what).stream().map(String::valueOf).toList();
    }

    private static int integer(Object value, String what) {
        if (!(value instanceof Integer number)) {
            return fail("%s: expected an integer, found %s", what, value);
        }
        return number;
    }

    private static String string(Map<String, Object> map, String key, Path file) {
        if (!(map.get(key) instanceof String text) || text.isBlank()) {
            return fail("%s: %s is missing", file, key);
        }
        return text;
    }
}
