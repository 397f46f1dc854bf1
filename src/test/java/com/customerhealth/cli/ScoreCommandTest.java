package com.customerhealth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.customerhealth.FixtureWarehouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** `score` end to end through the CLI on the fixture: idempotent re-runs, back-fills, the current table's fall-backs, catalog registration and catalog-managed tables. */
class ScoreCommandTest {
    private final CliFixture run = CliFixture.standard();

    @Test
    void reRunningADateLeavesTheSameRowsAndOtherDatesUntouched() {
        assertThat(run.cli(run.job("score", "2024-05-31", "--set", "validation.rows-after-run-date=exclude"))).as(run.err()).isZero();
        List<Row> may = CliFixture.sorted(run.table("account_health_scores").where("score_date = DATE'2024-05-31'"));
        assertThat(run.cli(run.job("score", "2024-06-30"))).as(run.err()).isZero();
        List<Row> scoresFirst = CliFixture.sorted(run.table("account_health_scores"));
        List<Row> currentFirst = CliFixture.sorted(run.table("account_health_current"));

        assertThat(run.cli(run.job("score", "2024-06-30"))).as(run.err()).isZero();

        assertThat(CliFixture.sorted(run.table("account_health_scores"))).isEqualTo(scoresFirst);
        assertThat(CliFixture.sorted(run.table("account_health_current"))).isEqualTo(currentFirst);
        assertThat(CliFixture.sorted(run.table("account_health_scores").where("score_date = DATE'2024-05-31'"))).isEqualTo(may);
        assertThat(run.table("account_health_scores").where("score_date = DATE'2024-06-30'").count()).isEqualTo(3);
        assertThat(run.table("account_health_current").groupBy("account_id").count().where("count > 1").count()).isZero();
    }

    @Test
    void backfillingAnOlderDateNeverOverwritesANewerCurrentScore() {
        assertThat(run.cli(run.job("score", "2024-06-30"))).as(run.err()).isZero();
        List<Row> current = CliFixture.sorted(run.table("account_health_current"));

        // Under the default policy a backfill quarantines every later row, and says what to do instead.
        assertThat(run.cli(run.job("score", "2024-05-31"))).isEqualTo(3);
        assertThat(run.err().lines().findFirst().orElseThrow()).contains("date_after_run_date", "validation.rows-after-run-date = exclude");

        assertThat(run.cli(run.job("score", "2024-05-31", "--set", "validation.rows-after-run-date=exclude"))).as(run.err()).isZero();

        assertThat(CliFixture.sorted(run.table("account_health_current"))).isEqualTo(current);
        assertThat(run.table("account_health_scores").select("score_date").distinct().count()).isEqualTo(2);
    }

    @Test
    void tablesAreRegisteredInTheCatalogWhenADatabaseIsSet() {
        assertThat(run.cli(run.job("score", "2024-06-30", "--set", "output.database=health_cli_test"))).as(run.err()).isZero();

        assertThat(run.spark().sql("SELECT health_tier, count(*) FROM health_cli_test.account_health_scores GROUP BY health_tier").count())
                .isEqualTo(2);
    }

    /** Rewrites the fixture's input tables in place (same input.root) with A2's contract ended mid-June. */
    private void endA2InMidJune() {
        FixtureWarehouse.standard().without("subscription_periods", "A2").period("A2", "2023-01-01", "2024-06-15", 500, 10)
                .write(run.spark(), Path.of(run.fixture().raw().getString("input.root")));
    }

    @Test
    void reRunningADateThatLostAnAccountFallsBackToItsOlderScoreInCurrent() {
        assertThat(run.cli(run.job("score", "2024-05-31", "--set", "validation.rows-after-run-date=exclude"))).as(run.err()).isZero();
        assertThat(run.cli(run.job("score", "2024-06-30"))).as(run.err()).isZero();
        endA2InMidJune();

        assertThat(run.cli(run.job("score", "2024-06-30"))).as(run.err()).isZero();

        assertThat(run.table("account_health_scores").where("score_date = DATE'2024-06-30'").count()).isEqualTo(2);
        Row a2 = run.table("account_health_current").where("account_id = 'A2'").first();
        assertThat(a2.<java.sql.Date>getAs("score_date")).isEqualTo(java.sql.Date.valueOf("2024-05-31"));
        // current is exactly the newest row per account of the history.
        Dataset<Row> newest = run.table("account_health_scores")
                .withColumn("_rank", org.apache.spark.sql.functions.row_number().over(
                        org.apache.spark.sql.expressions.Window.partitionBy("account_id").orderBy(org.apache.spark.sql.functions.col("score_date").desc())))
                .where("_rank = 1").drop("_rank");
        assertThat(CliFixture.sorted(run.table("account_health_current").drop("is_current_customer"))).isEqualTo(CliFixture.sorted(newest))
                .hasSize(3);
        // A2 fell back to May: no longer a customer on the newest date.
        assertThat(run.table("account_health_current").where("is_current_customer").select("account_id").orderBy("account_id")
                .collectAsList()).extracting(r -> r.getString(0)).containsExactly("A1", "A3");
    }

    @Test
    void reRunningADateThatLostAnAccountWithNoOlderScoreRemovesItFromCurrent() {
        assertThat(run.cli(run.job("score", "2024-06-30"))).as(run.err()).isZero();
        endA2InMidJune();

        assertThat(run.cli(run.job("score", "2024-06-30"))).as(run.err()).isZero();

        assertThat(run.table("account_health_current").select("account_id").orderBy("account_id").collectAsList())
                .extracting(r -> r.getString(0)).containsExactly("A1", "A3");
    }

    @Test
    void withoutAPathTheTablesAreCatalogManagedAndReRunsStayIdempotent() {
        String[] may = run.job("score", "2024-05-31", "--set", "output.path=", "--set", "output.database=health_managed_test",
                "--set", "validation.rows-after-run-date=exclude");
        String[] managed = run.job("score", "2024-06-30", "--set", "output.path=", "--set", "output.database=health_managed_test");
        assertThat(run.cli(may)).as(run.err()).isZero();
        assertThat(run.cli(managed)).as(run.err()).isZero();
        List<Row> first = CliFixture.sorted(run.spark().table("health_managed_test.account_health_scores"));
        assertThat(run.cli(managed)).as(run.err()).isZero();

        assertThat(CliFixture.sorted(run.spark().table("health_managed_test.account_health_scores"))).isEqualTo(first);
        assertThat(run.spark().table("health_managed_test.account_health_scores").where("score_date = DATE'2024-06-30'").count()).isEqualTo(3);

        assertThat(run.out()).contains("health_managed_test.account_health_scores");
        assertThat(run.spark().table("health_managed_test.account_health_current").count()).isEqualTo(3);
        assertThat(run.spark().table("health_managed_test.rejected_rows").count()).isZero();
        assertThat(Files.exists(Path.of(run.fixture().output().path()))).isFalse();
    }
}
