package com.customerhealth.calibrate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.customerhealth.Cli;
import com.customerhealth.TestSpark;
import com.customerhealth.generate.WarehouseGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.jsoup.Jsoup;
import org.junit.jupiter.api.Test;

/**
 * {@code calibrate} end to end on a generated warehouse (the planted churn model): it proposes a
 * version, records it with every figure, writes the report, and a re-run changes nothing.
 */
class CalibrateJobTest {
    private final SparkSession spark = TestSpark.session();

    @Test
    void proposesAVersionWritesTheReportAndAReRunChangesNothing() throws IOException {
        Path root = Files.createTempDirectory("calibrate-job-");
        new WarehouseGenerator(spark, 42, 600, 30, LocalDate.of(2026, 9, 30)).write(root.resolve("warehouse").toString(), "parquet");
        String[] args = {"calibrate", "--run-date", "2026-09-30", "--set", "input.root=" + root.resolve("warehouse"),
                "--set", "output.path=" + root.resolve("out"), "--set", "output.database=",
                "--set", "calibration.bootstrap-replicates=8", "--set", "calibration.folds=3", "--set", "calibration.reg-params=[0.01]",
                "--set", "calibration.min-churn-events=20", "--set", "calibration.segment-min-churn-events=20"};

        // A first clean run scores before any calibration: no score-to-probability map yet, so the money columns are null.
        String[] score = args.clone();
        score[0] = "score";
        Cli scored = Cli.run(score);
        assertThat(scored.code()).as(scored.err()).isZero();
        assertThat(table(root, "account_health_scores").where(col("churn_probability_90d").isNotNull()).count()).isZero();

        Cli first = Cli.run(args);
        assertThat(first.code()).as(first.err()).isZero();
        // calibrate fills them in for the run date's rows from the map it fitted for today's weights.
        Dataset<Row> scores = table(root, "account_health_scores");
        assertThat(scores.where(col("health_score").isNotNull().and(col("churn_probability_90d").isNull())).count()).isZero();
        assertThat(scores.where(col("mrr_at_risk").cast("double")
                .minus(col("mrr").cast("double").multiply(col("churn_probability_90d"))).between(-0.005, 0.005).notEqual(true)
                .and(col("health_score").isNotNull())).count()).isZero();
        assertThat(table(root, "account_health_current").where(col("health_score").isNotNull()
                .and(col("mrr_at_risk").isNull())).count()).isZero();
        // job_runs says so: calibrate rewrote every score row of the run date (an UPDATE: updated plus copied rows).
        Row calibrateRun = table(root, "job_runs").where(col("job").equalTo("calibrate")).first();
        assertThat(calibrateRun.<String, Long>getJavaMap(calibrateRun.fieldIndex("output_rows")))
                .containsEntry("account_health_scores", scores.where(col("score_date").equalTo(lit(java.sql.Date.valueOf("2026-09-30"))))
                        .count());
        Dataset<Row> all = table(root, "health_weights");
        Dataset<Row> weights = all.where(col("segment_grouping").isNull()); // the global version's rows
        List<String> versions = weights.select("version").distinct().as(Encoders.STRING()).collectAsList();
        assertThat(versions).hasSize(1);
        String version = versions.get(0);
        assertThat(version).startsWith("template-25-25-50@cal-2026-09-30-");
        // The approve line can be pasted as printed: it carries the run's conf, so it approves in the same output.
        assertThat(first.out()).contains("proposed " + version).containsPattern(Pattern.quote("  to approve: approve --version " + version
                + " --by \"<your name>\"") + "( --accept-large-changes)?" + Pattern.quote(" --set input.root=" + root.resolve("warehouse")
                + " --set output.path=" + root.resolve("out") + " --set output.database= --set calibration.bootstrap-replicates=8"));
        assertThat(weights.count()).isEqualTo(12L); // one row per metric of the default preset
        assertThat(all.where(col("status").notEqual("proposed")).count()).isZero();
        // Beside it, each segment the run fitted (at least 20 training churn events here) as <version>/<grouping>=<segment>,
        // one row per metric, its own weights summing to 100.
        List<Row> segments = all.where(col("segment_grouping").isNotNull()).groupBy("version", "segment_grouping", "segment")
                .agg(org.apache.spark.sql.functions.count("*"), sum("weight"), org.apache.spark.sql.functions.min("training_churn_events"))
                .collectAsList();
        assertThat(segments).allSatisfy(r -> {
            assertThat(r.getString(0)).isEqualTo(version + "/" + r.getString(1) + "=" + r.getString(2));
            assertThat(r.getLong(3)).isEqualTo(12L);
            assertThat(r.getDouble(4)).isCloseTo(100.0, within(0.1));
            assertThat(r.getLong(5)).isGreaterThanOrEqualTo(20L);
        });
        assertThat(weights.agg(sum("weight")).first().getDouble(0)).isCloseTo(100.0,
                within(0.1));
        // The proposal's training snapshots kept as counts (score_drift's reference once it is approved): the health score
        // and each of the 12 metrics, each counting every training snapshot once.
        List<Row> distribution = table(root, "weights_training_distribution").groupBy("weights_version", "measure")
                .agg(sum("snapshots")).collectAsList();
        assertThat(distribution).hasSize(13).allSatisfy(r -> assertThat(r.getString(0)).isEqualTo(version));
        assertThat(distribution.stream().map(r -> r.getLong(2)).distinct().toList()).hasSize(1)
                .allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(
                        com.customerhealth.report.ReportRenderer.fromJson(Files.readString(root.resolve(
                                "out/reports/calibration-2026-09-30/report.json"))).data().trainingRows()));
        // Each segment version has its own score-to-probability map in calibration_runs, under its id (what scoring reads
        // once it is approved): a higher score under its own weights, less churn.
        List<Row> maps = table(root, "calibration_runs").where(col("weights_label").equalTo("own").and(col("bucket").equalTo("all"))
                .and(col("figure").isin("score_intercept", "score_slope"))).groupBy("weights_version")
                .agg(org.apache.spark.sql.functions.count("*"), org.apache.spark.sql.functions.max(
                        org.apache.spark.sql.functions.when(col("figure").equalTo("score_slope"), col("value"))))
                .collectAsList();
        assertThat(maps).isNotEmpty().extracting(r -> r.getString(0))
                .containsExactlyInAnyOrderElementsOf(segments.stream().map(r -> r.getString(0)).toList());
        assertThat(maps).allSatisfy(r -> {
            assertThat(r.getLong(1)).as(r.getString(0)).isEqualTo(2L);
            assertThat(r.getDouble(2)).as(r.getString(0)).isNegative();
        });

        Path report = root.resolve("out/reports/calibration-2026-09-30");
        var html = Jsoup.parse(report.resolve("report.html").toFile());
        assertThat(html.text()).contains(version);
        assertThat(html.select("img")).hasSize(4);
        String json = Files.readString(report.resolve("report.json"));
        assertThat(json).contains("\"proposedVersion\": \"" + version + "\"").contains("\"money\": {").contains("\"holdoutChurnedMrr\"");
        CalibrationReport.Money money = com.customerhealth.report.ReportRenderer.fromJson(json).money();
        assertThat(money.tiers()).isNotEmpty();
        assertThat(money.tiers().stream().mapToLong(CalibrationReport.MoneyRow::accountsToday).sum())
                .isEqualTo(scores.count()); // every customer scored on the run date, once
        assertThat(money.holdoutFlaggedProposed()).isBetween(0.0, money.holdoutChurnedMrr());

        List<Row> weightsBefore = sorted(table(root, "health_weights").drop("created_at"));
        List<Row> figuresBefore = sorted(table(root, "calibration_runs"));
        Cli second = Cli.run(args);
        assertThat(second.code()).as(second.err()).isZero();
        assertThat(second.out()).contains("already in health_weights");
        assertThat(sorted(table(root, "health_weights").drop("created_at"))).isEqualTo(weightsBefore);
        assertThat(sorted(table(root, "calibration_runs"))).isEqualTo(figuresBefore);
        // The report folder is replaced, not mixed into: no staging folder or stray files are left.
        assertThat(report.getParent().toFile().list()).containsExactly("calibration-2026-09-30");
        assertThat(report.resolve("charts").toFile().list()).containsExactlyInAnyOrder("weights.png", "tiers.png", "calibration.png",
                "roc.png");
    }

    private Dataset<Row> table(Path root, String name) {
        return spark.read().format("delta").load(root.resolve("out").resolve(name).toString());
    }

    private static List<Row> sorted(Dataset<Row> rows) {
        String[] cols = rows.columns();
        return rows.orderBy(cols[0], Arrays.copyOfRange(cols, 1, cols.length)).collectAsList();
    }
}
