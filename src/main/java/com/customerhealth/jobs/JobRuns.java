package com.customerhealth.jobs;

import com.customerhealth.JobFailure;
import com.customerhealth.config.AppConfig;
import com.customerhealth.io.OutputTable;
import com.customerhealth.io.OutputTables;
import com.customerhealth.validate.TableReport;
import com.customerhealth.validate.ValidatedWarehouse;
import com.typesafe.config.ConfigRenderOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.spark.sql.RowFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.jdk.javaapi.CollectionConverters;

/** Appends one {@code job_runs} row when a job ends: what ran, on what, what it wrote, how long, and how it ended. */
final class JobRuns {
    private static final Logger LOG = LoggerFactory.getLogger(JobRuns.class);

    private final JobContext ctx;
    private final String command;

    JobRuns(JobContext ctx, String command) {
        this.ctx = ctx;
        this.command = command;
    }

    /** Records a success; returns the rows the job's commits wrote, by table (job_runs.output_rows). */
    Map<String, Long> succeeded(Job job, Instant started, ValidatedWarehouse warehouse) {
        Map<String, Long> written = outputRows(job, started, warehouse);
        ctx.tables().append(OutputTables.JOB_RUNS, row(job, started, warehouse, null, written));
        return written;
    }

    /**
     * Records a failure. A failure to record it is logged, not thrown: the job's own error is the one
     * to report (when the output store itself is broken, both fail).
     */
    void failed(Job job, Instant started, ValidatedWarehouse warehouse, RuntimeException error) {
        try {
            ctx.tables().append(OutputTables.JOB_RUNS, row(job, started, warehouse, error, outputRows(job, started, warehouse)));
        } catch (RuntimeException e) {
            LOG.warn("Could not record the failed {} run in job_runs: {}", job.name(), JobFailure.firstLine(e));
        }
    }

    /** Rows written by the job's commits (tagged with its commit tag), by table. */
    private Map<String, Long> outputRows(Job job, Instant started, ValidatedWarehouse warehouse) {
        List<OutputTable> written = new java.util.ArrayList<>(job.outputTables());
        if (warehouse != null && !warehouse.reports().isEmpty()) {
            written.add(OutputTables.REJECTED_ROWS);
        }
        return ctx.tables().rowsWrittenBy(ctx.commitTag(job), started, written);
    }

    private org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> row(Job job, Instant started, ValidatedWarehouse warehouse,
                                                                       RuntimeException error, Map<String, Long> outputRows) {
        Instant finished = Instant.now();
        Map<String, Long> inputRows = new TreeMap<>();
        long rejected = 0;
        if (warehouse != null) {
            for (TableReport r : warehouse.reports()) {
                if (job.inputTables(ctx).contains(r.table()) || r.table().equals("accounts") && !job.inputTables(ctx).isEmpty()) {
                    inputRows.put(r.table(), r.rows());
                    rejected += r.rejected();
                }
            }
        }
        return ctx.spark().createDataFrame(List.of(RowFactory.create(ctx.runId(), job.name(), command, Date.valueOf(ctx.runDate()),
                error == null ? "succeeded" : "failed", error == null ? 0 : Pipeline.exitCode(error),
                error == null ? null : JobFailure.firstLine(error), Timestamp.from(started), Timestamp.from(finished),
                Duration.between(started, finished).toMillis() / 1000.0, configHash(ctx.config()), codeVersion(),
                CollectionConverters.asScala(inputRows), rejected, CollectionConverters.asScala(outputRows),
                ctx.spark().sparkContext().applicationId())), OutputTables.JOB_RUNS.schema());
    }

    /** SHA-256 (16 hex) of the resolved configuration, rendered with sorted keys and no comments or origins. */
    static String configHash(AppConfig config) {
        String text = config.raw().root().render(ConfigRenderOptions.concise());
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code <version>+<git commit>} from the build-info the build writes into the jar. */
    static String codeVersion() {
        Properties p = new Properties();
        try (InputStream in = JobRuns.class.getResourceAsStream("/customer-health-build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.getProperty("version", "unknown") + "+" + p.getProperty("commit", "unknown");
    }
}
