package com.customerhealth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * The one local SparkSession every test shares (one JVM: surefire reuses its fork, and runs two test classes at once in
 * it). A CLI run takes a session of its own on the same SparkContext ({@link Cli}).
 */
public final class TestSpark {
    private static SparkSession spark;

    /**
     * Expressions interpreted, not compiled: fixtures have a handful of rows, so compiling each projection costs more
     * than it saves (with the parallel collector of the pom's test.jvm.options, the unit phase went from 11:17 to 7:56
     * min). ClusterIT compares a compiled run on the cluster with the reference run of this session.
     */
    private static final String CODEGEN_FACTORY_MODE = "spark.sql.codegen.factoryMode";
    private static final String INTERPRETED = "NO_CODEGEN";

    /**
     * Spark's memory pages at 1 MB, its floor. Each hash aggregation, sort and broadcast hash join takes one whole page
     * for its first row, and the default size follows the heap: 64 MB with 4 GB and two cores. On fixtures of a few rows
     * that was a 64 MB array zeroed per task. With 1 MB pages the unit phase had 16 full collections (8 s of pauses)
     * against 48 (34 s), took 476 against 506 to 524 s and peaked at 3.8 against 5.2 GB (bench/README.md, 2026-12-07 night).
     */
    private static final String PAGE_SIZE = "spark.buffer.pageSize";
    private static final String SMALL_PAGES = "1m";

    private TestSpark() {
    }

    /**
     * JVM options of the short-lived JVMs tests start (a CLI run, a cluster's driver and executor): the client compiler
     * only and the serial collector. On two cores they halve such a JVM's CPU time (C2 compiling and the collector's
     * threads cost more than they return in a run of a minute or two).
     */
    public static final List<String> SHORT_RUN_JVM = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    /**
     * The JVM options of a CLI process a test starts (java, the test class path): this JVM's module opens and -XX options
     * (surefire's argLine: the JDK 17 opens and test.jvm.options) but its collector, {@link #SHORT_RUN_JVM}, and this
     * session's interpreted expressions. Not its page size: for these client-compiler JVMs it was never measured apart from
     * the VM's own slowing down that night (bench/README.md, 2026-12-07 night), so they keep Spark's default.
     */
    public static List<String> childJvmOptions() {
        List<String> options = new ArrayList<>(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("-XX:") || a.startsWith("-Djdk.reflect")
                        || a.startsWith("-Dio.netty"))
                .filter(a -> !a.matches("-XX:[+-]Use\\w+GC") && !a.startsWith("-XX:TieredStopAtLevel"))
                .toList());
        options.addAll(SHORT_RUN_JVM);
        options.add("-D" + CODEGEN_FACTORY_MODE + "=" + INTERPRETED);
        return options;
    }

    public static synchronized SparkSession session() {
        if (spark == null) {
            try {
                Path warehouse = Files.createTempDirectory("health-test-warehouse");
                spark = SparkSession.builder()
                        .master("local[2]")
                        .appName("customer-health-tests")
                        .config("spark.ui.enabled", "false")
                        .config("spark.driver.host", "127.0.0.1")
                        .config("spark.driver.bindAddress", "127.0.0.1")
                        .config("spark.sql.shuffle.partitions", "2")
                        .config("spark.default.parallelism", "2")
                        .config("spark.sql.warehouse.dir", warehouse.toString())
                        .config("spark.sql.session.timeZone", "UTC")
                        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
                        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
                        .config("spark.databricks.delta.snapshotPartitions", "2")
                        .config("spark.sql.adaptive.enabled", "false")
                        .config("spark.sql.codegen.wholeStage", "false")
                        .config(CODEGEN_FACTORY_MODE, INTERPRETED)
                        .config(PAGE_SIZE, SMALL_PAGES)
                        .getOrCreate();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return spark;
    }
}
