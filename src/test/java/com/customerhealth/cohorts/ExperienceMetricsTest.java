package com.customerhealth.cohorts;

import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.customerhealth.FixtureWarehouse;
import com.customerhealth.TestSpark;
import com.customerhealth.cohorts.CohortMetrics;
import com.customerhealth.cohorts.ExperienceMetrics;
import com.customerhealth.cohorts.MrrMovements;
import com.customerhealth.config.AppConfig;
import com.customerhealth.io.OutputTables;
import com.customerhealth.validate.ValidatedWarehouse;
import com.customerhealth.validate.WarehouseLoader;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.jdk.javaapi.CollectionConverters;

/**
 * experience_metrics_monthly on a small fixture worked by hand, months January to June 2024, min group
 * size 3.
 *
 * <pre>
 * account  industry  size        cohort   onboarded   first value  ttfv days
 * A1       software  smb         2024-01  2024-01-10  2024-03-20   21 + 29 + 20 = 70
 * A2       software  mid_market  2024-02  2024-02-01  2024-03-11   29 + 10 = 39
 * B1       retail    smb         2024-01  2024-01-01  2024-03-31   31 + 29 + 30 = 90
 * A3       software  smb         2022-06  2022-06-01  -            (only an assessment too old to count: no rows)
 *
 * April surveys   NPS        CSAT     CES
 *   A1            10, 9      5, 4     2, 3
 *   A2            7, 3       2        3, 6      (and NPS 10 on 2024-03-31: March, not April)
 *   B1            0
 * Tickets (days = resolved - opened, fcr = 1 contact)
 *   A1  04-01 -> 04-02  1 day, 1 contact, csat 5     03-25 -> 04-04  10 days, 3 contacts, csat 2    04-15 open
 *   A2  04-10 -> 04-13  3 days, 1 contact            04-24 -> 04-30  6 days, 2 contacts, csat 4    04-28 -> 05-02 (May) 4 days, 1 contact
 *   B1  04-01 -> 04-08  7 days, 1 contact
 * CSM assessments (referenceable)
 *   A1 2024-02-10 yes, 2024-04-05 no;  A2 2024-04-20 yes;  B1 2024-03-01 yes;  A3 2023-01-15 yes (381 days before 2024-01-31)
 * </pre>
 *
 * January has no data at all; February only A1's assessment.
 */
class ExperienceMetricsTest {
    private static final LocalDate RUN = LocalDate.of(2024, 6, 30);
    private static ValidatedWarehouse warehouse;
    private static Dataset<Row> metrics;

    @BeforeAll
    static void compute() {
        var spark = TestSpark.session();
        ExperienceFixtureRows f = new ExperienceFixtureRows(new FixtureWarehouse())
                .account("A1", "software", 50, "2024-01-10", "2024-03-20")
                .account("A2", "software", 500, "2024-02-01", "2024-03-11")
                .account("B1", "retail", 50, "2024-01-01", "2024-03-31")
                .account("A3", "software", 50, "2022-06-01", null)
                .survey("A1", "2024-04-03", "NPS", 10).survey("A1", "2024-04-20", "NPS", 9)
                .survey("A2", "2024-04-05", "NPS", 7).survey("A2", "2024-04-30", "NPS", 3)
                .survey("A2", "2024-03-31", "NPS", 10)
                .survey("B1", "2024-04-01", "NPS", 0)
                .survey("A1", "2024-04-03", "CSAT", 5).survey("A1", "2024-04-20", "CSAT", 4).survey("A2", "2024-04-05", "CSAT", 2)
                .survey("A1", "2024-04-03", "CES", 2).survey("A1", "2024-04-20", "CES", 3)
                .survey("A2", "2024-04-05", "CES", 3).survey("A2", "2024-04-30", "CES", 6)
                .ticket("A1", "2024-04-01", "2024-04-02", 1, 5).ticket("A1", "2024-03-25", "2024-04-04", 3, 2)
                .ticket("A1", "2024-04-15", null, 1, null)
                .ticket("A2", "2024-04-10", "2024-04-13", 1, null).ticket("A2", "2024-04-24", "2024-04-30", 2, 4)
                .ticket("A2", "2024-04-28", "2024-05-02", 1, null)
                .ticket("B1", "2024-04-01", "2024-04-08", 1, null)
                .assessment("A1", "2024-02-10", true).assessment("A1", "2024-04-05", false)
                .assessment("A2", "2024-04-20", true).assessment("B1", "2024-03-01", true)
                .assessment("A3", "2023-01-15", true);
        AppConfig cfg = f.warehouse().writeAndConfigure(spark, Map.of());
        warehouse = WarehouseLoader.load(spark, cfg, RUN, "experience",
                List.of("accounts", "survey_responses", "support_tickets", "csm_assessments"));
        Dataset<Row> accounts = warehouse.table("accounts");
        metrics = ExperienceMetrics.monthly(accounts, warehouse.table("survey_responses"), warehouse.table("support_tickets"),
                warehouse.table("csm_assessments"), CohortMetrics.segments(accounts, cfg),
                MrrMovements.monthEnds(LocalDate.of(2024, 1, 1), RUN), RUN, 3).cache();
    }

    @AfterAll
    static void release() {
        metrics.unpersist();
        warehouse.release();
    }

    private static Row only(String where) {
        List<Row> all = metrics.where(where).collectAsList();
        assertThat(all).as(where).hasSize(1);
        return all.get(0);
    }

    private static Row account(String id, String monthEnd) {
        return only("grouping = 'account' AND account_id = '" + id + "' AND month_end = DATE'" + monthEnd + "'");
    }

    private static double d(Row r, String column) {
        return ((Number) r.getAs(column)).doubleValue();
    }

    private static long n(Row r, String column) {
        return r.<Long>getAs(column);
    }

    private static Map<Integer, Long> cesDistribution(Row r) {
        return CollectionConverters.asJava(r.<scala.collection.Map<Integer, Long>>getAs("ces_distribution"));
    }

    /**
     * A1 in April. NPS 10, 9: 2 promoters of 2 = 100. CSAT 5, 4: 2/2. CES 2, 3: mean 2.5. Tickets 1 and
     * 10 days, one of them at first contact: FCR 1/2, median (1 + 10) / 2 = 5.5; ticket csat 5 and 2: 1/2.
     * Assessed, not referenceable: the April 5 "no" replaces the February "yes". No first value in April.
     */
    @Test
    void accountMetricsOfAMonth() {
        Row a1 = account("A1", "2024-04-30");
        assertThat((String) a1.getAs("industry")).isEqualTo("software");
        assertThat((String) a1.getAs("size_band")).isEqualTo("smb");
        assertThat((String) a1.getAs("onboarding_cohort")).isEqualTo("2024-01");
        assertThat(n(a1, "nps_responses")).isEqualTo(2);
        assertThat(d(a1, "nps")).isEqualTo(100.0);
        assertThat(d(a1, "csat")).isEqualTo(1.0);
        assertThat(n(a1, "ces_responses")).isEqualTo(2);
        assertThat(d(a1, "ces_mean")).isEqualTo(2.5);
        assertThat(cesDistribution(a1)).isEqualTo(Map.of(2, 1L, 3, 1L));
        assertThat(n(a1, "tickets_resolved")).isEqualTo(2);
        assertThat(n(a1, "first_contact_resolved")).isEqualTo(1);
        assertThat(d(a1, "fcr_rate")).isEqualTo(0.5);
        assertThat(d(a1, "median_resolution_days")).isEqualTo(5.5);
        assertThat(n(a1, "ticket_csat_responses")).isEqualTo(2);
        assertThat(d(a1, "ticket_csat")).isEqualTo(0.5);
        assertThat(n(a1, "accounts_assessed")).isEqualTo(1);
        assertThat(d(a1, "referenceable_share")).isEqualTo(0.0);
        assertThat(n(a1, "accounts_reached_value")).isZero();
        assertThat((Object) a1.getAs("mean_ttfv_days")).isNull();
        assertThat((Boolean) a1.getAs("small_group")).isTrue();
        assertThat(d(account("A1", "2024-03-31"), "referenceable_share")).as("March: the February yes").isEqualTo(1.0);
    }

    /**
     * Software in April, pooled over A1 and A2: NPS 10, 9, 7, 3: 100 x (2 - 1) / 4 = 25. CSAT 5, 4, 2: 2/3.
     * CES 2, 3, 3, 6: mean 14 / 4 = 3.5. Tickets 1, 10, 3, 6 days: median (3 + 6) / 2 = 4.5 (the median of
     * the accounts' medians, (5.5 + 4.5) / 2 = 5, is not it); FCR 2/4; ticket csat 5, 2, 4: 2/3.
     * Referenceable: A1 no, A2 yes: 1/2, 2 accounts below the min group size of 3.
     */
    @Test
    void industryRollUpPoolsTheAccountsObservations() {
        Row software = only("grouping = 'industry' AND industry = 'software' AND month_end = DATE'2024-04-30'");
        assertThat((Object) software.getAs("account_id")).isNull();
        assertThat((Object) software.getAs("size_band")).isNull();
        assertThat(n(software, "nps_responses")).isEqualTo(4);
        assertThat(n(software, "nps_promoters")).isEqualTo(2);
        assertThat(n(software, "nps_detractors")).isEqualTo(1);
        assertThat(d(software, "nps")).isEqualTo(25.0);
        assertThat(d(software, "csat")).isCloseTo(2 / 3.0, within(1e-12));
        assertThat(d(software, "ces_mean")).isEqualTo(3.5);
        assertThat(cesDistribution(software)).isEqualTo(Map.of(2, 1L, 3, 2L, 6, 1L));
        assertThat(n(software, "tickets_resolved")).isEqualTo(4);
        assertThat(d(software, "fcr_rate")).isEqualTo(0.5);
        assertThat(d(software, "median_resolution_days")).isEqualTo(4.5);
        assertThat(d(software, "ticket_csat")).isCloseTo(2 / 3.0, within(1e-12));
        assertThat(n(software, "accounts_assessed")).isEqualTo(2);
        assertThat(d(software, "referenceable_share")).isEqualTo(0.5);
        assertThat((Boolean) software.getAs("small_group")).isTrue();
    }

    /**
     * Overall in April adds B1: NPS 10, 9, 7, 3, 0: 100 x (2 - 2) / 5 = 0. Tickets 1, 3, 6, 7, 10 days:
     * median 6; FCR 3/5. Referenceable A1 no, A2 yes, B1 yes: 2/3. Every basis is 3 or more (CSAT 3, ticket
     * csat 3, assessed 3; no first value, so that figure is not there to be small): not a small group.
     */
    @Test
    void overallRollUp() {
        Row all = only("grouping = 'overall' AND month_end = DATE'2024-04-30'");
        assertThat(n(all, "nps_responses")).isEqualTo(5);
        assertThat(d(all, "nps")).isEqualTo(0.0);
        assertThat(n(all, "tickets_resolved")).isEqualTo(5);
        assertThat(d(all, "median_resolution_days")).isEqualTo(6.0);
        assertThat(d(all, "fcr_rate")).isEqualTo(0.6);
        assertThat(n(all, "accounts_assessed")).isEqualTo(3);
        assertThat(d(all, "referenceable_share")).isCloseTo(2 / 3.0, within(1e-12));
        assertThat((Boolean) all.getAs("small_group")).isFalse();
        // Cohort 2024-01 (A1, B1): NPS 10, 9, 0: 100 x (2 - 1) / 3.
        Row cohort = only("grouping = 'cohort' AND onboarding_cohort = '2024-01' AND month_end = DATE'2024-04-30'");
        assertThat(d(cohort, "nps")).isCloseTo(100 / 3.0, within(1e-12));
    }

    /**
     * March: A1, A2 and B1 reached value after 70, 39 and 90 days: mean 199 / 3, median 70; software
     * (A1, A2), an even count: mean and median (70 + 39) / 2 = 54.5. A2's NPS 10 of March 31 counts in March.
     */
    @Test
    void timeToFirstValueAndTheMonthBoundary() {
        Row all = only("grouping = 'overall' AND month_end = DATE'2024-03-31'");
        assertThat(n(all, "accounts_reached_value")).isEqualTo(3);
        assertThat(d(all, "mean_ttfv_days")).isCloseTo(199 / 3.0, within(1e-12));
        assertThat(d(all, "median_ttfv_days")).isEqualTo(70.0);
        Row software = only("grouping = 'industry' AND industry = 'software' AND month_end = DATE'2024-03-31'");
        assertThat(d(software, "mean_ttfv_days")).isEqualTo(54.5);
        assertThat(d(software, "median_ttfv_days")).isEqualTo(54.5);
        assertThat(n(all, "nps_responses")).isEqualTo(1);
        assertThat(d(all, "nps")).isEqualTo(100.0);
    }

    /**
     * Referenceable overall per month: January none (A3's only assessment is 381 days old), February A1
     * 1/1, March A1 and B1 2/2, April to June A1 no, A2 and B1 yes: 2/3. An assessment stays current
     * after its month until a newer one.
     */
    @Test
    void referenceableShareUsesTheLatestCurrentAssessment() {
        List<Row> months = metrics.where("grouping = 'overall'").orderBy("month_end").collectAsList();
        assertThat(months).extracting(r -> r.getAs("accounts_referenceable") + "/" + r.getAs("accounts_assessed"))
                .containsExactly("0/0", "1/1", "2/2", "2/3", "2/3", "2/3");
        assertThat((Object) months.get(0).getAs("referenceable_share")).isNull();
        assertThat(metrics.where("account_id = 'A3'").count()).isZero();
    }

    /**
     * January has no data: the overall row is there with zero counts and null ratios, and no account has a
     * row. In May A2 has only its 4-day first-contact ticket: survey ratios null, FCR 1.
     */
    @Test
    void aMonthWithoutDataHasNullRatios() {
        Row january = only("grouping = 'overall' AND month_end = DATE'2024-01-31'");
        for (String count : List.of("nps_responses", "csat_responses", "ces_responses", "tickets_resolved", "accounts_reached_value")) {
            assertThat(n(january, count)).as(count).isZero();
        }
        for (String ratio : List.of("nps", "csat", "ces_mean", "fcr_rate", "median_resolution_days", "ticket_csat",
                "mean_ttfv_days", "median_ttfv_days", "referenceable_share")) {
            assertThat((Object) january.getAs(ratio)).as(ratio).isNull();
        }
        assertThat(cesDistribution(january)).isEmpty();
        assertThat((Boolean) january.getAs("small_group")).isFalse();
        assertThat(metrics.where("month_end = DATE'2024-01-31' AND grouping <> 'overall'").count()).isZero();

        Row a2 = account("A2", "2024-05-31");
        assertThat((Object) a2.getAs("nps")).isNull();
        assertThat((Object) a2.getAs("csat")).isNull();
        assertThat(n(a2, "tickets_resolved")).isEqualTo(1);
        assertThat(d(a2, "fcr_rate")).isEqualTo(1.0);
        assertThat(d(a2, "median_resolution_days")).isEqualTo(4.0);
    }

    /** Account rows: A1 from February (its first assessment), A2 and B1 from March (first value); one row per key. */
    @Test
    void oneRowPerKeyAndAccountRowsOnlyWithData() {
        assertThat(metrics.where("grouping = 'account'").groupBy("account_id").count().orderBy("account_id").collectAsList())
                .extracting(r -> r.getString(0) + ":" + r.getLong(1))
                .containsExactly("A1:5", "A2:4", "B1:4");
        assertThat(metrics.select("grouping").distinct().collectAsList()).extracting(r -> r.getString(0))
                .containsExactlyInAnyOrder("account", "industry", "size_band", "cohort", "overall");
        String[] key = {"month_end", "grouping", "account_id", "industry", "size_band", "onboarding_cohort"};
        assertThat(metrics.dropDuplicates(key).count()).isEqualTo(metrics.count());
        assertThat(metrics.where("as_of_month <> DATE'2024-06-30'").count()).isZero();
    }

    @Test
    void conformsToTheDocumentedTable() {
        var table = OutputTables.EXPERIENCE_METRICS_MONTHLY;
        // collect, not count: count prunes the projection, so the casts would never run.
        assertThat(table.conform(metrics.withColumn("run_id", lit("r"))).collectAsList()).hasSize((int) metrics.count());
        for (StructField f : table.schema().fields()) {
            assertThat(f.getComment().isDefined()).as(f.name()).isTrue();
        }
        assertThat(table.partitionColumn()).contains("as_of_month");
    }
}
