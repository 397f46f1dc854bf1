package com.customerhealth.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.customerhealth.TestSpark;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * churn_probability_90d and mrr_at_risk from the map of each row's weights_version, by hand. Global v1's map: intercept
 * -2, slope -0.02: score 50: logit -3, P = 1 / (1 + e^3) = 0.0474259, x 1000.00 = 47.43; score 0: logit -2, P =
 * 0.1192029, x 250.00 = 29.80; a null score: both null. Segment version v1/industry=retail's own map: intercept 1,
 * slope -0.04: score 50: logit -1, P = 1 / (1 + e) = 0.2689414, x 1000.00 = 268.94. v1/size_band=smb has no map: null.
 */
class ChurnProbabilityTest {
    private static final SparkSession SPARK = TestSpark.session();
    private static final LocalDate FITTED = LocalDate.of(2026, 9, 30);
    private static final ChurnProbability GLOBAL = new ChurnProbability("v1", -2.0, -0.02, FITTED);
    private static final ChurnProbability RETAIL = new ChurnProbability("v1/industry=retail", 1.0, -0.04, FITTED);

    private static Dataset<Row> scores() {
        return SPARK.createDataFrame(List.of(RowFactory.create("A1", 50.0, new BigDecimal("1000.00"), "v1"),
                        RowFactory.create("A2", 0.0, new BigDecimal("250.00"), "v1"), RowFactory.create("A3", null, new BigDecimal("80.00"), "v1"),
                        RowFactory.create("R1", 50.0, new BigDecimal("1000.00"), "v1/industry=retail"),
                        RowFactory.create("S1", 50.0, new BigDecimal("400.00"), "v1/size_band=smb")),
                StructType.fromDDL("account_id STRING, health_score DOUBLE, mrr DECIMAL(18,2), weights_version STRING"));
    }

    private static Map<String, Row> byAccount(Dataset<Row> rows) {
        Map<String, Row> out = new LinkedHashMap<>();
        rows.collectAsList().forEach(r -> out.put(r.getAs("account_id"), r));
        return out;
    }

    @Test
    void probabilityFromTheMapOfTheRowsVersionAndMrrAtRiskToTheCent() {
        Map<String, Row> rows = byAccount(ChurnProbability.withMoney(scores(), List.of(GLOBAL, RETAIL)));
        assertThat(rows.get("A1").<Double>getAs("churn_probability_90d")).isCloseTo(0.0474259, within(1e-7));
        assertThat(rows.get("A1").<BigDecimal>getAs("mrr_at_risk")).isEqualByComparingTo("47.43");
        assertThat(rows.get("A2").<Double>getAs("churn_probability_90d")).isCloseTo(0.1192029, within(1e-7));
        assertThat(rows.get("A2").<BigDecimal>getAs("mrr_at_risk")).isEqualByComparingTo("29.80");
        assertThat(rows.get("A3").<Double>getAs("churn_probability_90d")).isNull();
        assertThat(rows.get("A3").<BigDecimal>getAs("mrr_at_risk")).isNull();
        // The segment version's rows read its own map, not the global one (which would give 0.0474259 at 50).
        assertThat(rows.get("R1").<Double>getAs("churn_probability_90d")).isCloseTo(0.2689414, within(1e-7));
        assertThat(rows.get("R1").<BigDecimal>getAs("mrr_at_risk")).isEqualByComparingTo("268.94");
        // A version without a map: null, never another version's.
        assertThat(rows.get("S1").<Double>getAs("churn_probability_90d")).isNull();
        assertThat(rows.get("S1").<BigDecimal>getAs("mrr_at_risk")).isNull();
        // Adding the segment's map leaves the global rows as the global map alone gives them.
        Map<String, Row> globalOnly = byAccount(ChurnProbability.withMoney(scores(), List.of(GLOBAL)));
        for (String id : List.of("A1", "A2")) {
            assertThat(globalOnly.get(id).<Double>getAs("churn_probability_90d")).isEqualTo(rows.get(id).<Double>getAs("churn_probability_90d"));
        }
        assertThat(globalOnly.get("R1").<Double>getAs("churn_probability_90d")).isNull();
    }

    @Test
    void withoutAMapBothAreNull() {
        List<Row> rows = ChurnProbability.withMoney(scores(), List.of()).collectAsList();
        assertThat(rows).allSatisfy(r -> assertThat(r.isNullAt(4) && r.isNullAt(5)).isTrue());
        assertThat(ChurnProbability.withMoney(scores(), List.of()).schema().apply("mrr_at_risk").dataType().sql())
                .isEqualTo("DECIMAL(18,2)");
        assertThat(ChurnProbability.withMoney(scores(), List.of()).schema().apply("churn_probability_90d").dataType().sql())
                .isEqualTo("DOUBLE");
    }

    private static Row figure(String runDate, String version, String figure, String bucket, Double value) {
        return RowFactory.create(java.sql.Date.valueOf(runDate), "calibrate-" + runDate, "fixture", "proposed", "current", version,
                figure, bucket, null, value, null, null, null, null);
    }

    /**
     * calibration_runs holds v1's map from 2026-08-31 (-1.5, -0.01) and 2026-09-30 (-2, -0.02) and a later run's
     * (2026-10-31, after the score date: ignored); retail's from 2026-08-31 (0.2, -0.03), its 2026-09-30 run recorded only
     * an intercept (no whole map: the older one is used); smb never had one. One read for all three versions.
     */
    @Test
    void latestReadsEachVersionsNewestWholeMapOnOrBeforeTheScoreDate() throws java.io.IOException {
        java.nio.file.Path root = java.nio.file.Files.createTempDirectory("churn-probability-");
        com.customerhealth.config.AppConfig cfg = com.customerhealth.config.AppConfig.load(
                com.customerhealth.FixtureWarehouse.fixtureModelConf(), Map.of("input.root", root.resolve("in").toString(),
                        "output.path", root.resolve("out").toString(), "output.database", ""));
        com.customerhealth.io.DeltaTables tables = new com.customerhealth.io.DeltaTables(SPARK, cfg.output());
        String retail = "v1/industry=retail";
        Map<String, List<Row>> runs = new LinkedHashMap<>();
        runs.put("2026-08-31", List.of(figure("2026-08-31", "v1", "score_intercept", "all", -1.5),
                figure("2026-08-31", "v1", "score_slope", "all", -0.01), figure("2026-08-31", retail, "score_intercept", "all", 0.2),
                figure("2026-08-31", retail, "score_slope", "all", -0.03)));
        runs.put("2026-09-30", List.of(figure("2026-09-30", "v1", "score_intercept", "all", -2.0),
                figure("2026-09-30", "v1", "score_slope", "all", -0.02), figure("2026-09-30", "v1", "brier", "all", 0.07),
                figure("2026-09-30", retail, "score_intercept", "all", 0.9), figure("2026-09-30", retail, "score_slope", "all", null),
                figure("2026-09-30", retail, "segment_roc_auc", "industry=retail", 0.7)));
        runs.put("2026-10-31", List.of(figure("2026-10-31", "v1", "score_intercept", "all", -9.0),
                figure("2026-10-31", "v1", "score_slope", "all", -9.0)));
        runs.forEach((date, rows) -> tables.replacePartition(com.customerhealth.io.OutputTables.CALIBRATION_RUNS,
                SPARK.createDataFrame(rows, com.customerhealth.io.OutputTables.CALIBRATION_RUNS.schema()), date));

        assertThat(ChurnProbability.latest(tables, List.of("v1", retail, "v1/size_band=smb"), FITTED)).containsExactly(
                new ChurnProbability("v1", -2.0, -0.02, FITTED), new ChurnProbability(retail, 0.2, -0.03, LocalDate.of(2026, 8, 31)));
        assertThat(ChurnProbability.latest(tables, "v1", LocalDate.of(2026, 9, 29)))
                .contains(new ChurnProbability("v1", -1.5, -0.01, LocalDate.of(2026, 8, 31)));
        assertThat(ChurnProbability.latest(tables, "v1/size_band=smb", FITTED)).isEmpty();
    }
}
