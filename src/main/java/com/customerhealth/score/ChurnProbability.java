package com.customerhealth.score;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.when;

import com.customerhealth.contract.WarehouseContract;
import com.customerhealth.io.DeltaTables;
import com.customerhealth.io.OutputTables;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * From score to money: the probability that an account churns within {@code calibration.horizon-days} (90) of its
 * score date, read from its health score by the score-to-probability map a calibrate run fitted for the weights
 * version scored with (P = 1 / (1 + exp(-(intercept + slope x score))), fitted on that run's training snapshots and
 * checked on its holdout: deciles, Brier, calibration slope in the report), and {@code mrr_at_risk} = P x MRR.
 *
 * <p>Each calibrate run fits the map for today's weights (label current) and for its proposal, so the map of a
 * version is recalibrated with every calibration; scoring uses the newest run's map (on or before the score date)
 * for its version. Until a calibrate run has fitted a map for the version scored with, both columns are null
 * (docs/calibration.md, "From score to money"); the calibrate run then fills in its run date's rows.
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
     * Adds {@code churn_probability_90d} and {@code mrr_at_risk} to scores that carry {@code health_score} and
     * {@code mrr}: from the map when there is one (null for a null score), else null.
     */
    public static Dataset<Row> withMoney(Dataset<Row> scores, Optional<ChurnProbability> map) {
        Column p = map.map(m -> when(col("health_score").isNotNull(), m.of(col("health_score")))).orElse(lit(null)).cast("double");
        return scores.withColumn(PROBABILITY, p).withColumn(MRR_AT_RISK, mrrAtRisk(col("mrr"), col(PROBABILITY)));
    }

    /**
     * The newest map calibration_runs holds for {@code weightsVersion} from a run dated on or before {@code asOf}
     * (its score_intercept and score_slope figures); empty when no calibrate run has fitted one. Reads two rows per run.
     */
    public static Optional<ChurnProbability> latest(DeltaTables tables, String weightsVersion, LocalDate asOf) {
        if (!tables.exists(OutputTables.CALIBRATION_RUNS)) {
            return Optional.empty();
        }
        List<Row> rows = tables.read(OutputTables.CALIBRATION_RUNS)
                .where(col("weights_version").equalTo(weightsVersion).and(col("bucket").equalTo("all"))
                        .and(col("figure").isin("score_intercept", "score_slope")).and(col("value").isNotNull())
                        .and(col("run_date").leq(lit(java.sql.Date.valueOf(asOf)))))
                .orderBy(col("run_date").desc()).select("run_date", "figure", "value").takeAsList(4); // the newest run's two rows first
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        java.sql.Date newest = rows.get(0).getDate(0);
        Map<String, Double> figures = new HashMap<>();
        rows.stream().filter(r -> r.getDate(0).equals(newest)).forEach(r -> figures.put(r.getString(1), r.getDouble(2)));
        if (!figures.containsKey("score_intercept") || !figures.containsKey("score_slope")) {
            return Optional.empty();
        }
        return Optional.of(new ChurnProbability(weightsVersion, figures.get("score_intercept"), figures.get("score_slope"),
                newest.toLocalDate()));
    }
}
