package com.customerhealth.insights;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.percentile_approx;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import com.customerhealth.config.InsightSettings;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * The four customer segments of seed 004, by rules in conf ({@code insights.segments}; docs/metrics.md,
 * "Segments"), first match wins:
 * <ol>
 *   <li>vip: MRR in the top {@code vip-top-share} of customers on D and tier healthy;</li>
 *   <li>potential: MRR below the median and a growth signal: the CSM's growth potential at least
 *       {@code potential-min-growth-rating}, seat utilisation at least {@code expansion-seat-utilisation},
 *       or MRR up at least {@code expansion-mrr-growth} over 90 days;</li>
 *   <li>core: MRR at or above the median;</li>
 *   <li>secondary: the rest (below-median MRR, no growth signal).</li>
 * </ol>
 */
public final class CustomerSegments {
    private CustomerSegments() {
    }

    /** The two MRR cut-offs of D's customers: the vip cut (the 1 - vip-top-share quantile) and the median. */
    public record Cuts(double vipMrr, double medianMrr) {
        public static Cuts of(Dataset<Row> scores, InsightSettings.Segmentation cfg) {
            Row r = scores.agg(percentile_approx(col("mrr").cast("double"), lit(1 - cfg.vipTopShare()), lit(10_000)),
                    percentile_approx(col("mrr").cast("double"), lit(0.5), lit(10_000))).first(); // two numbers
            return r.isNullAt(0) ? new Cuts(Double.MAX_VALUE, Double.MAX_VALUE) : new Cuts(r.getDouble(0), r.getDouble(1));
        }
    }

    /**
     * @param scores  account_health_scores rows of D
     * @param signals account_id, growth_rating (CSM growth potential 1-5), seat_utilisation (0-1), mrr_growth_90d
     */
    public static Dataset<Row> segments(Dataset<Row> scores, Dataset<Row> signals, Cuts cuts, InsightSettings.Segmentation cfg) {
        Column mrr = col("mrr").cast("double");
        Column growthRating = col("growth_rating").geq(cfg.potentialMinGrowthRating());
        Column seats = col("seat_utilisation").geq(cfg.expansionSeatUtilisation());
        Column mrrGrowth = col("mrr_growth_90d").geq(cfg.expansionMrrGrowth());
        Column signal = growthRating.or(seats).or(mrrGrowth);
        Column vip = mrr.geq(cuts.vipMrr()).and(col("health_tier").equalTo("healthy"));
        Column below = mrr.lt(cuts.medianMrr());
        Column segment = when(vip, lit("vip"))
                .when(below.and(signal), lit("potential"))
                .when(below.unary_$bang(), lit("core"))
                .otherwise(lit("secondary"));
        Column reason = when(vip, lit("top MRR and healthy"))
                .when(below.and(signal), concat_ws(", ",
                        when(growthRating, lit("CSM sees growth potential")), when(seats, lit("seats nearly full")),
                        when(mrrGrowth, lit("MRR growing"))))
                .when(below.unary_$bang(), lit("MRR at or above the median"))
                .otherwise(lit("MRR below the median, no growth signal"));
        return scores.select("score_date", "account_id", "account_name", "industry", "size_band", "csm_owner", "mrr", "health_score",
                        "health_tier")
                .join(signals, new String[] {"account_id"}, "left")
                .withColumn("signal_growth_rating", coalesce(growthRating, lit(false)))
                .withColumn("signal_seats_full", coalesce(seats, lit(false)))
                .withColumn("signal_mrr_growing", coalesce(mrrGrowth, lit(false)))
                .withColumn("segment", segment)
                .withColumn("segment_reason", reason)
                .withColumn("vip_mrr_cut", lit(cuts.vipMrr()))
                .withColumn("median_mrr", lit(cuts.medianMrr()));
    }

    /** Counts and MRR per segment x tier (and per segment over all tiers, tier = 'all'), with the MRR share. */
    public static Dataset<Row> summary(Dataset<Row> segments) {
        Dataset<Row> byTier = segments.groupBy("score_date", "segment", "health_tier")
                .agg(count(lit(1)).as("accounts"), sum("mrr").as("mrr"));
        Dataset<Row> bySegment = segments.groupBy("score_date", "segment")
                .agg(count(lit(1)).as("accounts"), sum("mrr").as("mrr")).withColumn("health_tier", lit("all"));
        Dataset<Row> all = byTier.unionByName(bySegment);
        Column total = sum(when(col("health_tier").equalTo("all"), col("mrr").cast("double"))).over(Window.partitionBy("score_date"));
        return all.withColumn("mrr_share", round(when(total.gt(0), col("mrr").cast("double").divide(total)), 6));
    }
}
