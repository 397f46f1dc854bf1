package com.customerhealth.insights;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.grouping_id;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_concat;
import static org.apache.spark.sql.functions.map;
import static org.apache.spark.sql.functions.percentile_approx;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.jdk.javaapi.CollectionConverters;

/**
 * peer_benchmarks: how the health score and every component are spread among the accounts of an
 * industry x size band (and of each alone, and overall), with the median of the healthy accounts:
 * the "healthiest peers" an account is compared with. Pure: scores in, one row per group and measure out.
 *
 * <p>Quantiles are {@code percentile_approx} with accuracy 10,000: on groups of up to 10,000 accounts
 * they are exact order statistics (the smallest value with at least that share of values at or
 * below it); on larger groups within 1/10,000 of rank.
 */
public final class PeerBenchmarks {
    public static final String HEALTH_SCORE = "health_score";
    private static final int ACCURACY = 10_000;

    private PeerBenchmarks() {
    }

    /** One row per account and measure: the health score and every component (with its raw value). */
    static Dataset<Row> measures(Dataset<Row> scores) {
        Column scoreEntry = map(lit(HEALTH_SCORE), col("health_score"));
        Column rawScore = map(lit(HEALTH_SCORE), lit(null).cast("double"));
        return scores
                .select(col("account_id"), col("industry"), col("size_band"), col("health_tier"),
                        explode(map_concat(scoreEntry, col("component_scores"))).as(new String[] {"measure", "value"}),
                        map_concat(rawScore, col("metric_values")).as("_raw"))
                .withColumn("raw_value", col("_raw").getItem(col("measure"))).drop("_raw");
    }

    /**
     * @param scores      account_health_scores rows of one date
     * @param minGroupSize groups with fewer scored accounts are flagged small_group
     */
    public static Dataset<Row> benchmarks(Dataset<Row> scores, int minGroupSize) {
        Dataset<Row> m = measures(scores);
        Column healthy = col("health_tier").equalTo("healthy");
        List<scala.collection.immutable.Seq<Column>> sets = new ArrayList<>();
        for (List<String> set : List.of(List.of("industry", "size_band"), List.of("industry"), List.of("size_band"), List.<String>of())) {
            List<Column> s = new ArrayList<>(List.of(col("measure")));
            set.forEach(c -> s.add(col(c)));
            sets.add(CollectionConverters.asScala(s).toList());
        }
        Column quartiles = percentile_approx(col("value"), array(lit(0.25), lit(0.5), lit(0.75)), lit(ACCURACY));
        return m.groupingSets(CollectionConverters.asScala(sets).toList(), col("measure"), col("industry"), col("size_band"))
                .agg(count(lit(1)).as("accounts"),
                        count(col("value")).as("accounts_with_value"),
                        quartiles.as("_q"),
                        percentile_approx(when(healthy, col("value")), lit(0.5), lit(ACCURACY)).as("healthy_median"),
                        percentile_approx(when(healthy, col("raw_value")), lit(0.5), lit(ACCURACY)).as("healthy_median_raw_value"),
                        count_if(healthy).as("healthy"),
                        count_if(col("health_tier").equalTo("needs_attention")).as("needs_attention"),
                        count_if(col("health_tier").equalTo("at_risk")).as("at_risk"),
                        count_if(col("health_tier").equalTo("critical")).as("critical"),
                        grouping_id().as("_gid"))
                .withColumn("grouping", when(col("_gid").equalTo(0), lit("industry x size_band"))
                        .when(col("_gid").equalTo(1), lit("industry")).when(col("_gid").equalTo(2), lit("size_band"))
                        .otherwise(lit("overall")))
                .withColumn("p25", col("_q").getItem(0)).withColumn("median", col("_q").getItem(1)).withColumn("p75", col("_q").getItem(2))
                .withColumn("small_group", col("accounts").lt(minGroupSize))
                .drop("_q", "_gid");
    }

    /** The healthy-peer reference of every (industry, size band, measure): from the industry x size_band rows. */
    public static Dataset<Row> healthyPeers(Dataset<Row> benchmarks) {
        return benchmarks.where(col("grouping").equalTo("industry x size_band"))
                .select(col("industry"), col("size_band"), col("measure").as("metric"),
                        col("healthy_median").as("peer_component"), col("healthy_median_raw_value").as("peer_value"),
                        coalesce(col("healthy"), lit(0L)).as("peer_healthy_accounts"));
    }
}
