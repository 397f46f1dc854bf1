package com.customerhealth.calibrate;

import static com.customerhealth.FixtureWarehouse.D;
import static com.customerhealth.FixtureWarehouse.d;
import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import com.customerhealth.FixtureWarehouse;
import com.customerhealth.TestSpark;
import com.customerhealth.cohorts.ChurnLabels;
import com.customerhealth.config.AppConfig;
import com.customerhealth.contract.WarehouseContract;
import com.customerhealth.features.Snapshots;
import com.customerhealth.validate.ValidatedWarehouse;
import com.customerhealth.validate.WarehouseLoader;
import java.sql.Date;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The calibration snapshots: their dates, point-in-time features and churn labels. */
class TrainingSetTest {
    private final SparkSession spark = TestSpark.session();
    private static final LocalDate RUN_DATE = LocalDate.of(2024, 12, 31);
    private static final List<String> ALL = WarehouseContract.TABLES.stream().map(t -> t.name()).toList();

    private Dataset<Row> build(FixtureWarehouse fixture) {
        AppConfig cfg = fixture.writeAndConfigure(spark, Map.of("validation.rows-after-run-date", "exclude"));
        ValidatedWarehouse w = WarehouseLoader.load(spark, cfg, RUN_DATE, "t", ALL);
        return TrainingSet.build(w, cfg, cfg.model(), TrainingSet.Dates.of(RUN_DATE, cfg.calibration()));
    }

    private static List<Row> at(Dataset<Row> rows, LocalDate t) {
        String[] cols = Arrays.stream(rows.columns()).filter(c -> c.startsWith("component_") || c.startsWith("x_")
                || List.of("account_id", "health_score", "label", "churn_ref_date", "split", "fold").contains(c)).sorted().toArray(String[]::new);
        return rows.where(col("as_of_date").equalTo(Date.valueOf(t))).selectExpr(cols).orderBy("account_id").collectAsList();
    }

    @Test
    void datesAreMonthEndsEndingAHorizonBeforeTheRunDateWithAGapBeforeTheHoldout() {
        TrainingSet.Dates dates = TrainingSet.Dates.of(RUN_DATE, AppConfig.defaults().calibration());
        // Last T: the last month end on or before 2024-12-31 - 90 days = 2024-10-02.
        assertThat(dates.holdout()).containsExactly(LocalDate.of(2024, 4, 30), LocalDate.of(2024, 5, 31), LocalDate.of(2024, 6, 30),
                LocalDate.of(2024, 7, 31), LocalDate.of(2024, 8, 31), LocalDate.of(2024, 9, 30));
        // 24 month ends from 2022-10-31; a training T needs T + 90 <= 2024-04-30, so 2024-02-29 and 03-31 are left out.
        assertThat(dates.training()).hasSize(16).startsWith(LocalDate.of(2022, 10, 31)).endsWith(LocalDate.of(2024, 1, 31));
    }

    @Test
    void rowsDatedAfterTChangeNeitherTheFeaturesNorTheLabelOfT() {
        Dataset<Row> base = build(FixtureWarehouse.standard());
        // Rows in July 2024 (inside D's label window but after D), and a churn after D + 90 days.
        Dataset<Row> later = build(FixtureWarehouse.standard().withRowsAfterD().churn("A1", "2024-12-01", "voluntary"));
        List<Row> expected = at(base, D);
        assertThat(expected).isNotEmpty();
        assertThat(at(later, D)).isEqualTo(expected);
    }

    @Test
    void aChurnInsideTheWindowLabelsEverySnapshotWhoseWindowHoldsItWithOneEventDate() {
        Dataset<Row> rows = build(FixtureWarehouse.standard().churn("A1", "2024-07-15", "voluntary"));
        Map<LocalDate, Row> a1 = new TreeMap<>();
        rows.where(col("account_id").equalTo("A1")).collectAsList()
                .forEach(r -> a1.put(r.<Date>getAs("as_of_date").toLocalDate(), r));
        // (T, T + 90] holds 2024-07-15 for T = 2024-04-30, 05-31 and 06-30; not for 07-31 (the churn is before T).
        for (String t : List.of("2024-04-30", "2024-05-31", "2024-06-30")) {
            assertThat(a1.get(LocalDate.parse(t)).<Double>getAs("label")).as(t).isEqualTo(1.0);
            assertThat(a1.get(LocalDate.parse(t)).<Date>getAs("churn_ref_date")).isEqualTo(d("2024-07-15"));
        }
        assertThat(a1.get(LocalDate.of(2024, 7, 31)).<Double>getAs("label")).isEqualTo(0.0);
        // 2024-02-29 and 03-31 are not snapshots: their windows would reach into the holdout (from 2024-04-30).
        assertThat(a1).doesNotContainKeys(LocalDate.of(2024, 2, 29), LocalDate.of(2024, 3, 31));
        assertThat(a1.get(LocalDate.of(2024, 4, 30)).<String>getAs("split")).isEqualTo(TrainingSet.HOLDOUT);
    }

    /**
     * The MRR-history fixture at T = 2024-03-31, window to 2024-06-29: X1 ends 2024-04-10 with an involuntary
     * churn event; Z1's MRR drops to 0 after 2024-04-30 with no event (a lapse); C1 stays.
     */
    @Test
    void involuntaryChurnIsLeftOutUnlessCountedAndALapseWithoutAnEventIsChurnOnItsLastPaidDay() {
        AppConfig cfg = FixtureWarehouse.mrrHistory().writeAndConfigure(spark, Map.of("validation.rows-after-run-date", "exclude"));
        ValidatedWarehouse w = WarehouseLoader.load(spark, cfg, RUN_DATE, "t", ALL);
        List<LocalDate> t = List.of(LocalDate.of(2024, 3, 31));
        Dataset<Row> population = Snapshots.customersOn(w.table("subscription_periods"), t).select("account_id", "as_of_date");
        Map<String, String> notCounted = labels(ChurnLabels.within(population, w.table("subscription_periods"),
                w.table("churn_events"), t, 90, false, "voluntary"));
        Map<String, String> counted = labels(ChurnLabels.within(population, w.table("subscription_periods"),
                w.table("churn_events"), t, 90, true, "voluntary"));
        assertThat(notCounted).containsEntry("X1", "false/true/null").containsEntry("Z1", "true/false/2024-04-30")
                .containsEntry("C1", "false/false/null");
        assertThat(counted).containsEntry("X1", "true/false/2024-04-11").containsEntry("Z1", "true/false/2024-04-30");
    }

    private static Map<String, String> labels(Dataset<Row> rows) {
        Map<String, String> out = new TreeMap<>();
        for (Row r : rows.collectAsList()) {
            out.put(r.getAs("account_id"), r.getAs("churned") + "/" + r.getAs("involuntary_only") + "/" + r.getAs("churn_ref_date"));
        }
        return out;
    }
}
