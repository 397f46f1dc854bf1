package com.customerhealth.cli;

import com.customerhealth.JobFailure;
import com.customerhealth.config.AppConfig;
import com.customerhealth.generate.WarehouseGenerator;
import com.customerhealth.calibrate.WeightVersions;
import com.customerhealth.io.AnalystViews;
import com.customerhealth.io.DeltaTables;
import com.customerhealth.io.OutputTables;
import com.customerhealth.jobs.CalibrateJob;
import com.customerhealth.jobs.CohortsJob;
import com.customerhealth.jobs.InsightsJob;
import com.customerhealth.jobs.Invocation;
import com.customerhealth.jobs.Job;
import com.customerhealth.jobs.JobContext;
import com.customerhealth.jobs.Pipeline;
import com.customerhealth.jobs.ReportJob;
import com.customerhealth.jobs.ValidateJob;
import com.customerhealth.jobs.ScoreJob;
import com.customerhealth.spark.SparkSessions;
import java.io.PrintStream;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The single entry point: {@code validate}, {@code score}, {@code cohorts}, {@code insights},
 * {@code calibrate}, {@code report}, {@code daily}, {@code run}, {@code approve} and {@code generate}.
 *
 * <p>Exit codes: 0 done; 2 bad usage or configuration; 3 input failed validation; 1 anything else.
 * A failure prints one line that says what is wrong and what to do, then the details.
 */
@Command(name = "customer-health", mixinStandardHelpOptions = true, version = "customer-health-jobs 0.1.0",
        description = "Customer-health Spark jobs: validate the warehouse, score account health, cohort churn and weight "
                + "calibration into Delta tables.",
        subcommands = {HealthJobs.Validate.class, HealthJobs.Score.class, HealthJobs.Cohorts.class, HealthJobs.Insights.class,
                HealthJobs.Calibrate.class, HealthJobs.Report.class, HealthJobs.Daily.class, HealthJobs.Run.class,
                HealthJobs.Approve.class, HealthJobs.Sql.class, HealthJobs.Generate.class})
public final class HealthJobs implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final PrintStream out;
    private final PrintStream err;

    private HealthJobs(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(execute(System.out, System.err, args));
    }

    /** Runs the CLI and returns the exit code (tests call this instead of main). */
    public static int execute(PrintStream out, PrintStream err, String... args) {
        CommandLine cli = new CommandLine(new HealthJobs(out, err));
        cli.setOut(new java.io.PrintWriter(out, true));
        cli.setErr(new java.io.PrintWriter(err, true));
        cli.setParameterExceptionHandler((e, a) -> {
            String message = e.getMessage().endsWith(".") ? e.getMessage() : e.getMessage() + ".";
            err.println("ERROR: " + message + " Run with --help to see the usage.");
            e.getCommandLine().usage(err);
            return JobFailure.BAD_CONFIG;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof JobFailure f) {
                err.println("ERROR: " + f.getMessage());
                if (!f.details().isEmpty()) {
                    err.println(f.details());
                }
                return f.exitCode();
            }
            err.println("ERROR: " + e.getClass().getSimpleName() + ": " + JobFailure.firstLine(e)
                    + ". This is unexpected: the stack trace follows; report it with your command line.");
            e.printStackTrace(err);
            return 1;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: use validate, score, cohorts, insights, calibrate, report, daily, run, approve, sql or generate.");
    }

    /**
     * What runs this CLI, as a user would type it again: {@code CUSTOMER_HEALTH_LAUNCHER} when set (the local scripts
     * set {@code ./jobs/cli-local.sh}; a deployment may set its own), else spark-submit with this jar, else nothing
     * (classes on a class path: tests).
     */
    static String launcher() {
        String set = System.getenv("CUSTOMER_HEALTH_LAUNCHER");
        if (set != null && !set.isBlank()) {
            return set;
        }
        try {
            java.nio.file.Path code = java.nio.file.Path.of(HealthJobs.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return code.toString().endsWith(".jar") ? "spark-submit --class " + HealthJobs.class.getName() + " " + code : "";
        } catch (java.net.URISyntaxException | RuntimeException e) {
            return "";
        }
    }

    /** Runs jobs with a SparkSession, config and context. */
    abstract static class JobCommand implements Callable<Integer> {
        @Mixin
        JobOptions options;

        @CommandLine.ParentCommand
        HealthJobs parent;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        abstract List<Job> jobs();

        @Override
        public Integer call() {
            AppConfig config = options.loadConfig(); // before Spark starts: bad config fails fast
            SparkSession spark = SparkSessions.getOrCreate("customer-health " + spec.name() + " " + options.runDate, config.output());
            JobContext ctx = JobContext.of(spark, config, options.runDate, options.runIdFor(spec.name()), parent.out,
                    new Invocation(launcher(), options.config.arguments()));
            if (options.dryRun) {
                Pipeline.dryRun(ctx, spec.name(), jobs());
            } else {
                Pipeline.run(ctx, spec.name(), jobs());
                AnalystViews.create(spark, config.output().database()); // the views over the tables this run registered
            }
            parent.out.flush();
            return 0;
        }
    }

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = "Read every warehouse table, check it against the input contract and write its quarantined rows to "
                    + "rejected_rows; exit 3 when a table fails a table rule or quarantines too many rows.")
    static final class Validate extends JobCommand {
        @Override
        List<Job> jobs() {
            return List.of(new ValidateJob());
        }
    }

    @Command(name = "score", mixinStandardHelpOptions = true,
            description = "Score the health of every account that is a customer on --run-date into account_health_scores "
                    + "and account_health_current.")
    static final class Score extends JobCommand {
        @Override
        List<Job> jobs() {
            return List.of(new ScoreJob());
        }
    }

    @Command(name = "cohorts", mixinStandardHelpOptions = true,
            description = "MRR movements, revenue metrics, cohort churn and retention up to the last complete month, "
                    + "and churn by health tier of the scores at --run-date minus cohorts.horizon-days.")
    static final class Cohorts extends JobCommand {
        @Override
        List<Job> jobs() {
            return List.of(new CohortsJob());
        }
    }

    @Command(name = "insights", mixinStandardHelpOptions = true,
            description = "Areas of concern and score trends per account, healthiest-peer benchmarks and customer segments "
                    + "for --run-date.")
    static final class Insights extends JobCommand {
        @Override
        List<Job> jobs() {
            return List.of(new InsightsJob());
        }
    }

    @Command(name = "calibrate", mixinStandardHelpOptions = true,
            description = "Fit the health-score weights to the churn observed before --run-date, judge them on a holdout, "
                    + "propose a version in health_weights and write the leadership report under report-path.")
    static final class Calibrate extends JobCommand {
        @Override
        List<Job> jobs() {
            return List.of(new CalibrateJob());
        }
    }

    @Command(name = "report", mixinStandardHelpOptions = true,
            description = "Publish the leadership report of --run-date's calibration again under report-path, from what calibrate "
                    + "recorded in calibration_reports, with the cohort, segment and success-profile tables as they are now.")
    static final class Report extends JobCommand {
        @Override
        List<Job> jobs() {
            return List.of(new ReportJob());
        }
    }

    @Command(name = "daily", mixinStandardHelpOptions = true,
            description = "The day's jobs for --run-date over one validated read of the warehouse, in order: score, cohorts, "
                    + "insights (run minus calibrate). What the daily Airflow DAG runs.")
    static final class Daily extends JobCommand {
        @Override
        List<Job> jobs() {
            return Pipeline.daily();
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Run the whole pipeline for --run-date, in order: score, cohorts, insights, calibrate.")
    static final class Run extends JobCommand {
        @Override
        List<Job> jobs() {
            return Pipeline.all();
        }
    }

    @Command(name = "approve", mixinStandardHelpOptions = true,
            description = "Approve a proposed weights version: scoring uses it from its next run; the version approved "
                    + "before is retired. History stays in health_weights. With --segment, approves that segment's own weights "
                    + "proposed beside the version (refused for a segment with too few churn events).")
    static final class Approve implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Option(names = "--version", required = true, paramLabel = "VERSION", description = "The health_weights version to approve.")
        String version;

        @Option(names = "--by", required = true, paramLabel = "NAME", description = "Who approves it (recorded in approved_by).")
        String by;

        @Option(names = "--accept-large-changes",
                description = "Needed when a weight moves more than calibration.max-weight-change points: you read the report.")
        boolean acceptLargeChanges;

        @Option(names = "--segment", paramLabel = "GROUPING=NAME",
                description = "industry=<name> or size_band=<name>: approve that segment's own weights proposed beside --version.")
        String segment;

        @CommandLine.ParentCommand
        HealthJobs parent;

        @Override
        public Integer call() {
            AppConfig cfg = config.load();
            SparkSession spark = SparkSessions.getOrCreate("customer-health approve " + version, cfg.output());
            DeltaTables tables = new DeltaTables(spark, cfg.output());
            WeightVersions versions = new WeightVersions(spark, tables);
            WeightVersions.Approval a = segment == null
                    ? versions.approve(version, by, acceptLargeChanges, cfg.model(), cfg.calibration().maxWeightChange(),
                            Timestamp.from(Instant.now()))
                    : versions.approveSegment(version, segment, by, acceptLargeChanges, cfg.model(), cfg.calibration().maxWeightChange(),
                            cfg.calibration().segmentMinChurnEvents(), Timestamp.from(Instant.now()));
            String of = a.modelPreset() + (segment == null ? "" : " " + segment);
            if (a.alreadyApprovedBy() != null) {
                parent.out.printf("approve: %s is already the approved version of %s (approved by %s); nothing changed.%n", a.version(),
                        of, a.alreadyApprovedBy());
            } else if (segment == null) {
                parent.out.printf("approve: %s is approved for %s (by %s)%s. Scoring uses it from its next run.%n", a.version(),
                        of, by, a.retired() == null ? "" : "; " + a.retired() + " is retired");
            } else {
                parent.out.printf("approve: %s is approved for %s (by %s)%s. Scoring uses it for the segment's accounts from its "
                        + "next run.%n", a.version(), of, by,
                        a.retired() == null ? "" : "; " + a.retired() + " is retired");
            }
            parent.out.printf("  table: %s%n", tables.describe(OutputTables.HEALTH_WEIGHTS));
            parent.out.flush();
            return 0;
        }
    }

    @Command(name = "sql", mixinStandardHelpOptions = true,
            description = "An SQL shell over the output tables and views by name (output.database is the current database): "
                    + "-e runs one statement and prints its result as a table; without -e, reads statements ending in ';' from "
                    + "standard input until exit, quit or end of input. Takes --conf and --set to find the tables.")
    static final class Sql implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Option(names = {"-e", "--execute"}, paramLabel = "SQL", description = "Run this one statement, print its result and exit.")
        String execute;

        @Option(names = "--max-rows", defaultValue = "1000", paramLabel = "N",
                description = "Print at most N rows of a result (default ${DEFAULT-VALUE}).")
        int maxRows;

        @CommandLine.ParentCommand
        HealthJobs parent;

        @Override
        public Integer call() {
            AppConfig cfg = config.load();
            if (cfg.output().database() == null) {
                throw JobFailure.badConfig("output.database is empty: the SQL shell finds the tables by name in that database. "
                        + "Set output.database (conf/local.conf sets default).", "");
            }
            if (maxRows < 1) {
                throw JobFailure.badConfig("--max-rows must be 1 or more.", "Got " + maxRows);
            }
            SparkSession spark = SparkSessions.getOrCreate("customer-health sql", cfg.output());
            DeltaTables tables = new DeltaTables(spark, cfg.output());
            tables.registerExisting();
            AnalystViews.create(spark, cfg.output().database());
            String before = spark.catalog().currentDatabase();
            spark.catalog().setCurrentDatabase(cfg.output().database());
            try { // the session is this process's, but the tests share theirs: leave its current database as it was
                SqlShell shell = new SqlShell(spark, parent.out, maxRows);
                if (execute != null) {
                    shell.runOne(execute);
                    parent.out.flush();
                    return 0;
                }
                boolean console = System.console() != null;
                if (console) {
                    parent.out.println("Tables and views of " + cfg.output().database() + ": SHOW TABLES; end each statement with "
                            + "';', exit to leave.");
                }
                java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
                        java.nio.charset.StandardCharsets.UTF_8));
                return shell.interactive(in, parent.err, console) == 0 ? 0 : JobFailure.BAD_CONFIG;
            } finally {
                spark.catalog().setCurrentDatabase(before);
            }
        }
    }

    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = "Write a synthetic warehouse that follows the input contract, with churn from a planted model.")
    static final class Generate implements Callable<Integer> {
        @Option(names = "--accounts", required = true, paramLabel = "N", description = "Number of accounts.")
        int accounts;

        @Option(names = "--months", required = true, paramLabel = "M", description = "Months of history, ending at --end-date.")
        int months;

        @Option(names = "--seed", defaultValue = "42", paramLabel = "S", description = "Random seed (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder: one sub-folder per table.")
        String out;

        @Option(names = "--end-date", defaultValue = "2026-09-30", paramLabel = "YYYY-MM-DD",
                description = "Last day of the generated history (default ${DEFAULT-VALUE}).")
        LocalDate endDate;

        @Option(names = "--format", defaultValue = "parquet", paramLabel = "FORMAT",
                description = "parquet or csv (default ${DEFAULT-VALUE}).")
        String format;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (accounts <= 0 || months <= 0) {
                throw JobFailure.badConfig("--accounts and --months must be above 0.", "Got " + accounts + " and " + months);
            }
            if (!format.equals("parquet") && !format.equals("csv")) {
                throw JobFailure.badConfig("--format " + format + " is not supported: use parquet or csv.", "");
            }
            SparkSession spark = SparkSessions.getOrCreate("customer-health generate");
            new WarehouseGenerator(spark, seed, accounts, months, endDate).write(out, format);
            spec.commandLine().getOut().printf("Generated %,d accounts over %d months ending %s (seed %d) as %s in %s%n",
                    accounts, months, endDate, seed, format, out);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
