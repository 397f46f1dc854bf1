package com.customerhealth.validate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run's folder of staged inputs, {@code <staging root>/<run id>-<unique>}: the validated rows of each table as
 * Parquet, written once and read by every step of the run, deleted when the run ends. A folder left by a run that was
 * killed is deleted by a later run once it is two days old (no run lasts that long; two runs at once each have their own).
 */
final class StagingArea {
    private static final Logger LOG = LoggerFactory.getLogger(StagingArea.class);
    private static final Duration ABANDONED_AFTER = Duration.ofDays(2);

    private final SparkSession spark;
    private final Path folder;

    private StagingArea(SparkSession spark, Path folder) {
        this.spark = spark;
        this.folder = folder;
    }

    /** A new folder for this run under {@code root}, after removing folders abandoned there by killed runs. */
    static StagingArea create(SparkSession spark, String root, String runId) {
        Path rootPath = new Path(root);
        String safe = runId.replaceAll("[^A-Za-z0-9._-]", "_");
        StagingArea area = new StagingArea(spark, new Path(rootPath, safe + "-" + UUID.randomUUID().toString().substring(0, 8)));
        try {
            FileSystem fs = rootPath.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (fs.exists(rootPath)) {
                long cutoff = Instant.now().minus(ABANDONED_AFTER).toEpochMilli();
                for (FileStatus old : fs.listStatus(rootPath)) {
                    if (old.isDirectory() && old.getModificationTime() < cutoff) {
                        LOG.info("Removing staged inputs left by an earlier run: {}", old.getPath());
                        fs.delete(old.getPath(), true);
                    }
                }
            }
            if (!fs.mkdirs(area.folder)) { // now, so a folder that cannot be written fails before any input is read
                throw new IOException("mkdirs returned false");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot use the staging folder " + root + " (input.staging-path): " + e.getMessage(), e);
        }
        return area;
    }

    /** Where a table's rows go. */
    String tableFolder(String table) {
        return new Path(folder, table).toString();
    }

    /**
     * Deletes the run's folder, and the staging root too when no other run has a folder there (so a finished run leaves
     * only its tables in the output folder); a failure to delete is logged, not thrown (the next runs remove it once it is old).
     */
    void delete() {
        try {
            FileSystem fs = folder.getFileSystem(spark.sparkContext().hadoopConfiguration());
            fs.delete(folder, true);
            Path root = folder.getParent();
            FileStatus[] left = fs.exists(root) ? fs.listStatus(root) : new FileStatus[0];
            if (left.length == 0) {
                fs.delete(root, false); // not recursive: a folder another run just made there keeps the root
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not delete the staged inputs in {}: {}", folder, e.toString());
        }
    }
}
