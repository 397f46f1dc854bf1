package com.customerhealth.score;

import static com.customerhealth.FixtureWarehouse.D;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.customerhealth.FixtureWarehouse;
import com.customerhealth.TestSpark;
import com.customerhealth.config.AppConfig;
import com.customerhealth.contract.WarehouseContract;
import com.customerhealth.score.ScoringPipeline;
import com.customerhealth.validate.ValidatedWarehouse;
import com.customerhealth.validate.WarehouseLoader;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Exact scores for the standard fixture, worked by hand (D = 2024-06-30, fixture model: relationship
 * weight 1 = nps 1 + renewal_intent 3; usage weight 1 = seat_utilisation 2 + sessions_rank 1 +
 * support_burden 1; value weight 2 = payment_punctuality 1 + mrr_growth_yoy 1).
 *
 * <pre>
 * A1  nps: 1 promoter of 1 = 100 -> 100          renewal: committed (latest, 2024-05-01) -> 100
 *     relationship = (1*100 + 3*100) / 4 = 100
 *     seats: 8*30 user-days / (30 days * 10 seats) = 0.8 -> 80
 *     sessions/active user = 480/240 = 2.0, rank 2 of 3 -> percent_rank 0.5 -> 50
 *     tickets: 1 per 10 seats -> 1/5 = 0.2, lower is better -> 80
 *     usage = (2*80 + 50 + 80) / 4 = 72.5
 *     invoices due in (D-180, D]: 6 of 6 on time -> 100;  MRR 1000 vs 800 a year before: +0.25 -> 75
 *     value = (100 + 75) / 2 = 87.5
 *     health = (100 + 72.5 + 2*87.5) / 4 = 86.875 -> 86.88, healthy
 * A2  nps: 0 promoters, 1 detractor of 2 = -50 -> 25;  renewal: apprehensive -> 0
 *     relationship = (25 + 0) / 4 = 6.25
 *     seats: 4*15 / (30*10) = 0.2 -> 20;  sessions 60/60 = 1.0, lowest -> 0;  4 tickets per 10 seats -> 0.8 -> 20
 *     usage = (2*20 + 0 + 20) / 4 = 15
 *     invoices: Jan, Apr, Jun on time; Feb, Mar late; May paid after D = unpaid as of D -> 3/6 -> 50
 *     MRR 500 vs 500 -> 0 -> 50;  value = 50
 *     health = (6.25 + 15 + 2*50) / 4 = 30.3125 -> 30.31, at_risk
 * A3  no survey, no CSM assessment: nps, renewal_intent missing, relationship left out
 *     seats: 10*30 / (30*20) = 0.5 -> 50;  sessions 900/300 = 3.0, highest -> 100;  no tickets -> 0 -> 100
 *     usage = (2*50 + 100 + 100) / 4 = 75
 *     invoices 4 of 4 on time -> 100; not a customer a year before: mrr_growth_yoy missing; value = 100
 *     health = (1*75 + 2*100) / 3 = 91.666.. -> 91.67, healthy
 *     weight_coverage = 1 - (1/4 * 1/4 + 1/4 * 3/4 + 2/4 * 1/2) = 0.5
 * A4  lapsed 2024-03-31: not a customer on D, not scored
 * </pre>
 */
class HealthScoreExactTest {
    private static SparkSession spark;
    private static AppConfig config;
    private static Map<String, Row> byAccount;

    @BeforeAll
    static void score() {
        spark = TestSpark.session();
        config = FixtureWarehouse.standard().writeAndConfigure(spark, Map.of());
        byAccount = scoresFor(config).collectAsList().stream().collect(Collectors.toMap(r -> r.getAs("account_id"), r -> r));
    }

    static Dataset<Row> scoresFor(AppConfig cfg) {
        ValidatedWarehouse w = WarehouseLoader.load(spark, cfg, D, "test-run",
                WarehouseContract.TABLES.stream().map(t -> t.name()).toList());
        return new ScoringPipeline(cfg, cfg.model()).scores(w, List.of(D), "test-run");
    }

    @Test
    void scoresOnlyCustomersOnTheDate() {
        assertThat(byAccount).containsOnlyKeys("A1", "A2", "A3");
    }

    @Test
    void healthyAccountWithEveryMetric() {
        Row a1 = byAccount.get("A1");
        assertThat((Double) a1.getAs("relationship_score")).isEqualTo(100.0);
        assertThat((Double) a1.getAs("usage_score")).isEqualTo(72.5);
        assertThat((Double) a1.getAs("value_score")).isEqualTo(87.5);
        assertThat((Double) a1.getAs("health_score")).isEqualTo(86.88);
        assertThat((String) a1.getAs("health_tier")).isEqualTo("healthy");
        assertThat(a1.<Object>getList(a1.fieldIndex("missing_components"))).isEmpty();
        assertThat((Double) a1.getAs("weight_coverage")).isEqualTo(1.0);
        Map<String, Double> components = a1.getJavaMap(a1.fieldIndex("component_scores"));
        assertThat(components).containsEntry("nps", 100.0).containsEntry("renewal_intent", 100.0)
                .containsEntry("seat_utilisation", 80.0).containsEntry("sessions_rank", 50.0)
                .containsEntry("support_burden", 80.0).containsEntry("payment_punctuality", 100.0)
                .containsEntry("mrr_growth_yoy", 75.0);
        Map<String, Double> values = a1.getJavaMap(a1.fieldIndex("metric_values"));
        assertThat(values.get("seat_utilisation")).isCloseTo(0.8, within(1e-12));
        assertThat(values.get("sessions_rank")).isEqualTo(2.0);
        assertThat(values.get("support_burden")).isEqualTo(1.0);
        assertThat(values.get("mrr_growth_yoy")).isCloseTo(0.25, within(1e-12));
        assertThat(a1.<java.math.BigDecimal>getAs("mrr")).isEqualByComparingTo("1000");
        assertThat((Long) a1.getAs("seats")).isEqualTo(10L);
        assertThat((String) a1.getAs("size_band")).isEqualTo("mid_market");
    }

    @Test
    void atRiskAccountWithLatePaymentsAndAnInvoicePaidAfterD() {
        Row a2 = byAccount.get("A2");
        assertThat((Double) a2.getAs("relationship_score")).isEqualTo(6.25);
        assertThat((Double) a2.getAs("usage_score")).isEqualTo(15.0);
        assertThat((Double) a2.getAs("value_score")).isEqualTo(50.0);
        assertThat((Double) a2.getAs("health_score")).isEqualTo(30.31);
        assertThat((String) a2.getAs("health_tier")).isEqualTo("at_risk");
        Map<String, Double> values = a2.getJavaMap(a2.fieldIndex("metric_values"));
        assertThat(values).containsEntry("nps", -50.0).containsEntry("renewal_intent", 0.0)
                .containsEntry("payment_punctuality", 0.5).containsEntry("support_burden", 4.0)
                .containsEntry("mrr_growth_yoy", 0.0);
        assertThat((String) a2.getAs("size_band")).isEqualTo("smb");
    }

    @Test
    void missingMetricsAreLeftOutAndListed() {
        Row a3 = byAccount.get("A3");
        assertThat((Object) a3.getAs("relationship_score")).isNull();
        assertThat((Double) a3.getAs("usage_score")).isEqualTo(75.0);
        assertThat((Double) a3.getAs("value_score")).isEqualTo(100.0);
        assertThat((Double) a3.getAs("health_score")).isEqualTo(91.67);
        assertThat((String) a3.getAs("health_tier")).isEqualTo("healthy");
        assertThat(a3.<String>getList(a3.fieldIndex("missing_components"))).containsExactly("nps", "renewal_intent", "mrr_growth_yoy");
        assertThat((Double) a3.getAs("weight_coverage")).isEqualTo(0.5);
        Map<String, Double> components = a3.getJavaMap(a3.fieldIndex("component_scores"));
        assertThat(components).containsEntry("nps", null).containsEntry("sessions_rank", 100.0);
        assertThat((String) a3.getAs("size_band")).isEqualTo("enterprise");
    }

    @Test
    void everyRowNamesItsWeightsVersionAndRun() {
        for (Row r : byAccount.values()) {
            assertThat((String) r.getAs("weights_version")).isEqualTo(config.model().version()).startsWith("fixture@prior-");
            assertThat((String) r.getAs("run_id")).isEqualTo("test-run");
            assertThat((java.sql.Date) r.getAs("score_date")).isEqualTo(java.sql.Date.valueOf(D));
        }
    }

    @Test
    void anAccountWhoseAccountsRowIsQuarantinedIsNotScoredButItsOtherRowsAreKept() {
        AppConfig cfg = FixtureWarehouse.standard().without("accounts", "A1").account("A1", "2023-01-01", -1, "csm_01")
                .writeAndConfigure(spark, Map.of("validation.max-rejected-share", "1.0"));
        ValidatedWarehouse w = WarehouseLoader.load(spark, cfg, D, "test-run",
                WarehouseContract.TABLES.stream().map(t -> t.name()).toList());

        List<Row> scored = new ScoringPipeline(cfg, cfg.model()).scores(w, List.of(D), "test-run").orderBy("account_id").collectAsList();
        assertThat(scored).extracting(r -> (String) r.getAs("account_id")).containsExactly("A2", "A3");
        assertThat(w.rejected().collectAsList()).extracting(r -> r.getAs("table_name") + "/" + r.getAs("rule"))
                .containsExactly("accounts/negative_value");
        assertThat(w.table("usage_daily").where("account_id = 'A1'").count()).isEqualTo(30);
        // A2 and A3 keep their hand-worked scores except the percentile, which now ranks two accounts.
        assertThat((Double) scored.get(0).getAs("health_score")).isEqualTo(30.31);
    }

    @Test
    void perSeatMetricsAreMissingNotZeroWhenAnAccountHasNoSeats() {
        AppConfig cfg = FixtureWarehouse.standard().without("subscription_periods", "A3")
                .period("A3", "2024-03-01", null, 2000, 0)
                .writeAndConfigure(spark, Map.of());
        Row a3 = scoresFor(cfg).where("account_id = 'A3'").first();

        assertThat(a3.<String>getList(a3.fieldIndex("missing_components"))).contains("seat_utilisation", "support_burden");
        Map<String, Double> components = a3.getJavaMap(a3.fieldIndex("component_scores"));
        assertThat(components).containsEntry("seat_utilisation", null).containsEntry("support_burden", null)
                .containsEntry("sessions_rank", 100.0);
        // usage = sessions_rank alone = 100; value = payment_punctuality alone = 100; health = (1*100 + 2*100) / 3
        assertThat((Double) a3.getAs("usage_score")).isEqualTo(100.0);
        assertThat((Double) a3.getAs("health_score")).isEqualTo(100.0);
    }

    @Test
    void usageBeforeOnboardingCountsOverTheDaysItCovers() {
        // A3 onboarded 2024-06-21 but used the product (a trial) from 2024-06-01: 30 days of usage,
        // 10 of 20 seats active: the ratio is 0.5 over the 30 days covered, not 300 / (10 * 20) = 1.5.
        AppConfig cfg = FixtureWarehouse.standard().without("accounts", "A3").account("A3", "2024-06-21", 2500, "csm_02")
                .without("subscription_periods", "A3").period("A3", "2024-06-21", null, 2000, 20)
                .without("invoices", "A3")
                .writeAndConfigure(spark, Map.of());
        Row a3 = scoresFor(cfg).where("account_id = 'A3'").first();

        Map<String, Double> values = a3.getJavaMap(a3.fieldIndex("metric_values"));
        assertThat(values.get("seat_utilisation")).isEqualTo(0.5);
    }
}
