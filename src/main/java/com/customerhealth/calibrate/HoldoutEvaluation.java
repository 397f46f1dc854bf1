package com.customerhealth.calibrate;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.percentile_approx;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import com.customerhealth.calibrate.CalibrationReport.CurvePoint;
import com.customerhealth.calibrate.CalibrationReport.Evaluation;
import com.customerhealth.calibrate.CalibrationReport.RocPoint;
import com.customerhealth.calibrate.CalibrationReport.TierRow;
import com.customerhealth.config.HealthModel;
import com.customerhealth.config.Tiers;
import com.customerhealth.score.HealthScorer;
import com.customerhealth.stats.Wilson;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.mllib.evaluation.BinaryClassificationMetrics;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/**
 * Judges one set of weights on the holdout snapshots: how well its health score ranks churners
 * (ROC AUC, PR AUC, churn captured by the lowest 10%), how well the churn probability read from the
 * score matches what happened (Brier score, calibration deciles), and churn per tier.
 *
 * <p>Every figure is an aggregate: the driver receives at most one row per distinct score (scores
 * have 2 decimals, so at most 10,001), per decile, per tier or per as-of date.
 */
final class HoldoutEvaluation {
    static final String SCORE = "_score";
    static final String PREDICTED = "_predicted";
    /** ROC curve points kept for the chart. */
    private static final int ROC_POINTS = 100;
    private static final List<String> TIER_ORDER = List.of("healthy", "needs_attention", "at_risk", "critical", "no_data");

    private HoldoutEvaluation() {
    }

    /** The rows with their health score under {@code model} in {@link #SCORE}; rows the model cannot score are left out. */
    static Dataset<Row> scored(Dataset<Row> rows, HealthModel model, Tiers tiers) {
        return rows.withColumn(SCORE, new HealthScorer(model, tiers).healthScore()).where(col(SCORE).isNotNull());
    }

    /**
     * @param train   training snapshots (only to fit the score-to-probability curve)
     * @param holdout holdout snapshots, judged
     */
    static Evaluation evaluate(String label, HealthModel model, Tiers tiers, Dataset<Row> train, Dataset<Row> holdout) {
        Dataset<Row> trainScored = scored(train.drop(WeightFit.FEATURES), model, tiers).withColumn(WeightFit.WEIGHT, lit(1.0));
        LogisticRegressionModel curve = WeightFit.unbounded().fit(WeightFit.assemble(trainScored, List.of(SCORE)));
        double a = curve.intercept();
        double b = curve.coefficients().apply(0);
        Dataset<Row> judged = scored(holdout, model, tiers)
                .withColumn(PREDICTED, lit(1.0).divide(lit(1.0).plus(exp(lit(-a).minus(col(SCORE).multiply(b))))))
                .cache();
        try {
            Row overall = judged.agg(avg(pow(col(PREDICTED).minus(col("label")), 2)), avg(col("label")),
                    avg(when(col("label").equalTo(1.0), col(SCORE))), avg(when(col("label").equalTo(0.0), col(SCORE)))).first();
            BinaryClassificationMetrics ranking = ranking(judged);
            try {
                return new Evaluation(label, model.version(), ranking.areaUnderROC(), ranking.areaUnderPR(), overall.getDouble(1),
                        overall.getDouble(0), a, b, nullable(overall, 2), nullable(overall, 3), captureLowest10(judged),
                        tiers(judged, new HealthScorer(model, tiers)), calibrationCurve(judged), roc(ranking),
                        calibrationSlope(judged, b));
            } finally {
                ranking.unpersist();
            }
        } finally {
            judged.unpersist();
        }
    }

    /**
     * Calibration slope on the holdout: the slope of a logistic fit of the holdout's labels on the predicted log odds
     * (a + b x score). 1: the map is as steep as the holdout says; below 1: its probabilities are too extreme. As the log
     * odds are linear in the score, it is the holdout's own one-feature slope on the score divided by b.
     */
    private static Double calibrationSlope(Dataset<Row> judged, double b) {
        if (b == 0) {
            return null;
        }
        LogisticRegressionModel own = WeightFit.unbounded().fit(WeightFit.assemble(judged.withColumn(WeightFit.WEIGHT, lit(1.0)),
                List.of(SCORE)));
        return own.coefficients().apply(0) / b;
    }

    /**
     * Churned MRR on the holdout and how much of it a model's tiers flagged: {churned MRR, of it in the at_risk or
     * critical tier}. Null when the snapshots carry no mrr column.
     */
    static double[] flaggedChurnedMrr(Dataset<Row> holdout, HealthModel model, Tiers tiers) {
        if (!java.util.Arrays.asList(holdout.columns()).contains("mrr")) {
            return null;
        }
        Column churnedMrr = when(col("label").equalTo(1.0), col("mrr").cast("double")).otherwise(lit(0.0));
        Column tier = new HealthScorer(model, tiers).tier(col(SCORE));
        Row r = scored(holdout, model, tiers).agg(sum(churnedMrr),
                sum(when(tier.isin("at_risk", "critical"), churnedMrr).otherwise(lit(0.0)))).first();
        return new double[] {r.isNullAt(0) ? 0 : r.getDouble(0), r.isNullAt(1) ? 0 : r.getDouble(1)};
    }

    /** ROC AUC of (100 - score) as a churn predictor: the chance a churner scores below a stayer (ties count half). */
    static double rocAuc(Dataset<Row> scored) {
        BinaryClassificationMetrics ranking = ranking(scored);
        try {
            return ranking.areaUnderROC();
        } finally {
            ranking.unpersist();
        }
    }

    /** Exact curves (no binning): one point per distinct score. */
    private static BinaryClassificationMetrics ranking(Dataset<Row> scored) {
        var pairs = scored.select(lit(100.0).minus(col(SCORE)), col("label")).toJavaRDD()
                .map(r -> new Tuple2<Object, Object>(r.getDouble(0), r.getDouble(1)));
        return new BinaryClassificationMetrics(pairs.rdd(), 0);
    }

    private static List<RocPoint> roc(BinaryClassificationMetrics ranking) {
        List<Tuple2<Object, Object>> all = ranking.roc().toJavaRDD().collect(); // one point per distinct score
        int step = Math.max(1, (int) Math.ceil(all.size() / (double) ROC_POINTS));
        List<RocPoint> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i += step) {
            out.add(point(all.get(i)));
        }
        if ((all.size() - 1) % step != 0) {
            out.add(point(all.get(all.size() - 1)));
        }
        return out;
    }

    private static RocPoint point(Tuple2<Object, Object> t) {
        return new RocPoint((Double) t._1(), (Double) t._2());
    }

    /**
     * Share of the churned snapshots that are among the lowest-scored 10% of each as-of date (ties at
     * the cut included). A churn labels up to horizon/month snapshots of its account, so this counts
     * churned snapshots, not distinct events.
     */
    private static double captureLowest10(Dataset<Row> judged) {
        Dataset<Row> cuts = judged.groupBy("as_of_date").agg(percentile_approx(col(SCORE), lit(0.1), lit(10000)).as("_cut"));
        Row r = judged.join(cuts, "as_of_date")
                .agg(sum(when(col(SCORE).leq(col("_cut")), col("label")).otherwise(0.0)), sum(col("label"))).first();
        return r.getDouble(1) == 0 ? 0.0 : r.getDouble(0) / r.getDouble(1);
    }

    private static List<TierRow> tiers(Dataset<Row> judged, HealthScorer scorer) {
        List<TierRow> out = new ArrayList<>();
        for (Row r : judged.groupBy(scorer.tier(col(SCORE)).as("tier"))
                .agg(count(lit(1)), sum(col("label")).cast("long")).collectAsList()) { // at most five rows
            long accounts = r.getLong(1);
            long churned = r.getLong(2);
            double[] ci = Wilson.interval(churned, accounts);
            out.add(new TierRow(r.getString(0), accounts, churned, (double) churned / accounts, ci[0], ci[1]));
        }
        out.sort(Comparator.comparingInt(t -> TIER_ORDER.indexOf(t.tier())));
        return out;
    }

    /** Deciles of predicted probability (cut points approximate to 1e-4): mean prediction vs observed churn. */
    private static List<CurvePoint> calibrationCurve(Dataset<Row> judged) {
        double[] probabilities = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};
        double[] cuts = judged.stat().approxQuantile(PREDICTED, probabilities, 1e-4);
        Column decile = lit(1);
        for (double cut : cuts) {
            decile = decile.plus(when(col(PREDICTED).gt(cut), 1).otherwise(0));
        }
        List<CurvePoint> out = new ArrayList<>();
        for (Row r : judged.groupBy(decile.as("decile")).agg(count(lit(1)), avg(PREDICTED), avg("label"))
                .orderBy("decile").collectAsList()) { // at most ten rows
            out.add(new CurvePoint(r.getInt(0), r.getLong(1), r.getDouble(2), r.getDouble(3)));
        }
        return out;
    }

    private static double nullable(Row r, int i) {
        return r.isNullAt(i) ? Double.NaN : r.getDouble(i);
    }
}
