package com.customerhealth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.customerhealth.FixtureWarehouse;
import com.customerhealth.config.AppConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The CLI's exit codes and one-line errors: 2 for bad usage or configuration, 3 for bad input, 1 for the unexpected. */
class ExitCodeTest {
    private final CliFixture run = CliFixture.standard();

    @Test
    void badUsageExitsTwoWithAOneLineReason() {
        assertThat(run.cli("score")).isEqualTo(2);
        assertThat(run.err().lines().findFirst().orElseThrow()).startsWith("ERROR: Missing required option: '--run-date");

        assertThat(run.cli("score", "--run-date", "2024-02-31")).isEqualTo(2);
        assertThat(run.err()).startsWith("ERROR: ").contains("--run-date");

        assertThat(run.cli("explode", "--run-date", "2024-06-30")).isEqualTo(2);
    }

    @Test
    void badConfigExitsTwoNamingTheKey() {
        assertThat(run.cli(run.job("score", "2024-06-30", "--set", "model-preset=nope"))).isEqualTo(2);
        assertThat(run.err().lines().findFirst().orElseThrow()).startsWith("ERROR: model-preset = nope names no model").contains("fixture");

        assertThat(run.cli(run.job("score", "2024-06-30", "--set", "validation.max-rejected-share=lots"))).isEqualTo(2);
        assertThat(run.err()).contains("validation.max-rejected-share");

        assertThat(run.cli("score", "--run-date", "2024-06-30", "--conf", "/no/such/file.conf")).isEqualTo(2);
        assertThat(run.err()).contains("/no/such/file.conf does not exist");
    }

    @Test
    void invalidInputExitsThreeAndStillRecordsTheRejectedRows() {
        AppConfig bad = FixtureWarehouse.standard().survey("A1", "2024-01-01", "NPS", 42).writeAndConfigure(run.spark(), Map.of());
        run.use(bad);

        assertThat(run.cli(run.job("score", "2024-06-30"))).isEqualTo(3);

        assertThat(run.err().lines().findFirst().orElseThrow()).startsWith("ERROR: Table survey_responses").contains("score_out_of_scale");
        assertThat(run.table("rejected_rows").where("table_name = 'survey_responses' AND rule = 'score_out_of_scale'").count()).isEqualTo(1);
        assertThat(Files.exists(Path.of(run.fixture().output().path(), "account_health_scores"))).isFalse();
    }

    @Test
    void aMissingInputTableExitsThreeNamingTheSource() {
        assertThat(run.cli(run.job("score", "2024-06-30", "--set", "input.tables.invoices.path=/no/such/invoices"))).isEqualTo(3);
        assertThat(run.err().lines().findFirst().orElseThrow()).startsWith("ERROR: Table invoices cannot be read from parquet at /no/such/invoices");
    }

    @Test
    void aSourceThatFailsWhileBeingReadExitsThreeNamingIt() throws Exception {
        // A second file in usage_daily whose active_users is text: the schema is read from one file, the failure comes mid-read.
        Path usage = Path.of(run.fixture().raw().getString("input.root"), "usage_daily");
        run.spark().sql("SELECT 'A1' AS account_id, DATE'2024-06-01' AS usage_date, 'many' AS active_users, 1L AS sessions, "
                + "1L AS key_feature_events, 1 AS features_used").coalesce(1).write().mode("append").parquet(usage.toString());

        assertThat(run.cli(run.job("score", "2024-06-30"))).isEqualTo(3);

        assertThat(run.err().lines().findFirst().orElseThrow()).startsWith("ERROR: Table usage_daily failed while being read from parquet at ");
    }

    @Test
    void anUnexpectedFailureExitsOne() throws Exception {
        Path file = Files.createTempFile("not-a-folder", ".txt");
        assertThat(run.cli(run.job("score", "2024-06-30", "--set", "output.path=" + file))).isEqualTo(1);
        assertThat(run.err()).startsWith("ERROR: ").contains("This is unexpected");
    }
}
