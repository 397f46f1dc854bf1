package com.customerhealth.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.customerhealth.Cli;
import com.customerhealth.FixtureWarehouse;
import com.customerhealth.TestSpark;
import com.customerhealth.cli.HealthJobs;
import com.customerhealth.config.AppConfig;
import com.customerhealth.it.OutputComparison;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What Airflow does to a job: kills it (a lost worker, a timeout: SIGKILL), runs two tries of one date
 * at once, and runs it while the warehouse is being loaded. Each case is stopped at a fault point of
 * conf ({@code testing.pause-at}) and ends compared with an uninterrupted run of the same dates.
 */
class FaultToleranceIT {
    private static final String MAY = "2024-05-31";
    private static final String JUNE = "2024-06-30";

    private static Path expected;

    private final SparkSession spark = TestSpark.session();
    private AppConfig fixture;

    /** Each test's own copy of the standard fixture (one test rewrites it), and once, the uninterrupted run. */
    @BeforeEach
    void fixtureAndUninterruptedRun() throws IOException {
        fixture = FixtureWarehouse.standard().writeAndConfigure(spark, Map.of());
        if (expected == null) {
            Path uninterrupted = Files.createTempDirectory("faults-expected");
            assertThat(score(MAY, uninterrupted).code()).isZero();
            assertThat(score(JUNE, uninterrupted).code()).isZero();
            expected = uninterrupted;
        }
    }

    private List<String> args(String date, Path output, String... extra) {
        return args("score", date, output, extra);
    }

    private List<String> args(String command, String date, Path output, String... extra) {
        List<String> a = new ArrayList<>(List.of(command, "--run-date", date,
                "--conf", FixtureWarehouse.fixtureModelConf().toString(),
                "--set", "input.root=" + fixture.raw().getString("input.root"),
                "--set", "output.path=" + output,
                "--set", "output.database=",
                "--set", "validation.rows-after-run-date=exclude"));
        a.addAll(List.of(extra));
        return a;
    }

    private Cli score(String date, Path output, String... extra) {
        return Cli.run(args(date, output, extra).toArray(String[]::new));
    }

    private Path output() {
        return Path.of(fixture.output().path());
    }

    private Dataset<Row> table(String name) {
        return spark.read().format("delta").load(output().resolve(name).toString());
    }

    private long version(String name) {
        return spark.sql("DESCRIBE HISTORY delta.`" + output().resolve(name) + "`").agg(org.apache.spark.sql.functions.max("version"))
                .first().getLong(0);
    }

    private static List<Row> rows(Dataset<Row> df) {
        return df.selectExpr("to_json(struct(*)) AS j").orderBy("j").collectAsList();
    }

    private static String[] pause(String point, Path signals) {
        return new String[] {"--set", "testing.pause-at=" + point, "--set", "testing.signal-dir=" + signals};
    }

    private static void awaitFile(Path file) throws InterruptedException {
        long deadline = System.currentTimeMillis() + TimeUnit.MINUTES.toMillis(5);
        while (!Files.exists(file)) {
            assertThat(System.currentTimeMillis()).as("waiting for %s", file).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** Starts the CLI in a JVM of its own (local Spark, the test JVM's class path and module flags). */
    private static Process jvm(List<String> cliArgs, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g"));
        command.addAll(TestSpark.childJvmOptions());
        command.addAll(List.of("-Dspark.master=local[2]", "-Dspark.ui.enabled=false", "-Dspark.driver.host=127.0.0.1",
                "-Dspark.driver.bindAddress=127.0.0.1", "-Dspark.sql.shuffle.partitions=2", "-Duser.timezone=UTC",
                "-Dspark.sql.warehouse.dir=" + Files.createTempDirectory("faults-warehouse"),
                "-cp", System.getProperty("java.class.path"), HealthJobs.class.getName()));
        command.addAll(cliArgs);
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Runs the CLI in its own JVM until it reaches {@code point}, then kills it with SIGKILL. */
    private void killAt(String point, String date) throws Exception {
        killAt(point, args(date, output()));
    }

    /** Runs the CLI with {@code cliArgs} in its own JVM until it reaches {@code point}, then kills it with SIGKILL. */
    private static void killAt(String point, List<String> cliArgs) throws Exception {
        Path signals = Files.createTempDirectory("faults-signals");
        Path log = signals.resolve("jvm.log");
        List<String> paused = new ArrayList<>(cliArgs);
        paused.addAll(List.of(pause(point, signals)));
        Process p = jvm(paused, log);
        try {
            long deadline = System.currentTimeMillis() + TimeUnit.MINUTES.toMillis(5);
            Path reached = signals.resolve(point.replace(':', '_') + ".reached");
            while (!Files.exists(reached)) {
                assertThat(p.isAlive()).as("the job ended before %s:%n%s", point, Files.exists(log) ? Files.readString(log) : "")
                        .isTrue();
                assertThat(System.currentTimeMillis()).as("waiting for %s", point).isLessThan(deadline);
                Thread.sleep(50);
            }
        } finally {
            p.destroyForcibly(); // SIGKILL on Unix: no shutdown hook, no cleanup
            p.waitFor(1, TimeUnit.MINUTES);
        }
        assertThat(p.exitValue()).isEqualTo(137);
    }

    @Test
    void aJobKilledInsideOrBetweenItsWritesLeavesEveryTableAtItsLastCommitAndTheReRunCompletesIt() throws Exception {
        assertThat(score(MAY, output()).code()).isZero();
        long scores = version("account_health_scores");
        long current = version("account_health_current");
        List<Row> scoresBefore = rows(table("account_health_scores"));
        List<Row> currentBefore = rows(table("account_health_current"));

        // Killed while its tasks write June's score files: nothing of June is committed.
        killAt("in-write:account_health_scores", JUNE);
        assertThat(version("account_health_scores")).isEqualTo(scores);
        assertThat(rows(table("account_health_scores"))).isEqualTo(scoresBefore);
        assertThat(version("account_health_current")).isEqualTo(current);

        // Killed between its two writes: June's scores are committed, current is as it was.
        killAt("before-write:account_health_current", JUNE);
        assertThat(version("account_health_scores")).isEqualTo(scores + 1);
        assertThat(table("account_health_scores").where("score_date = DATE'" + JUNE + "'").count()).isEqualTo(3);
        assertThat(version("account_health_current")).isEqualTo(current);
        assertThat(rows(table("account_health_current"))).isEqualTo(currentBefore);

        // Airflow's retry: the re-run ends with exactly the tables of a run never interrupted.
        Cli retry = score(JUNE, output());
        assertThat(retry.code()).as(retry.err()).isZero();
        OutputComparison.assertSameTables(spark, expected, output());
    }

    @Test
    void cohortsAndInsightsKilledInsideTheirWritesLeaveEveryTableReadableAndTheReRunCompletesThem() throws Exception {
        Path uninterrupted = Files.createTempDirectory("faults-daily-expected");
        Cli reference = Cli.run(args("daily", JUNE, uninterrupted).toArray(String[]::new));
        assertThat(reference.code()).as(reference.err()).isZero();

        // Killed inside cohort_churn's write: score's tables and the cohort tables written before it are committed,
        // cohort_churn holds nothing of June.
        killAt("in-write:cohort_churn", args("daily", JUNE, output()));
        assertThat(rows(output(), "account_health_scores")).isEqualTo(rows(uninterrupted, "account_health_scores")).isPositive();
        assertThat(rows(output(), "mrr_movements")).isEqualTo(rows(uninterrupted, "mrr_movements")).isPositive();
        assertThat(rows(output(), "cohort_churn")).isZero();
        assertThat(rows(output(), "customer_segments")).isZero();

        // Airflow's retry is killed inside customer_segments' write: the cohort tables are whole now, the insights
        // table before it (account_health_drivers) too, and customer_segments still holds nothing.
        killAt("in-write:customer_segments", args("daily", JUNE, output()));
        assertThat(rows(output(), "cohort_churn")).isEqualTo(rows(uninterrupted, "cohort_churn")).isPositive();
        assertThat(rows(output(), "account_health_drivers")).isEqualTo(rows(uninterrupted, "account_health_drivers")).isPositive();
        assertThat(rows(output(), "customer_segments")).isZero();

        // The next retry ends with the tables of the run never interrupted.
        Cli retry = Cli.run(args("daily", JUNE, output()).toArray(String[]::new));
        assertThat(retry.code()).as(retry.err()).isZero();
        OutputComparison.assertSameTables(spark, uninterrupted, output());
        // job_runs tells what happened: a job that finished has its row, a killed job none (three tries of score,
        // two of cohorts, one of insights).
        assertThat(spark.read().format("delta").load(output().resolve("job_runs").toString())
                .where("status = 'succeeded'").groupBy("job").count().orderBy("job").collectAsList())
                .extracting(Object::toString).containsExactly("[cohorts,2]", "[insights,1]", "[score,3]");
    }

    @Test
    void calibrateKilledInsideItsWritesLeavesEveryTableReadableAndTheReRunCompletesIt() throws Exception {
        Path root = Files.createTempDirectory("faults-calibrate");
        Path expectedOut = root.resolve("expected");
        Path out = root.resolve("out");
        Cli reference = Cli.run(calibrate(expectedOut).toArray(String[]::new));
        assertThat(reference.code()).as(reference.err()).isZero();

        // Killed inside the proposal's write: no version, no figures.
        killAt("in-write:health_weights", calibrate(out));
        assertThat(rows(out, "health_weights")).isZero();
        assertThat(rows(out, "calibration_runs")).isZero();

        // The retry is killed as it writes the report's row (a one-row write: in-write pauses on a task's second row,
        // so the kill lands at its start): the proposal and its figures are committed, the report is neither in
        // calibration_reports nor published.
        killAt("before-write:calibration_reports", calibrate(out));
        assertThat(rows(out, "health_weights")).isEqualTo(rows(expectedOut, "health_weights")).isGreaterThanOrEqualTo(12);
        assertThat(rows(out, "calibration_runs")).isEqualTo(rows(expectedOut, "calibration_runs")).isPositive();
        assertThat(rows(out, "calibration_reports")).isZero();
        assertThat(out.resolve("reports/calibration-2026-09-30")).doesNotExist();

        // The next retry keeps the proposal already recorded and completes the rest: the uninterrupted run's tables.
        Cli retry = Cli.run(calibrate(out).toArray(String[]::new));
        assertThat(retry.code()).as(retry.err()).isZero();
        assertThat(retry.out()).contains("already in health_weights");
        OutputComparison.assertSameTables(spark, expectedOut, out);
        assertThat(out.resolve("reports/calibration-2026-09-30/report.html")).exists();
    }

    /** calibrate on the integration runs' generated warehouse, with their trimmed calibration. */
    private static List<String> calibrate(Path output) {
        List<String> args = new ArrayList<>(List.of("calibrate", "--run-date", PipelineRun.RUN_DATE,
                "--set", "input.root=" + PipelineRun.warehouse(), "--set", "output.path=" + output, "--set", "output.database="));
        args.addAll(PipelineRun.TRIMMED_CALIBRATION);
        return args;
    }

    /** The rows of a table under {@code output}; 0 when the table was never created. Reading it proves it readable. */
    private long rows(Path output, String name) {
        Path table = output.resolve(name);
        return Files.isDirectory(table.resolve("_delta_log")) ? spark.read().format("delta").load(table.toString()).count() : 0;
    }

    @Test
    void twoTriesOfOneDateAtOnceEndWithOneCopyOfItsRows() throws Exception {
        Path signals = Files.createTempDirectory("faults-signals");
        // Try 1 starts writing June's scores and is held inside the write, its transaction begun ...
        CompletableFuture<Cli> first = CompletableFuture.supplyAsync(() -> score(JUNE, output(),
                concat(pause("in-write:account_health_scores", signals), "--run-id", "try-1")));
        awaitFile(signals.resolve("in-write_account_health_scores.reached"));
        // ... while try 2 runs the same date to the end.
        Cli second = score(JUNE, output(), "--run-id", "try-2");
        assertThat(second.code()).as(second.err()).isZero();
        assertThat(table("account_health_scores").where("score_date = DATE'" + JUNE + "' AND run_id = 'try-2'").count()).isEqualTo(3);

        // Try 1's commit now conflicts with try 2's (Delta's optimistic concurrency); it writes again over it.
        Files.createFile(signals.resolve("in-write_account_health_scores.resume"));
        Cli firstResult = first.get(5, TimeUnit.MINUTES);
        assertThat(firstResult.code()).as(firstResult.err()).isZero();

        assertThat(table("account_health_scores").where("score_date = DATE'" + JUNE + "'").groupBy("run_id").count()
                .collectAsList()).extracting(Object::toString).containsExactly("[try-1,3]");
        assertThat(table("account_health_current").count()).isEqualTo(3);
        assertThat(table("account_health_current").groupBy("account_id").count().where("count > 1").count()).isZero();
    }

    @Test
    void anInputChangedBetweenTheReadAndTheWritesDoesNotReachTheRun() throws Exception {
        assertThat(score(MAY, output()).code()).isZero();
        Path signals = Files.createTempDirectory("faults-signals");
        CompletableFuture<Cli> run = CompletableFuture.supplyAsync(() -> score(JUNE, output(), pause("after-read", signals)));
        awaitFile(signals.resolve("after-read.reached"));
        // The warehouse load rewrites usage_daily meanwhile: A1 no longer has any usage in June.
        Path root = Path.of(fixture.raw().getString("input.root"));
        FixtureWarehouse.standard().without("usage_daily", "A1").write(spark, root);
        Files.createFile(signals.resolve("after-read.resume"));
        Cli result = run.get(5, TimeUnit.MINUTES);
        assertThat(result.code()).as(result.err()).isZero();

        // The run scored the warehouse as it read it, whole: exactly the uninterrupted run's tables.
        OutputComparison.assertSameTables(spark, expected, output());
        // And the change mattered: a run that reads the changed warehouse scores A1 differently.
        Path after = Files.createTempDirectory("faults-after");
        assertThat(score(JUNE, after).code()).isZero();
        String a1 = "account_id = 'A1' AND score_date = DATE'" + JUNE + "'";
        assertThat(spark.read().format("delta").load(after.resolve("account_health_scores").toString()).where(a1).first()
                .<Double>getAs("usage_score"))
                .isNotEqualTo(table("account_health_scores").where(a1).first().<Double>getAs("usage_score"));
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
