package com.customerhealth.actions;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.explode_outer;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.try_divide;
import static org.apache.spark.sql.functions.when;

import java.sql.Date;
import java.time.LocalDate;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * score_drift: the population stability index (PSI) of the health score and of each component between the scores of D
 * and a reference distribution, with the share of missing values on each side (docs/acting-on-the-score.md). Pure.
 *
 * <p>Both sides are first counted into a {@link #histogram}: per measure, the values' 1-point bins of 0-100 (100 falls in
 * the last) and the missing values. The reference is another date's scores, or the approved weights version's training
 * snapshots, whose histogram calibrate keeps in weights_training_distribution (no per-account rows kept). The drift then
 * merges the 1-point bins into {@code bins} equal bins ({@code bins} divides 100, so a 1-point bin falls in exactly one).
 * With p_i and q_i the shares of D's and the reference's non-missing values in bin i, each floored at {@code epsilon} so an
 * empty bin does not make the index infinite, PSI = sum over bins of (p_i - q_i) x ln(p_i / q_i). The flag: stable below
 * the moderate threshold, moderate below the significant one, significant from it.
 */
public final class ScoreDrift {
    /** The histogram's bins: one per point of the 0-100 scale. */
    public static final int FINE_BINS = 100;
    /** A histogram's columns: measure, bin (null: missing), n. */
    public static final StructType HISTOGRAM_SCHEMA = new StructType().add("measure", DataTypes.StringType, false)
            .add("bin", DataTypes.IntegerType, true).add("n", DataTypes.LongType, false);

    private ScoreDrift() {
    }

    /** The histogram of score rows (account_health_scores): health_score and each component of component_scores. */
    public static Dataset<Row> histogram(Dataset<Row> scores) {
        Dataset<Row> health = scores.select(lit("health_score").as("measure"), col("health_score").as("value"));
        Dataset<Row> components = scores.select(explode_outer(col("component_scores")).as(new String[] {"measure", "value"}))
                .where(col("measure").isNotNull());
        return counted(health.unionByName(components));
    }

    /** The histogram of rows holding one value column per measure (a null value is missing), values rounded to 2 decimals as scores are published. */
    public static Dataset<Row> histogram(Dataset<Row> rows, Map<String, Column> measures) {
        Column[] pairs = measures.entrySet().stream()
                .map(e -> struct(lit(e.getKey()).as("measure"), round(e.getValue().cast("double"), 2).as("value"))).toArray(Column[]::new);
        return counted(rows.select(explode(array(pairs)).as("m")).select("m.measure", "m.value"));
    }

    /** (measure, bin, n): bin 0..99 ({@code floor(value)}, clamped), null for the missing values. */
    private static Dataset<Row> counted(Dataset<Row> values) {
        Column bin = least(greatest(floor(col("value")), lit(0)), lit(FINE_BINS - 1)).cast("int");
        return values.withColumn("bin", when(col("value").isNotNull(), bin)).groupBy("measure", "bin").agg(count(lit(1)).as("n"));
    }

    /**
     * One row per measure present in {@code current}: measure, reference, reference_date, current_n, reference_n,
     * current_missing_share, reference_missing_share, psi (null when either side has no value), flag. Both arguments are
     * {@link #histogram}s.
     */
    public static Dataset<Row> drift(Dataset<Row> current, Dataset<Row> reference, String referenceLabel, LocalDate referenceDate,
                                     com.customerhealth.config.ActionSettings.Drift s) {
        Dataset<Row> cur = coarse(current, s.bins(), "c");
        Dataset<Row> ref = coarse(reference, s.bins(), "r");
        Dataset<Row> grid = cur.select("measure").distinct()
                .crossJoin(current.sparkSession().range(s.bins()).select(col("id").cast("int").as("bin")));
        Dataset<Row> perBin = grid.join(cur.where(col("bin").isNotNull()), new String[] {"measure", "bin"}, "left")
                .join(ref.where(col("bin").isNotNull()), new String[] {"measure", "bin"}, "left");
        Dataset<Row> totals = totals(cur, "c").join(totals(ref, "r"), new String[] {"measure"}, "left");
        // A side without values (a component missing for every account) has no shares: try_divide gives null, the PSI null.
        Column p = greatest(try_divide(coalesce(col("n_c"), lit(0L)), col("present_c")), lit(s.epsilon()));
        Column q = greatest(try_divide(coalesce(col("n_r"), lit(0L)), col("present_r")), lit(s.epsilon()));
        Dataset<Row> psi = perBin.join(totals, "measure")
                .groupBy("measure").agg(sum(p.minus(q).multiply(log(p.divide(q)))).as("_psi"));
        Column psiValue = when(col("present_c").gt(0).and(col("present_r").gt(0)), round(col("_psi"), 4));
        return totals.join(psi, "measure")
                .select(col("measure"), lit(referenceLabel).as("reference"),
                        lit(referenceDate == null ? null : Date.valueOf(referenceDate)).cast("date").as("reference_date"),
                        col("all_c").as("current_n"), coalesce(col("all_r"), lit(0L)).as("reference_n"),
                        round(try_divide(col("missing_c"), col("all_c")), 4).as("current_missing_share"),
                        round(try_divide(col("missing_r"), col("all_r")), 4).as("reference_missing_share"),
                        psiValue.as("psi"))
                .withColumn("flag", when(col("psi").isNull().and(col("current_missing_share").equalTo(1.0)), lit("no_values"))
                        .when(col("psi").isNull(), lit("no_reference"))
                        .when(col("psi").geq(s.significantPsi()), lit("significant"))
                        .when(col("psi").geq(s.moderatePsi()), lit("moderate"))
                        .otherwise(lit("stable")));
    }

    /** A histogram's counts per (measure, drift bin); missing values in bin null. */
    private static Dataset<Row> coarse(Dataset<Row> histogram, int bins, String side) {
        return histogram.withColumn("bin", floor(col("bin").multiply(bins).divide(FINE_BINS)).cast("int"))
                .groupBy("measure", "bin").agg(sum(col("n")).as("n_" + side));
    }

    private static Dataset<Row> totals(Dataset<Row> binned, String side) {
        Column n = col("n_" + side);
        return binned.groupBy("measure").agg(sum(n).as("all_" + side), sum(when(col("bin").isNotNull(), n).otherwise(0L)).as("present_" + side),
                sum(when(col("bin").isNull(), n).otherwise(0L)).as("missing_" + side));
    }
}
