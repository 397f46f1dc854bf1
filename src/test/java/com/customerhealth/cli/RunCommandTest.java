package com.customerhealth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** `run` end to end through the CLI on the fixture: every job in order, its tables, the report, job_runs, and re-runs of insights and report that change nothing. */
class RunCommandTest {
    private final CliFixture run = CliFixture.standard();

    @Test
    void runWritesEveryTableAndPrintsTheTierSummary() {
        assertThat(run.cli(run.job("run", "2024-06-30"))).as(run.err()).isZero();

        assertThat(run.out()).contains("3 customer accounts scored", "healthy", "at_risk", "account_health_scores", "cohorts 2024-06-30");
        assertThat(run.table("account_health_scores").where("score_date = DATE'2024-06-30'").count()).isEqualTo(3);
        // cohorts then scored D - 90 days for health_tier_churn: A1, A2, A3 were customers on 2024-04-01.
        assertThat(run.table("account_health_scores").where("score_date = DATE'2024-04-01'").count()).isEqualTo(3);
        assertThat(run.table("account_health_current").count()).isEqualTo(3);
        assertThat(run.table("account_health_current").where("score_date = DATE'2024-06-30'").count()).isEqualTo(3);
        assertThat(run.table("rejected_rows").count()).isZero();
        assertThat(run.table("health_tier_churn").count()).isPositive();
        assertThat(run.table("account_health_scores").select("run_id").distinct().first().getString(0)).isEqualTo("run-2024-06-30");
        // Column comments travel with the Delta schema.
        assertThat(run.table("account_health_scores").schema().apply("health_score").getComment().get()).contains("0-100");

        // calibrate ran last: four accounts give far too few churn events, so it proposes nothing, says why,
        // records the run and writes the report beside the tables.
        assertThat(run.out()).contains("calibrate 2024-06-30", "nothing proposed", "below the minimum of 50");
        assertThat(run.table("calibration_runs").where("run_date = DATE'2024-06-30'").select("status").distinct().first().getString(0))
                .isEqualTo("no_proposal");
        assertThat(Path.of(run.fixture().output().path(), "health_weights")).doesNotExist();
        Path report = Path.of(run.fixture().output().path(), "reports", "calibration-2024-06-30");
        assertThat(report.resolve("report.html")).content().contains("Nothing is proposed", "below the minimum of 50");
        assertThat(report.resolve("report.json")).exists();
        assertThat(report.resolve("summary.md")).exists();
        // insights ran between them: every table of D, and a re-run leaves each one as it was.
        assertThat(run.out()).contains("insights 2024-06-30", "segment");
        List<String> insightTables = List.of("account_health_drivers", "peer_benchmarks", "customer_segments", "segment_tier_summary",
                "success_profile", "score_drift");
        List<List<Row>> before = new ArrayList<>();
        for (String t : insightTables) {
            assertThat(run.table(t).count()).as(t).isPositive();
            before.add(CliFixture.sortedJson(run.table(t)));
        }
        assertThat(run.table("experience_metrics_monthly").count()).isPositive();
        List<Row> alertsBefore = CliFixture.sortedJson(run.table("health_alerts")); // insights wrote D's alerts (maybe none)
        assertThat(run.cli(run.job("insights", "2024-06-30", "--run-id", "run-2024-06-30"))).as(run.err()).isZero();
        for (int i = 0; i < insightTables.size(); i++) {
            assertThat(CliFixture.sortedJson(run.table(insightTables.get(i)))).as(insightTables.get(i)).isEqualTo(before.get(i));
        }
        assertThat(CliFixture.sortedJson(run.table("health_alerts"))).as("health_alerts").isEqualTo(alertsBefore);
        // report renders the recorded calibration again: the same files.
        String html = CliFixture.contentOf(report.resolve("report.html"));
        String json = CliFixture.contentOf(report.resolve("report.json"));
        assertThat(run.cli(run.job("report", "2024-06-30"))).as(run.err()).isZero();
        assertThat(report.resolve("report.html")).hasContent(html);
        assertThat(report.resolve("report.json")).hasContent(json);
        // Every job of the run is in job_runs, in order, succeeded.
        assertThat(run.table("job_runs").where("command = 'run'").orderBy("started_at").select("job", "status").collectAsList())
                .extracting(Object::toString)
                .containsExactly("[score,succeeded]", "[cohorts,succeeded]", "[insights,succeeded]", "[calibrate,succeeded]");
    }
}
