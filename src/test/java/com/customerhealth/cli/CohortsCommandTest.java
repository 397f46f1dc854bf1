package com.customerhealth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** `cohorts` end to end through the CLI on the fixture: its tables, the horizon start scored with the scoring code, identical re-runs. */
class CohortsCommandTest {
    private final CliFixture run = CliFixture.standard();

    @Test
    void cohortsWritesItsTablesScoresTheHorizonStartWithTheScoringCodeAndReRunsIdentically() {
        String[] cohorts = run.job("cohorts", "2024-06-30", "--set", "cohorts.horizon-days=30");
        assertThat(run.cli(cohorts)).as(run.err()).isZero();
        assertThat(run.out()).contains("cohorts 2024-06-30: months through 2024-06-30", "health_tier_churn");
        // No scores existed for 2024-05-31: the job wrote them with the scoring code.
        assertThat(run.table("account_health_scores").select("score_date").distinct().collectAsList())
                .extracting(r -> r.getDate(0).toString()).containsExactly("2024-05-31");
        List<String> names = List.of("mrr_movements", "revenue_metrics_monthly", "cohort_churn", "cohort_retention", "health_tier_churn");
        Map<String, List<Row>> first = new java.util.HashMap<>();
        for (String name : names) {
            first.put(name, CliFixture.sortedJson(run.table(name)));
            assertThat(first.get(name)).as(name).isNotEmpty();
        }
        Row overall = run.table("health_tier_churn").where("grouping = 'overall'").first();
        assertThat((Long) overall.getAs("accounts")).isEqualTo(3);  // A1, A2, A3 were customers on 2024-05-31
        assertThat((Long) overall.getAs("churned")).isZero();

        assertThat(run.cli(cohorts)).as(run.err()).isZero();

        for (String name : names) {
            assertThat(CliFixture.sortedJson(run.table(name))).as(name).isEqualTo(first.get(name));
        }
    }

    @Test
    void cohortsBeforeAnyCompleteMonthWritesOnlyTheTierTable() {
        assertThat(run.cli(run.job("cohorts", "2023-01-20", "--set", "validation.rows-after-run-date=exclude"))).as(run.err()).isZero();

        assertThat(run.out()).contains("no complete month of subscriptions yet");
        assertThat(Files.exists(Path.of(run.fixture().output().path(), "health_tier_churn"))).isTrue();
        assertThat(Files.exists(Path.of(run.fixture().output().path(), "mrr_movements"))).isFalse();
    }
}
