package com.customerhealth.calibrate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_distinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import com.customerhealth.calibrate.CalibrationReport.CvPoint;
import com.customerhealth.calibrate.CalibrationReport.DataWindow;
import com.customerhealth.calibrate.CalibrationReport.DimensionRow;
import com.customerhealth.calibrate.CalibrationReport.Evaluation;
import com.customerhealth.calibrate.CalibrationReport.Fit;
import com.customerhealth.calibrate.CalibrationReport.SegmentFit;
import com.customerhealth.calibrate.CalibrationReport.WeightRow;
import com.customerhealth.config.CalibrationSettings;
import com.customerhealth.config.HealthModel;
import com.customerhealth.config.MetricSpec;
import com.customerhealth.config.Tiers;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fits the model's metric weights to observed churn and judges them against today's weights
 * (docs/calibration.md). Pure apart from Spark jobs: it reads only the snapshots it is given and
 * returns what it found; the job writes it.
 *
 * <ol>
 *   <li>Guardrail: fewer training churn events than {@code min-churn-events} proposes nothing.</li>
 *   <li>Cross-validation over {@code reg-params}, folds split by account, on training snapshots only.</li>
 *   <li>The fit on all training snapshots gives the fitted weights; Poisson(1) weights per account
 *       (a bootstrap by account) give their interval.</li>
 *   <li>Shrinkage: proposed = n/(n+k) fitted + k/(n+k) prior, n the training churn events.</li>
 *   <li>Today's and the proposed weights are judged on the holdout, which nothing above has seen.</li>
 *   <li>Segments with enough churn events get their own fit, judged on their own holdout.</li>
 * </ol>
 */
public final class Calibrator {
    private static final Logger LOG = LoggerFactory.getLogger(Calibrator.class);
    private final CalibrationSettings cal;
    private final Tiers tiers;
    private final HealthModel prior;
    private final HealthModel current;
    private final List<MetricSpec> metrics;
    private final List<String> featureColumns;

    /** What a run found: the report, and the proposed model (null when nothing is proposed). */
    public record Result(CalibrationReport report, HealthModel proposedModel) {
    }

    /**
     * @param prior   the expert prior from conf (the shrinkage target)
     * @param current the weights scoring uses today (the last approved version, else the prior)
     */
    public Calibrator(CalibrationSettings cal, Tiers tiers, HealthModel prior, HealthModel current) {
        this.cal = cal;
        this.tiers = tiers;
        this.prior = prior;
        this.current = current;
        this.metrics = prior.metrics();
        this.featureColumns = metrics.stream().map(TrainingSet::featureColumn).toList();
    }

    /**
     * @param snapshots {@link TrainingSet#build} rows (or any rows with its columns)
     * @return the findings; what other jobs found ({@link CalibrationReport#withContext}) is left for the job to fill
     */
    public Result calibrate(Dataset<Row> snapshots, TrainingSet.Dates dates, String runId, LocalDate runDate) {
        Dataset<Row> usable = snapshots.where(col("involuntary_only").equalTo(false).and(col("health_score").isNotNull()));
        Dataset<Row> train = WeightFit.assemble(usable.where(col("split").equalTo(TrainingSet.TRAIN)), featureColumns)
                .withColumn(WeightFit.WEIGHT, lit(1.0)).cache();
        Dataset<Row> holdout = usable.where(col("split").equalTo(TrainingSet.HOLDOUT)).cache();
        try {
            DataWindow window = window(snapshots, train, holdout, dates);
            // Judging needs churners and stayers on both sides (the score-to-probability curve is fitted on training).
            boolean judgeable = window.trainingChurnEvents() > 0 && window.trainingRows() > window.trainingChurnEvents()
                    && window.holdoutChurnEvents() > 0 && window.holdoutRows() > window.holdoutChurnEvents();
            Evaluation today = judgeable ? HoldoutEvaluation.evaluate("current", current, tiers, train, holdout) : null;
            String blocker = blocker(window);
            if (blocker != null) {
                return new Result(report(runId, runDate, window, fitWithoutProposal(), priorRows(), today, null, SegmentFits.NONE,
                        blocker, null, null), null);
            }

            long started = System.nanoTime();
            CrossValidatorModel cv = crossValidate(train);
            double regParam = bestRegParam(cv);
            LogisticRegressionModel full = WeightFit.bounded(metrics.size(), regParam).fit(train);
            Map<String, Double> fitted = WeightFit.points(metrics, full);
            LOG.info("Cross-validation ({} folds x {} regParams) and the fit on {} snapshots: {} s; regParam {}", cal.folds(),
                    cal.regParams().size(), window.trainingRows(), seconds(started), regParam);
            if (fitted.isEmpty()) {
                return new Result(report(runId, runDate, window, fitWithoutProposal(), priorRows(), today, null, SegmentFits.NONE,
                        "The data gives no metric any weight: with these snapshots no component score is linked to churn, "
                                + "so there is nothing to propose.", null, null), null);
            }
            started = System.nanoTime();
            List<Map<String, Double>> replicates = bootstrap(train, regParam, full);
            LOG.info("Bootstrap: {} replicates in {} s", cal.bootstrapReplicates(), seconds(started));
            double dataShare = window.trainingChurnEvents() / (window.trainingChurnEvents() + cal.shrinkageK());
            Map<String, Double> proposedPoints = new LinkedHashMap<>();
            for (MetricSpec m : metrics) {
                proposedPoints.put(m.name(), round2(dataShare * fitted.get(m.name()) + (1 - dataShare) * priorPoints(m)));
            }
            HealthModel unnamed = prior.withPoints("unnamed", proposedPoints);
            String version = prior.name() + "@cal-" + runDate + "-" + unnamed.digest(8);
            HealthModel proposedModel = prior.withPoints(version, proposedPoints);

            List<WeightRow> rows = weightRows(fitted, replicates, proposedPoints, dataShare);
            Evaluation proposed = HoldoutEvaluation.evaluate("proposed", proposedModel, tiers, train, holdout);
            started = System.nanoTime();
            SegmentFits segments = segments(train, holdout, regParam, proposedModel);
            LOG.info("Segment fits: {} segments in {} s", segments.fits().size(), seconds(started));
            Fit fit = new Fit(regParam, cal.folds(), cvPoints(cv), replicates.size(), cal.intervalLevel(), cal.shrinkageK(),
                    dataShare, cal.minChurnEvents(), cal.maxWeightChange());
            String command = "approve --version " + version + " --by \"<your name>\""
                    + (rows.stream().anyMatch(WeightRow::needsApproval) ? " --accept-large-changes" : "");
            return new Result(report(runId, runDate, window, fit, rows, today, proposed, segments, null, version, command),
                    proposedModel);
        } finally {
            train.unpersist();
            holdout.unpersist();
        }
    }

    // ------------------------------------------------------------------ data window and guardrail

    private DataWindow window(Dataset<Row> snapshots, Dataset<Row> train, Dataset<Row> holdout, TrainingSet.Dates dates) {
        Row excluded = snapshots.agg(count(when(col("involuntary_only"), 1)), count(when(col("health_score").isNull(), 1))).first();
        Row t = counts(train);
        Row h = counts(holdout);
        return new DataWindow(dates.training().get(0), dates.training().get(dates.training().size() - 1),
                dates.holdout().get(0), dates.holdout().get(dates.holdout().size() - 1), cal.horizonDays(), cal.countInvoluntary(),
                t.getLong(0), t.getLong(1), t.getLong(2), h.getLong(0), h.getLong(1), h.getLong(2), excluded.getLong(0), excluded.getLong(1));
    }

    /** Rows, distinct accounts, distinct churn events (account, churn date). */
    private static Row counts(Dataset<Row> rows) {
        return rows.agg(count(lit(1)), count_distinct(col("account_id")),
                count_distinct(col("account_id"), when(col("label").equalTo(1.0), col("churn_ref_date")))).first();
    }

    /** Why nothing can be proposed, or null. */
    private String blocker(DataWindow w) {
        if (w.trainingChurnEvents() < cal.minChurnEvents()) {
            return String.format(Locale.ROOT, "Only %,d churn events in the training window (%s to %s), below the minimum of %,d "
                            + "(calibration.min-churn-events): too few to move the weights, so nothing is proposed.",
                    w.trainingChurnEvents(), w.trainFrom(), w.trainTo(), cal.minChurnEvents());
        }
        if (w.holdoutChurnEvents() == 0 || w.holdoutRows() == w.holdoutChurnEvents()) {
            return "The holdout has no churn event (or nothing but churn), so no set of weights can be judged on it: nothing is proposed.";
        }
        return null;
    }

    private Fit fitWithoutProposal() {
        return new Fit(Double.NaN, cal.folds(), List.of(), 0, cal.intervalLevel(), cal.shrinkageK(), 0.0, cal.minChurnEvents(),
                cal.maxWeightChange());
    }

    // ------------------------------------------------------------------ fitting

    private CrossValidatorModel crossValidate(Dataset<Row> train) {
        LogisticRegression lr = WeightFit.bounded(metrics.size(), 0.0);
        ParamMap[] grid = new ParamGridBuilder()
                .addGrid(lr.regParam(), cal.regParams().stream().mapToDouble(Double::doubleValue).toArray()).build();
        return new CrossValidator().setEstimator(lr).setEstimatorParamMaps(grid)
                .setEvaluator(new MulticlassClassificationEvaluator().setMetricName("logLoss").setLabelCol(WeightFit.LABEL)
                        .setWeightCol(WeightFit.WEIGHT))
                .setNumFolds(cal.folds()).setFoldCol("fold").setParallelism(cal.parallelism()).setSeed(cal.seed())
                .fit(train);
    }

    private static double bestRegParam(CrossValidatorModel cv) {
        return ((LogisticRegressionModel) cv.bestModel()).getRegParam();
    }

    private List<CvPoint> cvPoints(CrossValidatorModel cv) {
        List<CvPoint> out = new ArrayList<>();
        for (int i = 0; i < cal.regParams().size(); i++) {
            out.add(new CvPoint(cal.regParams().get(i), cv.avgMetrics()[i]));
        }
        return out;
    }

    /**
     * Bootstrap by account: replicate r weighs every snapshot of an account by the same Poisson(1)
     * draw, which resamples accounts (not rows) without copying data. All replicates are fitted together
     * ({@link JointBootstrap}): each pass over the cached training rows serves every replicate, so the
     * passes do not grow with the number of replicates. A replicate in which the data gives no metric
     * weight is left out of the interval.
     */
    private List<Map<String, Double>> bootstrap(Dataset<Row> train, double regParam, LogisticRegressionModel full) {
        JointBootstrap.Fits fits = JointBootstrap.fit(train, featureColumns, cal.seed(), cal.bootstrapReplicates(), regParam, full);
        List<Map<String, Double>> out = new ArrayList<>();
        for (double[] beta : fits.coefficients()) {
            Map<String, Double> points = beta == null ? Map.of() : WeightFit.points(metrics, beta);
            if (!points.isEmpty()) {
                out.add(points);
            }
        }
        LOG.info("Bootstrap: {} replicates fitted together in {} passes over the training rows", fits.coefficients().size(),
                fits.passes());
        if (fits.unconverged() > 0) {
            LOG.warn("Bootstrap: {} replicates had not converged when the pass limit stopped them; their last point is used",
                    fits.unconverged());
        }
        return out;
    }

    /**
     * Fits replicate r of the bootstrap alone with MLlib, starting from the fit on all training rows
     * ({@code full}); what {@link JointBootstrap} computes for every replicate at once (its test compares them).
     */
    static LogisticRegressionModel fitReplicate(Dataset<Row> train, long seed, int replicate, double regParam,
                                                LogisticRegressionModel full) {
        int features = full.numFeatures();
        return WeightFit.bounded(features, regParam).setInitialModel(full).fit(bootstrapSample(train, seed, replicate));
    }

    /** Replicate r of the bootstrap: every row of an account weighted by the same Poisson(1) draw; weight-0 rows dropped. */
    static Dataset<Row> bootstrapSample(Dataset<Row> train, long seed, int replicate) {
        return train.withColumn(WeightFit.WEIGHT, JointBootstrap.draw(seed, replicate).cast("double"))
                .where(col(WeightFit.WEIGHT).gt(0));
    }

    // ------------------------------------------------------------------ weights

    private double priorPoints(MetricSpec m) {
        return 100 * prior.effectiveWeight(m);
    }

    private double currentPoints(MetricSpec m) {
        return current.points().get(m.name());
    }

    private List<WeightRow> priorRows() {
        return metrics.stream().map(m -> new WeightRow(m.dimension(), m.name(), priorPoints(m), currentPoints(m),
                null, null, null, null, null, null, null, false, List.of())).toList();
    }

    private List<WeightRow> weightRows(Map<String, Double> fitted, List<Map<String, Double>> replicates,
                                       Map<String, Double> proposed, double dataShare) {
        double tail = (1 - cal.intervalLevel()) / 2;
        List<WeightRow> rows = new ArrayList<>();
        for (MetricSpec m : metrics) {
            double[] draws = replicates.stream().mapToDouble(r -> r.get(m.name())).sorted().toArray();
            double low = quantile(draws, tail);
            double high = quantile(draws, 1 - tail);
            double f = fitted.get(m.name());
            double p = proposed.get(m.name());
            double change = p - currentPoints(m);
            List<String> flags = new ArrayList<>();
            if (f < 0.005) {
                flags.add("no_weight_from_data");
            } else if (low < 0.005) {
                flags.add("interval_includes_zero");
            }
            rows.add(new WeightRow(m.dimension(), m.name(), priorPoints(m), currentPoints(m), f, low, high, p,
                    dataShare * low + (1 - dataShare) * priorPoints(m), dataShare * high + (1 - dataShare) * priorPoints(m),
                    change, Math.abs(change) > cal.maxWeightChange(), List.copyOf(flags)));
        }
        return rows;
    }

    /** Linear-interpolation quantile (R type 7) of sorted values. */
    static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double h = (sorted.length - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    private List<DimensionRow> dimensionRows(List<WeightRow> rows) {
        List<DimensionRow> out = new ArrayList<>();
        for (HealthModel.Dimension d : prior.dimensions()) {
            List<WeightRow> in = rows.stream().filter(r -> r.dimension().equals(d.name())).toList();
            Double fitted = in.get(0).fitted() == null ? null : in.stream().mapToDouble(WeightRow::fitted).sum();
            Double proposed = in.get(0).proposed() == null ? null : in.stream().mapToDouble(WeightRow::proposed).sum();
            double currentSum = in.stream().mapToDouble(WeightRow::current).sum();
            out.add(new DimensionRow(d.name(), in.stream().mapToDouble(WeightRow::prior).sum(), currentSum, fitted, proposed,
                    proposed == null ? null : proposed - currentSum));
        }
        return out;
    }

    // ------------------------------------------------------------------ segments

    /** The segments' own fits, and the segments with too few churn events for one ("industry retail, media"). */
    private record SegmentFits(List<SegmentFit> fits, List<String> skipped) {
        static final SegmentFits NONE = new SegmentFits(List.of(), List.of());
    }

    /**
     * Each industry and size band with at least {@code segment-min-churn-events} training churn events
     * gets its own fit (same regularisation); both its own and the global proposed weights are judged by
     * ROC AUC on the segment's holdout. One fit per qualifying segment: a handful, never one per account.
     */
    private SegmentFits segments(Dataset<Row> train, Dataset<Row> holdout, double regParam, HealthModel global) {
        List<SegmentFit> out = new ArrayList<>();
        List<String> skippedSegments = new ArrayList<>();
        for (String grouping : List.of("industry", "size_band")) {
            List<Row> eligible = train.where(col(grouping).isNotNull()).groupBy(grouping)
                    .agg(count_distinct(col("account_id"), when(col("label").equalTo(1.0), col("churn_ref_date"))).as("events"))
                    .orderBy(grouping).collectAsList(); // one row per segment
            List<String> tooSmall = eligible.stream().filter(r -> r.getLong(1) < cal.segmentMinChurnEvents())
                    .map(r -> r.getString(0)).toList();
            if (!tooSmall.isEmpty()) {
                skippedSegments.add(grouping + " " + String.join(", ", tooSmall));
            }
            for (Row seg : eligible) {
                if (seg.getLong(1) < cal.segmentMinChurnEvents()) {
                    continue;
                }
                String name = seg.getString(0);
                Dataset<Row> segHoldout = holdout.where(col(grouping).equalTo(name));
                Row h = segHoldout.agg(count(lit(1)), count_distinct(col("account_id"), when(col("label").equalTo(1.0),
                        col("churn_ref_date")))).first();
                if (h.getLong(1) == 0 || h.getLong(1) == h.getLong(0)) {
                    continue; // an AUC needs churners and stayers in the segment's holdout
                }
                Map<String, Double> own = WeightFit.points(metrics,
                        WeightFit.bounded(metrics.size(), regParam).fit(train.where(col(grouping).equalTo(name))));
                if (own.isEmpty()) {
                    continue;
                }
                HealthModel ownModel = prior.withPoints(grouping + "=" + name, own);
                double globalAuc = HoldoutEvaluation.rocAuc(HoldoutEvaluation.scored(segHoldout, global, tiers));
                double ownAuc = HoldoutEvaluation.rocAuc(HoldoutEvaluation.scored(segHoldout, ownModel, tiers));
                List<DimensionRow> ownDims = new ArrayList<>();
                for (HealthModel.Dimension d : prior.dimensions()) {
                    double sum = d.metrics().stream().mapToDouble(m -> own.get(m.name())).sum();
                    double globalSum = d.metrics().stream().mapToDouble(m -> global.points().get(m.name())).sum();
                    ownDims.add(new DimensionRow(d.name(), d.metrics().stream().mapToDouble(this::priorPoints).sum(),
                            globalSum, sum, sum, sum - globalSum));
                }
                out.add(new SegmentFit(grouping, name, seg.getLong(1), h.getLong(0), h.getLong(1), globalAuc, ownAuc,
                        ownAuc - globalAuc > cal.segmentAucGap(), List.copyOf(ownDims)));
            }
        }
        return new SegmentFits(List.copyOf(out), List.copyOf(skippedSegments));
    }

    // ------------------------------------------------------------------ report

    private CalibrationReport report(String runId, LocalDate runDate, DataWindow window, Fit fit, List<WeightRow> rows,
                                     Evaluation today, Evaluation proposed, SegmentFits segments, String blocker,
                                     String version, String command) {
        return new CalibrationReport(runId, runDate, prior.name(), version == null ? "no_proposal" : "proposed", blocker,
                current.version(), version, window, fit, rows, dimensionRows(rows), today, proposed, segments.fits(), List.of(), List.of(),
                List.of(), null, caveats(window, rows, segments.skipped()), command);
    }

    private List<String> caveats(DataWindow w, List<WeightRow> rows, List<String> skippedSegments) {
        List<String> out = new ArrayList<>();
        out.add(w.involuntaryCounted()
                ? "Involuntary churn (failed payments) counts as churn here (calibration.count-involuntary = true)."
                : String.format(Locale.ROOT, "Involuntary churn (failed payments) does not count as churn: a payment problem is not a "
                        + "health problem. %,d snapshots whose only churn was involuntary were left out of the fit and the holdout.",
                        w.excludedInvoluntary()));
        if (w.excludedNoData() > 0) {
            out.add(String.format(Locale.ROOT, "%,d snapshots had no data in any metric and were left out.", w.excludedNoData()));
        }
        if (w.holdoutChurnEvents() < 100) {
            out.add(String.format(Locale.ROOT, "The holdout has %,d churn events: differences in ROC AUC below about 0.03 "
                    + "may be chance.", w.holdoutChurnEvents()));
        }
        for (WeightRow r : rows) {
            if (r.flags().contains("no_weight_from_data")) {
                out.add("The data gives " + r.metric() + " no weight: in these snapshots it adds nothing to predicting churn once "
                        + "the other metrics are known. Its proposed weight is what the prior keeps.");
            } else if (r.flags().contains("interval_includes_zero")) {
                out.add("The data cannot tell " + r.metric() + "'s weight from zero (its interval starts at 0).");
            }
        }
        if (!skippedSegments.isEmpty()) {
            out.add("Too few churn events (below calibration.segment-min-churn-events = " + cal.segmentMinChurnEvents()
                    + ") for a fit of their own, so the report cannot say whether the global weights fit them: "
                    + String.join("; ", skippedSegments) + ".");
        }
        return List.copyOf(out);
    }

    private static String seconds(long startedNanos) {
        return String.format(Locale.ROOT, "%.1f", (System.nanoTime() - startedNanos) / 1e9);
    }

    private static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
