package com.customerhealth;

import static org.assertj.core.api.Assertions.assertThat;

import com.customerhealth.config.AppConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The CLI end to end on the fixture: exit codes, Delta outputs, idempotent re-runs. */
class ScoreJobCliTest {
    private final SparkSession spark = TestSpark.session();
    private AppConfig fixture;
    private String out;
    private String err;

    @BeforeEach
    void writeFixture() {
        fixture = FixtureWarehouse.standard().writeAndConfigure(spark, Map.of());
    }

    private int cli(String... args) {
        Cli run = Cli.run(args);
        out = run.out();
        err = run.err();
        return run.code();
    }

    /** Arguments that point a job at the fixture, plus extra ones. */
    private String[] job(String command, String runDate, String... extra) {
        return FixtureWarehouse.jobArgs(fixture, command, runDate, extra);
    }

    private Dataset<Row> table(String name) {
        return spark.read().format("delta").load(fixture.output().path() + "/" + name);
    }

    private static String contentOf(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<Row> sorted(Dataset<Row> df) {
        return df.orderBy(df.columns()[0], df.columns()[1]).collectAsList();
    }

    @Test
    void runWritesEveryTableAndPrintsTheTierSummary() {
        assertThat(cli(job("run", "2024-06-30"))).as(err).isZero();

        assertThat(out).contains("3 customer accounts scored", "healthy", "at_risk", "account_health_scores", "cohorts 2024-06-30");
        assertThat(table("account_health_scores").where("score_date = DATE'2024-06-30'").count()).isEqualTo(3);
        // cohorts then scored D - 90 days for health_tier_churn: A1, A2, A3 were customers on 2024-04-01.
        assertThat(table("account_health_scores").where("score_date = DATE'2024-04-01'").count()).isEqualTo(3);
        assertThat(table("account_health_current").count()).isEqualTo(3);
        assertThat(table("account_health_current").where("score_date = DATE'2024-06-30'").count()).isEqualTo(3);
        assertThat(table("rejected_rows").count()).isZero();
        assertThat(table("health_tier_churn").count()).isPositive();
        assertThat(table("account_health_scores").select("run_id").distinct().first().getString(0)).isEqualTo("run-2024-06-30");
        // Column comments travel with the Delta schema.
        assertThat(table("account_health_scores").schema().apply("health_score").getComment().get()).contains("0-100");

        // calibrate ran last: four accounts give far too few churn events, so it proposes nothing, says why,
        // records the run and writes the report beside the tables.
        assertThat(out).contains("calibrate 2024-06-30", "nothing proposed", "below the minimum of 50");
        assertThat(table("calibration_runs").where("run_date = DATE'2024-06-30'").select("status").distinct().first().getString(0))
                .isEqualTo("no_proposal");
        assertThat(Path.of(fixture.output().path(), "health_weights")).doesNotExist();
        Path report = Path.of(fixture.output().path(), "reports", "calibration-2024-06-30");
        assertThat(report.resolve("report.html")).content().contains("Nothing is proposed", "below the minimum of 50");
        assertThat(report.resolve("report.json")).exists();
        assertThat(report.resolve("summary.md")).exists();
        // insights ran between them: every table of D, and a re-run leaves each one as it was.
        assertThat(out).contains("insights 2024-06-30", "segment");
        List<String> insightTables = List.of("account_health_drivers", "peer_benchmarks", "customer_segments", "segment_tier_summary",
                "success_profile");
        List<List<Row>> before = new ArrayList<>();
        for (String t : insightTables) {
            assertThat(table(t).count()).as(t).isPositive();
            before.add(sortedJson(table(t)));
        }
        assertThat(table("experience_metrics_monthly").count()).isPositive();
        assertThat(cli(job("insights", "2024-06-30", "--run-id", "run-2024-06-30"))).as(err).isZero();
        for (int i = 0; i < insightTables.size(); i++) {
            assertThat(sortedJson(table(insightTables.get(i)))).as(insightTables.get(i)).isEqualTo(before.get(i));
        }
        // report renders the recorded calibration again: the same files.
        String html = contentOf(report.resolve("report.html"));
        String json = contentOf(report.resolve("report.json"));
        assertThat(cli(job("report", "2024-06-30"))).as(err).isZero();
        assertThat(report.resolve("report.html")).hasContent(html);
        assertThat(report.resolve("report.json")).hasContent(json);
        // Every job of the run is in job_runs, in order, succeeded.
        assertThat(table("job_runs").where("command = 'run'").orderBy("started_at").select("job", "status").collectAsList())
                .extracting(Object::toString)
                .containsExactly("[score,succeeded]", "[cohorts,succeeded]", "[insights,succeeded]", "[calibrate,succeeded]");
    }

    @Test
    void reRunningADateLeavesTheSameRowsAndOtherDatesUntouched() {
        assertThat(cli(job("score", "2024-05-31", "--set", "validation.rows-after-run-date=exclude"))).as(err).isZero();
        List<Row> may = sorted(table("account_health_scores").where("score_date = DATE'2024-05-31'"));
        assertThat(cli(job("score", "2024-06-30"))).as(err).isZero();
        List<Row> scoresFirst = sorted(table("account_health_scores"));
        List<Row> currentFirst = sorted(table("account_health_current"));

        assertThat(cli(job("score", "2024-06-30"))).as(err).isZero();

        assertThat(sorted(table("account_health_scores"))).isEqualTo(scoresFirst);
        assertThat(sorted(table("account_health_current"))).isEqualTo(currentFirst);
        assertThat(sorted(table("account_health_scores").where("score_date = DATE'2024-05-31'"))).isEqualTo(may);
        assertThat(table("account_health_scores").where("score_date = DATE'2024-06-30'").count()).isEqualTo(3);
        assertThat(table("account_health_current").groupBy("account_id").count().where("count > 1").count()).isZero();
    }

    @Test
    void backfillingAnOlderDateNeverOverwritesANewerCurrentScore() {
        assertThat(cli(job("score", "2024-06-30"))).as(err).isZero();
        List<Row> current = sorted(table("account_health_current"));

        // Under the default policy a backfill quarantines every later row, and says what to do instead.
        assertThat(cli(job("score", "2024-05-31"))).isEqualTo(3);
        assertThat(err.lines().findFirst().orElseThrow()).contains("date_after_run_date", "validation.rows-after-run-date = exclude");

        assertThat(cli(job("score", "2024-05-31", "--set", "validation.rows-after-run-date=exclude"))).as(err).isZero();

        assertThat(sorted(table("account_health_current"))).isEqualTo(current);
        assertThat(table("account_health_scores").select("score_date").distinct().count()).isEqualTo(2);
    }

    @Test
    void tablesAreRegisteredInTheCatalogWhenADatabaseIsSet() {
        assertThat(cli(job("score", "2024-06-30", "--set", "output.database=health_cli_test"))).as(err).isZero();

        assertThat(spark.sql("SELECT health_tier, count(*) FROM health_cli_test.account_health_scores GROUP BY health_tier").count())
                .isEqualTo(2);
    }

    /** Rewrites the fixture's input tables in place (same input.root) with A2's contract ended mid-June. */
    private void endA2InMidJune() {
        FixtureWarehouse.standard().without("subscription_periods", "A2").period("A2", "2023-01-01", "2024-06-15", 500, 10)
                .write(spark, Path.of(fixture.raw().getString("input.root")));
    }

    @Test
    void reRunningADateThatLostAnAccountFallsBackToItsOlderScoreInCurrent() {
        assertThat(cli(job("score", "2024-05-31", "--set", "validation.rows-after-run-date=exclude"))).as(err).isZero();
        assertThat(cli(job("score", "2024-06-30"))).as(err).isZero();
        endA2InMidJune();

        assertThat(cli(job("score", "2024-06-30"))).as(err).isZero();

        assertThat(table("account_health_scores").where("score_date = DATE'2024-06-30'").count()).isEqualTo(2);
        Row a2 = table("account_health_current").where("account_id = 'A2'").first();
        assertThat(a2.<java.sql.Date>getAs("score_date")).isEqualTo(java.sql.Date.valueOf("2024-05-31"));
        // current is exactly the newest row per account of the history.
        Dataset<Row> newest = table("account_health_scores")
                .withColumn("_rank", org.apache.spark.sql.functions.row_number().over(
                        org.apache.spark.sql.expressions.Window.partitionBy("account_id").orderBy(org.apache.spark.sql.functions.col("score_date").desc())))
                .where("_rank = 1").drop("_rank");
        assertThat(sorted(table("account_health_current"))).isEqualTo(sorted(newest)).hasSize(3);
    }

    @Test
    void reRunningADateThatLostAnAccountWithNoOlderScoreRemovesItFromCurrent() {
        assertThat(cli(job("score", "2024-06-30"))).as(err).isZero();
        endA2InMidJune();

        assertThat(cli(job("score", "2024-06-30"))).as(err).isZero();

        assertThat(table("account_health_current").select("account_id").orderBy("account_id").collectAsList())
                .extracting(r -> r.getString(0)).containsExactly("A1", "A3");
    }

    @Test
    void aSourceThatFailsWhileBeingReadExitsThreeNamingIt() throws Exception {
        // A second file in usage_daily whose active_users is text: the schema is read from one file, the failure comes mid-read.
        Path usage = Path.of(fixture.raw().getString("input.root"), "usage_daily");
        spark.sql("SELECT 'A1' AS account_id, DATE'2024-06-01' AS usage_date, 'many' AS active_users, 1L AS sessions, "
                + "1L AS key_feature_events, 1 AS features_used").coalesce(1).write().mode("append").parquet(usage.toString());

        assertThat(cli(job("score", "2024-06-30"))).isEqualTo(3);

        assertThat(err.lines().findFirst().orElseThrow()).startsWith("ERROR: Table usage_daily failed while being read from parquet at ");
    }

    @Test
    void withoutAPathTheTablesAreCatalogManagedAndReRunsStayIdempotent() {
        String[] may = job("score", "2024-05-31", "--set", "output.path=", "--set", "output.database=health_managed_test",
                "--set", "validation.rows-after-run-date=exclude");
        String[] managed = job("score", "2024-06-30", "--set", "output.path=", "--set", "output.database=health_managed_test");
        assertThat(cli(may)).as(err).isZero();
        assertThat(cli(managed)).as(err).isZero();
        List<Row> first = sorted(spark.table("health_managed_test.account_health_scores"));
        assertThat(cli(managed)).as(err).isZero();

        assertThat(sorted(spark.table("health_managed_test.account_health_scores"))).isEqualTo(first);
        assertThat(spark.table("health_managed_test.account_health_scores").where("score_date = DATE'2024-06-30'").count()).isEqualTo(3);

        assertThat(out).contains("health_managed_test.account_health_scores");
        assertThat(spark.table("health_managed_test.account_health_current").count()).isEqualTo(3);
        assertThat(spark.table("health_managed_test.rejected_rows").count()).isZero();
        assertThat(Files.exists(Path.of(fixture.output().path()))).isFalse();
    }

    @Test
    void cohortsWritesItsTablesScoresTheHorizonStartWithTheScoringCodeAndReRunsIdentically() {
        String[] cohorts = job("cohorts", "2024-06-30", "--set", "cohorts.horizon-days=30");
        assertThat(cli(cohorts)).as(err).isZero();
        assertThat(out).contains("cohorts 2024-06-30: months through 2024-06-30", "health_tier_churn");
        // No scores existed for 2024-05-31: the job wrote them with the scoring code.
        assertThat(table("account_health_scores").select("score_date").distinct().collectAsList())
                .extracting(r -> r.getDate(0).toString()).containsExactly("2024-05-31");
        List<String> names = List.of("mrr_movements", "revenue_metrics_monthly", "cohort_churn", "cohort_retention", "health_tier_churn");
        Map<String, List<Row>> first = new java.util.HashMap<>();
        for (String name : names) {
            first.put(name, sortedJson(table(name)));
            assertThat(first.get(name)).as(name).isNotEmpty();
        }
        Row overall = table("health_tier_churn").where("grouping = 'overall'").first();
        assertThat((Long) overall.getAs("accounts")).isEqualTo(3);  // A1, A2, A3 were customers on 2024-05-31
        assertThat((Long) overall.getAs("churned")).isZero();

        assertThat(cli(cohorts)).as(err).isZero();

        for (String name : names) {
            assertThat(sortedJson(table(name))).as(name).isEqualTo(first.get(name));
        }
    }

    @Test
    void cohortsBeforeAnyCompleteMonthWritesOnlyTheTierTable() {
        assertThat(cli(job("cohorts", "2023-01-20", "--set", "validation.rows-after-run-date=exclude"))).as(err).isZero();

        assertThat(out).contains("no complete month of subscriptions yet");
        assertThat(Files.exists(Path.of(fixture.output().path(), "health_tier_churn"))).isTrue();
        assertThat(Files.exists(Path.of(fixture.output().path(), "mrr_movements"))).isFalse();
    }

    /** Rows as JSON strings, sorted: comparable also when they hold maps. */
    private static List<Row> sortedJson(Dataset<Row> df) {
        return df.selectExpr("to_json(struct(*)) AS j").orderBy("j").collectAsList();
    }

    @Test
    void badUsageExitsTwoWithAOneLineReason() {
        assertThat(cli("score")).isEqualTo(2);
        assertThat(err.lines().findFirst().orElseThrow()).startsWith("ERROR: Missing required option: '--run-date");

        assertThat(cli("score", "--run-date", "2024-02-31")).isEqualTo(2);
        assertThat(err).startsWith("ERROR: ").contains("--run-date");

        assertThat(cli("explode", "--run-date", "2024-06-30")).isEqualTo(2);
    }

    @Test
    void badConfigExitsTwoNamingTheKey() {
        assertThat(cli(job("score", "2024-06-30", "--set", "model-preset=nope"))).isEqualTo(2);
        assertThat(err.lines().findFirst().orElseThrow()).startsWith("ERROR: model-preset = nope names no model").contains("fixture");

        assertThat(cli(job("score", "2024-06-30", "--set", "validation.max-rejected-share=lots"))).isEqualTo(2);
        assertThat(err).contains("validation.max-rejected-share");

        assertThat(cli("score", "--run-date", "2024-06-30", "--conf", "/no/such/file.conf")).isEqualTo(2);
        assertThat(err).contains("/no/such/file.conf does not exist");
    }

    @Test
    void invalidInputExitsThreeAndStillRecordsTheRejectedRows() {
        AppConfig bad = FixtureWarehouse.standard().survey("A1", "2024-01-01", "NPS", 42).writeAndConfigure(spark, Map.of());
        fixture = bad;

        assertThat(cli(job("score", "2024-06-30"))).isEqualTo(3);

        assertThat(err.lines().findFirst().orElseThrow()).startsWith("ERROR: Table survey_responses").contains("score_out_of_scale");
        assertThat(table("rejected_rows").where("table_name = 'survey_responses' AND rule = 'score_out_of_scale'").count()).isEqualTo(1);
        assertThat(Files.exists(Path.of(fixture.output().path(), "account_health_scores"))).isFalse();
    }

    @Test
    void aMissingInputTableExitsThreeNamingTheSource() {
        assertThat(cli(job("score", "2024-06-30", "--set", "input.tables.invoices.path=/no/such/invoices"))).isEqualTo(3);
        assertThat(err.lines().findFirst().orElseThrow()).startsWith("ERROR: Table invoices cannot be read from parquet at /no/such/invoices");
    }

    @Test
    void anUnexpectedFailureExitsOne() throws Exception {
        Path file = Files.createTempFile("not-a-folder", ".txt");
        assertThat(cli(job("score", "2024-06-30", "--set", "output.path=" + file))).isEqualTo(1);
        assertThat(err).startsWith("ERROR: ").contains("This is unexpected");
    }
}
