package com.customerhealth.actions;

import static com.customerhealth.FixtureWarehouse.D;
import static com.customerhealth.FixtureWarehouse.d;
import static org.assertj.core.api.Assertions.assertThat;

import com.customerhealth.FixtureWarehouse;
import com.customerhealth.TestSpark;
import com.customerhealth.config.AppConfig;
import com.customerhealth.contract.WarehouseContract;
import com.customerhealth.score.ScoringPipeline;
import com.customerhealth.validate.ValidatedWarehouse;
import com.customerhealth.validate.WarehouseLoader;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * csm_score_overrides on the standard fixture (A1 86.88 healthy, A2 30.31 at_risk, A3 91.67 healthy on D = 2024-06-30, worked
 * in HealthScoreExactTest): which rows validation quarantines and why, and which apply to the scores of D - 1 and D.
 */
class OverridesTest {
    private final SparkSession spark = TestSpark.session();

    private static FixtureWarehouse withOverrides() {
        String t = "csm_score_overrides";
        // account, valid_from, valid_until, override_tier, override_score, reason, author
        return FixtureWarehouse.standard()
                // A1: in force until 2024-06-29, so it expired the day before D.
                .raw(t, "A1", d("2024-06-01"), d("2024-06-29"), "critical", null, "exec sponsor left", "ann")
                // A2: a score of 55 from 2024-06-15, open-ended.
                .raw(t, "A2", d("2024-06-15"), null, null, 55.0, "renewal agreed on the phone", "bob")
                // A3: two overrides sharing 2024-06-15: both quarantined.
                .raw(t, "A3", d("2024-06-01"), d("2024-06-15"), "at_risk", null, "x", "ann")
                .raw(t, "A3", d("2024-06-15"), d("2024-07-31"), "at_risk", null, "y", "ann")
                // A3 in May, apart from those, without a reason; A2 in May with a score out of 0-100; A1 in May with a blank reason.
                .raw(t, "A3", d("2024-05-01"), d("2024-05-10"), "healthy", null, null, "ann")
                .raw(t, "A2", d("2024-05-01"), d("2024-05-10"), null, 120.0, "r", "bob")
                .raw(t, "A1", d("2024-05-01"), d("2024-05-10"), "great", null, "  ", "ann")
                .raw(t, "ZZ", d("2024-06-01"), null, "at_risk", null, "z", "ann")
                .raw(t, "A4", d("2024-06-01"), null, "healthy", 90.0, "both given", "ann");
    }

    @Test
    void badOverridesAreQuarantinedWithTheirRuleAndTheOthersApplyWithinTheirDates() {
        AppConfig cfg = withOverrides().writeAndConfigure(spark, Map.of("input.tables.csm_score_overrides.type", "path"));
        ValidatedWarehouse w = WarehouseLoader.load(spark, cfg, D, "overrides-test",
                WarehouseContract.TABLES.stream().map(t -> t.name()).toList());
        try {
            Map<String, Long> rejected = new TreeMap<>();
            for (Row r : w.rejected().where("table_name = 'csm_score_overrides'").groupBy("rule").count().collectAsList()) {
                rejected.put(r.getString(0), r.getLong(1));
            }
            // A1's May row: its reason is blank (missing_reason comes first of its two rules, invalid tier "great" second).
            assertThat(rejected).containsExactlyEntriesOf(new TreeMap<>(Map.of("overlapping_override", 2L, "missing_reason", 2L,
                    "score_out_of_scale", 1L, "unknown_account", 1L, "tier_or_score", 1L)));
            assertThat(w.optionalTable("csm_score_overrides").orElseThrow().count()).isEqualTo(2);

            Map<String, Row> byKey = new TreeMap<>();
            for (Row r : new ScoringPipeline(cfg, cfg.model()).scores(w, List.of(D.minusDays(1), D), "overrides-test").collectAsList()) {
                byKey.put(r.getAs("account_id") + "@" + r.getAs("score_date"), r);
            }
            // A1 on D - 1: critical by the override, the computed score kept as the final score.
            Row a1Before = byKey.get("A1@2024-06-29");
            assertThat(List.<Object>of(a1Before.getAs("override_applied"), a1Before.getAs("final_health_tier"), a1Before.getAs("override_author"),
                    a1Before.getAs("override_reason"))).containsExactly(true, "critical", "ann", "exec sponsor left");
            assertThat(a1Before.<Double>getAs("final_health_score")).isEqualTo(a1Before.<Double>getAs("health_score"));
            // A1 on D: expired the day before, the computed score stands.
            Row a1 = byKey.get("A1@2024-06-30");
            assertThat(List.<Object>of(a1.getAs("override_applied"), a1.getAs("final_health_score"), a1.getAs("final_health_tier")))
                    .containsExactly(false, 86.88, "healthy");
            assertThat((Object) a1.getAs("override_author")).isNull();
            // A2 on D: 55 by the override, needs_attention by the tiers (50 < 55 < 70); computed 30.31 at_risk kept.
            Row a2 = byKey.get("A2@2024-06-30");
            assertThat(List.<Object>of(a2.getAs("override_applied"), a2.getAs("final_health_score"), a2.getAs("final_health_tier"),
                    a2.getAs("health_score"), a2.getAs("health_tier"), a2.getAs("override_author")))
                    .containsExactly(true, 55.0, "needs_attention", 30.31, "at_risk", "bob");
            // A3: both of its June overrides were quarantined: none applies.
            assertThat(byKey.get("A3@2024-06-30").<Boolean>getAs("override_applied")).isFalse();
            assertThat(byKey.get("A3@2024-06-30").<Double>getAs("final_health_score")).isEqualTo(91.67);
        } finally {
            w.release();
        }
    }
}
