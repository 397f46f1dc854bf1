package com.customerhealth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/** The one local SparkSession every test shares (one JVM: surefire reuses its fork). */
public final class TestSpark {
    private static SparkSession spark;

    private TestSpark() {
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
                        // Expressions interpreted, not compiled: fixtures have a handful of rows, so compiling each
                        // projection costs more than it saves (about a fifth of the suite's time). ClusterIT compares a
                        // compiled run on the cluster with the reference run of this session.
                        .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
                        .getOrCreate();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return spark;
    }
}
