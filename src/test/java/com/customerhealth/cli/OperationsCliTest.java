package com.customerhealth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.customerhealth.Cli;
import com.customerhealth.FixtureWarehouse;
import com.customerhealth.TestSpark;
import com.customerhealth.config.AppConfig;
import com.customerhealth.io.OutputTables;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What an operator scheduling the jobs relies on: --dry-run, validate, report and the job_runs log. */
class OperationsCliTest {
    private final SparkSession spark = TestSpark.session();
    private AppConfig fixture;
    private Cli last;

    @BeforeEach
    void writeFixture() {
        fixture = FixtureWarehouse.standard().writeAndConfigure(spark, Map.of());
    }

    private int cli(String... args) {
        last = Cli.run(args);
        return last.code();
    }

    private String[] job(String command, String... extra) {
        return FixtureWarehouse.jobArgs(fixture, command, "2024-06-30", extra);
    }

    private Dataset<Row> jobRuns() {
        return spark.read().format("delta").load(fixture.output().path() + "/job_runs");
    }

    @Test
    void aDryRunChecksTheContractPrintsThePlanAndWritesNothing() {
        assertThat(cli(job("run", "--dry-run"))).as(last.err()).isZero();

        assertThat(last.out()).contains("Dry run of run", "nothing is written",
                "usage_daily", "parquet at " + fixture.raw().getString("input.root") + "/usage_daily",
                "1. score reads", "2. cohorts reads", "3. insights reads", "4. calibrate reads",
                "writes account_health_scores", "writes health_weights", "calibration-2024-06-30", "job_runs");
        assertThat(Path.of(fixture.output().path())).doesNotExist();
    }

    @Test
    void aDryRunFailsOnAContractViolationAsTheRunWould() {
        // usage_date mapped to an integer column: its type cannot be read as a date.
        assertThat(cli(job("score", "--dry-run", "--set", "input.tables.usage_daily.columns.usage_date=active_users"))).isEqualTo(3);
        assertThat(last.err().lines().findFirst().orElseThrow())
                .startsWith("ERROR: Table usage_daily, column usage_date has type int").contains("readable_type");

        assertThat(cli(job("score", "--dry-run", "--set", "input.tables.usage_daily.columns.active_users=nope"))).isEqualTo(3);
        assertThat(last.err().lines().findFirst().orElseThrow())
                .startsWith("ERROR: Table usage_daily is missing required column active_users (mapped to nope)");
        assertThat(Path.of(fixture.output().path())).doesNotExist();
    }

    @Test
    void everyJobOfARunIsRecordedWithItsCountsAndAFailureAsFailed() {
        assertThat(cli(job("score"))).as(last.err()).isZero();

        Row score = jobRuns().where("job = 'score'").first();
        assertThat(score.<String>getAs("status")).isEqualTo("succeeded");
        assertThat(score.<String>getAs("command")).isEqualTo("score");
        assertThat(score.<String>getAs("run_id")).isEqualTo("score-2024-06-30");
        assertThat(score.<Integer>getAs("exit_code")).isZero();
        assertThat(score.<String>getAs("config_hash")).hasSize(16);
        assertThat(score.<String>getAs("code_version")).startsWith("0.1.0-SNAPSHOT+");
        // The fixture: 4 accounts, 3 of them customers on D; nothing quarantined.
        Map<String, Long> inputs = score.getJavaMap(score.fieldIndex("input_rows"));
        assertThat(inputs).containsEntry("accounts", 4L).containsKey("usage_daily");
        assertThat(score.<Long>getAs("rejected_rows")).isZero();
        Map<String, Long> outputs = score.getJavaMap(score.fieldIndex("output_rows"));
        assertThat(outputs).containsEntry("account_health_scores", 3L).containsEntry("account_health_current", 3L)
                .containsEntry("rejected_rows", 0L);

        // A quarantined NPS of 42 is a fifth of the survey rows, above the 1% threshold: exit 3, recorded as failed.
        fixture = FixtureWarehouse.standard().survey("A1", "2024-01-01", "NPS", 42).writeAndConfigure(spark, Map.of());
        assertThat(cli(job("validate"))).isEqualTo(3);
        Row failed = jobRuns().where("job = 'validate'").first();
        assertThat(failed.<String>getAs("status")).isEqualTo("failed");
        assertThat(failed.<Integer>getAs("exit_code")).isEqualTo(3);
        assertThat(failed.<String>getAs("error")).startsWith("Table survey_responses").contains("score_out_of_scale");
        assertThat(failed.<Long>getAs("rejected_rows")).isEqualTo(1L);
        assertThat(failed.getJavaMap(failed.fieldIndex("output_rows"))).containsEntry("rejected_rows", 1L);
    }

    @Test
    void validateReadsEveryTableAndWritesOnlyRejectedRowsAndItsRun() {
        assertThat(cli(job("validate"))).as(last.err()).isZero();

        assertThat(last.out()).contains("validate 2024-06-30: 8 tables valid, 0 rows quarantined");
        assertThat(Path.of(fixture.output().path()).toFile().list()).containsExactlyInAnyOrder("rejected_rows", "job_runs");
    }

    @Test
    void tablesAreDocumentedInTheCatalogAndTheScoresKeepAChangeFeed() {
        assertThat(cli(job("score", "--set", "output.database=health_ops_test"))).as(last.err()).isZero();

        Map<String, String> detail = new java.util.HashMap<>();
        for (Row r : spark.sql("DESCRIBE TABLE EXTENDED health_ops_test.account_health_scores").collectAsList()) {
            detail.put(r.getString(0), r.isNullAt(2) || r.getString(2).isEmpty() ? r.getString(1) : r.getString(1) + " | " + r.getString(2));
        }
        assertThat(detail.get("Comment")).isEqualTo(OutputTables.ACCOUNT_HEALTH_SCORES.comment());
        assertThat(detail.get("health_score")).endsWith(OutputTables.ACCOUNT_HEALTH_SCORES.schema().apply("health_score").getComment().get());
        assertThat(spark.sql("SHOW TBLPROPERTIES health_ops_test.account_health_scores ('delta.enableChangeDataFeed')").first().getString(1))
                .isEqualTo("true");

        // A re-run of the date rewrites its partition: the feed shows the 3 rows deleted and inserted again.
        long before = spark.sql("DESCRIBE HISTORY health_ops_test.account_health_scores").agg(functions.max("version")).first().getLong(0);
        assertThat(cli(job("score", "--set", "output.database=health_ops_test"))).as(last.err()).isZero();
        List<Row> changes = spark.read().format("delta").option("readChangeFeed", "true").option("startingVersion", before + 1)
                .load(fixture.output().path() + "/account_health_scores").groupBy("_change_type").count().orderBy("_change_type")
                .collectAsList();
        assertThat(changes).extracting(Object::toString).containsExactly("[delete,3]", "[insert,3]");
    }

    @Test
    void reportNeedsARecordedCalibration() {
        assertThat(cli(job("report"))).isEqualTo(3);
        assertThat(last.err().lines().findFirst().orElseThrow())
                .startsWith("ERROR: No calibration is recorded for 2024-06-30").contains("run calibrate --run-date 2024-06-30 first");
    }
}
