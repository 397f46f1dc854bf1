package com.customerhealth.spark;

import com.customerhealth.JobFailure;
import java.io.File;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.apache.spark.sql.SparkSession;

/**
 * The local runner's persistent catalog: Spark's Hive support with an embedded Hive metastore (Derby) in
 * {@code <output.path>/_catalog}, so the tables a run registers, and the analyst views, are there by name for the next
 * session ({@code ./jobs/sql-local.sh}). Hive's metastore is the catalog Spark and Delta both support in every
 * release, needs no server, and is what a cluster's metastore is, so the local and the cluster SQL are the same.
 *
 * <p>Derby lets one process open a metastore at a time: a second process (a shell while a job runs) fails with a
 * {@link JobFailure} that says so, not Derby's stack trace.
 */
final class LocalCatalog {
    private LocalCatalog() {
    }

    /** Sets the builder up for the catalog in {@code folder}; creates the folder. */
    static SparkSession.Builder configure(SparkSession.Builder builder, String folder) {
        File dir = new File(folder);
        if (!dir.isDirectory() && !dir.mkdirs()) {
            throw new JobFailure(1, "Cannot create the local catalog's folder " + folder + ": check that output.path is writable.", "");
        }
        if (System.getProperty("derby.stream.error.file") == null) {
            System.setProperty("derby.stream.error.file", new File(dir, "derby.log").getPath()); // not derby.log in the working directory
        }
        try {
            builder = builder.enableHiveSupport();
        } catch (IllegalArgumentException e) { // Spark's Hive classes are not on the classpath
            throw JobFailure.badConfig("output.local-catalog = true needs Spark's Hive support (spark-hive) on the classpath: "
                    + "set output.local-catalog = false, or use a Spark distribution built with Hive.", JobFailure.firstLine(e));
        }
        return builder
                .config("spark.sql.warehouse.dir", new File(dir, "warehouse").getAbsolutePath())
                .config("spark.hadoop.javax.jdo.option.ConnectionURL",
                        "jdbc:derby:;databaseName=" + new File(dir, "metastore_db").getAbsolutePath() + ";create=true")
                .config("spark.hadoop.datanucleus.schema.autoCreateAll", "true")
                .config("spark.hadoop.hive.metastore.schema.verification", "false")
                // One try: the metastore in use by another process will not free itself in Hive's retry pause.
                .config("spark.hadoop.hive.hmshandler.retry.attempts", "1");
    }

    /** Opens the metastore now, so "in use by another process" is said once, before any work. */
    static void open(SparkSession spark, String folder) {
        try {
            spark.catalog().listDatabases().count();
        } catch (Exception e) { // AnalysisException is checked in Java's eyes
            if (inUse(metastore(folder))) {
                throw new JobFailure(1, "The local catalog " + folder + " is open in another process (a job or ./jobs/sql-local.sh "
                        + "on the same output folder): one process at a time can open it; wait for that one to end, then try again.",
                        "", null);
            }
            throw e instanceof RuntimeException r ? r : new IllegalStateException(JobFailure.firstLine(e), e);
        }
    }

    private static String metastore(String folder) {
        return new File(folder, "metastore_db").getAbsolutePath();
    }

    /**
     * Whether another process has the Derby database open: opening it here fails with Derby's XSDB6 ("Another instance
     * of Derby may have already booted the database"). Hive's own error buries that under its exceptions' messages.
     */
    static boolean inUse(String metastore) {
        try (Connection c = DriverManager.getConnection("jdbc:derby:;databaseName=" + metastore)) {
            return false;
        } catch (SQLException e) {
            for (SQLException s = e; s != null; s = s.getNextException()) {
                for (Throwable t = s; t != null; t = t.getCause() == t ? null : t.getCause()) {
                    if (t instanceof SQLException q && "XSDB6".equals(q.getSQLState()) || String.valueOf(t.getMessage()).contains("XSDB6")) {
                        return true;
                    }
                }
            }
            return false;
        }
    }
}
