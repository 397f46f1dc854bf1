package com.customerhealth.calibrate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import com.customerhealth.JobFailure;
import com.customerhealth.calibrate.CalibrationReport.WeightRow;
import com.customerhealth.config.HealthModel;
import com.customerhealth.io.DeltaTables;
import com.customerhealth.io.OutputTables;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * The weights versions in {@code health_weights}: which one scoring uses, proposing a new one, and
 * approving one. Every change is one Delta commit; nothing is ever deleted.
 */
public final class WeightVersions {
    public static final String PROPOSED = "proposed";
    public static final String APPROVED = "approved";
    public static final String RETIRED = "retired";
    /** The segment groupings that can have their own weights version: the columns calibration fits segments by. */
    public static final List<String> GROUPINGS = List.of("industry", "size_band");

    private final SparkSession spark;
    private final DeltaTables tables;

    public WeightVersions(SparkSession spark, DeltaTables tables) {
        this.spark = spark;
        this.tables = tables;
    }

    /**
     * The model scoring uses: the prior's metrics with the weights of the newest approved version of
     * the prior's preset, or the prior itself when none is approved.
     */
    public HealthModel scoringModel(HealthModel prior) {
        if (!tables.exists(OutputTables.HEALTH_WEIGHTS)) {
            return prior;
        }
        List<Row> rows = tables.read(OutputTables.HEALTH_WEIGHTS)
                .where(col("model_preset").equalTo(prior.name()).and(col("status").equalTo(APPROVED)).and(global(tables)))
                .orderBy(col("approved_at").desc(), col("version"))
                .select("version", "metric", "weight", "model_digest").collectAsList(); // one row per metric of the approved version(s)
        if (rows.isEmpty()) {
            return prior;
        }
        String version = rows.get(0).getString(0);
        List<Row> ofVersion = rows.stream().filter(r -> r.getString(0).equals(version)).toList();
        return withWeightsOf(prior, version, ofVersion).orElseThrow(() -> JobFailure.badConfig("The approved weights version "
                + version + " in " + tables.describe(OutputTables.HEALTH_WEIGHTS) + " was fitted for another definition of model-preset "
                + prior.name() + " (its metrics " + ofVersion.stream().map(r -> r.getString(1)).toList() + "; conf's metrics, features, "
                + "windows, scales or directions differ now). Restore the model in conf, or calibrate and approve a version for the new one.",
                ""));
    }

    /**
     * The approved segment scorecards of the prior's preset: each segment's approved own weights version as a model
     * (industries first, then size bands, by name); none when no segment version is approved. Fails, as
     * {@link #scoringModel} does, on an approved version fitted for another definition of the model.
     */
    public List<com.customerhealth.score.Segments.Scorecard> scorecards(HealthModel prior) {
        if (!tables.exists(OutputTables.HEALTH_WEIGHTS)) {
            return List.of();
        }
        Dataset<Row> all = tables.read(OutputTables.HEALTH_WEIGHTS);
        if (!java.util.Arrays.asList(all.columns()).contains("segment_grouping")) {
            return List.of();
        }
        List<Row> rows = all.where(col("model_preset").equalTo(prior.name()).and(col("status").equalTo(APPROVED))
                        .and(col("segment_grouping").isNotNull()))
                .select("version", "metric", "weight", "model_digest", "segment_grouping", "segment")
                .collectAsList(); // one row per metric of each approved segment version: a few segments x metrics
        Map<String, List<Row>> byVersion = new java.util.TreeMap<>();
        rows.forEach(r -> byVersion.computeIfAbsent(r.getString(0), v -> new ArrayList<>()).add(r));
        List<com.customerhealth.score.Segments.Scorecard> out = new ArrayList<>();
        for (String grouping : GROUPINGS) {
            byVersion.values().stream().filter(v -> v.get(0).getString(4).equals(grouping))
                    .sorted(java.util.Comparator.comparing(v -> v.get(0).getString(5)))
                    .forEach(v -> {
                        String version = v.get(0).getString(0);
                        out.add(new com.customerhealth.score.Segments.Scorecard(grouping, v.get(0).getString(5),
                                withWeightsOf(prior, version, v).orElseThrow(() -> JobFailure.badConfig("The approved segment "
                                        + "weights version " + version + " in " + tables.describe(OutputTables.HEALTH_WEIGHTS)
                                        + " was fitted for another definition of model-preset " + prior.name() + ". Restore the "
                                        + "model in conf, or calibrate and approve versions for the new one.", ""))));
                    });
        }
        return List.copyOf(out);
    }

    /**
     * The model of a given weights version: the prior itself when it is the prior's version, else the
     * prior's metrics with that health_weights version's weights; empty when neither, or when the version
     * was fitted for another definition of the model.
     */
    public Optional<HealthModel> model(HealthModel prior, String version) {
        if (version.equals(prior.version())) {
            return Optional.of(prior);
        }
        if (!tables.exists(OutputTables.HEALTH_WEIGHTS)) {
            return Optional.empty();
        }
        return withWeightsOf(prior, version, tables.read(OutputTables.HEALTH_WEIGHTS).where(col("version").equalTo(version))
                .select("version", "metric", "weight", "model_digest").collectAsList()); // one row per metric
    }

    /**
     * The prior with a version's weights, from that version's rows (version, metric, weight, model_digest);
     * empty when there are none, or they were fitted for another structure or other metrics than the prior's.
     */
    private static Optional<HealthModel> withWeightsOf(HealthModel prior, String version, List<Row> rows) {
        Map<String, Double> points = new LinkedHashMap<>();
        rows.forEach(r -> points.put(r.getString(1), r.getDouble(2)));
        boolean fits = !rows.isEmpty() && rows.get(0).getString(3).equals(prior.structureDigest())
                && points.keySet().equals(prior.points().keySet());
        return fits ? Optional.of(prior.withPoints(version, points)) : Optional.empty();
    }

    /** The status of a version, if it exists. */
    public Optional<String> status(String version) {
        if (!tables.exists(OutputTables.HEALTH_WEIGHTS)) {
            return Optional.empty();
        }
        return tables.read(OutputTables.HEALTH_WEIGHTS).where(col("version").equalTo(version)).select("status")
                .takeAsList(1).stream().map(r -> r.getString(0)).findFirst();
    }

    /** {@link #propose(CalibrationReport, HealthModel, Timestamp, double)} with no segment weight marked as a large change. */
    public boolean propose(CalibrationReport r, HealthModel prior, Timestamp now) {
        return propose(r, prior, now, Double.POSITIVE_INFINITY);
    }

    /**
     * Records a calibrate run's proposal: the global version, and beside it each fitted segment's own
     * weights as version {@code <version>/<grouping>=<segment>} (segment_grouping, segment set; approved
     * only by {@code approve --segment}). The run date's earlier proposals that were never approved are
     * replaced (a re-run proposes again, never twice); a version already approved or retired is left
     * as it is. Returns false when the version already existed and nothing was written.
     *
     * @param maxWeightChange calibration.max-weight-change: marks a segment weight's needs_explicit_approval
     */
    public boolean propose(CalibrationReport r, HealthModel prior, Timestamp now, double maxWeightChange) {
        Optional<String> existing = status(r.proposedVersion());
        if (existing.isPresent()) {
            return false;
        }
        List<Row> rows = new ArrayList<>();
        CalibrationReport.DataWindow w = r.data();
        for (WeightRow m : r.weights()) {
            rows.add(RowFactory.create(r.proposedVersion(), r.modelPreset(), prior.structureDigest(), PROPOSED, m.dimension(), m.metric(), m.prior(),
                    m.current(), m.fitted(), m.fittedLow(), m.fittedHigh(), m.proposed(), m.proposedLow(), m.proposedHigh(),
                    r.fit().intervalLevel(), m.change(), m.needsApproval(), m.flags().toArray(String[]::new), w.trainingChurnEvents(),
                    r.fit().dataShare(), Date.valueOf(w.trainFrom()), Date.valueOf(w.trainTo()), Date.valueOf(w.holdoutFrom()),
                    Date.valueOf(w.holdoutTo()), Date.valueOf(r.runDate()), r.runId(), now, null, null, null, null, null));
        }
        for (CalibrationReport.SegmentFit s : r.segments()) {
            if (s.ownWeights().isEmpty()) {
                continue;
            }
            for (WeightRow m : r.weights()) {
                double own = s.ownWeights().get(m.metric());
                double change = own - m.current();
                rows.add(RowFactory.create(segmentVersion(r.proposedVersion(), s.grouping(), s.segment()), r.modelPreset(),
                        prior.structureDigest(), PROPOSED, m.dimension(), m.metric(), m.prior(), m.current(), own, own, own, own, own, own,
                        r.fit().intervalLevel(), change, Math.abs(change) > maxWeightChange, new String[0], s.trainingEvents(), 1.0,
                        Date.valueOf(w.trainFrom()), Date.valueOf(w.trainTo()), Date.valueOf(w.holdoutFrom()), Date.valueOf(w.holdoutTo()),
                        Date.valueOf(r.runDate()), r.runId(), now, null, null, null, s.grouping(), s.segment()));
            }
        }
        Dataset<Row> proposal = spark.createDataFrame(rows, OutputTables.HEALTH_WEIGHTS.schema());
        tables.replaceWhere(OutputTables.HEALTH_WEIGHTS, proposal, proposalsOf(r.modelPreset(), r.runDate()));
        return true;
    }

    /**
     * Withdraws the run date's proposal that was never approved (a re-run that now proposes nothing),
     * so health_weights never shows a proposal its calibration_runs partition does not back.
     */
    public void withdraw(String modelPreset, LocalDate runDate) {
        if (tables.exists(OutputTables.HEALTH_WEIGHTS)) {
            tables.replaceWhere(OutputTables.HEALTH_WEIGHTS, spark.createDataFrame(List.of(), OutputTables.HEALTH_WEIGHTS.schema()),
                    proposalsOf(modelPreset, runDate));
        }
    }

    private static String proposalsOf(String modelPreset, LocalDate runDate) {
        return "run_date = DATE'" + runDate + "' AND status = '" + PROPOSED + "' AND model_preset = '" + modelPreset.replace("'", "''") + "'";
    }

    /** What an approval did: {@code retired} the version it replaced; {@code alreadyApprovedBy} when it was approved before. */
    public record Approval(String version, String modelPreset, String retired, String alreadyApprovedBy) {
    }

    /**
     * Approves a version: in one commit it becomes approved and the preset's approved version becomes
     * retired. A proposed or retired version can be approved (re-approving a retired one rolls back).
     * A weight that moves more than {@code maxWeightChange} points from the weights scoring uses now
     * (measured now, not when the version was proposed) needs {@code acceptLargeChanges}.
     *
     * @param prior the conf model: the version must be for its preset and structure
     */
    public Approval approve(String version, String by, boolean acceptLargeChanges, HealthModel prior, double maxWeightChange,
                            Timestamp now) {
        if (by == null || by.isBlank()) {
            throw JobFailure.badConfig("approve needs --by NAME: who approves the version.", "");
        }
        String where = tables.describe(OutputTables.HEALTH_WEIGHTS);
        if (!tables.exists(OutputTables.HEALTH_WEIGHTS)) {
            throw JobFailure.badConfig("No weights version exists yet (" + where + " is missing): run calibrate first.", "");
        }
        Dataset<Row> all = tables.read(OutputTables.HEALTH_WEIGHTS);
        List<Row> rows = all.where(col("version").equalTo(version))
                .select("model_preset", "status", "metric", "weight", "approved_by", "model_digest").collectAsList(); // one per metric
        if (rows.isEmpty()) {
            List<String> proposed = all.where(col("status").equalTo(PROPOSED).and(global(tables))).select("version").distinct().orderBy("version")
                    .takeAsList(10).stream().map(r -> r.getString(0)).toList();
            throw JobFailure.badConfig("Weights version " + version + " does not exist in " + where + ". Proposed versions: "
                    + (proposed.isEmpty() ? "none" : String.join(", ", proposed)) + ".", "");
        }
        if (isSegmentVersion(version)) {
            throw JobFailure.badConfig("Version " + version + " is a segment's own weights: approve it with --version "
                    + version.substring(0, version.indexOf('/')) + " --segment " + version.substring(version.indexOf('/') + 1) + ".", "");
        }
        String preset = rows.get(0).getString(0);
        requireFittedFor(version, preset, rows.get(0).getString(5), prior);
        if (rows.get(0).getString(1).equals(APPROVED)) {
            return new Approval(version, preset, null, rows.get(0).getString(4));
        }
        Map<String, Double> today = scoringModel(prior).points();
        List<String> large = largeChanges(rows, today, maxWeightChange);
        if (!large.isEmpty() && !acceptLargeChanges) {
            throw JobFailure.badConfig("Version " + version + " moves " + String.join(", ", large) + " from the weights scoring uses now, "
                    + "more than calibration.max-weight-change = " + maxWeightChange + ": read the calibration report, then approve with "
                    + "--accept-large-changes.", "");
        }
        String retired = all.where(col("model_preset").equalTo(preset).and(col("status").equalTo(APPROVED)).and(global(tables)))
                .select("version").takeAsList(1).stream().map(r -> r.getString(0)).findFirst().orElse(null);
        approveRetiring(version, col("model_preset").equalTo(preset).and(global(tables)), by, now);
        return new Approval(version, preset, retired, null);
    }

    /** The id of a segment's own weights version proposed beside the global {@code version}: {@code <version>/<grouping>=<segment>}. */
    public static String segmentVersion(String version, String grouping, String segment) {
        return version + "/" + grouping + "=" + segment;
    }

    /** Whether a version id is a segment's own weights ({@link #segmentVersion}), not a global version. */
    public static boolean isSegmentVersion(String version) {
        return version.contains("/");
    }

    /**
     * Only the global versions' rows: segment_grouping null (a table written before segment versions existed has
     * no such column, and only global rows).
     */
    private static Column global(DeltaTables tables) {
        return java.util.Arrays.asList(tables.read(OutputTables.HEALTH_WEIGHTS).columns()).contains("segment_grouping")
                ? col("segment_grouping").isNull() : lit(true);
    }

    /**
     * Approves a segment's own weights, proposed beside global {@code version} by the calibrate run that fitted it: in one
     * commit {@code <version>/<grouping>=<segment>} becomes approved and the segment's previously approved version retired;
     * the global version and other segments' are untouched. Guardrail: a segment with fewer training churn events than
     * {@code minChurnEvents} (calibration.segment-min-churn-events, as conf says now) cannot get a version of its own, and
     * neither can one calibration did not fit (too few events, or a holdout without churners and stayers). Large changes
     * are measured against the weights the segment's accounts would be scored with now: its approved version, else the
     * global one.
     *
     * @param segment {@code industry=<name>} or {@code size_band=<name>}
     */
    public Approval approveSegment(String version, String segment, String by, boolean acceptLargeChanges, HealthModel prior,
                                   double maxWeightChange, long minChurnEvents, Timestamp now) {
        if (by == null || by.isBlank()) {
            throw JobFailure.badConfig("approve needs --by NAME: who approves the version.", "");
        }
        int eq = segment.indexOf('=');
        String grouping = eq < 0 ? segment : segment.substring(0, eq);
        String name = eq < 0 ? "" : segment.substring(eq + 1);
        if (!GROUPINGS.contains(grouping) || name.isBlank()) {
            throw JobFailure.badConfig("--segment " + segment + " is not a segment: use industry=<industry> or size_band=<size band>, "
                    + "as the calibration report's segment table names them.", "");
        }
        String where = tables.describe(OutputTables.HEALTH_WEIGHTS);
        if (!tables.exists(OutputTables.HEALTH_WEIGHTS)) {
            throw JobFailure.badConfig("No weights version exists yet (" + where + " is missing): run calibrate first.", "");
        }
        String id = segmentVersion(version, grouping, name);
        Dataset<Row> all = tables.read(OutputTables.HEALTH_WEIGHTS);
        List<Row> rows = all.where(col("version").equalTo(id))
                .select("model_preset", "status", "metric", "weight", "approved_by", "model_digest", "training_churn_events")
                .collectAsList(); // one per metric
        if (rows.isEmpty()) {
            if (all.where(col("version").equalTo(version)).isEmpty()) {
                throw JobFailure.badConfig("Weights version " + version + " does not exist in " + where + ": --version names the "
                        + "calibrate run's proposed version, --segment the segment.", "");
            }
            List<String> fitted = all.where(col("version").startsWith(version + "/")).select("version").distinct().orderBy("version")
                    .collectAsList().stream().map(r -> r.getString(0).substring(version.length() + 1)).toList(); // one per segment
            throw JobFailure.badConfig(grouping + " " + name + " cannot get weights of its own from " + version + ": calibration fits a "
                    + "segment only when it has at least calibration.segment-min-churn-events training churn events (" + minChurnEvents
                    + " in conf now) and churners and stayers in its holdout, and this one did not qualify, so its accounts are scored "
                    + "with the global version. Segments with their own weights in " + version + ": "
                    + (fitted.isEmpty() ? "none" : String.join(", ", fitted)) + ".", "");
        }
        long events = rows.get(0).getLong(6);
        if (events < minChurnEvents) {
            throw JobFailure.badConfig(grouping + " " + name + " had only " + events + " training churn events in " + version + "'s "
                    + "calibration, fewer than calibration.segment-min-churn-events = " + minChurnEvents + ": too few to trust weights "
                    + "of its own, so it cannot get its own version; its accounts keep the global version.", "");
        }
        String preset = rows.get(0).getString(0);
        requireFittedFor(id, preset, rows.get(0).getString(5), prior);
        if (rows.get(0).getString(1).equals(APPROVED)) {
            return new Approval(id, preset, null, rows.get(0).getString(4));
        }
        Column ofSegment = col("model_preset").equalTo(preset).and(col("segment_grouping").equalTo(grouping))
                .and(col("segment").equalTo(name));
        List<Row> approvedNow = all.where(ofSegment.and(col("status").equalTo(APPROVED)))
                .select("version", "metric", "weight", "model_digest").collectAsList(); // one per metric of at most one version
        String retired = approvedNow.isEmpty() ? null : approvedNow.get(0).getString(0);
        Map<String, Double> today = approvedNow.isEmpty() ? scoringModel(prior).points()
                : withWeightsOf(prior, retired, approvedNow).map(HealthModel::points).orElseGet(() -> scoringModel(prior).points());
        List<String> large = largeChanges(rows, today, maxWeightChange);
        if (!large.isEmpty() && !acceptLargeChanges) {
            throw JobFailure.badConfig("Version " + id + " moves " + String.join(", ", large) + " from the weights " + grouping + " "
                    + name + " is scored with now, more than calibration.max-weight-change = " + maxWeightChange + ": read the "
                    + "calibration report, then approve with --accept-large-changes.", "");
        }
        approveRetiring(id, ofSegment, by, now);
        return new Approval(id, preset, retired, null);
    }

    /** Fails, in words, when a version was fitted for another model than conf's (its preset and structure digest). */
    private static void requireFittedFor(String version, String preset, String digest, HealthModel prior) {
        if (!preset.equals(prior.name()) || !digest.equals(prior.structureDigest())) {
            throw JobFailure.badConfig("Version " + version + " is for model-preset " + preset + " as it was defined when it was "
                    + "fitted, but conf's model is " + prior.name() + (preset.equals(prior.name()) ? " with other metrics, windows or scales" : "")
                    + ": approve it with the conf it was calibrated with (--set model-preset=" + preset + ").", "");
        }
    }

    /**
     * In one commit: {@code version} becomes approved (by, at now) and the version approved until now among the
     * {@code scope} rows (the preset's global versions, or one segment's) is retired. A global approve and a segment's
     * differ only in that scope.
     */
    private void approveRetiring(String version, Column scope, String by, Timestamp now) {
        Column isTarget = col("version").equalTo(version);
        Map<String, Column> set = new LinkedHashMap<>();
        set.put("status", when(isTarget, lit(APPROVED)).otherwise(lit(RETIRED)));
        set.put("approved_by", when(isTarget, lit(by)).otherwise(col("approved_by")));
        set.put("approved_at", when(isTarget, lit(now)).otherwise(col("approved_at")));
        set.put("retired_at", when(isTarget, lit(null).cast("timestamp")).otherwise(lit(now)));
        tables.update(OutputTables.HEALTH_WEIGHTS, isTarget.or(scope.and(col("status").equalTo(APPROVED))), set);
    }

    /** The metrics of a version's rows (metric at 2, weight at 3) whose share moves more than {@code max} points from {@code today}. */
    private static List<String> largeChanges(List<Row> rows, Map<String, Double> today, double max) {
        double total = rows.stream().mapToDouble(r -> r.getDouble(3)).sum();
        List<String> large = new ArrayList<>();
        for (Row r : rows) {
            double change = 100 * r.getDouble(3) / total - today.get(r.getString(2));
            if (Math.abs(change) > max) {
                large.add(String.format(Locale.ROOT, "%s (%+.1f points)", r.getString(2), change));
            }
        }
        return large;
    }
}
