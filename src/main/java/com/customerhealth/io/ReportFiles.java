package com.customerhealth.io;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * Writes a report's files to a folder on any Hadoop file system (local, s3a://, abfss://, hdfs://).
 * The files are written to a sibling temporary folder first, then moved into place, so a reader sees
 * the previous report or the new one, and a re-run replaces the folder rather than mixing files.
 */
public final class ReportFiles {
    private ReportFiles() {
    }

    /** Writes {@code files} (relative name -> bytes) into {@code folder}, replacing it. Returns the folder's qualified path. */
    public static String write(SparkSession spark, String folder, Map<String, byte[]> files) {
        Path target = new Path(folder);
        Path staging = new Path(target.getParent(), "." + target.getName() + ".staging");
        // A private (uncached) instance: no .crc side files next to the report on local disk, and Spark's
        // shared file system keeps its own settings.
        try (FileSystem fs = FileSystem.newInstance(target.toUri(), spark.sparkContext().hadoopConfiguration())) {
            fs.setWriteChecksum(false);
            fs.delete(staging, true);
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                try (OutputStream out = fs.create(new Path(staging, f.getKey()), true)) {
                    out.write(f.getValue());
                }
            }
            fs.delete(target, true);
            if (!fs.rename(staging, target)) {
                throw new IOException("could not move " + staging + " to " + target);
            }
            return fs.makeQualified(target).toString();
        } catch (IOException e) {
            throw new UncheckedIOException("Writing the report to " + folder + " failed: " + e.getMessage()
                    + ". Check report-path in conf and that this job may write there.", e);
        }
    }
}
