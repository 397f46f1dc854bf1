package com.customerhealth.cohorts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.customerhealth.FixtureWarehouse;
import com.customerhealth.TestSpark;
import com.customerhealth.cohorts.CohortMetrics;
import com.customerhealth.cohorts.MrrMovements;
import com.customerhealth.config.AppConfig;
import com.customerhealth.stats.Wilson;
import com.customerhealth.validate.ValidatedWarehouse;
import com.customerhealth.validate.WarehouseLoader;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Revenue metrics, cohort churn, retention and tier churn on {@link FixtureWarehouse#mrrHistory()}
 * (month totals in MrrMovementsTest), worked by hand.
 */
class CohortMetricsTest {
    private static final LocalDate RUN = LocalDate.of(2024, 6, 30);
    private static SparkSession spark;
    private static AppConfig cfg;
    private static Dataset<Row> table;
    private static Dataset<Row> segments;

    @BeforeAll
    static void compute() {
        spark = TestSpark.session();
        cfg = FixtureWarehouse.mrrHistory().writeAndConfigure(spark, Map.of("cohorts.min-cohort-size", "5"));
        ValidatedWarehouse w = WarehouseLoader.load(spark, cfg, RUN, "cohorts", List.of("accounts", "subscription_periods", "churn_events"));
        segments = CohortMetrics.segments(w.table("accounts"), cfg).cache();
        Dataset<Row> periods = w.table("subscription_periods");
        table = CohortMetrics.movementsTable(
                MrrMovements.movements(periods, w.optionalTable("churn_events").orElse(null),
                        MrrMovements.monthEnds(LocalDate.of(2024, 1, 1), RUN), "voluntary"),
                segments, CohortMetrics.renewals(periods, 0, RUN)).cache();
    }

    private static Row only(Dataset<Row> rows) {
        List<Row> all = rows.collectAsList();
        assertThat(all).hasSize(1);
        return all.get(0);
    }

    private static double d(Row r, String column) {
        return ((Number) r.getAs(column)).doubleValue();
    }

    /**
     * April, overall: customers at the end of March N1 E1 C1 X1 Z1 Z2 (R1 lapsed in February) = 6;
     * at the end of April N1 E1 C1 R1 Z1 Z2 = 6. X1 churned (300, involuntary), R1 came back (60),
     * C1 contracted by 80. Logo churn 1/6; revenue churn (300 + 80) / 910; GRR 530/910; NRR the
     * same (no expansion); ARPA 590 / 6. Renewals: X1's period ended Apr 10 without a next one, Z1's
     * ended Apr 30 into a $0 period, Z2's into a $40 one: 1 of 3.
     */
    @Test
    void revenueMetricsOfAMonth() {
        Dataset<Row> revenue = CohortMetrics.revenueMetrics(table, cfg.cohorts());
        Row apr = only(revenue.where("grouping = 'overall' AND month_end = DATE'2024-04-30'"));
        assertThat((Long) apr.getAs("customers_begin")).isEqualTo(6);
        assertThat((Long) apr.getAs("customers_end")).isEqualTo(6);
        assertThat((Long) apr.getAs("churned_customers")).isEqualTo(1);
        assertThat((Long) apr.getAs("churned_involuntary")).isEqualTo(1);
        assertThat((Long) apr.getAs("reactivated_customers")).isEqualTo(1);
        assertThat(d(apr, "logo_churn_rate")).isCloseTo(1 / 6.0, within(1e-12));
        assertThat(d(apr, "revenue_churn_rate")).isCloseTo(380 / 910.0, within(1e-12));
        assertThat(d(apr, "grr")).isCloseTo(530 / 910.0, within(1e-12));
        assertThat(d(apr, "nrr")).isCloseTo(530 / 910.0, within(1e-12));
        assertThat(d(apr, "arpa")).isCloseTo(590 / 6.0, within(1e-12));
        assertThat((Long) apr.getAs("periods_due")).isEqualTo(3);
        assertThat(d(apr, "renewal_rate")).isCloseTo(1 / 3.0, within(1e-12));
        assertThat((Object) apr.getAs("grr_ttm")).as("no customers 12 months before").isNull();
        // February: E1 renewed on Mar 1, R1 lapsed: 1 of 2. March: C1 renewed on Apr 1.
        assertThat(d(only(revenue.where("grouping = 'overall' AND month_end = DATE'2024-02-29'")), "renewal_rate")).isEqualTo(0.5);
        assertThat(d(only(revenue.where("grouping = 'overall' AND month_end = DATE'2024-03-31'")), "renewal_rate")).isEqualTo(1.0);
        // May: Z2's seats fell 5 -> 0 while it stayed a customer (contraction 40); Z1 churned.
        Row may = only(revenue.where("grouping = 'overall' AND month_end = DATE'2024-05-31'"));
        assertThat((Long) may.getAs("accounts_with_seat_reduction")).isEqualTo(1);
        assertThat((Long) may.getAs("accounts_with_contraction")).isEqualTo(1);
        assertThat((Long) may.getAs("churned_voluntary")).isEqualTo(1);
    }

    @Test
    void theMrrIdentityHoldsForEveryRollUpAndMonth() {
        Dataset<Row> revenue = CohortMetrics.revenueMetrics(table, cfg.cohorts());
        assertThat(revenue.select("grouping").distinct().count()).isEqualTo(5);
        assertThat(revenue.where("mrr_begin + new_mrr + expansion_mrr + reactivation_mrr - contraction_mrr - churned_mrr <> mrr_end").count())
                .isZero();
    }

    /**
     * Period (2024-01-31, 2024-06-30]: customers at the start all 7, MRR 910. At the end X1 and Z1 have
     * no MRR: 2 churned (X1 involuntary by its event, Z1 voluntary as a lapse); R1 churned in February
     * but is back, so it is not churned over the period. Contraction C1 200 -> 120 and Z2 80 -> 40 = 120;
     * expansion E1 100 -> 150 and R1 50 -> 60 = 60. GRR (910 - 380 - 120) / 910 = 410/910,
     * NRR 470/910. Wilson 95% for 2 of 7.
     */
    @Test
    void cohortChurnOverThePeriod() {
        Dataset<Row> churn = CohortMetrics.cohortChurn(table, segments, LocalDate.of(2024, 1, 31), RUN, cfg.cohorts());
        Row all = only(churn.where("grouping = 'overall'"));
        assertThat((Long) all.getAs("accounts_onboarded")).isEqualTo(7);
        assertThat((Long) all.getAs("customers_start")).isEqualTo(7);
        assertThat((Long) all.getAs("churned")).isEqualTo(2);
        assertThat((Long) all.getAs("churned_involuntary")).isEqualTo(1);
        assertThat((Long) all.getAs("churned_voluntary")).isEqualTo(1);
        assertThat(all.<BigDecimal>getAs("mrr_start")).isEqualByComparingTo("910");
        assertThat(all.<BigDecimal>getAs("churned_mrr")).isEqualByComparingTo("380");
        assertThat(all.<BigDecimal>getAs("contraction_mrr")).isEqualByComparingTo("120");
        assertThat(all.<BigDecimal>getAs("expansion_mrr")).isEqualByComparingTo("60");
        assertThat(d(all, "logo_churn_rate")).isCloseTo(2 / 7.0, within(1e-12));
        assertThat(d(all, "grr")).isCloseTo(410 / 910.0, within(1e-12));
        assertThat(d(all, "nrr")).isCloseTo(470 / 910.0, within(1e-12));
        double[] wilson = Wilson.interval(2, 7);
        assertThat(d(all, "logo_churn_ci_low")).isCloseTo(wilson[0], within(1e-12));
        assertThat(d(all, "logo_churn_ci_high")).isCloseTo(wilson[1], within(1e-12));
        assertThat((Long) all.getAs("accounts_with_seat_reduction")).isEqualTo(1);
        assertThat((Long) all.getAs("accounts_with_contraction")).isEqualTo(2);
        assertThat((Boolean) all.getAs("small_cohort")).isFalse();
        // All seven accounts share industry, size band and cohort: one cell, the same counts.
        Row cell = only(churn.where("grouping = 'industry x size_band x cohort'"));
        assertThat((String) cell.getAs("onboarding_cohort")).isEqualTo("2024-01");
        assertThat((Long) cell.getAs("churned")).isEqualTo(2);
    }

    /**
     * Kaplan-Meier for cohort 2024-01: first churns R1 in Feb (k=1), X1 in Apr (k=3), Z1 in May (k=4);
     * N1 E1 C1 Z2 censored at June (k=5). Retention: k0 1; k1 6/7; k2 6/7; k3 6/7 * 5/6 = 5/7;
     * k4 5/7 * 4/5 = 4/7; k5 4/7 with 4 at risk and 4 censored.
     */
    @Test
    void retentionCurveCountsStillActiveAccountsAsCensored() {
        List<Row> curve = CohortMetrics.retention(table, segments, RUN, cfg.cohorts())
                .where("grouping = 'cohort'").orderBy("months_since_onboarding").collectAsList();
        assertThat(curve).extracting(r -> (Integer) r.getAs("months_since_onboarding")).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(curve).extracting(r -> (Long) r.getAs("at_risk")).containsExactly(7L, 7L, 6L, 6L, 5L, 4L);
        assertThat(curve).extracting(r -> (Long) r.getAs("churned")).containsExactly(0L, 1L, 0L, 1L, 1L, 0L);
        assertThat(curve).extracting(r -> (Long) r.getAs("censored")).containsExactly(0L, 0L, 0L, 0L, 0L, 4L);
        double[] expected = {1, 6 / 7.0, 6 / 7.0, 5 / 7.0, 4 / 7.0, 4 / 7.0};
        for (int k = 0; k < expected.length; k++) {
            assertThat(d(curve.get(k), "retention")).as("k=" + k).isCloseTo(expected[k], within(1e-12));
        }
        assertThat((Long) curve.get(0).getAs("cohort_accounts")).isEqualTo(7);
    }

    /**
     * Five accounts: 85 healthy retained, 75 healthy churned, 45 at_risk churned, 40 at_risk retained,
     * 20 critical churned. Tiers: healthy 1/2, at_risk 1/2, critical 1/1. Bands: 80-90 0/1, 70-80 1/1,
     * 40-50 1/2, 20-30 1/1. Overall 3/5; mean churned (75 + 45 + 20)/3 = 46.6667 (means are rounded to
     * 4 decimals), retained (85 + 40)/2 = 62.5.
     */
    @Test
    void tierChurnCountsAndMeans() {
        StructType schema = new StructType().add("health_score", DataTypes.DoubleType).add("health_tier", DataTypes.StringType)
                .add("weights_version", DataTypes.StringType).add("churned", DataTypes.BooleanType);
        Dataset<Row> scored = spark.createDataFrame(List.of(
                RowFactory.create(85.0, "healthy", "v", false), RowFactory.create(75.0, "healthy", "v", true),
                RowFactory.create(45.0, "at_risk", "v", true), RowFactory.create(40.0, "at_risk", "v", false),
                RowFactory.create(20.0, "critical", "v", true)), schema);
        Dataset<Row> t = CohortMetrics.tierChurn(scored);

        Row healthy = only(t.where("grouping = 'tier' AND bucket = 'healthy'"));
        assertThat((Long) healthy.getAs("accounts")).isEqualTo(2);
        assertThat((Long) healthy.getAs("churned")).isEqualTo(1);
        assertThat(d(healthy, "mean_score_churned")).isEqualTo(75.0);
        assertThat(d(healthy, "mean_score_retained")).isEqualTo(85.0);
        assertThat(d(only(t.where("grouping = 'tier' AND bucket = 'critical'")), "churn_rate")).isEqualTo(1.0);
        assertThat(t.where("grouping = 'score_band'").orderBy("bucket").collectAsList())
                .extracting(r -> r.getAs("bucket") + ":" + r.getAs("churned") + "/" + r.getAs("accounts"))
                .containsExactly("20-30:1/1", "40-50:1/2", "70-80:1/1", "80-90:0/1");
        Row overall = only(t.where("grouping = 'overall'"));
        assertThat(d(overall, "churn_rate")).isEqualTo(0.6);
        assertThat(d(overall, "mean_score_churned")).isEqualTo(46.6667); // 140 / 3, rounded to 4 decimals
        assertThat(d(overall, "mean_score_retained")).isEqualTo(62.5);
        double[] wilson = Wilson.interval(3, 5);
        assertThat(d(overall, "churn_ci_low")).isCloseTo(wilson[0], within(1e-12));
    }

    @Test
    void anAccountWhoseAccountsRowIsQuarantinedIsLeftOutOfTheCohortTables() {
        AppConfig bad = FixtureWarehouse.mrrHistory().without("accounts", "Z2").account("Z2", "2024-01-01", -1, null)
                .writeAndConfigure(spark, Map.of("validation.max-rejected-share", "1.0"));
        ValidatedWarehouse w = WarehouseLoader.load(spark, bad, RUN, "cohorts", List.of("accounts", "subscription_periods", "churn_events"));
        Dataset<Row> periods = w.table("subscription_periods");
        Dataset<Row> movements = CohortMetrics.movementsTable(
                MrrMovements.movements(periods, w.optionalTable("churn_events").orElse(null),
                        MrrMovements.monthEnds(LocalDate.of(2024, 1, 1), RUN), "voluntary"),
                CohortMetrics.segments(w.table("accounts"), bad), CohortMetrics.renewals(periods, 0, RUN));

        assertThat(movements.select("account_id").distinct().count()).isEqualTo(6);
        assertThat(movements.where("account_id = 'Z2'").count()).isZero();
        assertThat(movements.where("industry IS NULL").count()).isZero();
        w.release();
    }

    /**
     * As of 2024-04-30 only X1's period (ended Apr 10) has a closed renewal window in April; Z1's and
     * Z2's end on Apr 30 and wait for May (the day after is past as_of_month). With 50 days of grace,
     * R1's February end is renewed by its April restart; with none it is not.
     */
    @Test
    void renewalsCountOnlyClosedWindowsAndHonourTheGrace() {
        ValidatedWarehouse w = WarehouseLoader.load(spark, cfg, RUN, "cohorts", List.of("accounts", "subscription_periods"));
        Dataset<Row> periods = w.table("subscription_periods");
        Row april = only(CohortMetrics.renewals(periods, 0, LocalDate.of(2024, 4, 30)).where("month_end = DATE'2024-04-30'"));
        assertThat((Long) april.getAs("periods_due")).isEqualTo(1);
        assertThat((Long) april.getAs("periods_renewed")).isZero();

        Dataset<Row> graceful = CohortMetrics.renewals(periods, 50, RUN).where("month_end = DATE'2024-02-29'")
                .groupBy().sum("periods_due", "periods_renewed");
        assertThat(only(graceful).getLong(0)).isEqualTo(2);
        assertThat(only(graceful).getLong(1)).isEqualTo(2);
        w.release();
    }

    @Test
    void aPaidPeriodTooShortToCoverAMonthEndStillComesDue() {
        AppConfig shortCfg = new FixtureWarehouse().account("S1", "2024-03-01", 10, null)
                .period("S1", "2024-03-05", "2024-03-25", 30, 1)
                .writeAndConfigure(spark, Map.of());
        ValidatedWarehouse w = WarehouseLoader.load(spark, shortCfg, RUN, "cohorts", List.of("accounts", "subscription_periods"));
        Dataset<Row> periods = w.table("subscription_periods");
        Dataset<Row> t = CohortMetrics.movementsTable(
                MrrMovements.movements(periods, null, MrrMovements.monthEnds(LocalDate.of(2024, 1, 1), RUN), "voluntary"),
                CohortMetrics.segments(w.table("accounts"), shortCfg), CohortMetrics.renewals(periods, 0, RUN));

        Row march = only(t.where("month_end = DATE'2024-03-31'"));
        assertThat((String) march.getAs("movement")).isEqualTo("none");
        assertThat((Long) march.getAs("periods_due")).isEqualTo(1);
        assertThat((Long) march.getAs("periods_renewed")).isZero();
        // Never a customer at a month end: not a subject of the retention curves.
        assertThat(CohortMetrics.retention(t, CohortMetrics.segments(w.table("accounts"), shortCfg), RUN, shortCfg.cohorts()).count()).isZero();
        w.release();
    }
}
