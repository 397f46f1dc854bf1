package com.customerhealth.calibrate;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.percentile_approx;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import com.customerhealth.calibrate.CalibrationReport.CurvePoint;
import com.customerhealth.calibrate.CalibrationReport.Evaluation;
import com.customerhealth.calibrate.CalibrationReport.RocPoint;
import com.customerhealth.calibrate.CalibrationReport.TierRow;
import com.customerhealth.config.HealthModel;
import com.customerhealth.config.Tiers;
import com.customerhealth.score.HealthScorer;
import com.customerhealth.score.Segments;
import com.customerhealth.stats.Wilson;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

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

    /** One set of weights judged on the holdout, and the holdout's churned MRR its tiers flagged (null without an mrr column). */
    record Judged(Evaluation evaluation, double[] flaggedChurnedMrr) {
    }

    /**
     * @param train   training snapshots (only to fit the score-to-probability curve)
     * @param holdout holdout snapshots, judged
     */
    static Judged evaluate(String label, HealthModel model, Tiers tiers, Dataset<Row> train, Dataset<Row> holdout) {
        HealthScorer scorer = new HealthScorer(model, tiers);
        ScoreCurve.Fit curve = curve(scored(train.drop(WeightFit.FEATURES), model, tiers));
        double a = curve.intercept();
        double b = curve.slope();
        Dataset<Row> judged = scored(holdout, model, tiers)
                .withColumn(PREDICTED, lit(1.0).divide(lit(1.0).plus(exp(lit(-a).minus(col(SCORE).multiply(b))))))
                .cache();
        try {
            boolean withMrr = java.util.Arrays.asList(holdout.columns()).contains("mrr");
            // Churned MRR, and of it the share in the at_risk or critical tier, in the same pass as the Brier score.
            Column churnedMrr = withMrr ? when(col("label").equalTo(1.0), col("mrr").cast("double")).otherwise(lit(0.0)) : lit(0.0);
            Column flagged = when(scorer.tier(col(SCORE)).isin("at_risk", "critical"), churnedMrr).otherwise(lit(0.0));
            Row overall = judged.agg(avg(pow(col(PREDICTED).minus(col("label")), 2)), avg(col("label")),
                    avg(when(col("label").equalTo(1.0), col(SCORE))), avg(when(col("label").equalTo(0.0), col(SCORE))),
                    sum(churnedMrr), sum(flagged)).first();
            double[] flaggedChurnedMrr = withMrr ? new double[] {overall.isNullAt(4) ? 0 : overall.getDouble(4),
                    overall.isNullAt(5) ? 0 : overall.getDouble(5)} : null;
            List<double[]> byScore = byScore(judged);
            return new Judged(new Evaluation(label, model.version(), rocAuc(byScore), prAuc(byScore), overall.getDouble(1),
                    overall.getDouble(0), a, b, nullable(overall, 2), nullable(overall, 3), captureLowest10(judged),
                    tiers(judged, scorer), calibrationCurve(judged), thinned(rocCurve(byScore)),
                    calibrationSlope(judged, b)), flaggedChurnedMrr);
        } finally {
            judged.unpersist();
        }
    }

    /**
     * The score-to-probability map of scored rows ({@link #SCORE}, label): {@link ScoreCurve} on the rows counted per distinct
     * score (one aggregation; at most 10,001 points, as scores have 2 decimals), the same maximum-likelihood fit MLlib's
     * unpenalised regression makes on the rows, which took a Spark job per iteration. When the points give no finite fit
     * (one distinct score, or a score that separates churners from stayers), MLlib's fit on the rows, as before.
     */
    static ScoreCurve.Fit curve(Dataset<Row> scored) {
        List<ScoreCurve.Point> points = new ArrayList<>();
        for (Row r : scored.groupBy(col(SCORE)).agg(count(lit(1)), sum(col("label"))).orderBy(SCORE).collectAsList()) {
            points.add(new ScoreCurve.Point(r.getDouble(0), r.getLong(1), r.getDouble(2)));
        }
        return ScoreCurve.fit(points).orElseGet(() -> {
            LogisticRegressionModel m = WeightFit.unbounded().fit(WeightFit.assemble(scored.withColumn(WeightFit.WEIGHT, lit(1.0)),
                    List.of(SCORE)));
            return new ScoreCurve.Fit(m.intercept(), m.coefficients().apply(0));
        });
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
        return curve(judged).slope() / b;
    }

    /**
     * Per grouping of {@code own} (industry, size band), a row's segment version ({@code <grouping>=<segment>}) and its score
     * under that segment's own weights, null for a row of no segment in {@code own}: two columns, each a CASE on
     * the grouping column. One pass over the rows scores every segment: one scan per segment instead, each with its own
     * generated code, took twice as long at 100,000 accounts (the segments' ROC AUCs, 18.5 against 9.2 s).
     */
    static List<SegmentScore> ownScores(List<Segments.Scorecard> own, Tiers tiers) {
        Map<String, SegmentScore> byGrouping = new LinkedHashMap<>();
        for (Segments.Scorecard s : own) {
            Column in = col(s.grouping()).equalTo(s.segment());
            SegmentScore previous = byGrouping.getOrDefault(s.grouping(),
                    new SegmentScore(lit(null).cast("string"), lit(null).cast("double")));
            byGrouping.put(s.grouping(), new SegmentScore(when(in, lit(s.model().version())).otherwise(previous.segment()),
                    when(in, new HealthScorer(s.model(), tiers).healthScore()).otherwise(previous.score())));
        }
        return List.copyOf(byGrouping.values());
    }

    /** A row's segment version in one grouping (null outside {@code own}'s segments) and its score under that segment's weights. */
    record SegmentScore(Column segment, Column score) {
    }

    /**
     * Each segment's ROC AUC on its holdout rows, with the global weights and with its own, as MLlib's
     * BinaryClassificationMetrics computes one (the chance a churner scores below a stayer, ties counting half), all from
     * one Spark job: each row's global score and its own segments' scores ({@link #ownScores}), stacked, counted per
     * segment, weights and distinct score (at most 10,001 each); the curves are summed on the driver ({@link #rocAuc(List)}).
     * Rows a set of weights cannot score are left out. By segment version: {global AUC, own AUC}.
     */
    static Map<String, double[]> segmentRocAucs(Dataset<Row> holdout, HealthModel global, List<Segments.Scorecard> own, Tiers tiers) {
        if (own.isEmpty()) {
            return Map.of();
        }
        // Each score and segment once per row (the global score and a grouping's segment each feed two points), then stacked.
        List<Column> scores = new ArrayList<>(List.of(new HealthScorer(global, tiers).healthScore().as("_global"), col("label")));
        List<Column> stacked = new ArrayList<>();
        List<SegmentScore> groupings = ownScores(own, tiers);
        for (int g = 0; g < groupings.size(); g++) {
            scores.add(groupings.get(g).segment().as("_segment" + g));
            scores.add(groupings.get(g).score().as("_own" + g));
            stacked.add(struct(col("_segment" + g).as("_segment"), lit(0).as("_own"), col("_global").as("_s")));
            stacked.add(struct(col("_segment" + g).as("_segment"), lit(1).as("_own"), col("_own" + g).as("_s")));
        }
        Map<String, List<List<double[]>>> points = new LinkedHashMap<>();
        own.forEach(s -> points.put(s.model().version(), List.of(new ArrayList<>(), new ArrayList<>())));
        for (Row r : holdout.select(scores.toArray(Column[]::new)).select(explode(array(stacked.toArray(Column[]::new))).as("_p"),
                        col("label"))
                .where(col("_p._segment").isNotNull().and(col("_p._s").isNotNull()))
                .groupBy(col("_p._segment").as("segment"), col("_p._own").as("own"), col("_p._s").as("score"))
                .agg(count_if(churned()), count_if(not(churned())))
                .orderBy("segment", "own", "score").collectAsList()) { // at most 10,001 rows per segment and weights
            points.get(r.getString(0)).get(r.getInt(1)).add(new double[] {r.getLong(3), r.getLong(4)});
        }
        Map<String, double[]> out = new LinkedHashMap<>();
        points.forEach((segment, p) -> out.put(segment, new double[] {rocAuc(p.get(0)), rocAuc(p.get(1))}));
        return out;
    }

    /** A churned row, as MLlib's positive class (label above 0.5): the ranking's and the segments' ROC counts. */
    private static Column churned() {
        return col("label").gt(0.5);
    }

    /**
     * {churners, stayers} per distinct score of scored rows, lowest score (highest risk) first: the ranking's one Spark job,
     * at most 10,001 rows (scores have 2 decimals). The curves and areas are then summed on the driver in score order, so a
     * re-run gives the same figures to the last digit: MLlib's BinaryClassificationMetrics, used before, summed its
     * partitions' areas in the order its tasks finished, and the 15th digit could differ between two runs.
     */
    private static List<double[]> byScore(Dataset<Row> scored) {
        List<double[]> out = new ArrayList<>();
        for (Row r : scored.groupBy(col(SCORE)).agg(count_if(churned()), count_if(not(churned()))).orderBy(SCORE).collectAsList()) {
            out.add(new double[] {r.getLong(1), r.getLong(2)});
        }
        return out;
    }

    /**
     * The ROC curve from {churners, stayers} per distinct score, lowest score (highest risk) first: each score a threshold,
     * the point (false positive rate, true positive rate) of the rows at or below it, from (0, 0) to (1, 1), as MLlib's
     * BinaryClassificationMetrics draws it (a rate is 0 when its class is empty).
     */
    static List<RocPoint> rocCurve(List<double[]> byScore) {
        double[] totals = totals(byScore);
        List<RocPoint> out = new ArrayList<>(List.of(new RocPoint(0, 0)));
        double tp = 0;
        double fp = 0;
        for (double[] p : byScore) {
            tp += p[0];
            fp += p[1];
            out.add(new RocPoint(totals[1] == 0 ? 0 : fp / totals[1], totals[0] == 0 ? 0 : tp / totals[0]));
        }
        out.add(new RocPoint(1, 1));
        return out;
    }

    /** The area under {@link #rocCurve} by trapezoids, as MLlib's AreaUnderCurve (no rows: 0.5). */
    static double rocAuc(List<double[]> byScore) {
        List<RocPoint> curve = rocCurve(byScore);
        double area = 0;
        for (int i = 1; i < curve.size(); i++) {
            RocPoint from = curve.get(i - 1);
            RocPoint to = curve.get(i);
            area += (to.falsePositiveRate() - from.falsePositiveRate()) * (from.truePositiveRate() + to.truePositiveRate()) / 2;
        }
        return area;
    }

    /**
     * The area under the precision-recall curve, as MLlib's BinaryClassificationMetrics.areaUnderPR: each score a threshold,
     * the point (recall, precision) of the rows at or below it (recall 0 when no row churned; precision 1 when no row is at
     * or below the threshold), with (0, the first point's precision) before them, summed by trapezoids (no rows: 0).
     */
    static double prAuc(List<double[]> byScore) {
        double positives = totals(byScore)[0];
        double area = 0;
        double recall = 0;
        double precision = Double.NaN;
        double tp = 0;
        double fp = 0;
        for (double[] p : byScore) {
            tp += p[0];
            fp += p[1];
            double r = positives == 0 ? 0 : tp / positives;
            double q = tp + fp == 0 ? 1 : tp / (tp + fp);
            if (Double.isNaN(precision)) {
                precision = q; // (0, q) comes first: the first trapezoid is r x q
            }
            area += (r - recall) * (precision + q) / 2;
            recall = r;
            precision = q;
        }
        return area;
    }

    /** {churners, stayers} over all scores. */
    private static double[] totals(List<double[]> byScore) {
        double[] totals = new double[2];
        for (double[] p : byScore) {
            totals[0] += p[0];
            totals[1] += p[1];
        }
        return totals;
    }

    /** At most about {@link #ROC_POINTS} points of a curve for the chart, its first and last always kept. */
    private static List<RocPoint> thinned(List<RocPoint> all) {
        int step = Math.max(1, (int) Math.ceil(all.size() / (double) ROC_POINTS));
        List<RocPoint> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i += step) {
            out.add(all.get(i));
        }
        if ((all.size() - 1) % step != 0) {
            out.add(all.get(all.size() - 1));
        }
        return out;
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
