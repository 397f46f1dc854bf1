package com.customerhealth.score;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

import com.customerhealth.contract.WarehouseContract;
import com.customerhealth.io.DeltaTables;
import com.customerhealth.io.OutputTables;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * From score to money: the probability that an account churns within {@code calibration.horizon-days} (90) of its
 * score date, read from its health score by the score-to-probability map a calibrate run fitted for the weights
 * version scored with (P = 1 / (1 + exp(-(intercept + slope x score))), fitted on that run's training snapshots and
 * checked on its holdout: deciles, Brier, calibration slope in the report), and {@code mrr_at_risk} = P x MRR.
 *
 * <p>Each calibrate run fits the map for today's weights (label current), for its proposal, and for each segment version
 * it proposes beside it ({@code <version>/<grouping>=<segment>}, label own: fitted on the segment's training rows scored
 * with its own weights), so the map of a version is recalibrated with every calibration; scoring uses the newest run's
 * map (on or before the score date) for each row's version. Until a calibrate run has fitted a map for the version scored
 * with, both columns are null (docs/calibration.md, "From score to money"); the calibrate run then fills in its run
 * date's rows. A segment version whose training rows gave no map (no churners or no stayers) keeps them null.
 *
 * @param weightsVersion the version the map belongs to
 * @param intercept      logit intercept
 * @param slope          logit change per score point (negative: a higher score, less churn)
 * @param fittedOn       run date of the calibrate run that fitted it
 */
public record ChurnProbability(String weightsVersion, double intercept, double slope, LocalDate fittedOn) {
    public static final String PROBABILITY = "churn_probability_90d";
    public static final String MRR_AT_RISK = "mrr_at_risk";

    /** P(churn within the horizon) of a health score column; null where the score is null. */
    public Column of(Column score) {
        return lit(1.0).divide(lit(1.0).plus(exp(lit(-intercept).minus(score.multiply(slope)))));
    }

    /** mrr x probability, to the cent (the MRR's decimal type). */
    public static Column mrrAtRisk(Column mrr, Column probability) {
        return round(mrr.cast("double").multiply(probability), 2).cast(WarehouseContract.MONEY);
    }

    /**
     * Adds {@code churn_probability_90d} and {@code mrr_at_risk} to scores that carry {@code health_score},
     * {@code weights_version} and {@code mrr}: each row's from the map of its weights_version among {@code maps} (null for
     * a null score); null on rows of a version without a map. One pass: a CASE over the versions.
     */
    public static Dataset<Row> withMoney(Dataset<Row> scores, List<ChurnProbability> maps) {
        Column p = lit(null).cast("double");
        for (ChurnProbability m : maps) {
            p = when(col("weights_version").equalTo(m.weightsVersion()), m.of(col("health_score"))).otherwise(p);
        }
        return scores.withColumn(PROBABILITY, when(col("health_score").isNotNull(), p).cast("double"))
                .withColumn(MRR_AT_RISK, mrrAtRisk(col("mrr"), col(PROBABILITY)));
    }

    /**
     * The newest map calibration_runs holds for {@code weightsVersion} from a run dated on or before {@code asOf}
     * (its score_intercept and score_slope figures); empty when no calibrate run has fitted one.
     */
    public static Optional<ChurnProbability> latest(DeltaTables tables, String weightsVersion, LocalDate asOf) {
        return latest(tables, List.of(weightsVersion), asOf).stream().findFirst();
    }

    /**
     * For each of {@code versions} that has one, the newest map calibration_runs holds for it from a run dated on or
     * before {@code asOf}: the newest run that recorded both its score_intercept and score_slope. One small job for all
     * versions.
     */
    public static List<ChurnProbability> latest(DeltaTables tables, Collection<String> versions, LocalDate asOf) {
        if (versions.isEmpty() || !tables.exists(OutputTables.CALIBRATION_RUNS)) {
            return List.of();
        }
        Dataset<Row> maps = tables.read(OutputTables.CALIBRATION_RUNS)
                .where(col("weights_version").isin(versions.toArray()).and(col("bucket").equalTo("all"))
                        .and(col("figure").isin("score_intercept", "score_slope")).and(col("value").isNotNull())
                        .and(col("run_date").leq(lit(java.sql.Date.valueOf(asOf)))))
                .groupBy("weights_version", "run_date")
                .agg(max(when(col("figure").equalTo("score_intercept"), col("value"))).as("intercept"),
                        max(when(col("figure").equalTo("score_slope"), col("value"))).as("slope"))
                .where(col("intercept").isNotNull().and(col("slope").isNotNull()));
        List<ChurnProbability> out = new ArrayList<>();
        for (Row r : maps.withColumn("_newest", row_number().over(Window.partitionBy("weights_version").orderBy(col("run_date").desc())))
                .where(col("_newest").equalTo(1)).orderBy("weights_version").collectAsList()) { // at most one row per version asked
            out.add(new ChurnProbability(r.getAs("weights_version"), r.<Double>getAs("intercept"), r.<Double>getAs("slope"),
                    r.<java.sql.Date>getAs("run_date").toLocalDate()));
        }
        return List.copyOf(out);
    }
}
