package com.customerhealth.insights;

import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.customerhealth.TestSpark;
import com.customerhealth.config.SizeBand;
import com.customerhealth.contract.WarehouseContract;
import com.customerhealth.insights.SuccessProfile.Bands;
import com.customerhealth.insights.SuccessProfile;
import com.customerhealth.io.OutputTables;
import java.math.BigDecimal;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The success profile on a ten-account fixture, D = 2024-06-30, Y = 365 days, so the population is the
 * customers on D - Y = 2023-07-01. Size bands smb 0+, mid_market 100+, enterprise 1000+; default band edges;
 * minimum group 2 accounts; lapses count as voluntary.
 *
 * <pre>
 * id  industry  employees  onboarded   first value  first paid period   outcome at D
 * H1  software  150 mid    2022-01-10  2022-01-20   5 seats,   500.00   customer, healthy
 * H2  software  150 mid    2022-03-01  2022-03-30   4 seats,   499.00   customer, healthy (upgraded 2023 to 20 seats, 2000)
 * H3  software  2000 ent   2021-05-01  2021-05-31   100 seats, 10000.00 customer, healthy (a $0 trial before)
 * H4  retail    50 smb     2022-06-01  none         20 seats,  1999.99  customer, healthy
 * C1  retail    50 smb     2022-02-01  2022-05-02   3 seats,   300.00   voluntary churn event 2024-01-01
 * C2  software  50 smb     2022-04-01  2022-05-31   10 seats,  800.00   lapsed 2024-02-29, no event (voluntary)
 * C3  retail    150 mid    2021-09-01  2024-08-01   2 seats,   200.00   voluntary churn event 2023-10-01
 * I1  software  150 mid    2022-01-01               5 seats,   700.00   involuntary churn 2024-04-01: neither group
 * A1  software  150 mid    2022-01-01               5 seats,   700.00   customer, needs_attention: neither group
 * N1  software  150 mid    2023-09-01               5 seats,   700.00   onboarded after D - Y, healthy: not in the population
 * </pre>
 *
 * Retained-healthy H1 H2 H3 H4 (4), churned C1 C2 C3 (3). Bands: ttfv H2 29 days "0-29", H3 30 days "30-59",
 * C2 60 days "60-89", C1 90 days "90+", H4 none and C3 after D "never"; seats H1 exactly 5 "5-19", H2 4 "1-4",
 * H4 20 "20-99", H3 100 "100+"; MRR H1 exactly 500 "500-1999", H2 499 "<500", H4 1999.99 "500-1999", H3 10000 "10000+".
 */
class SuccessProfileTest {
    private static final LocalDate D = LocalDate.of(2024, 6, 30);
    private static final List<SizeBand> SIZE_BANDS = List.of(new SizeBand("smb", 0), new SizeBand("mid_market", 100),
            new SizeBand("enterprise", 1000));
    private static SparkSession spark;
    private static Dataset<Row> groups;
    private static Dataset<Row> characteristics;
    private static Dataset<Row> profile;

    @BeforeAll
    static void compute() {
        spark = TestSpark.session();
        List<Row> accounts = new ArrayList<>();
        List<Row> periods = new ArrayList<>();
        List<Row> churns = new ArrayList<>();
        List<Row> tiers = new ArrayList<>();
        account(accounts, "H1", "software", 150, "2022-01-10", "2022-01-20");
        period(periods, "H1", "2022-01-10", null, "500.00", 5);
        account(accounts, "H2", "software", 150, "2022-03-01", "2022-03-30");
        period(periods, "H2", "2022-03-01", "2022-12-31", "499.00", 4);
        period(periods, "H2", "2023-01-01", null, "2000.00", 20);
        account(accounts, "H3", "software", 2000, "2021-05-01", "2021-05-31");
        period(periods, "H3", "2021-04-01", "2021-04-30", "0.00", 50);
        period(periods, "H3", "2021-05-01", null, "10000.00", 100);
        account(accounts, "H4", "retail", 50, "2022-06-01", null);
        period(periods, "H4", "2022-06-01", null, "1999.99", 20);
        account(accounts, "C1", "retail", 50, "2022-02-01", "2022-05-02");
        period(periods, "C1", "2022-02-01", "2023-12-31", "300.00", 3);
        churns.add(RowFactory.create("C1", Date.valueOf("2024-01-01"), "voluntary", null));
        account(accounts, "C2", "software", 50, "2022-04-01", "2022-05-31");
        period(periods, "C2", "2022-04-01", "2024-02-29", "800.00", 10);
        account(accounts, "C3", "retail", 150, "2021-09-01", "2024-08-01");
        period(periods, "C3", "2021-09-01", "2023-09-30", "200.00", 2);
        churns.add(RowFactory.create("C3", Date.valueOf("2023-10-01"), "voluntary", null));
        account(accounts, "I1", "software", 150, "2022-01-01", null);
        period(periods, "I1", "2022-01-01", "2024-03-31", "700.00", 5);
        churns.add(RowFactory.create("I1", Date.valueOf("2024-04-01"), "involuntary", null));
        account(accounts, "A1", "software", 150, "2022-01-01", null);
        period(periods, "A1", "2022-01-01", null, "700.00", 5);
        account(accounts, "N1", "software", 150, "2023-09-01", null);
        period(periods, "N1", "2023-09-01", null, "700.00", 5);
        for (String id : List.of("H1", "H2", "H3", "H4", "N1")) {
            tiers.add(RowFactory.create(id, "healthy"));
        }
        tiers.add(RowFactory.create("A1", "needs_attention"));

        Dataset<Row> periodRows = spark.createDataFrame(periods, WarehouseContract.schema(WarehouseContract.SUBSCRIPTION_PERIODS));
        groups = SuccessProfile.groups(periodRows,
                spark.createDataFrame(churns, WarehouseContract.schema(WarehouseContract.CHURN_EVENTS)),
                spark.createDataFrame(tiers, new StructType().add("account_id", DataTypes.StringType).add("health_tier", DataTypes.StringType)),
                D, SuccessProfile.DEFAULT_PERIOD_DAYS, "voluntary").cache();
        characteristics = SuccessProfile.characteristics(
                spark.createDataFrame(accounts, WarehouseContract.schema(WarehouseContract.ACCOUNTS)),
                periodRows, SIZE_BANDS, D, Bands.DEFAULTS).cache();
        profile = SuccessProfile.profile(groups, characteristics, D, SuccessProfile.DEFAULT_PERIOD_DAYS, 2).cache();
    }

    private static void account(List<Row> rows, String id, String industry, int employees, String onboarded, String firstValue) {
        rows.add(RowFactory.create(id, "Account " + id, industry, employees, Date.valueOf(onboarded),
                firstValue == null ? null : Date.valueOf(firstValue), null, null));
    }

    private static void period(List<Row> rows, String id, String start, String end, String mrr, int seats) {
        rows.add(RowFactory.create(id, Date.valueOf(start), end == null ? null : Date.valueOf(end), new BigDecimal(mrr), seats));
    }

    private static Row value(String characteristic, String value) {
        List<Row> rows = profile.where(String.format("characteristic = '%s' AND value = '%s'", characteristic, value)).collectAsList();
        assertThat(rows).as(characteristic + " = " + value).hasSize(1);
        return rows.get(0);
    }

    private static double d(Row r, String column) {
        return ((Number) r.getAs(column)).doubleValue();
    }

    /** I1 (involuntary only), A1 (needs_attention) and N1 (not a customer on 2023-07-01) are in neither group. */
    @Test
    void groupsFollowTheChurnDefinitionAndTheTierAtD() {
        Map<String, String> outcome = groups.collectAsList().stream()
                .collect(Collectors.toMap(r -> r.getString(0), r -> r.getString(1)));
        assertThat(outcome).containsExactlyInAnyOrderEntriesOf(Map.of(
                "H1", "retained_healthy", "H2", "retained_healthy", "H3", "retained_healthy", "H4", "retained_healthy",
                "C1", "churned", "C2", "churned", "C3", "churned"));
    }

    @Test
    void bandsAtTheirBoundaries() {
        Map<String, List<String>> bands = characteristics.collectAsList().stream().collect(Collectors.toMap(r -> r.getString(0),
                r -> List.of(r.<String>getAs("ttfv_band"), r.<String>getAs("initial_seats_band"), r.<String>getAs("initial_mrr_band"))));
        assertThat(bands.get("H1")).containsExactly("0-29", "5-19", "500-1999");
        assertThat(bands.get("H2")).as("29 days; the first paid period, not the upgrade").containsExactly("0-29", "1-4", "<500");
        assertThat(bands.get("H3")).as("30 days; the $0 trial is not the first paid period").containsExactly("30-59", "100+", "10000+");
        assertThat(bands.get("H4")).as("no first value; 1999.99").containsExactly("never", "20-99", "500-1999");
        assertThat(bands.get("C1")).containsExactly("90+", "1-4", "<500");
        assertThat(bands.get("C2")).containsExactly("60-89", "5-19", "500-1999");
        assertThat(bands.get("C3")).as("first value after D").containsExactly("never", "1-4", "<500");
        Row h3 = characteristics.where("account_id = 'H3'").first();
        assertThat(List.of(h3.<String>getAs("industry"), h3.<String>getAs("size_band"), h3.<String>getAs("onboarding_year")))
                .containsExactly("software", "enterprise", "2021");
    }

    /**
     * industry = software: retained-healthy H1 H2 H3, 3 of 4 = 0.75; churned C2, 1 of 3 (I1 left out);
     * lift 0.75 / (1/3) = 2.25; retention 3 / (3 + 1) = 0.75.
     * Wilson 3 of 4, z = 1.959963984540054, z^2 = 3.8414588206941254:
     * denominator 1 + z^2/4 = 1.9603647051735313; centre (0.75 + z^2/8) / 1.96036... = 0.6275272908863506;
     * half z * sqrt(0.75 * 0.25 / 4 + z^2/64) / 1.96036... = 0.3268854483039488;
     * interval [0.30064184258240184, 0.9544127391902995]. Wilson 1 of 3: [0.06149194472039621, 0.7923403991979522].
     */
    @Test
    void sharesLiftAndWilsonIntervalOfOneValue() {
        Row software = value("industry", "software");
        assertThat((Long) software.getAs("retained_healthy")).isEqualTo(3);
        assertThat((Long) software.getAs("retained_healthy_total")).isEqualTo(4);
        assertThat((Long) software.getAs("churned")).isEqualTo(1);
        assertThat((Long) software.getAs("churned_total")).isEqualTo(3);
        assertThat(d(software, "share_retained_healthy")).isEqualTo(0.75);
        assertThat(d(software, "share_churned")).isCloseTo(1 / 3.0, within(1e-15));
        assertThat(d(software, "lift")).isCloseTo(2.25, within(1e-12));
        assertThat(d(software, "share_rh_ci_low")).isCloseTo(0.30064184258240184, within(1e-12));
        assertThat(d(software, "share_rh_ci_high")).isCloseTo(0.9544127391902995, within(1e-12));
        assertThat(d(software, "share_churned_ci_low")).isCloseTo(0.06149194472039621, within(1e-12));
        assertThat(d(software, "share_churned_ci_high")).isCloseTo(0.7923403991979522, within(1e-12));
        assertThat(d(software, "retention_rate")).isEqualTo(0.75);
        assertThat(d(software, "retention_ci_low")).isCloseTo(0.30064184258240184, within(1e-12));
        assertThat((Boolean) software.getAs("small_group")).isFalse();
        assertThat((Integer) software.getAs("rank_in_characteristic")).isEqualTo(1);
        assertThat((Integer) software.getAs("rank_overall")).isEqualTo(1);
        assertThat((Object) software.getAs("as_of_date")).isEqualTo(Date.valueOf(D));
        assertThat((Object) software.getAs("period_start")).isEqualTo(Date.valueOf("2023-07-01"));
    }

    /**
     * enterprise (H3 only): no churned account, so no lift, and 1 account is below the minimum of 2.
     * ttfv 0-29 (H1 H2): 2 accounts but no lift: unranked. ttfv 60-89 (C2): share 0 of 4, lift 0.
     * retail: 1 of 4 against 2 of 3, lift 0.25 / (2/3) = 0.375, retention 1 of 3.
     */
    @Test
    void ratiosWithZeroDenominatorsAreNullAndSmallOrLiftlessValuesAreUnranked() {
        Row enterprise = value("size_band", "enterprise");
        assertThat(d(enterprise, "share_churned")).isZero();
        assertThat((Object) enterprise.getAs("lift")).isNull();
        assertThat((Boolean) enterprise.getAs("small_group")).isTrue();
        assertThat((Object) enterprise.getAs("rank_overall")).isNull();
        Row fast = value("ttfv_band", "0-29");
        assertThat((Boolean) fast.getAs("small_group")).isFalse();
        assertThat((Object) fast.getAs("lift")).isNull();
        assertThat((Object) fast.getAs("rank_in_characteristic")).isNull();
        Row slow = value("ttfv_band", "60-89");
        assertThat(d(slow, "share_retained_healthy")).isZero();
        assertThat(d(slow, "lift")).isZero();
        Row retail = value("industry", "retail");
        assertThat(d(retail, "lift")).isCloseTo(0.375, within(1e-12));
        assertThat(d(retail, "retention_rate")).isCloseTo(1 / 3.0, within(1e-15));
        assertThat((Integer) retail.getAs("rank_in_characteristic")).isEqualTo(2);
        assertThat(profile.where("characteristic = 'ttfv_band'").select("value").as(Encoders.STRING())
                .collectAsList()).containsExactlyInAnyOrder("0-29", "30-59", "60-89", "90+", "never");
    }

    /**
     * Ranked values by lift: software 2.25; initial MRR 500-1999 (H1 H4 against C2) and mid_market (H1 H2 against
     * C3) both 2/4 / (1/3) = 1.5 with 3 accounts, tied, initial_mrr_band before size_band; onboarding year 2022
     * (H1 H2 H4 against C1 C2) 3/4 / (2/3) = 1.125. The sentence takes the best three, lifts to one decimal.
     */
    @Test
    void marketingSentenceFromTheTopValueOfEachCharacteristic() {
        assertThat((Integer) value("initial_mrr_band", "500-1999").getAs("rank_overall")).isEqualTo(2);
        assertThat((Integer) value("size_band", "mid_market").getAs("rank_overall")).isEqualTo(3);
        assertThat(d(value("onboarding_year", "2022"), "lift")).isCloseTo(1.125, within(1e-12));
        assertThat((Integer) value("onboarding_year", "2022").getAs("rank_overall")).isEqualTo(4);
        assertThat(SuccessProfile.marketingLine(profile)).isEqualTo(
                "Accounts like this stay: industry software, initial MRR 500-1999, size band mid_market (lift 2.3, 1.5, 1.5)");
        assertThat(SuccessProfile.marketingLine(profile.where("lift <= 1"))).startsWith("Accounts like this stay: no characteristic");
    }

    @Test
    void theOutputConformsToTheTableSchema() {
        Dataset<Row> table = OutputTables.SUCCESS_PROFILE.conform(profile.withColumn("run_id", lit("r1")));
        // collect, not count: count prunes the projection, so the casts would never run.
        assertThat(table.collectAsList()).hasSize((int) profile.count());
        assertThat(OutputTables.SUCCESS_PROFILE.schema().fields()).allSatisfy(f -> assertThat(f.getComment().isDefined()).isTrue());
    }

    @Test
    void bandEdgesAreParametersWithLabelsFromThem() {
        Bands weekly = new Bands(List.of(7, 14), List.of(10), List.of(1000));
        assertThat(weekly.ttfvLabels()).containsExactly("0-6", "7-13", "14+");
        assertThat(weekly.initialSeatsLabels()).containsExactly("1-9", "10+");
        assertThat(weekly.initialMrrLabels()).containsExactly("<1000", "1000+");
        assertThat(Bands.DEFAULTS.initialMrrLabels()).containsExactly("<500", "500-1999", "2000-9999", "10000+");
        assertThatThrownBy(() -> new Bands(List.of(60, 30), List.of(5), List.of(500))).isInstanceOf(IllegalArgumentException.class);
    }
}
