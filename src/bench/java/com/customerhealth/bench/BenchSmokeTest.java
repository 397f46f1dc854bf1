package com.customerhealth.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.customerhealth.TestSpark;
import com.customerhealth.generate.WarehouseGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * The benchmark harness end to end on a tiny warehouse (the shared test session): every stage is there
 * with rows where it must have them, the JSON parses, DuckDB's features equal Spark's on the sample, and
 * the README table gets a row. No timing is asserted.
 */
class BenchSmokeTest {
    private static final LocalDate END = LocalDate.of(2026, 9, 30);

    @Test
    void runsEveryStageAndDuckDbMatchesSpark() throws Exception {
        SparkSession spark = TestSpark.session();
        Path root = Files.createTempDirectory("bench-smoke-");
        Path warehouse = root.resolve("warehouse");
        new WarehouseGenerator(spark, 7, 150, 13, END).write(warehouse.toString(), "parquet");
        // A short calibration: 8 month ends (2 held out), 2 folds, one regularisation, 2 replicates, no segment fits.
        Map<String, String> small = Map.of("calibration.lookback-months", "8", "calibration.holdout-months", "2",
                "calibration.folds", "2", "calibration.reg-params", "[0.01]", "calibration.bootstrap-replicates", "2",
                "calibration.parallelism", "2", "calibration.min-churn-events", "1", "calibration.segment-min-churn-events", "100000");
        BenchHarness.Settings settings = new BenchHarness.Settings(warehouse, root.resolve("work"), END, 150, 13, 7, 2, 40, 1,
                "1GB", "test", small);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        JsonNode result;
        try (PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8)) {
            String json = BenchHarness.json().writeValueAsString(new BenchHarness(spark, settings, out).run());
            result = BenchHarness.json().readTree(json);
            Files.writeString(Path.of("target", "bench-smoke.json"), json); // for people: what the smoke run measured
        }
        String printed = log.toString(StandardCharsets.UTF_8);

        List<String> names = new ArrayList<>();
        result.path("stages").forEach(s -> names.add(s.path("name").asText()));
        // The side measurements run on the validated inputs between the pipeline's read and its first job.
        assertThat(names).as(printed).containsExactly("read_validate", "features", "duckdb_features", "duckdb_check",
                "calibrate.snapshots", "calibrate.fit_cv", "calibrate.bootstrap_probe", "score", "cohorts", "insights", "calibrate");
        for (JsonNode s : result.path("stages")) {
            String name = s.path("name").asText();
            assertThat(s.path("wall_s").asDouble()).as(name).isPositive();
            assertThat(s.path("heap_peak_bytes").asLong()).as(name).isPositive();
            if (!name.equals("duckdb_features") && !name.equals("duckdb_check")) {
                assertThat(s.path("spark_jobs").asLong()).as(name + " ran Spark jobs").isPositive();
                assertThat(s.path("rows_in").asLong()).as(name + " read rows").isPositive();
            }
            if (!name.equals("calibrate.fit_cv") && !name.equals("calibrate.bootstrap_probe")) {
                assertThat(s.path("rows_out").asLong()).as(name + " made rows").isPositive();
            }
        }
        for (String writer : List.of("read_validate", "score", "cohorts", "insights", "calibrate")) {
            JsonNode s = stage(result, writer);
            assertThat(s.path("delta_write_commands").asInt()).as(writer + " wrote Delta tables").isPositive();
            assertThat(s.path("delta_write_s").asDouble()).as(writer).isPositive().isLessThanOrEqualTo(s.path("wall_s").asDouble());
        }
        assertThat(stage(result, "features").path("delta_write_commands").asInt()).as("the noop sink is not a Delta write").isZero();
        assertThat(stage(result, "score").path("rows_written").asLong()).isPositive();
        assertThat(stage(result, "score").path("shuffle_write_bytes").asLong()).isPositive();
        assertThat(result.path("pipeline").path("wall_s").asDouble()).isPositive();

        JsonNode duck = result.path("duckdb");
        assertThat(duck.path("threads").asInt()).isEqualTo(2);
        assertThat(duck.path("wall_s").asDouble()).isPositive();
        JsonNode c = duck.path("comparison");
        assertThat(c.path("accounts_compared").asInt()).as(printed).isPositive();
        assertThat(c.path("values_compared").asLong()).isPositive();
        assertThat(c.path("mismatches").asLong()).as(c.path("examples").toString()).isZero();
        assertThat(c.path("matched").asBoolean()).isTrue();
        assertThat(stage(result, "features").path("rows_out").asLong()).isEqualTo(stage(result, "duckdb_features").path("rows_out").asLong());

        JsonNode probe = result.path("calibration").path("bootstrap_probe");
        assertThat(probe.path("rounds").size()).as(result.path("calibration").toString()).isEqualTo(2);
        assertThat(probe.path("rounds").get(1).path("passes").asInt()).isPositive();
        assertThat(probe.path("plan_reads_files").asBoolean()).as(probe.path("replicate_input_plan").asText()).isFalse();
        assertThat(result.path("machine").path("load_average_before").size()).isPositive();

        Path readme = root.resolve("README.md");
        Files.writeString(readme, "# Results\n\n" + BenchReadme.START + "\n" + BenchReadme.END + "\nafter\n");
        BenchReadme.update(readme, result);
        BenchReadme.update(readme, result); // the same date and scale: the row is replaced, not added
        String table = Files.readString(readme);
        assertThat(table).contains(BenchReadme.HEADER).endsWith("after\n");
        assertThat(table.lines().filter(l -> l.startsWith("| " + result.path("date").asText()))).hasSize(1);
    }

    private static JsonNode stage(JsonNode result, String name) {
        for (JsonNode s : result.path("stages")) {
            if (s.path("name").asText().equals(name)) {
                return s;
            }
        }
        throw new AssertionError("No stage " + name);
    }
}
