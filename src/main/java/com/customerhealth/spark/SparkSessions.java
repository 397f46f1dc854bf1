package com.customerhealth.spark;

import com.customerhealth.config.OutputSettings;
import org.apache.spark.sql.SparkSession;

/**
 * The job's SparkSession. The master is never set here: spark-submit (or, for the local runner,
 * the {@code spark.master} system property) decides where the job runs. Delta's SQL extension and
 * catalog are set when the launcher has not set them. With {@code output.local-catalog}, a new session keeps the table
 * names in its {@link LocalCatalog} (an embedded Hive metastore under the output folder).
 */
public final class SparkSessions {
    private SparkSessions() {
    }

    /** The session of a command that reads or writes the output tables: with the local catalog when conf asks for it. */
    public static SparkSession getOrCreate(String appName, OutputSettings output) {
        String catalog = output.localCatalog();
        // A launcher's catalog wins; and an existing session (the tests' shared one) keeps the catalog it was built with.
        boolean local = catalog != null && System.getProperty("spark.sql.catalogImplementation") == null
                && SparkSession.getDefaultSession().isEmpty() && SparkSession.getActiveSession().isEmpty();
        SparkSession.Builder builder = builder(appName);
        if (local) {
            builder = LocalCatalog.configure(builder, catalog);
        }
        SparkSession spark = builder.getOrCreate();
        if (local) {
            LocalCatalog.open(spark, catalog);
        }
        return spark;
    }

    public static SparkSession getOrCreate(String appName) {
        return builder(appName).getOrCreate();
    }

    private static SparkSession.Builder builder(String appName) {
        SparkSession.Builder builder = SparkSession.builder().appName(appName);
        if (System.getProperty("spark.sql.extensions") == null) {
            builder = builder.config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension");
        }
        if (System.getProperty("spark.sql.catalog.spark_catalog") == null) {
            builder = builder.config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog");
        }
        if (System.getProperty("spark.databricks.delta.snapshotPartitions") == null) {
            // Delta rebuilds a table's state from its log with this many tasks (default 50) at each new version it reads:
            // the output tables' logs are a few hundred actions, so 50 tasks cost far more than the work. Measured on the
            // sample's run: 232 s -> 164 s (docs/development.md, "Performance"). A launcher setting wins.
            builder = builder.config("spark.databricks.delta.snapshotPartitions", "2");
        }
        if (System.getProperty("spark.sql.sources.fileCompressionFactor") == null) {
            // The planner sizes a Parquet/Delta scan by its compressed bytes: an output table's partition of 800,000 accounts
            // (60 MB, a few columns read) passed for under 10 MB and was broadcast, collected on the driver, and insights at
            // 1M accounts failed with "Not enough memory to build and broadcast the table". x4 (Parquet's usual ratio to
            // Spark's rows) keeps per-account joins sort-merge at that scale while small tables still broadcast. A
            // launcher setting wins.
            builder = builder.config("spark.sql.sources.fileCompressionFactor", "4");
        }
        if (System.getProperty("spark.sql.session.timeZone") == null) {
            // Dates are calendar dates; UTC keeps timestamp-to-date casts independent of the host.
            builder = builder.config("spark.sql.session.timeZone", "UTC");
        }
        return builder;
    }
}
