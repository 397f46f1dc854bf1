package com.customerhealth.jobs;

import static org.apache.spark.sql.functions.lit;

import com.customerhealth.calibrate.WeightVersions;
import com.customerhealth.config.AppConfig;
import com.customerhealth.config.HealthModel;
import com.customerhealth.io.DeltaTables;
import com.customerhealth.io.FaultPoint;
import com.customerhealth.io.OutputTable;
import com.customerhealth.io.OutputTables;
import com.customerhealth.validate.MoneyUnits;
import com.customerhealth.validate.TableReport;
import com.customerhealth.validate.ValidatedWarehouse;
import com.customerhealth.validate.WarehouseLoader;
import java.io.PrintStream;
import java.sql.Date;
import java.time.LocalDate;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * What every job runs with: the session, the configuration, the as-of date, the run id, the output tables, and
 * the score dates the command's jobs read ({@link Job#scoreDates}), so {@code score} can write the missing ones
 * with its own in one pass.
 */
public record JobContext(SparkSession spark, AppConfig config, LocalDate runDate, String runId, DeltaTables tables,
                         PrintStream out, Set<LocalDate> scoreDates, Invocation invocation) {

    public static JobContext of(SparkSession spark, AppConfig config, LocalDate runDate, String runId, PrintStream out) {
        return of(spark, config, runDate, runId, out, Invocation.NONE);
    }

    /** A context whose printed commands start with {@code invocation}'s launcher and end with its conf arguments. */
    public static JobContext of(SparkSession spark, AppConfig config, LocalDate runDate, String runId, PrintStream out,
                                Invocation invocation) {
        return new JobContext(spark, config, runDate, runId, new DeltaTables(spark, config.output(), FaultPoint.of(config.testing())),
                out, Set.of(), invocation);
    }

    /** The same context, knowing the score dates the command's jobs read. */
    public JobContext withScoreDates(Set<LocalDate> dates) {
        return new JobContext(spark, config, runDate, runId, tables, out, Set.copyOf(dates), invocation);
    }

    /**
     * The model scoring uses: the conf preset with the weights of its newest approved
     * {@code health_weights} version, or the conf prior when none is approved. Read when asked, so an
     * approval between runs takes effect from the next run.
     */
    public HealthModel scoringModel() {
        return new WeightVersions(spark, tables).scoringModel(config.model());
    }

    /**
     * The approved per-segment scorecards scoring uses beside {@link #scoringModel} for their segments' accounts
     * (none when no segment version is approved). Read when asked, as scoringModel is.
     */
    public List<com.customerhealth.score.Segments.Scorecard> scorecards() {
        return new WeightVersions(spark, tables).scorecards(config.model());
    }

    /**
     * Reads and validates the given warehouse tables and writes their quarantined rows to
     * {@code rejected_rows} (replacing this run date's rows of those tables). {@link #enforceRejectedShare}
     * then decides whether the run may go on.
     */
    public ValidatedWarehouse loadWarehouse(Collection<String> tableNames) {
        ValidatedWarehouse warehouse = WarehouseLoader.load(spark, config, runDate, runId, tableNames);
        List<String> validated = warehouse.reports().stream().map(TableReport::table).toList();
        tables.replaceWhere(OutputTables.REJECTED_ROWS, warehouse.rejected(),
                "run_date = DATE'" + runDate + "' AND " + DeltaTables.in("table_name", validated));
        for (TableReport r : warehouse.reports()) {
            out.printf("  input %-21s %,12d rows  %,8d quarantined  %,8d after run date excluded%n",
                    r.table(), r.rows(), r.rejected(), r.excludedAfterRunDate());
        }
        MoneyUnits.check(warehouse).ifPresent(w -> out.println("  WARNING: " + w));
        return warehouse;
    }

    /** Fails with exit 3 (releasing the inputs) when a table's quarantined share passes {@code validation.max-rejected-share}. */
    public void enforceRejectedShare(ValidatedWarehouse warehouse) {
        try {
            warehouse.enforceRejectedShare(config.validation().maxRejectedShare(), runDate.toString());
        } catch (RuntimeException e) {
            warehouse.release();
            throw e;
        }
    }

    /**
     * Replaces {@code table}'s partition of {@code date} with {@code rows}, stamped with that date (the partition
     * column) and this run's id: the one way a job writes a dated result table.
     */
    public void writePartition(OutputTable table, Dataset<Row> rows, LocalDate date) {
        String column = table.partitionColumn().orElseThrow(() -> new IllegalArgumentException(table.name() + " is not partitioned"));
        tables.replacePartition(table, rows.withColumn(column, lit(Date.valueOf(date))).withColumn("run_id", lit(runId)),
                date.toString());
    }

    /** The userMetadata a job's Delta commits carry: {@code <run id>/<job>}, shown by DESCRIBE HISTORY. */
    public String commitTag(Job job) {
        return runId + "/" + job.name();
    }

    /**
     * Tags the session's Delta commits from now on with the job's {@link #commitTag} (null: untags). The
     * tag is a session setting: jobs of one session run one at a time.
     */
    public void tagCommits(Job job) {
        if (job == null) {
            spark.conf().unset(COMMIT_TAG);
        } else {
            spark.conf().set(COMMIT_TAG, commitTag(job));
        }
    }

    private static final String COMMIT_TAG = "spark.databricks.delta.commitInfo.userMetadata";
}
