package com.customerhealth.score;

import static com.customerhealth.FixtureWarehouse.points;
import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.customerhealth.FixtureWarehouse;
import com.customerhealth.TestSpark;
import com.customerhealth.config.AppConfig;
import com.customerhealth.config.HealthModel;
import com.customerhealth.config.MetricSpec;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Scoring with per-segment scorecards in one pass: each row's weights_version picks its segment's approved weights
 * (industry before size band) or the global ones, its score is computed with them, and its churn probability read
 * with that version's score-to-probability map.
 */
class SegmentScorecardsTest {
    private final SparkSession spark = TestSpark.session();


    /**
     * Every account has every component at 50 but renewal_intent 80 and payment_punctuality 20. With the fixture prior
     * (relationship 1: nps 1, renewal 3; usage 1: seat 2, sessions 1, support 1; value 2: payment 1, growth 1):
     * relationship (50 + 3 x 80) / 4 = 72.5, usage 50, value (20 + 50) / 2 = 35, health (72.5 + 50 + 2 x 35) / 4 =
     * 48.125 -> 48.13 (at_risk: not above 50). retail's scorecard (renewal 100 points) gives 80 (healthy); smb's (payment 100
     * points) gives 20 (critical). R1 is retail and smb: its industry's scorecard wins.
     *
     * <p>Maps: the global version's intercept -2, slope -0.02; retail's own intercept 1, slope -0.04; smb's version has
     * none. R1: logit 1 - 0.04 x 80 = -2.2, P = 1 / (1 + e^2.2) = 0.0997505, x 1000.00 MRR = 99.75. M1: null (no map for
     * its version, and never the global one). M2, N1: logit -2 - 0.02 x 48.13 = -2.9626, P = 0.0491444, 49.14.
     */
    @Test
    void eachAccountIsScoredWithItsSegmentsApprovedWeightsElseTheGlobalOnesInOnePass() throws Exception {
        AppConfig config = AppConfig.load(FixtureWarehouse.fixtureModelConf(), Map.of("input.root", "/nonexistent/in",
                "output.path", "/nonexistent/out", "output.database", ""));
        HealthModel global = config.model();
        List<Segments.Scorecard> cards = List.of(
                new Segments.Scorecard("size_band", "smb", global.withPoints("v1/size_band=smb", points(0, 100))),
                new Segments.Scorecard("industry", "retail", global.withPoints("v1/industry=retail", points(100, 0))));

        StructType schema = new StructType().add("account_id", DataTypes.StringType).add("industry", DataTypes.StringType)
                .add("size_band", DataTypes.StringType).add("mrr", DataTypes.createDecimalType(18, 2));
        for (MetricSpec m : global.metrics()) {
            schema = schema.add(m.featureColumn(), DataTypes.DoubleType).add(HealthScorer.componentColumn(m), DataTypes.DoubleType);
        }
        List<Row> rows = new ArrayList<>();
        for (String[] a : new String[][] {{"R1", "retail", "smb"}, {"M1", "media", "smb"}, {"M2", "media", "enterprise"},
                {"N1", null, null}}) {
            List<Object> values = new ArrayList<>(List.of(a[0]));
            values.add(a[1]);
            values.add(a[2]);
            values.add(new BigDecimal("1000.00"));
            for (MetricSpec m : global.metrics()) {
                double c = m.name().equals("renewal_intent") ? 80.0 : m.name().equals("payment_punctuality") ? 20.0 : 50.0;
                values.add(c / 100);
                values.add(c);
            }
            rows.add(RowFactory.create(values.toArray()));
        }
        Dataset<Row> components = spark.createDataFrame(rows, schema)
                .withColumn("weights_version", Segments.weightsVersion(cards, global.version()));
        List<HealthModel> models = List.of(global, cards.get(0).model(), cards.get(1).model());
        Map<String, Row> scored = new LinkedHashMap<>();
        LocalDate fitted = LocalDate.of(2026, 9, 30);
        List<ChurnProbability> maps = List.of(new ChurnProbability(global.version(), -2.0, -0.02, fitted),
                new ChurnProbability("v1/industry=retail", 1.0, -0.04, fitted));
        ChurnProbability.withMoney(HealthScorer.aggregateByVersion(components, models, config.tiers()), maps).orderBy("account_id")
                .collectAsList().forEach(r -> scored.put(r.getAs("account_id"), r));

        assertThat(scored.get("R1").<String>getAs("weights_version")).isEqualTo("v1/industry=retail");
        assertThat(scored.get("R1").<Double>getAs("health_score")).isEqualTo(80.0);
        assertThat(scored.get("R1").<String>getAs("health_tier")).isEqualTo("healthy");
        assertThat(scored.get("R1").<Double>getAs("relationship_score")).isEqualTo(80.0);
        assertThat(scored.get("R1").<Double>getAs("churn_probability_90d")).isCloseTo(0.0997505, within(1e-7));
        assertThat(scored.get("R1").<BigDecimal>getAs("mrr_at_risk")).isEqualByComparingTo("99.75");
        assertThat(scored.get("M1").<String>getAs("weights_version")).isEqualTo("v1/size_band=smb");
        assertThat(scored.get("M1").<Double>getAs("health_score")).isEqualTo(20.0);
        assertThat(scored.get("M1").<String>getAs("health_tier")).isEqualTo("critical");
        assertThat(scored.get("M1").<Double>getAs("churn_probability_90d")).isNull();
        assertThat(scored.get("M1").<BigDecimal>getAs("mrr_at_risk")).isNull();
        for (String id : List.of("M2", "N1")) {
            assertThat(scored.get(id).<String>getAs("weights_version")).as(id).isEqualTo(global.version());
            assertThat(scored.get(id).<Double>getAs("health_score")).as(id).isEqualTo(48.13);
            assertThat(scored.get(id).<Double>getAs("relationship_score")).as(id).isEqualTo(72.5);
            assertThat(scored.get(id).<String>getAs("health_tier")).as(id).isEqualTo("at_risk");
            assertThat(scored.get(id).<Double>getAs("churn_probability_90d")).as(id).isCloseTo(0.0491444, within(1e-7));
            assertThat(scored.get(id).<BigDecimal>getAs("mrr_at_risk")).as(id).isEqualByComparingTo("49.14");
        }
        // The same rows through the one-model aggregate give the same global scores: nothing changes without scorecards.
        assertThat(new HealthScorer(global, config.tiers()).aggregate(components).where(col("account_id").equalTo("R1"))
                .first().<Double>getAs("health_score")).isEqualTo(48.13);
    }
}
