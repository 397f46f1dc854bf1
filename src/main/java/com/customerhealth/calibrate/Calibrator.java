package com.customerhealth.calibrate;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_distinct;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
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
import com.customerhealth.score.Segments;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Column;
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
            Counted counted = window(snapshots, train, holdout, dates);
            DataWindow window = counted.window();
            // Judging needs churners and stayers on both sides (the score-to-probability curve is fitted on training);
            // without them blocker() stops the run before any proposal, so a proposal always has today's judgement.
            boolean judgeable = window.trainingChurnEvents() > 0 && counted.trainingStayers() > 0
                    && window.holdoutChurnEvents() > 0 && counted.holdoutStayers() > 0;
            HoldoutEvaluation.Judged judgedToday = judgeable ? HoldoutEvaluation.evaluate("current", current, tiers, train, holdout) : null;
            Evaluation today = judgedToday == null ? null : judgedToday.evaluation();
            String blocker = blocker(counted);
            if (blocker != null) {
                return new Result(report(runId, runDate, window, fitWithoutProposal(), priorRows(), today, null, SegmentFits.NONE,
                        blocker, null, null), null);
            }

            long started = System.nanoTime();
            SegmentCandidates candidates = segmentCandidates(train, holdout);
            try (JointFits.Packed packed = JointFits.pack(train, featureColumns, new JointFits.Packing("fold",
                    candidates.groupings(), cal.seed(), cal.bootstrapReplicates()))) {
                CrossValidation cv = crossValidate(packed);
                double regParam = cv.regParam();
                Map<String, Double> bounded = WeightFit.points(metrics, cv.full().coefficients());
                LOG.info("Cross-validation ({} folds x {} regParams) and the fit on {} snapshots, fitted together in {} passes: "
                        + "{} s; regParam {}", cal.folds(), cal.regParams().size(), window.trainingRows(), cv.passes(), seconds(started),
                        regParam);
                if (bounded.isEmpty()) {
                    return new Result(report(runId, runDate, window, fitWithoutProposal(), priorRows(), today, null, SegmentFits.NONE,
                            "The data gives no metric any weight: with these snapshots no component score is linked to churn, "
                                    + "so there is nothing to propose.", null, null), null);
                }
                started = System.nanoTime();
                JointFits.Fits spread = bootstrapAndSegments(packed, candidates, cv);
                List<double[]> replicates = replicateCoefficients(spread);
                LOG.info("Bootstrap ({} replicates), the unconstrained fit and {} segment fits, fitted together in {} passes: {} s",
                        cal.bootstrapReplicates(), candidates.count(), spread.passes(), seconds(started));
                List<WeightEvidence.Finding> findings = replicates.size() < 2 ? List.of()
                        : WeightEvidence.findings(unconstrained(spread).coefficients(), replicates, cal.intervalLevel());
                if (findings.isEmpty()) {
                    return new Result(report(runId, runDate, window, fitWithoutProposal(), priorRows(), today, null, SegmentFits.NONE,
                            "No metric shows evidence of lowering churn: with these snapshots no component score is linked to "
                                    + "churn beyond chance, so there is nothing to propose.", null, null), null);
                }
                // Without strong evidence for any metric, the cross-validated bounded fit is proposed (the best predictor
                // on held-out folds: on the sample, holdout AUC 0.70 against 0.63 for the few metrics with some
                // evidence), without share intervals, and the report says the evidence is weak.
                boolean strong = WeightEvidence.anyStrong(findings);
                Map<String, Double> fitted = WeightEvidence.proposalShares(metrics.stream().map(MetricSpec::name).toList(), findings,
                        bounded);
                double dataShare = window.trainingChurnEvents() / (window.trainingChurnEvents() + cal.shrinkageK());
                Map<String, Double> proposedPoints = new LinkedHashMap<>();
                for (MetricSpec m : metrics) {
                    proposedPoints.put(m.name(), round2(dataShare * fitted.get(m.name()) + (1 - dataShare) * priorPoints(m)));
                }
                HealthModel unnamed = prior.withPoints("unnamed", proposedPoints);
                String version = prior.name() + "@cal-" + runDate + "-" + unnamed.digest(8);
                HealthModel proposedModel = prior.withPoints(version, proposedPoints);

                List<WeightRow> rows = weightRows(findings, fitted, strong, proposedPoints, dataShare);
                HoldoutEvaluation.Judged judgedProposed = HoldoutEvaluation.evaluate("proposed", proposedModel, tiers, train, holdout);
                Evaluation proposed = judgedProposed.evaluation();
                SegmentFits segments = segments(candidates, spread, train, holdout, proposedModel);
                Fit fit = new Fit(regParam, cal.folds(), cv.points(), replicates.size(), cal.intervalLevel(), cal.shrinkageK(),
                        dataShare, cal.minChurnEvents(), cal.maxWeightChange());
                String command = "approve --version " + version + " --by \"<your name>\""
                        + (rows.stream().anyMatch(WeightRow::needsApproval) ? " --accept-large-changes" : "");
                CalibrationReport report = report(runId, runDate, window, fit, rows, today, proposed, segments, null, version, command);
                // Today's weights were judged: no blocker means churners and stayers on both sides.
                double[] flaggedToday = judgedToday.flaggedChurnedMrr();
                if (flaggedToday != null) {
                    double[] flaggedProposed = judgedProposed.flaggedChurnedMrr();
                    report = report.withMoney(CalibrationReport.Money.holdoutOnly(runDate, cal.horizonDays(), flaggedToday[0],
                            flaggedToday[1], flaggedProposed[1]));
                }
                return new Result(report, proposedModel);
            }
        } finally {
            train.unpersist();
            holdout.unpersist();
        }
    }

    // ------------------------------------------------------------------ data window and guardrail

    /** The report's data window, and the rows of each side that did not churn (a churn event labels several rows). */
    private record Counted(DataWindow window, long trainingStayers, long holdoutStayers) {
    }

    private Counted window(Dataset<Row> snapshots, Dataset<Row> train, Dataset<Row> holdout, TrainingSet.Dates dates) {
        Row excluded = snapshots.agg(count(when(col("involuntary_only"), 1)), count(when(col("health_score").isNull(), 1))).first();
        Row t = counts(train);
        Row h = counts(holdout);
        return new Counted(new DataWindow(dates.training().get(0), dates.training().get(dates.training().size() - 1),
                dates.holdout().get(0), dates.holdout().get(dates.holdout().size() - 1), cal.horizonDays(), cal.countInvoluntary(),
                t.getLong(0), t.getLong(1), t.getLong(2), h.getLong(0), h.getLong(1), h.getLong(2), excluded.getLong(0), excluded.getLong(1)),
                t.getLong(3), h.getLong(3));
    }

    /** Rows, distinct accounts, distinct churn events (account, churn date), rows not labelled churn. */
    private static Row counts(Dataset<Row> rows) {
        return rows.agg(count(lit(1)), count_distinct(col("account_id")),
                count_distinct(col("account_id"), when(col("label").equalTo(1.0), col("churn_ref_date"))),
                count(when(col("label").notEqual(1.0), 1))).first();
    }

    /** Why nothing can be proposed, or null. */
    private String blocker(Counted counted) {
        DataWindow w = counted.window();
        if (w.trainingChurnEvents() < cal.minChurnEvents()) {
            return String.format(Locale.ROOT, "Only %,d churn events in the training window (%s to %s), below the minimum of %,d "
                            + "(calibration.min-churn-events): too few to move the weights, so nothing is proposed.",
                    w.trainingChurnEvents(), w.trainFrom(), w.trainTo(), cal.minChurnEvents());
        }
        if (counted.trainingStayers() == 0) {
            return "The training window has nothing but churn events, so no fit can tell churners from stayers: nothing is proposed.";
        }
        if (w.holdoutChurnEvents() == 0 || counted.holdoutStayers() == 0) {
            return "The holdout has no churn event (or nothing but churn), so no set of weights can be judged on it: nothing is proposed.";
        }
        return null;
    }

    private Fit fitWithoutProposal() {
        return new Fit(Double.NaN, cal.folds(), List.of(), 0, cal.intervalLevel(), cal.shrinkageK(), 0.0, cal.minChurnEvents(),
                cal.maxWeightChange());
    }

    // ------------------------------------------------------------------ fitting

    /** The cross-validation's choice: the regularisation, its mean held-out log loss per candidate, the fit on all rows with it. */
    private record CrossValidation(double regParam, List<CvPoint> points, JointFits.Result full, int passes) {
    }

    /**
     * Cross-validation over {@code reg-params} with folds by account, and the fit on all training rows for each
     * candidate, all fitted together: for each candidate, one fit per fold on the other folds' rows, judged by its
     * weighted log loss on the fold (as MLlib's CrossValidator with a fold column and a log-loss evaluator does),
     * the mean over folds choosing the candidate (the first of equal ones).
     */
    private CrossValidation crossValidate(JointFits.Packed packed) {
        List<Double> regs = cal.regParams();
        int folds = cal.folds();
        List<JointFits.Problem> problems = new ArrayList<>();
        for (double reg : regs) {
            problems.add(JointFits.Problem.cold(JointFits.RowWeight.all(), reg));
            for (int k = 0; k < folds; k++) {
                problems.add(JointFits.Problem.cold(JointFits.RowWeight.outsideFold(k), reg));
            }
        }
        JointFits.Fits fits = packed.fit("cross-validation and the fits on all rows", problems);
        warnUnconverged("cross-validation", fits);
        List<JointFits.RowWeight> judgedOn = new ArrayList<>();
        List<JointFits.Result> judged = new ArrayList<>();
        for (int i = 0; i < regs.size(); i++) {
            for (int k = 0; k < folds; k++) {
                judgedOn.add(JointFits.RowWeight.inFold(k));
                judged.add(fits.results().get(i * (folds + 1) + 1 + k));
            }
        }
        if (judged.stream().anyMatch(JointFits.Result::failed)) {
            throw new IllegalStateException("A cross-validation fold has no churner or no stayer among the other folds' rows: "
                    + "lower calibration.folds");
        }
        double[] losses = packed.logLoss(judgedOn, judged);
        List<CvPoint> points = new ArrayList<>();
        int best = 0;
        for (int i = 0; i < regs.size(); i++) {
            double sum = 0;
            for (int k = 0; k < folds; k++) {
                sum += losses[i * folds + k];
            }
            points.add(new CvPoint(regs.get(i), sum / folds));
            if (points.get(i).logLoss() < points.get(best).logLoss()) {
                best = i;
            }
        }
        return new CrossValidation(regs.get(best), List.copyOf(points), fits.results().get(best * (folds + 1)), fits.passes());
    }

    /**
     * The bootstrap by account and each candidate segment's own fit, all at the chosen regularisation and
     * fitted together, each starting from the fit on all rows: replicate r weighs every snapshot of an account
     * by the same Poisson(1) draw, which resamples accounts (not rows) without copying data. Results: the
     * replicates first, then the segments in {@link SegmentCandidates} order.
     */
    private JointFits.Fits bootstrapAndSegments(JointFits.Packed packed, SegmentCandidates candidates, CrossValidation cv) {
        List<JointFits.Problem> problems = new ArrayList<>();
        for (int r = 0; r < cal.bootstrapReplicates(); r++) {
            problems.add(JointFits.Problem.unbounded(JointFits.RowWeight.replicate(r), 0.0, cv.full()));
        }
        problems.add(JointFits.Problem.unbounded(JointFits.RowWeight.all(), 0.0, cv.full()));
        for (int g = 0; g < candidates.groupings().size(); g++) {
            for (int v = 0; v < candidates.groupings().get(g).values().size(); v++) {
                problems.add(JointFits.Problem.from(JointFits.RowWeight.inGroup(g, v), cv.regParam(), cv.full()));
            }
        }
        JointFits.Fits fits = packed.fit("bootstrap (" + cal.bootstrapReplicates() + " replicates), unconstrained and segment fits",
                problems);
        warnUnconverged("bootstrap and segment", fits);
        return fits;
    }

    /** The unconstrained, unpenalised fit on all training rows (after the replicates in {@link #bootstrapAndSegments}). */
    private JointFits.Result unconstrained(JointFits.Fits fits) {
        return fits.results().get(cal.bootstrapReplicates());
    }

    /** Each bootstrap replicate's unconstrained coefficients; a replicate without churners or stayers is left out. */
    private List<double[]> replicateCoefficients(JointFits.Fits fits) {
        List<double[]> out = new ArrayList<>();
        for (JointFits.Result r : fits.results().subList(0, cal.bootstrapReplicates())) {
            if (!r.failed()) {
                out.add(r.coefficients());
            }
        }
        return out;
    }

    /** Replicate r of the bootstrap as rows: every row of an account weighted by the same Poisson(1) draw; weight-0 rows dropped. */
    static Dataset<Row> bootstrapSample(Dataset<Row> train, long seed, int replicate) {
        return train.withColumn(WeightFit.WEIGHT, JointFits.draw(seed, replicate).cast("double"))
                .where(col(WeightFit.WEIGHT).gt(0));
    }

    private static void warnUnconverged(String what, JointFits.Fits fits) {
        if (fits.unconverged() > 0) {
            LOG.warn("{} fits: {} had not converged when the pass limit stopped them; their last point is used", what,
                    fits.unconverged());
        }
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

    /**
     * @param fitted  each metric's share of the 100 points from the data
     * @param strong  whether some metric has strong evidence: the shares are then the evidence's, with intervals; else
     *                the cross-validated bounded fit's, shown without intervals (none of the bootstrap's describes them)
     */
    private List<WeightRow> weightRows(List<WeightEvidence.Finding> findings, Map<String, Double> fitted, boolean strong,
                                       Map<String, Double> proposed, double dataShare) {
        List<WeightRow> rows = new ArrayList<>();
        for (int i = 0; i < metrics.size(); i++) {
            MetricSpec m = metrics.get(i);
            WeightEvidence.Finding e = findings.get(i);
            double f = fitted.get(m.name());
            double p = proposed.get(m.name());
            double change = p - currentPoints(m);
            List<String> flags = new ArrayList<>();
            if (WeightEvidence.CONTRADICTS.equals(e.strength())) {
                flags.add("contradicts_expected_direction");
            } else if (f < 0.005) {
                flags.add("no_weight_from_data");
            } else if (strong && e.shareLow() < 0.005) {
                flags.add("interval_includes_zero");
            }
            CalibrationReport.Evidence evidence = new CalibrationReport.Evidence(e.coefficient(), e.low(), e.high(),
                    WeightEvidence.oddsChangePer10(e.coefficient()), WeightEvidence.oddsChangePer10(e.low()),
                    WeightEvidence.oddsChangePer10(e.high()), e.strength(), WeightEvidence.words(e, metrics.size(), cal.intervalLevel()));
            rows.add(new WeightRow(m.dimension(), m.name(), priorPoints(m), currentPoints(m), f, strong ? e.shareLow() : null,
                    strong ? e.shareHigh() : null, p,
                    strong ? dataShare * e.shareLow() + (1 - dataShare) * priorPoints(m) : null,
                    strong ? dataShare * e.shareHigh() + (1 - dataShare) * priorPoints(m) : null,
                    change, Math.abs(change) > cal.maxWeightChange(), List.copyOf(flags), dataShare * f,
                    (1 - dataShare) * priorPoints(m), evidence));
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
     * The segments that get a fit of their own: per grouping (industry, size band), the values with at least
     * {@code segment-min-churn-events} training churn events whose holdout has churners and stayers (an AUC
     * needs both), by name; with their training events and holdout counts, and the values left out for too few events.
     */
    private record SegmentCandidates(List<JointFits.Grouping> groupings, List<List<long[]>> counts, List<String> skipped) {
        int count() {
            return groupings.stream().mapToInt(g -> g.values().size()).sum();
        }
    }

    private SegmentCandidates segmentCandidates(Dataset<Row> train, Dataset<Row> holdout) {
        List<JointFits.Grouping> groupings = new ArrayList<>();
        List<List<long[]>> counts = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        Column event = count_distinct(col("account_id"), when(col("label").equalTo(1.0), col("churn_ref_date")));
        for (String grouping : List.of("industry", "size_band")) {
            List<Row> eligible = train.where(col(grouping).isNotNull()).groupBy(grouping).agg(event.as("events"))
                    .orderBy(grouping).collectAsList(); // one row per segment
            List<String> tooSmall = eligible.stream().filter(r -> r.getLong(1) < cal.segmentMinChurnEvents())
                    .map(r -> r.getString(0)).toList();
            if (!tooSmall.isEmpty()) {
                skipped.add(grouping + " " + String.join(", ", tooSmall));
            }
            List<String> big = eligible.stream().filter(r -> r.getLong(1) >= cal.segmentMinChurnEvents()).map(r -> r.getString(0)).toList();
            Map<String, Row> judged = new LinkedHashMap<>();
            if (!big.isEmpty()) {
                for (Row h : holdout.where(col(grouping).isin(big.toArray())).groupBy(grouping).agg(count(lit(1)), event)
                        .collectAsList()) { // one row per segment
                    judged.put(h.getString(0), h);
                }
            }
            List<String> values = new ArrayList<>();
            List<long[]> valueCounts = new ArrayList<>();
            for (Row seg : eligible) {
                Row h = judged.get(seg.getString(0));
                if (seg.getLong(1) < cal.segmentMinChurnEvents() || h == null || h.getLong(2) == 0 || h.getLong(2) == h.getLong(1)) {
                    continue;
                }
                values.add(seg.getString(0));
                valueCounts.add(new long[] {seg.getLong(1), h.getLong(1), h.getLong(2)});
            }
            groupings.add(new JointFits.Grouping(grouping, List.copyOf(values)));
            counts.add(List.copyOf(valueCounts));
        }
        return new SegmentCandidates(List.copyOf(groupings), List.copyOf(counts), List.copyOf(skipped));
    }

    /**
     * Each candidate segment's own weights (fitted with the bootstrap, at the same regularisation), both its own
     * and the global proposed weights judged by ROC AUC on the segment's holdout, and the score-to-probability map of
     * its own version, fitted on its training rows scored with its own weights (all segments' maps from one
     * aggregation, {@link #ownScorePoints}). A handful of fits, never one per account.
     */
    private SegmentFits segments(SegmentCandidates candidates, JointFits.Fits fits, Dataset<Row> train, Dataset<Row> holdout,
                                 HealthModel global) {
        List<Segments.Scorecard> own = new ArrayList<>();
        List<Map<String, Double>> ownPoints = new ArrayList<>();
        List<long[]> counts = new ArrayList<>();
        int next = cal.bootstrapReplicates() + 1;
        for (int g = 0; g < candidates.groupings().size(); g++) {
            JointFits.Grouping grouping = candidates.groupings().get(g);
            for (int v = 0; v < grouping.values().size(); v++) {
                JointFits.Result fit = fits.results().get(next++);
                String name = grouping.values().get(v);
                Map<String, Double> points = fit.failed() ? Map.of() : WeightFit.points(metrics, fit.coefficients());
                if (!points.isEmpty()) {
                    own.add(new Segments.Scorecard(grouping.column(), name, prior.withPoints(grouping.column() + "=" + name, points)));
                    ownPoints.add(points);
                    counts.add(candidates.counts().get(g).get(v));
                }
            }
        }
        Map<String, ScoreCurve.Fit> curves = ownCurves(train, own);
        Map<String, double[]> aucs = HoldoutEvaluation.segmentRocAucs(holdout, global, own, tiers); // one Spark job for all
        List<SegmentFit> out = new ArrayList<>();
        for (int i = 0; i < own.size(); i++) {
            Segments.Scorecard s = own.get(i);
            long[] c = counts.get(i);
            HealthModel ownModel = s.model();
            Map<String, Double> points = ownPoints.get(i);
            double globalAuc = aucs.get(ownModel.version())[0];
            double ownAuc = aucs.get(ownModel.version())[1];
            List<DimensionRow> ownDims = new ArrayList<>();
            for (HealthModel.Dimension d : prior.dimensions()) {
                double sum = d.metrics().stream().mapToDouble(m -> points.get(m.name())).sum();
                double globalSum = d.metrics().stream().mapToDouble(m -> global.points().get(m.name())).sum();
                ownDims.add(new DimensionRow(d.name(), d.metrics().stream().mapToDouble(this::priorPoints).sum(),
                        globalSum, sum, sum, sum - globalSum));
            }
            ScoreCurve.Fit curve = curves.get(ownModel.version());
            out.add(new SegmentFit(s.grouping(), s.segment(), c[0], c[1], c[2], globalAuc, ownAuc,
                    ownAuc - globalAuc > cal.segmentAucGap(), List.copyOf(ownDims), java.util.Collections.unmodifiableMap(points),
                    curve == null ? null : curve.intercept(), curve == null ? null : curve.slope()));
        }
        return new SegmentFits(List.copyOf(out), candidates.skipped());
    }

    /**
     * Each segment model's score-to-probability map, by its version ({@code <grouping>=<segment>}); a segment whose
     * points give none (no churners or no stayers among its scored training rows, or no convergence) is left out, so
     * its version gets no map and its rows no churn probability. One Spark job for all segments.
     */
    private Map<String, ScoreCurve.Fit> ownCurves(Dataset<Row> train, List<Segments.Scorecard> own) {
        if (own.isEmpty()) {
            return Map.of();
        }
        Map<String, List<ScoreCurve.Point>> points = new LinkedHashMap<>();
        // Ordered, so a re-run fits the same points in the same order and records the same figures.
        for (Row r : ownScorePoints(train, own, tiers).orderBy("segment", "score").collectAsList()) { // at most segments x 10,001
            points.computeIfAbsent(r.getString(0), k -> new ArrayList<>()).add(new ScoreCurve.Point(r.getDouble(1), r.getLong(2),
                    r.getDouble(3)));
        }
        Map<String, ScoreCurve.Fit> out = new LinkedHashMap<>();
        for (Segments.Scorecard s : own) {
            String key = s.model().version();
            java.util.Optional<ScoreCurve.Fit> fit = ScoreCurve.fit(points.getOrDefault(key, List.of()));
            if (fit.isPresent()) {
                out.put(key, fit.get());
            } else {
                LOG.warn("No score-to-probability map for segment {}: its training rows scored with its own weights have no churners "
                        + "or no stayers, or the fit did not converge; its version's rows get no churn probability", key);
            }
        }
        return out;
    }

    /**
     * The aggregated points the segments' maps are fitted on: per segment (its model's version, {@code <grouping>=<segment>})
     * and distinct score under its own weights, the training rows n and their churn events (segment, score, n, events).
     * One pass over the rows for all segments: each row's segments and its scores under their own weights
     * ({@link HoldoutEvaluation#ownScores}), stacked, grouped. Rows the segment's model cannot score (no data) are left out, as
     * HoldoutEvaluation leaves them out of the global maps. Grouping by score loses nothing: health scores are
     * published at 2 decimals (HealthScorer rounds them), so the fit on the points is the fit on the rows, and there are
     * at most 10,001 distinct scores per segment.
     */
    static Dataset<Row> ownScorePoints(Dataset<Row> train, List<Segments.Scorecard> own, Tiers tiers) {
        List<Column> stacked = new ArrayList<>();
        for (HoldoutEvaluation.SegmentScore s : HoldoutEvaluation.ownScores(own, tiers)) {
            stacked.add(struct(s.segment().as("segment"), round(s.score(), 2).as("score")));
        }
        return train.select(explode(array(stacked.toArray(Column[]::new))).as("_point"), col("label"))
                .select(col("_point.segment").as("segment"), col("_point.score").as("score"), col("label"))
                .where(col("segment").isNotNull().and(col("score").isNotNull()))
                .groupBy("segment", "score").agg(count(lit(1)).as("n"), sum(col("label")).cast("double").as("events"));
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
            if (r.flags().contains("contradicts_expected_direction")) {
                out.add(r.metric() + " contradicts its expected direction: in these snapshots more of it goes with more churn, "
                        + "beyond chance. Its 0 weight from the data is not a finding that it does not matter: question the metric "
                        + "(definition, direction, data). " + r.evidence().words());
            } else if (r.flags().contains("no_weight_from_data")) {
                out.add("The data gives " + r.metric() + " no weight: it shows no evidence of lowering churn that holds once the other "
                        + "metrics are known and luck across all of them is allowed for. Its proposed weight is what the prior keeps (a "
                        + "floor from shrinkage, not evidence).");
            } else if (r.flags().contains("interval_includes_zero")) {
                out.add("The data cannot tell " + r.metric() + "'s weight from zero (its interval starts at 0).");
            }
        }
        long some = rows.stream().filter(r -> r.evidence() != null && WeightEvidence.SOME.equals(r.evidence().strength())).count();
        boolean anyStrong = rows.stream().anyMatch(r -> r.evidence() != null && WeightEvidence.STRONG.equals(r.evidence().strength()));
        if (some > 0 && !anyStrong) {
            out.add(String.format(Locale.ROOT, "No metric's evidence holds once luck across all %d metrics is allowed for (%d show "
                    + "some evidence, each of which could be luck). The proposed weights are therefore the cross-validated fit over "
                    + "all metrics, the one that predicted churn best on held-out data, and have no intervals: treat them as a "
                    + "better predictor, not as proof of which metric drives churn.", rows.size(), some));
        } else if (some > 0) {
            out.add(String.format(Locale.ROOT, "%d metric(s) show only some evidence of lowering churn: with %d metrics, about one in "
                    + "twenty metrics without any effect shows this much by luck, so they get no weight from the data until the "
                    + "evidence holds allowing for that.", some, rows.size()));
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
