package com.customerhealth.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.customerhealth.TestSpark;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar on a real multi-JVM Spark standalone cluster: a Master, a Worker and the Worker's
 * executor, and the driver ({@code SparkSubmit}, client mode), each its own JVM, on 127.0.0.1. Their
 * classpath is a stand-in SPARK_HOME ({@code target/spark-home/jars}: Spark and its dependencies as the
 * pom's provided scope has them, copied by maven-dependency-plugin before the integration tests), which
 * holds neither our classes nor Delta: Delta, picocli, Typesafe Config, XChart and Mustache come from
 * the jar, as on a real cluster. The Delta SQL settings are not passed either (the job sets them), and
 * the driver and executor JVMs run in another time zone than this JVM's UTC.
 *
 * <p>The whole pipeline on the integration runs' generated warehouse ({@link PipelineRun#runArgs}) must
 * exit 0 and write the same tables as the reference run in this JVM's local session: closures that do not serialise,
 * classes missing from the jar or state that only lives in the driver fail here, not in production.
 * Every process started here is stopped after the tests, also when they fail (and by a shutdown hook
 * if the JVM is killed); a hang fails the test after {@link #SUBMIT_TIMEOUT}.
 */
class ClusterIT {
    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration SUBMIT_TIMEOUT = Duration.ofMinutes(20);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    private static final Path JAR = Path.of(System.getProperty("health.it.jar", "target/customer-health-jobs-0.1.0-SNAPSHOT.jar"));
    private static final Path SPARK_HOME = Path.of(System.getProperty("health.it.spark-home", "target/spark-home")).toAbsolutePath();
    private static final Path LOGS = Path.of("target", "cluster-it").toAbsolutePath();
    private static final Path WORK = LOGS.resolve("work");
    /** The driver's and executors' JVM time zone: cluster hosts are not always on UTC (this JVM is). */
    private static final String HOST_TIME_ZONE = "America/Los_Angeles";

    private static final List<Process> started = new ArrayList<>();
    private static final Thread shutdownHook = new Thread(ClusterIT::stopAll, "cluster-it-stop");
    private static String masterUrl;
    private static Process worker;

    @BeforeAll
    static void startCluster() throws IOException {
        assertThat(JAR).as("the packaged jar (run the integration tests with mvn verify)").isRegularFile();
        Path jars = SPARK_HOME.resolve("jars");
        assertThat(jars).as("stand-in SPARK_HOME jars (maven-dependency-plugin, pre-integration-test)").isDirectory();
        try (Stream<Path> files = Files.list(jars)) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertThat(names).anyMatch(n -> n.startsWith("spark-core_2.13-"))
                    .noneMatch(n -> n.startsWith("delta-") || n.startsWith("customer-health-jobs"));
        }
        Files.writeString(SPARK_HOME.resolve("RELEASE"),
                "Spark stand-in for ClusterIT: jars/ is the Maven provided scope (Spark and its dependencies)\n");
        deleteRecursively(LOGS);
        Files.createDirectories(WORK);
        Runtime.getRuntime().addShutdownHook(shutdownHook);

        int masterPort = freePort();
        int masterUi = freePort();
        masterUrl = "spark://127.0.0.1:" + masterPort;
        // An executor that cannot start (classpath, JVM options) fails the application after 2 tries
        // instead of being relaunched forever.
        Process master = start("master", List.of("-Xmx512m", "-Dspark.deploy.maxExecutorRetries=2", "-Dspark.master.rest.enabled=false"),
                List.of("org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", String.valueOf(masterPort),
                        "--webui-port", String.valueOf(masterUi)));
        await("the master's web UI", () -> aliveWorkers(masterUi) >= 0, master);
        worker = start("worker", List.of("-Xmx512m"),
                List.of("org.apache.spark.deploy.worker.Worker", masterUrl, "--host", "127.0.0.1",
                        "--port", String.valueOf(freePort()), "--webui-port", String.valueOf(freePort()),
                        "--cores", "2", "--memory", "2g", "--work-dir", WORK.toString()));
        await("the worker's registration", () -> aliveWorkers(masterUi) >= 1, worker);
    }

    @AfterAll
    static void stopCluster() {
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook runs stopAll again, which is harmless
        }
    }

    @Test
    void thePackagedJarCarriesDeltaAndNoSpark() throws IOException {
        List<String> main = entries(JAR);
        assertThat(main).contains("io/delta/sql/DeltaSparkSessionExtension.class",
                "org/apache/spark/sql/delta/catalog/DeltaCatalog.class", "io/delta/storage/LogStore.class",
                "com/customerhealth/cli/HealthJobs.class", "com/customerhealth/shaded/picocli/CommandLine.class",
                "com/customerhealth/shaded/com/typesafe/config/ConfigFactory.class",
                "com/customerhealth/shaded/com/github/mustachejava/DefaultMustacheFactory.class",
                "com/customerhealth/shaded/org/knowm/xchart/XYChart.class");
        assertThat(main).noneMatch(ClusterIT::sparkShipsIt);
        Set<String> deltaSpark = entries(classpathJar("delta-spark_")).stream().collect(Collectors.toSet());
        assertThat(main).filteredOn(e -> e.startsWith("org/apache/spark/") && e.endsWith(".class"))
                .as("classes in Spark's packages: Delta's (delta-spark has a few shims outside sql/delta)").isNotEmpty()
                .allMatch(e -> e.startsWith("org/apache/spark/sql/delta/") || deltaSpark.contains(e));
        assertThat(String.join("\n", readEntry(JAR, "META-INF/services/org.apache.spark.sql.sources.DataSourceRegister")))
                .contains("org.apache.spark.sql.delta.sources.DeltaDataSource");

        Path thin = JAR.resolveSibling(JAR.getFileName().toString().replace(".jar", "-no-delta.jar"));
        List<String> noDelta = entries(thin);
        assertThat(noDelta).contains("com/customerhealth/cli/HealthJobs.class", "com/customerhealth/shaded/picocli/CommandLine.class")
                .noneMatch(e -> e.startsWith("io/delta/") || e.startsWith("io/unitycatalog/") || e.startsWith("org/apache/spark/"))
                .noneMatch(ClusterIT::sparkShipsIt);
    }

    @Test
    void theWholePipelineOnTheClusterWritesWhatTheLocalRunWrites() throws Exception {
        Path output = PipelineRun.tempDir("health-it-cluster");
        List<String> submit = new ArrayList<>(List.of("org.apache.spark.deploy.SparkSubmit",
                "--master", masterUrl, "--deploy-mode", "client", "--class", "com.customerhealth.cli.HealthJobs",
                "--conf", "spark.driver.host=127.0.0.1",
                "--conf", "spark.driver.bindAddress=127.0.0.1",
                "--conf", "spark.ui.enabled=false",
                "--conf", "spark.executor.memory=1g",
                "--conf", "spark.executor.cores=2",
                "--conf", "spark.cores.max=2",
                "--conf", "spark.sql.shuffle.partitions=2",
                "--conf", "spark.default.parallelism=2",
                "--conf", "spark.databricks.delta.snapshotPartitions=2",
                "--conf", "spark.executor.extraJavaOptions=-Duser.timezone=" + HOST_TIME_ZONE + " " + String.join(" ", TestSpark.SHORT_RUN_JVM),
                // as TestSpark: the many small queries of a small run plan and start faster
                "--conf", "spark.sql.adaptive.enabled=false",
                "--conf", "spark.sql.codegen.wholeStage=false",
                JAR.toAbsolutePath().toString()));
        submit.addAll(PipelineRun.runArgs(output));
        // The reference first (the same run in this JVM's local session): on two cores, running it beside
        // the cluster makes both slower.
        Instant r0 = Instant.now();
        Path reference = PipelineRun.reference();
        System.out.printf("ClusterIT: the reference run took %d s (or ran before)%n", Duration.between(r0, Instant.now()).toSeconds());

        Instant t0 = Instant.now();
        Process driver = start("driver", List.of("-Xmx1g", "-Duser.timezone=" + HOST_TIME_ZONE,
                "-Dlog4j2.configurationFile=" + Path.of("conf/log4j2.properties").toAbsolutePath().toUri()), submit);
        Map<Long, Duration> cpu = new TreeMap<>(); // per process of the app: the driver and the worker's executor
        Instant deadline = t0.plus(SUBMIT_TIMEOUT);
        while (!driver.waitFor(2, TimeUnit.SECONDS)) {
            Stream.concat(Stream.of(driver.toHandle()), worker.descendants())
                    .forEach(h -> h.info().totalCpuDuration().ifPresent(d -> cpu.put(h.pid(), d)));
            if (Instant.now().isAfter(deadline)) {
                fail("spark-submit did not finish within %s%n%s", SUBMIT_TIMEOUT, logTails());
            }
        }
        System.out.printf("ClusterIT: spark-submit of the whole pipeline took %d s wall, %d s CPU (driver, executor: %s s)%n",
                Duration.between(t0, Instant.now()).toSeconds(), cpu.values().stream().mapToLong(Duration::toSeconds).sum(),
                cpu.values().stream().filter(d -> d.toSeconds() > 0).map(d -> String.valueOf(d.toSeconds())).collect(Collectors.joining(", ")));
        assertThat(driver.exitValue()).as("spark-submit exit code%n%s", logTails()).isZero();
        assertThat(executorLogs()).as("executor logs under %s", WORK).isNotEmpty()
                .anyMatch(p -> read(p).contains("Finished task"));

        Instant c0 = Instant.now();
        OutputComparison.assertSameTables(TestSpark.session(), reference, output);
        System.out.printf("ClusterIT: comparing the tables took %d s%n", Duration.between(c0, Instant.now()).toSeconds());
    }

    // --- processes

    private static synchronized Process start(String name, List<String> jvmOptions, List<String> mainAndArgs) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(TestSpark.SHORT_RUN_JVM);
        command.addAll(jvmOptions);
        command.addAll(Arrays.asList(System.getProperty("health.it.jdk17-opens", "").trim().split("\\s+")));
        command.add("-cp");
        command.add(SPARK_HOME.resolve("jars") + "/*");
        command.addAll(mainAndArgs);
        command.removeIf(String::isEmpty);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(LOGS.resolve(name + ".log").toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("SPARK_") || k.equals("MASTER") || k.equals("HADOOP_CONF_DIR") || k.equals("YARN_CONF_DIR"));
        env.put("SPARK_HOME", SPARK_HOME.toString());
        // The Worker builds each executor's classpath from SPARK_HOME/jars; without the Scala version it looks
        // for a source build ("Cannot find any build directories") and the executor never starts.
        env.put("SPARK_SCALA_VERSION", "2.13");
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put("SPARK_LOCAL_DIRS", LOGS.resolve("local-" + name).toString());
        Process p = pb.start();
        started.add(p);
        return p;
    }

    /** Stops every process started here, newest first (driver, worker and its executors, master). */
    private static synchronized void stopAll() {
        for (int i = started.size() - 1; i >= 0; i--) {
            stop(started.get(i));
        }
        started.clear();
    }

    private static void stop(Process p) {
        List<ProcessHandle> children = p.descendants().toList();
        p.destroy();
        try {
            if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle child : children) {
            child.destroy();
            try {
                child.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                child.destroyForcibly();
            }
        }
    }

    private static void await(String what, BooleanSupplier condition, Process process) {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (!condition.getAsBoolean()) {
            if (!process.isAlive()) {
                fail("waiting for %s: the process exited with %d%n%s", what, process.exitValue(), logTails());
            }
            if (Instant.now().isAfter(deadline)) {
                fail("waiting for %s: not within %s%n%s", what, START_TIMEOUT, logTails());
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** Workers the master lists as ALIVE in its JSON state, or -1 while its web UI does not answer. */
    private static int aliveWorkers(int webUiPort) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + webUiPort + "/json/")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return -1;
            }
            JsonNode state = new ObjectMapper().readTree(r.body());
            int alive = 0;
            for (JsonNode w : state.path("workers")) {
                if ("ALIVE".equals(w.path("state").asText())) {
                    alive++;
                }
            }
            return alive;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    // --- logs

    /** The last lines of the driver's, master's, worker's and every executor's log. */
    private static String logTails() {
        Map<Path, Integer> logs = new LinkedHashMap<>();
        logs.put(LOGS.resolve("driver.log"), 80);
        logs.put(LOGS.resolve("master.log"), 20);
        logs.put(LOGS.resolve("worker.log"), 40);
        executorLogs().forEach(p -> logs.put(p, 60));
        StringBuilder s = new StringBuilder();
        logs.forEach((path, lines) -> {
            if (Files.isRegularFile(path)) {
                List<String> all = read(path).lines().toList();
                s.append("---- ").append(LOGS.relativize(path)).append(" (last ").append(Math.min(lines, all.size()))
                        .append(" of ").append(all.size()).append(" lines)\n");
                all.subList(Math.max(0, all.size() - lines), all.size()).forEach(l -> s.append(l).append('\n'));
            }
        });
        return s.toString();
    }

    /** work/app-*&#47;N/stderr: the executors' logs, written by the worker. */
    private static List<Path> executorLogs() {
        if (!Files.isDirectory(WORK)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(WORK, 3)) {
            return files.filter(p -> p.getFileName().toString().equals("stderr")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path p) {
        try {
            return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // --- jar contents

    private static List<String> entries(Path jar) throws IOException {
        try (ZipFile z = new ZipFile(jar.toFile())) {
            return z.stream().map(e -> e.getName()).toList();
        }
    }

    private static List<String> readEntry(Path jar, String name) throws IOException {
        try (ZipFile z = new ZipFile(jar.toFile())) {
            var e = z.getEntry(name);
            assertThat(e).as("%s in %s", name, jar).isNotNull();
            return new String(z.getInputStream(e).readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    /** What Spark's own distribution has: never bundled (nor unrelocated copies of our dependencies). */
    private static boolean sparkShipsIt(String entry) {
        return Stream.of("scala/", "com/fasterxml/jackson/", "org/antlr/", "org/apache/hadoop/", "org/apache/parquet/",
                "org/slf4j/", "org/apache/logging/", "org/roaringbitmap/", "org/apache/spark/sql/SparkSession",
                "org/apache/spark/SparkContext", "picocli/", "com/typesafe/", "com/github/mustachejava/", "org/knowm/")
                .anyMatch(entry::startsWith);
    }

    private static Path classpathJar(String prefix) {
        return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator)).map(Path::of)
                .filter(p -> p.getFileName().toString().startsWith(prefix)).findFirst()
                .orElseThrow(() -> new IllegalStateException(prefix + "* is not on the test classpath"));
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
