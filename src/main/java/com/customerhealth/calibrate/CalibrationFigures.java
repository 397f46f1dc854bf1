package com.customerhealth.calibrate;

import com.customerhealth.calibrate.CalibrationReport.CurvePoint;
import com.customerhealth.calibrate.CalibrationReport.CvPoint;
import com.customerhealth.calibrate.CalibrationReport.DataWindow;
import com.customerhealth.calibrate.CalibrationReport.Evaluation;
import com.customerhealth.calibrate.CalibrationReport.RocPoint;
import com.customerhealth.calibrate.CalibrationReport.SegmentFit;
import com.customerhealth.calibrate.CalibrationReport.TierRow;
import com.customerhealth.io.OutputTables;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Date;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * A calibration report as {@code calibration_runs} rows: every figure of the evaluation, one row per
 * figure, weights set and bucket (docs/calibration.md, "calibration_runs figures"). A few hundred rows at most.
 */
public final class CalibrationFigures {
    private final CalibrationReport report;
    private final List<Row> rows = new ArrayList<>();

    private CalibrationFigures(CalibrationReport report) {
        this.report = report;
    }

    /** The rows, in the {@link OutputTables#CALIBRATION_RUNS} schema. */
    public static List<Row> of(CalibrationReport report) {
        CalibrationFigures f = new CalibrationFigures(report);
        f.data(report.data());
        if (report.fit() != null) {
            for (CvPoint p : report.fit().cv()) {
                f.add("data", null, "cv_log_loss", "all", p.regParam(), p.logLoss(), null, null, null, null);
            }
            if (!Double.isNaN(report.fit().regParam())) {
                f.add("data", null, "chosen_reg_param", "all", null, report.fit().regParam(), null, null, null, null);
                f.add("data", null, "data_share", "all", null, report.fit().dataShare(), null, null, null, null);
            }
        }
        for (Evaluation e : new Evaluation[] {report.current(), report.proposed()}) {
            if (e != null) {
                f.evaluation(e);
            }
        }
        for (SegmentFit s : report.segments()) {
            String bucket = s.grouping() + "=" + s.segment();
            f.add("proposed", report.proposedVersion(), "segment_roc_auc", bucket, null, s.globalAuc(), s.holdoutRows(), s.holdoutEvents(), null, null);
            f.add("own", bucket, "segment_roc_auc", bucket, null, s.ownAuc(), s.holdoutRows(), s.holdoutEvents(), null, null);
            f.add("own", bucket, "segment_fits_badly", bucket, null, s.fitsBadly() ? 1.0 : 0.0, null, s.trainingEvents(), null, null);
            if (s.scoreIntercept() != null && s.scoreSlope() != null && report.proposedVersion() != null) {
                // Under the segment version's own id, as the global maps are under theirs: what scoring reads for its rows.
                String version = WeightVersions.segmentVersion(report.proposedVersion(), s.grouping(), s.segment());
                f.add("own", version, "score_intercept", "all", null, s.scoreIntercept(), null, null, null, null);
                f.add("own", version, "score_slope", "all", null, s.scoreSlope(), null, null, null, null);
            }
        }
        return f.rows;
    }

    private void data(DataWindow w) {
        add("data", null, "training_snapshots", "all", null, null, w.trainingRows(), w.trainingChurnEvents(), null, null);
        add("data", null, "training_accounts", "all", null, (double) w.trainingAccounts(), null, null, null, null);
        add("data", null, "holdout_snapshots", "all", null, null, w.holdoutRows(), w.holdoutChurnEvents(), null, null);
        add("data", null, "holdout_accounts", "all", null, (double) w.holdoutAccounts(), null, null, null, null);
        add("data", null, "excluded_involuntary_only", "all", null, (double) w.excludedInvoluntary(), null, null, null, null);
        add("data", null, "excluded_no_data", "all", null, (double) w.excludedNoData(), null, null, null, null);
    }

    private void evaluation(Evaluation e) {
        String l = e.label();
        String v = e.weightsVersion();
        add(l, v, "roc_auc", "all", null, e.rocAuc(), null, null, null, null);
        add(l, v, "pr_auc", "all", null, e.prAuc(), null, null, null, null);
        add(l, v, "churn_rate", "all", null, e.churnRate(), null, null, null, null);
        add(l, v, "brier", "all", null, e.brier(), null, null, null, null);
        add(l, v, "score_intercept", "all", null, e.scoreIntercept(), null, null, null, null);
        add(l, v, "score_slope", "all", null, e.scoreSlope(), null, null, null, null);
        add(l, v, "calibration_slope", "all", null, e.calibrationSlope(), null, null, null, null);
        add(l, v, "mean_score_churned", "all", null, e.meanScoreChurned(), null, null, null, null);
        add(l, v, "mean_score_stayed", "all", null, e.meanScoreStayed(), null, null, null, null);
        add(l, v, "capture_lowest_10pct", "all", null, e.captureLowest10(), null, null, null, null);
        for (TierRow t : e.tiers()) {
            add(l, v, "tier_churn_rate", t.tier(), null, t.churnRate(), t.accounts(), t.churned(), t.low(), t.high());
        }
        for (CurvePoint c : e.calibration()) {
            add(l, v, "calibration_decile", String.valueOf(c.decile()), c.meanPredicted(), c.observedRate(), c.rows(), null, null, null);
        }
        for (int i = 0; i < e.roc().size(); i++) {
            RocPoint p = e.roc().get(i);
            add(l, v, "roc_point", String.format("%03d", i), p.falsePositiveRate(), p.truePositiveRate(), null, null, null, null);
        }
    }

    private void add(String label, String version, String figure, String bucket, Double x, Double value, Long n, Long events,
                     Double low, Double high) {
        rows.add(RowFactory.create(Date.valueOf(report.runDate()), report.runId(), report.modelPreset(), report.status(), label,
                version, figure, bucket, finite(x), finite(value), n, events, finite(low), finite(high)));
    }

    /**
     * Null for a missing or non-finite figure; otherwise rounded to 10 decimals, so the last bits of a
     * floating-point sum (which depend on the order tasks finish) never make a re-run's table differ.
     */
    private static Double finite(Double v) {
        return v == null || v.isNaN() || v.isInfinite() ? null
                : BigDecimal.valueOf(v).setScale(10, RoundingMode.HALF_UP).doubleValue();
    }
}
