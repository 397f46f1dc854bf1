package com.customerhealth.actions;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.util.function.UnaryOperator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * CSM overrides (csm_score_overrides) applied to scores: the computed health_score and health_tier stay as they are, and
 * final_health_score, final_health_tier, override_applied, override_reason and override_author are added. An override
 * applies to the score dates from its valid_from to its valid_until (inclusive; open-ended when null), so it stops applying
 * by itself the day after it ends. Validation has quarantined overlapping overrides, so at most one applies to a score.
 * Pure: scores and validated overrides in, scores out. Calibration never sees these columns: it fits on the computed
 * components (ScoringPipeline.components), before any override.
 */
public final class Overrides {
    private Overrides() {
    }

    /**
     * @param scores    rows with score_date, account_id, health_score, health_tier
     * @param overrides the validated csm_score_overrides rows, or null when the input is absent
     * @param tierOf    the tier of a score by the tiers in conf (for an override_score)
     */
    public static Dataset<Row> apply(Dataset<Row> scores, Dataset<Row> overrides, UnaryOperator<Column> tierOf) {
        if (overrides == null) {
            return scores.withColumn("final_health_score", col("health_score"))
                    .withColumn("final_health_tier", col("health_tier"))
                    .withColumn("override_applied", lit(false))
                    .withColumn("override_reason", lit(null).cast("string"))
                    .withColumn("override_author", lit(null).cast("string"));
        }
        Dataset<Row> o = overrides.select(col("account_id").as("_o_account"), col("valid_from").as("_o_from"),
                col("valid_until").as("_o_until"), col("override_tier").as("_o_tier"), col("override_score").as("_o_score"),
                col("reason").as("_o_reason"), col("author").as("_o_author"));
        Column inForce = col("account_id").equalTo(col("_o_account")).and(col("_o_from").leq(col("score_date")))
                .and(col("_o_until").isNull().or(col("_o_until").geq(col("score_date"))));
        Column applied = col("_o_account").isNotNull();
        Column finalScore = when(col("_o_score").isNotNull(), col("_o_score")).otherwise(col("health_score"));
        return scores.join(o, inForce, "left")
                .withColumn("final_health_score", finalScore)
                .withColumn("final_health_tier", when(col("_o_tier").isNotNull(), col("_o_tier"))
                        .when(col("_o_score").isNotNull(), tierOf.apply(col("_o_score")))
                        .otherwise(col("health_tier")))
                .withColumn("override_applied", coalesce(applied, lit(false)))
                .withColumn("override_reason", col("_o_reason"))
                .withColumn("override_author", col("_o_author"))
                .drop("_o_account", "_o_from", "_o_until", "_o_tier", "_o_score", "_o_reason", "_o_author");
    }
}
