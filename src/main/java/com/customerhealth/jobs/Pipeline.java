package com.customerhealth.jobs;

import com.customerhealth.JobFailure;
import com.customerhealth.io.OutputTable;
import com.customerhealth.validate.ValidatedWarehouse;
import com.customerhealth.validate.WarehouseLoader;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs jobs in order over one validated read of the warehouse, and records each in {@code job_runs}.
 * {@code run} is every job, in pipeline order; {@code daily} is the same minus calibrate.
 */
public final class Pipeline {
    /**
     * The whole pipeline, in order: score, cohorts (health_tier_churn reads the scores), insights (reads
     * the scores), calibrate (its report reads cohort_churn and the segments).
     */
    public static List<Job> all() {
        return List.of(new ScoreJob(), new CohortsJob(), new InsightsJob(), new CalibrateJob());
    }

    /**
     * The day's jobs, {@link #all()} in its order minus calibrate (a monthly job): score, cohorts, insights.
     * What the daily Airflow DAG runs, over one validated read.
     */
    public static List<Job> daily() {
        return List.of(new ScoreJob(), new CohortsJob(), new InsightsJob());
    }

    private Pipeline() {
    }

    private static Set<String> inputTables(JobContext ctx, List<Job> jobs) {
        Set<String> tables = new TreeSet<>();
        jobs.forEach(j -> tables.addAll(j.inputTables(ctx)));
        return tables;
    }

    /**
     * Reads and validates the inputs every job needs once, then runs the jobs in order. Each job's end is
     * recorded in job_runs, as succeeded or failed; a failure stops the jobs after it. A failed input read
     * or validation is recorded against every job of the command, since none of them ran.
     */
    public static void run(JobContext ctx, String command, List<Job> jobs) {
        run(ctx, command, jobs, new ConsoleProgress(ctx.out()));
    }

    /** {@link #run(JobContext, String, List)}, telling {@code observer} each stage as it starts and ends. */
    public static void run(JobContext context, String command, List<Job> jobs, PipelineObserver observer) {
        Set<LocalDate> scoreDates = new TreeSet<>();
        jobs.forEach(j -> scoreDates.addAll(j.scoreDates(context)));
        JobContext ctx = context.withScoreDates(scoreDates);
        Set<String> tables = inputTables(ctx, jobs);
        ctx.out().printf("Run %s, run date %s, output %s%n", ctx.runId(), ctx.runDate(), ctx.config().output().path() != null
                ? ctx.config().output().path() : "database " + ctx.config().output().database());
        JobRuns runs = new JobRuns(ctx, command);
        Instant started = Instant.now();
        ValidatedWarehouse read = null;
        observer.stageStarted(PipelineObserver.READ_VALIDATE);
        try {
            ctx.tagCommits(jobs.get(0)); // the input read (rejected_rows) counts as the first job's
            read = tables.isEmpty() ? ValidatedWarehouse.NONE : ctx.loadWarehouse(tables);
            ctx.enforceRejectedShare(read);
        } catch (RuntimeException e) {
            observer.stageEnded(PipelineObserver.READ_VALIDATE, e, Map.of());
            ValidatedWarehouse counted = read; // the counts, when the rows were read and too many quarantined
            jobs.forEach(job -> runs.failed(job, started, counted, e));
            throw e;
        } finally {
            ctx.tagCommits(null);
        }
        observer.stageEnded(PipelineObserver.READ_VALIDATE, null, Map.of());
        ValidatedWarehouse warehouse = read;
        try {
            ctx.tables().faults().pauseAt("after-read");
            observer.inputsRead(warehouse);
            Instant jobStarted = started;
            for (Job job : jobs) {
                observer.stageStarted(job.name());
                try {
                    ctx.tagCommits(job);
                    job.run(ctx, warehouse);
                } catch (RuntimeException e) {
                    runs.failed(job, jobStarted, warehouse, e);
                    observer.stageEnded(job.name(), e, Map.of());
                    throw e;
                } finally {
                    ctx.tagCommits(null);
                }
                observer.stageEnded(job.name(), null, runs.succeeded(job, jobStarted, warehouse));
                jobStarted = Instant.now();
            }
        } finally {
            warehouse.release();
        }
    }

    /**
     * {@code --dry-run}: checks the input contract (each source reachable, required columns present, types
     * readable as the contract's; schemas only, no row read) and prints what the jobs would read and write.
     * Writes nothing. A contract violation fails as the real run would (exit 3).
     */
    public static void dryRun(JobContext ctx, String command, List<Job> jobs) {
        Set<String> tables = inputTables(ctx, jobs);
        ctx.out().printf("Dry run of %s, run id %s, run date %s: nothing is read beyond schemas, nothing is written.%n", command,
                ctx.runId(), ctx.runDate());
        ctx.out().printf("Configuration %s, code %s%n", JobRuns.configHash(ctx.config()), JobRuns.codeVersion());
        if (!tables.isEmpty()) {
            ctx.out().println("Inputs (contract checked: columns present, types readable):");
            for (String line : WarehouseLoader.checkSchemas(ctx.spark(), ctx.config(), tables)) {
                ctx.out().println("  " + line);
            }
            ctx.out().printf("  quarantined rows would go to %s%n", ctx.tables().describe(com.customerhealth.io.OutputTables.REJECTED_ROWS));
        }
        ctx.out().println("Steps:");
        int step = 1;
        for (Job job : jobs) {
            ctx.out().printf("  %d. %s reads %s%n", step++, job.name(), job.inputTables(ctx).isEmpty() ? "no warehouse table"
                    : String.join(", ", job.inputTables(ctx)));
            for (OutputTable t : job.outputTables()) {
                ctx.out().printf("       writes %-27s %s%n", t.name(), ctx.tables().describe(t));
            }
            for (String other : job.otherOutputs(ctx)) {
                ctx.out().printf("       writes %s%n", other);
            }
        }
        ctx.out().printf("  each job appends its run to %s%n", ctx.tables().describe(com.customerhealth.io.OutputTables.JOB_RUNS));
        ctx.out().flush();
    }

    /** The exit code a failure gives the process, as the CLI maps it. */
    static int exitCode(RuntimeException e) {
        return e instanceof JobFailure f ? f.exitCode() : 1;
    }
}
