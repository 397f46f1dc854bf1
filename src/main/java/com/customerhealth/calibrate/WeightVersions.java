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
                .where(col("model_preset").equalTo(prior.name()).and(col("status").equalTo(APPROVED)))
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

    /**
     * Records a calibrate run's proposal. The run date's earlier proposals that were never approved are
     * replaced (a re-run proposes again, never twice); a version already approved or retired is left
     * as it is. Returns false when the version already existed and nothing was written.
     */
    public boolean propose(CalibrationReport r, HealthModel prior, Timestamp now) {
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
                    Date.valueOf(w.holdoutTo()), Date.valueOf(r.runDate()), r.runId(), now, null, null, null));
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
            List<String> proposed = all.where(col("status").equalTo(PROPOSED)).select("version").distinct().orderBy("version")
                    .takeAsList(10).stream().map(r -> r.getString(0)).toList();
            throw JobFailure.badConfig("Weights version " + version + " does not exist in " + where + ". Proposed versions: "
                    + (proposed.isEmpty() ? "none" : String.join(", ", proposed)) + ".", "");
        }
        String preset = rows.get(0).getString(0);
        if (!preset.equals(prior.name()) || !rows.get(0).getString(5).equals(prior.structureDigest())) {
            throw JobFailure.badConfig("Version " + version + " is for model-preset " + preset + " as it was defined when it was "
                    + "fitted, but conf's model is " + prior.name() + (preset.equals(prior.name()) ? " with other metrics, windows or scales" : "")
                    + ": approve it with the conf it was calibrated with (--set model-preset=" + preset + ").", "");
        }
        if (rows.get(0).getString(1).equals(APPROVED)) {
            return new Approval(version, preset, null, rows.get(0).getString(4));
        }
        Map<String, Double> today = scoringModel(prior).points();
        double total = rows.stream().mapToDouble(r -> r.getDouble(3)).sum();
        List<String> large = new ArrayList<>();
        for (Row r : rows) {
            double change = 100 * r.getDouble(3) / total - today.get(r.getString(2));
            if (Math.abs(change) > maxWeightChange) {
                large.add(String.format(Locale.ROOT, "%s (%+.1f points)", r.getString(2), change));
            }
        }
        if (!large.isEmpty() && !acceptLargeChanges) {
            throw JobFailure.badConfig("Version " + version + " moves " + String.join(", ", large) + " from the weights scoring uses now, "
                    + "more than calibration.max-weight-change = " + maxWeightChange + ": read the calibration report, then approve with "
                    + "--accept-large-changes.", "");
        }
        String retired = all.where(col("model_preset").equalTo(preset).and(col("status").equalTo(APPROVED)))
                .select("version").takeAsList(1).stream().map(r -> r.getString(0)).findFirst().orElse(null);
        Column isTarget = col("version").equalTo(version);
        Map<String, Column> set = new LinkedHashMap<>();
        set.put("status", when(isTarget, lit(APPROVED)).otherwise(lit(RETIRED)));
        set.put("approved_by", when(isTarget, lit(by)).otherwise(col("approved_by")));
        set.put("approved_at", when(isTarget, lit(now)).otherwise(col("approved_at")));
        set.put("retired_at", when(isTarget, lit(null).cast("timestamp")).otherwise(lit(now)));
        tables.update(OutputTables.HEALTH_WEIGHTS,
                col("model_preset").equalTo(preset).and(isTarget.or(col("status").equalTo(APPROVED))), set);
        return new Approval(version, preset, retired, null);
    }
}
