package com.customerhealth.cohorts;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataTypes;

/**
 * Kaplan-Meier retention curves by cohort (a pure Dataset transformation).
 *
 * <p>Input: one row per subject (an account) with the group columns, {@code time_months} INT
 * (months from onboarding to the first churn, or to the end of observation when censored; rows
 * where it is null are left out) and {@code churned} BOOLEAN (true: churned at time_months; false:
 * censored then, i.e. still a customer when observation ended).
 *
 * <p>Output: one row per group and per k = 0 .. max(time_months) of the group, every k present:
 * the group columns, {@code months_since_onboarding} INT (= k), {@code at_risk} LONG (subjects with
 * time_months >= k), {@code churned} LONG (churned at k), {@code censored} LONG (censored at k) and
 * {@code retention} DOUBLE = product over j <= k of (1 - churned_j / at_risk_j), the Kaplan-Meier
 * survival estimate. A subject censored at k is at risk at k and leaves afterwards; a factor is 1
 * where nobody is at risk; once retention reaches 0 it stays 0.
 *
 * <p>Scales with the number of (group, month) cells, not subjects: subjects are counted per
 * (group, time_months), the dense k grid is added by sequence/explode and a union (so null group
 * values, e.g. from cube roll-ups, are grouped like any value and never joined on), and the running
 * sums and the running product, exp(sum(log(factor))), are window functions per group ordered by k.
 */
public final class KaplanMeier {
    private static final String K = "months_since_onboarding";

    private KaplanMeier() {
    }

    public static Dataset<Row> curve(Dataset<Row> subjects, List<String> groupColumns) {
        Column[] groups = groupColumns.stream().map(c -> col(c)).toArray(Column[]::new);
        Column churned = col("churned");

        // Counts per (group, month) where something happened.
        Dataset<Row> events = subjects.where(col("time_months").isNotNull())
                .groupBy(with(groups, col("time_months").cast(DataTypes.IntegerType).as(K)))
                .agg(sum(when(churned.equalTo(true), 1L).otherwise(0L)).as("churned_n"),
                        sum(when(churned.equalTo(false), 1L).otherwise(0L)).as("censored_n"),
                        count(lit(1)).as("subjects_n"));
        // Zero rows for every k = 0 .. max of the group, then one row per (group, k).
        Dataset<Row> grid = events.groupBy(groups).agg(max(col(K)).as("max_k"))
                .select(with(groups, explode(sequence(lit(0), col("max_k"))).as(K),
                        lit(0L).as("churned_n"), lit(0L).as("censored_n"), lit(0L).as("subjects_n")));
        Dataset<Row> dense = events.unionByName(grid)
                .groupBy(with(groups, col(K)))
                .agg(sum("churned_n").as("churned"), sum("censored_n").as("censored"), sum("subjects_n").as("subjects_n"));

        WindowSpec byK = Window.partitionBy(groups).orderBy(col(K));
        Column atRisk = col("at_risk");
        // Guarded: the division is only evaluated where at_risk > 0 (ANSI mode).
        Column factor = when(atRisk.gt(0), lit(1.0).minus(col("churned").divide(atRisk))).otherwise(1.0);
        WindowSpec upToK = byK.rowsBetween(Window.unboundedPreceding(), Window.currentRow());
        Column reachedZero = max(when(col("factor").equalTo(0.0), 1).otherwise(0)).over(upToK).equalTo(1);
        Column product = exp(sum(when(col("factor").gt(0.0), log(col("factor"))).otherwise(0.0)).over(upToK));

        return dense
                .withColumn("at_risk", sum("subjects_n").over(byK.rowsBetween(Window.currentRow(), Window.unboundedFollowing())))
                .withColumn("factor", factor)
                .withColumn("retention", when(reachedZero, lit(0.0)).otherwise(product))
                .select(with(groups, col(K).cast(DataTypes.IntegerType), col("at_risk").cast(DataTypes.LongType),
                        col("churned").cast(DataTypes.LongType), col("censored").cast(DataTypes.LongType),
                        col("retention").cast(DataTypes.DoubleType)));
    }

    private static Column[] with(Column[] groups, Column... more) {
        return Stream.concat(Stream.of(groups), Stream.of(more)).toArray(Column[]::new);
    }
}
