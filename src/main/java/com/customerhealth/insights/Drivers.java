package com.customerhealth.insights;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.format_number;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

import com.customerhealth.config.HealthModel;
import com.customerhealth.config.MetricSpec;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * account_health_drivers: for every scored account and metric, how many health points the metric
 * costs the account against three references, and the account's score trend (docs/metrics.md,
 * "Areas of concern"). Pure: scores in, rows out.
 *
 * <p>points lost against a reference = the metric's weight (points of 100) x (reference component -
 * component) / 100: exactly how much higher the health score would be, all else equal, were the
 * component at the reference. The references: the account's own component 30 and 90 days before, and
 * the median component of the healthy accounts of its industry x size band. A metric's concern points
 * are the largest of the three; metrics with concern points above 0 are ranked per account.
 */
public final class Drivers {
    private Drivers() {
    }

    /** The model's metrics as a small table: metric, dimension, weight_points, feature. */
    public static Dataset<Row> metricTable(SparkSession spark, HealthModel model) {
        StructType schema = new StructType().add("metric", DataTypes.StringType).add("dimension", DataTypes.StringType)
                .add("weight_points", DataTypes.DoubleType).add("feature", DataTypes.StringType);
        List<Row> rows = new ArrayList<>();
        for (MetricSpec m : model.metrics()) {
            rows.add(RowFactory.create(m.name(), m.dimension(), 100 * model.effectiveWeight(m), m.feature().id()));
        }
        return spark.createDataFrame(rows, schema);
    }

    /**
     * The metrics of each weights version a score date's rows were made with (the global version and any segment's
     * scorecard): {@link #metricTable(SparkSession, HealthModel)} plus weights_version, so {@link #drivers} weighs each
     * account's points lost with the weights of its own score.
     */
    public static Dataset<Row> metricTable(SparkSession spark, List<HealthModel> models) {
        Dataset<Row> out = null;
        for (HealthModel m : models) {
            Dataset<Row> one = metricTable(spark, m).withColumn("weights_version", lit(m.version()));
            out = out == null ? one : out.unionByName(one);
        }
        return out;
    }

    /**
     * @param now      account_health_scores rows of D
     * @param before30 rows of D - 30 days (may be empty)
     * @param before90 rows of D - 90 days (may be empty)
     * @param peers    {@link PeerBenchmarks#healthyPeers} of D
     * @param trendThreshold a 30-day score change of at least this many points is rising or falling
     * @param topConcerns    how many of an account's concerns get a sentence
     */
    public static Dataset<Row> drivers(Dataset<Row> now, Dataset<Row> before30, Dataset<Row> before90, Dataset<Row> peers,
                                       Dataset<Row> metrics, double trendThreshold, int topConcerns) {
        Dataset<Row> current = components(now)
                .join(now.select(col("account_id"), col("health_score"), col("health_tier"), col("weights_version")), "account_id");
        // Per-version metrics (segment scorecards) join on the row's weights_version; one model's on the metric alone.
        current = List.of(metrics.columns()).contains("weights_version")
                ? current.join(metrics, new String[] {"metric", "weights_version"}) : current.join(metrics, "metric");
        Dataset<Row> rows = current
                .join(renamed(before30, "30d"), new String[] {"account_id", "metric"}, "left")
                .join(renamed(before90, "90d"), new String[] {"account_id", "metric"}, "left")
                .join(scoreOn(before30, "30d"), new String[] {"account_id"}, "left")
                .join(scoreOn(before90, "90d"), new String[] {"account_id"}, "left");
        // Null-safe: accounts without an industry or size band are compared with the peers that lack it too.
        Dataset<Row> p = peers.withColumnRenamed("industry", "_p_industry").withColumnRenamed("size_band", "_p_size_band")
                .withColumnRenamed("metric", "_p_metric");
        rows = rows.join(p, col("industry").eqNullSafe(col("_p_industry")).and(col("size_band").eqNullSafe(col("_p_size_band")))
                .and(col("metric").equalTo(col("_p_metric"))), "left").drop("_p_industry", "_p_size_band", "_p_metric");

        Column weight = col("weight_points").divide(100.0);
        Column lost30 = lost(weight, col("component_30d_ago"));
        Column lost90 = lost(weight, col("component_90d_ago"));
        Column lostPeers = lost(weight, col("peer_component"));
        Column concern = greatest(lost30, lost90, lostPeers); // nulls ignored; null when no reference exists
        Column change30 = col("health_score").minus(col("score_30d_ago"));
        Dataset<Row> out = rows
                .withColumn("points_lost_vs_30d", lost30)
                .withColumn("points_lost_vs_90d", lost90)
                .withColumn("points_lost_vs_peers", lostPeers)
                .withColumn("concern_points", concern)
                .withColumn("score_change_30d", round(change30, 2))
                .withColumn("score_change_90d", round(col("health_score").minus(col("score_90d_ago")), 2))
                .withColumn("trend", when(col("health_score").isNull(), lit("no_data"))
                        .when(col("score_30d_ago").isNull(), lit("new"))
                        .when(change30.leq(-trendThreshold), lit("falling"))
                        .when(change30.geq(trendThreshold), lit("rising"))
                        .otherwise(lit("stable")));
        // A score change across two weights versions mixes a weights change with a health change: flagged.
        out = out.withColumn("trend_weights_changed", col("_weights_30d").isNotNull().and(col("_weights_30d").notEqual(col("weights_version")))
                        .or(col("_weights_90d").isNotNull().and(col("_weights_90d").notEqual(col("weights_version")))))
                .drop("_weights_30d", "_weights_90d");
        Column isConcern = col("concern_points").gt(0);
        Column rank = row_number().over(Window.partitionBy("account_id")
                .orderBy(when(isConcern, 0).otherwise(1), col("concern_points").desc_nulls_last(), col("metric")));
        return out.withColumn("concern_rank", when(isConcern, rank))
                .withColumn("concern", when(col("concern_rank").leq(topConcerns), sentence()));
    }

    /** One row per account and metric of a score date: metric, component, value, industry, size band. */
    private static Dataset<Row> components(Dataset<Row> scores) {
        return scores.select(col("score_date"), col("account_id"), col("account_name"), col("industry"), col("size_band"),
                        col("csm_owner"), explode(col("component_scores")).as(new String[] {"metric", "component"}),
                        col("metric_values"))
                .withColumn("value", col("metric_values").getItem(col("metric"))).drop("metric_values");
    }

    private static Dataset<Row> renamed(Dataset<Row> scores, String suffix) {
        return components(scores).select(col("account_id"), col("metric"), col("component").as("component_" + suffix + "_ago"),
                col("value").as("value_" + suffix + "_ago"));
    }

    private static Dataset<Row> scoreOn(Dataset<Row> scores, String suffix) {
        return scores.select(col("account_id"), col("health_score").as("score_" + suffix + "_ago"),
                col("weights_version").as("_weights_" + suffix));
    }

    /** weight x (reference - component), 2 decimals; null when either is missing. */
    private static Column lost(Column weight, Column reference) {
        return round(weight.multiply(reference.minus(col("component"))), 2);
    }

    /** "usage / seat_utilisation: 18.0 points below 30 days ago (value 0.42, was 0.71); costs 3.0 health points". */
    private static Column sentence() {
        Column head = concat(col("dimension"), lit(" / "), col("metric"), lit(": "));
        Column value = when(col("value").isNull(), lit("no data")).otherwise(format_number(col("value"), 2));
        Column vs30 = concat(format_number(col("component_30d_ago").minus(col("component")), 1), lit(" points below 30 days ago (value "),
                value, lit(", was "), format_number(col("value_30d_ago"), 2), lit(")"));
        Column vs90 = concat(format_number(col("component_90d_ago").minus(col("component")), 1), lit(" points below 90 days ago (value "),
                value, lit(", was "), format_number(col("value_90d_ago"), 2), lit(")"));
        Column vsPeers = concat(format_number(col("peer_component").minus(col("component")), 1),
                lit(" points below the healthy "), col("industry"), lit(" "), col("size_band"), lit(" accounts (value "), value,
                lit(", their median "), format_number(col("peer_value"), 2), lit(")"));
        Column reason = when(col("concern_points").equalTo(col("points_lost_vs_30d")), vs30)
                .when(col("concern_points").equalTo(col("points_lost_vs_90d")), vs90)
                .otherwise(vsPeers);
        return concat(head, reason, lit("; costs "), format_number(col("concern_points"), 1), lit(" health points"));
    }
}
