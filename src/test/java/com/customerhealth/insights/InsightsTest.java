package com.customerhealth.insights;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import com.customerhealth.TestSpark;
import com.customerhealth.config.AppConfig;
import com.customerhealth.config.InsightSettings;
import com.customerhealth.io.OutputTables;
import java.math.BigDecimal;
import java.sql.Date;
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
import scala.jdk.javaapi.CollectionConverters;

/** Areas of concern, peer benchmarks and segments on small hand-worked score tables. */
class InsightsTest {
    private final SparkSession spark = TestSpark.session();
    private static final Date D = Date.valueOf("2024-06-30");

    /** account_health_scores rows: id, tier, score, mrr, components and raw values of seat_utilisation, payment_punctuality, nps. */
    private Dataset<Row> scores(Date date, Object[]... accounts) {
        List<Row> rows = new ArrayList<>();
        for (Object[] a : accounts) {
            Map<String, Double> comps = new LinkedHashMap<>();
            Map<String, Double> values = new LinkedHashMap<>();
            String[] metrics = {"seat_utilisation", "payment_punctuality", "nps"};
            for (int i = 0; i < 3; i++) {
                comps.put(metrics[i], (Double) a[4 + i]);
                values.put(metrics[i], (Double) a[7 + i]);
            }
            rows.add(RowFactory.create(date, a[0], "Account " + a[0], "software", "smb", null, new BigDecimal((Integer) a[3]).setScale(2),
                    a[2], a[1], CollectionConverters.asScala(comps), CollectionConverters.asScala(values), "test@v1"));
        }
        StructType schema = new StructType();
        for (String c : List.of("score_date", "account_id", "account_name", "industry", "size_band", "csm_owner", "mrr", "health_score",
                "health_tier", "component_scores", "metric_values", "weights_version")) {
            schema = schema.add(OutputTables.ACCOUNT_HEALTH_SCORES.schema().apply(c));
        }
        return spark.createDataFrame(rows, schema);
    }

    private Dataset<Row> metrics() {
        StructType schema = new StructType().add("metric", DataTypes.StringType).add("dimension", DataTypes.StringType)
                .add("weight_points", DataTypes.DoubleType).add("feature", DataTypes.StringType);
        return spark.createDataFrame(List.of(
                RowFactory.create("seat_utilisation", "usage", 20.0, "usage.active_user_ratio"),
                RowFactory.create("payment_punctuality", "value", 30.0, "invoices.on_time_payment_rate"),
                RowFactory.create("nps", "relationship", 10.0, "surveys.nps")), schema);
    }

    // X needs attention at 60; H1-H3 healthy. Components: seat, payment, nps; raw values likewise.
    private Dataset<Row> today() {
        return scores(D,
                new Object[] {"X", "needs_attention", 60.0, 300, 40.0, 50.0, 80.0, 0.40, 0.50, 60.0},
                new Object[] {"H1", "healthy", 75.0, 200, 70.0, 80.0, 80.0, 0.70, 0.80, 60.0},
                new Object[] {"H2", "healthy", 80.0, 400, 75.0, 90.0, 90.0, 0.75, 0.90, 80.0},
                new Object[] {"H3", "healthy", 85.0, 1000, 90.0, 100.0, 70.0, 0.90, 1.00, 40.0});
    }

    @Test
    void peerMediansAreOrderStatisticsOfTheGroupAndOfItsHealthyAccounts() {
        Map<String, Row> byMeasure = new LinkedHashMap<>();
        PeerBenchmarks.benchmarks(today(), 20).where(col("grouping").equalTo("industry x size_band")).collectAsList()
                .forEach(r -> byMeasure.put(r.getAs("measure"), r));
        // health_score 60, 75, 80, 85: p25 = 60 (1 of 4 at or below), median = 75 (2 of 4), p75 = 80 (3 of 4).
        Row score = byMeasure.get("health_score");
        assertThat(List.of(score.<Double>getAs("p25"), score.<Double>getAs("median"), score.<Double>getAs("p75")))
                .containsExactly(60.0, 75.0, 80.0);
        // Healthy only: 75, 80, 85 -> 80.
        assertThat(score.<Double>getAs("healthy_median")).isEqualTo(80.0);
        assertThat(List.of(score.<Long>getAs("accounts"), score.<Long>getAs("healthy"), score.<Long>getAs("needs_attention")))
                .containsExactly(4L, 3L, 1L);
        assertThat(score.<Boolean>getAs("small_group")).isTrue();
        // seat_utilisation of the healthy: 70, 75, 90 -> 75; raw 0.70, 0.75, 0.90 -> 0.75.
        assertThat(byMeasure.get("seat_utilisation").<Double>getAs("healthy_median")).isEqualTo(75.0);
        assertThat(byMeasure.get("seat_utilisation").<Double>getAs("healthy_median_raw_value")).isEqualTo(0.75);
        assertThat(byMeasure.get("payment_punctuality").<Double>getAs("healthy_median")).isEqualTo(90.0);
        assertThat(byMeasure.get("nps").<Double>getAs("healthy_median")).isEqualTo(80.0);
    }

    /**
     * X's usage fell (seat utilisation 80 -> 70 -> 40 over 90 and 30 days) and its invoices got later
     * (payment punctuality 100 -> 60 -> 50). Points lost = weight x (reference - component) / 100:
     * <pre>
     *   payment (30 points): vs 30d 0.3 x 10 = 3.0, vs 90d 0.3 x 50 = 15.0, vs peers (90) 0.3 x 40 = 12.0 -> 15.0
     *   seat    (20 points): vs 30d 0.2 x 30 = 6.0, vs 90d 0.2 x 40 =  8.0, vs peers (75) 0.2 x 35 =  7.0 ->  8.0
     *   nps     (10 points): vs 30d 0,               vs 90d 0.1 x -10 = -1.0, vs peers (80) 0           ->  0 (no concern)
     * </pre>
     * so the invoices come first, usage second; the score fell 10 points in 30 days: falling.
     */
    @Test
    void theConcernThatCostsMostComesFirstWithItsSentenceAndTheTrend() {
        Dataset<Row> before30 = scores(Date.valueOf("2024-05-31"),
                new Object[] {"X", "needs_attention", 70.0, 300, 70.0, 60.0, 80.0, 0.70, 0.60, 60.0});
        Dataset<Row> before90 = scores(Date.valueOf("2024-04-01"),
                new Object[] {"X", "healthy", 78.0, 300, 80.0, 100.0, 70.0, 0.80, 1.00, 40.0});
        Dataset<Row> peers = PeerBenchmarks.healthyPeers(PeerBenchmarks.benchmarks(today(), 20));
        Map<String, Row> x = new LinkedHashMap<>();
        Drivers.drivers(today(), before30, before90, peers, metrics(), 5.0, 3).where(col("account_id").equalTo("X")).collectAsList()
                .forEach(r -> x.put(r.getAs("metric"), r));

        Row payment = x.get("payment_punctuality");
        assertThat(List.of(payment.<Double>getAs("points_lost_vs_30d"), payment.<Double>getAs("points_lost_vs_90d"),
                payment.<Double>getAs("points_lost_vs_peers"), payment.<Double>getAs("concern_points"))).containsExactly(3.0, 15.0, 12.0, 15.0);
        assertThat(payment.<Integer>getAs("concern_rank")).isEqualTo(1);
        assertThat(payment.<String>getAs("concern")).isEqualTo(
                "value / payment_punctuality: 50.0 points below 90 days ago (value 0.50, was 1.00); costs 15.0 health points");
        Row seat = x.get("seat_utilisation");
        assertThat(seat.<Double>getAs("concern_points")).isEqualTo(8.0);
        assertThat(seat.<Integer>getAs("concern_rank")).isEqualTo(2);
        Row nps = x.get("nps");
        assertThat(nps.<Double>getAs("concern_points")).isEqualTo(0.0);
        assertThat(nps.<Integer>getAs("concern_rank")).isNull();
        assertThat(nps.<String>getAs("concern")).isNull();
        assertThat(payment.<Double>getAs("score_change_30d")).isEqualTo(-10.0);
        assertThat(payment.<Double>getAs("score_change_90d")).isEqualTo(-18.0);
        assertThat(payment.<String>getAs("trend")).isEqualTo("falling");
        assertThat(payment.<Boolean>getAs("trend_weights_changed")).isFalse();
        assertThat(payment.<Double>getAs("weight_points")).isEqualTo(30.0);
    }

    /**
     * X is scored with its segment's scorecard (payment_punctuality 60 points instead of the global 30), H1-H3 with the
     * global version: X's points lost weigh by its own version's weights, 0.6 x (100 - 50) = 30.0 against 90 days
     * ago, and its trend is flagged as crossing two weights versions (it was scored with the global one then).
     */
    @Test
    void anAccountScoredWithItsSegmentsScorecardLosesPointsByThatScorecardsWeights() {
        String segment = "test@v1/industry=software";
        Dataset<Row> now = today().withColumn("weights_version",
                org.apache.spark.sql.functions.when(col("account_id").equalTo("X"), segment).otherwise("test@v1"));
        Dataset<Row> before90 = scores(Date.valueOf("2024-04-01"),
                new Object[] {"X", "healthy", 78.0, 300, 80.0, 100.0, 70.0, 0.80, 1.00, 40.0});
        Dataset<Row> own = metrics().withColumn("weight_points",
                org.apache.spark.sql.functions.when(col("metric").equalTo("payment_punctuality"), 60.0).otherwise(col("weight_points")));
        Dataset<Row> metrics = metrics().withColumn("weights_version", org.apache.spark.sql.functions.lit("test@v1"))
                .unionByName(own.withColumn("weights_version", org.apache.spark.sql.functions.lit(segment)));
        Dataset<Row> peers = PeerBenchmarks.healthyPeers(PeerBenchmarks.benchmarks(now, 20));
        Map<String, Row> payment = new LinkedHashMap<>();
        Drivers.drivers(now, now.limit(0), before90, peers, metrics, 5.0, 3).where(col("metric").equalTo("payment_punctuality"))
                .collectAsList().forEach(r -> payment.put(r.getAs("account_id"), r));
        assertThat(payment).hasSize(4); // one row per account: each joined to its own version's metrics only
        assertThat(payment.get("X").<Double>getAs("weight_points")).isEqualTo(60.0);
        assertThat(payment.get("X").<Double>getAs("points_lost_vs_90d")).isEqualTo(30.0);
        assertThat(payment.get("X").<Boolean>getAs("trend_weights_changed")).isTrue();
        assertThat(payment.get("H1").<Double>getAs("weight_points")).isEqualTo(30.0);
        assertThat(payment.get("H1").<Boolean>getAs("trend_weights_changed")).isFalse();
    }

    @Test
    void aConcernAgainstPeersSaysSoAndAnAccountWithNoHistoryIsNew() {
        Dataset<Row> empty = today().limit(0);
        Dataset<Row> peers = PeerBenchmarks.healthyPeers(PeerBenchmarks.benchmarks(today(), 20));
        Row payment = Drivers.drivers(today(), empty, empty, peers, metrics(), 5.0, 3)
                .where(col("account_id").equalTo("X").and(col("metric").equalTo("payment_punctuality"))).first();
        assertThat(payment.<String>getAs("concern")).isEqualTo(
                "value / payment_punctuality: 40.0 points below the healthy software smb accounts (value 0.50, their median 0.90); "
                        + "costs 12.0 health points");
        assertThat(payment.<String>getAs("trend")).isEqualTo("new");
    }

    /**
     * MRR 100, 100, 200, 300, 400, 400, 1000: the vip cut (top 20%: the 0.8 quantile, rank ceil(5.6) = 6)
     * is 400 and the median (rank 4) 300. Boundaries: B at exactly the vip cut and healthy is vip, C at
     * the cut but not healthy is core, D at exactly the median is core, E's growth rating exactly 4 and
     * F's MRR growth exactly 10% make them potential (F's seats at 0.89 do not), G is secondary.
     */
    @Test
    void segmentRulesAtTheirBoundaries() {
        Dataset<Row> s = scores(D,
                new Object[] {"A", "healthy", 90.0, 1000, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0},
                new Object[] {"B", "healthy", 80.0, 400, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0},
                new Object[] {"C", "needs_attention", 60.0, 400, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0},
                new Object[] {"D", "at_risk", 40.0, 300, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0},
                new Object[] {"E", "needs_attention", 55.0, 200, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0},
                new Object[] {"F", "at_risk", 45.0, 100, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0},
                new Object[] {"G", "critical", 20.0, 100, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0});
        StructType signalSchema = new StructType().add("account_id", DataTypes.StringType).add("growth_rating", DataTypes.DoubleType)
                .add("seat_utilisation", DataTypes.DoubleType).add("mrr_growth_90d", DataTypes.DoubleType);
        Dataset<Row> signals = spark.createDataFrame(List.of(
                RowFactory.create("C", 5.0, 0.95, 0.5), RowFactory.create("D", 3.0, 0.5, 0.0),
                RowFactory.create("E", 4.0, 0.5, 0.0), RowFactory.create("F", 3.0, 0.89, 0.1),
                RowFactory.create("G", 3.0, 0.5, null)), signalSchema);
        InsightSettings.Segmentation cfg = AppConfig.defaults().insights().segments();
        CustomerSegments.Cuts cuts = CustomerSegments.Cuts.of(s, cfg);
        assertThat(cuts).isEqualTo(new CustomerSegments.Cuts(400.0, 300.0));
        Dataset<Row> segments = CustomerSegments.segments(s, signals, cuts, cfg);
        Map<String, String> bySegment = new LinkedHashMap<>();
        segments.orderBy("account_id").collectAsList().forEach(r -> bySegment.put(r.getAs("account_id"), r.getAs("segment")));
        assertThat(bySegment).containsExactly(Map.entry("A", "vip"), Map.entry("B", "vip"), Map.entry("C", "core"),
                Map.entry("D", "core"), Map.entry("E", "potential"), Map.entry("F", "potential"), Map.entry("G", "secondary"));
        Row f = segments.where(col("account_id").equalTo("F")).first();
        assertThat(List.of(f.<Boolean>getAs("signal_growth_rating"), f.<Boolean>getAs("signal_seats_full"), f.<Boolean>getAs("signal_mrr_growing")))
                .containsExactly(false, false, true);
        assertThat(f.<String>getAs("segment_reason")).isEqualTo("MRR growing");

        Row vip = CustomerSegments.summary(segments).where(col("segment").equalTo("vip").and(col("health_tier").equalTo("all"))).first();
        assertThat(vip.<Long>getAs("accounts")).isEqualTo(2L);
        assertThat(vip.<BigDecimal>getAs("mrr")).isEqualByComparingTo("1400");
        assertThat(vip.<Double>getAs("mrr_share")).isEqualTo(0.56); // 1,400 of 2,500
    }
}
