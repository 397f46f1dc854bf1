package com.customerhealth.report;

import com.customerhealth.calibrate.CalibrationReport;
import com.customerhealth.calibrate.CalibrationReport.CohortCell;
import com.customerhealth.calibrate.CalibrationReport.CurvePoint;
import com.customerhealth.calibrate.CalibrationReport.CvPoint;
import com.customerhealth.calibrate.CalibrationReport.DataWindow;
import com.customerhealth.calibrate.CalibrationReport.DimensionRow;
import com.customerhealth.calibrate.CalibrationReport.Evaluation;
import com.customerhealth.calibrate.CalibrationReport.Fit;
import com.customerhealth.calibrate.CalibrationReport.ProfileCell;
import com.customerhealth.calibrate.CalibrationReport.RocPoint;
import com.customerhealth.calibrate.CalibrationReport.SegmentCell;
import com.customerhealth.calibrate.CalibrationReport.SegmentFit;
import com.customerhealth.calibrate.CalibrationReport.TierRow;
import com.customerhealth.calibrate.CalibrationReport.WeightRow;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Hand-made calibration reports: one that proposes weights (3 dimensions, 5 metrics, one needing
 * approval, two flagged, two segments of which one fits badly, two cohort cells), one that proposes
 * nothing (no fit, no segments, no cohorts) and one whose snapshots could not judge any weights
 * (no evaluation, the calibrator's placeholder fit with a NaN regParam).
 */
final class ReportFixtures {
    /** As the calibrator writes it: with characters HTML must escape, and the flag its large change needs. */
    static final String APPROVE_COMMAND =
            "approve --version health-10@cal-2026-09-30-a1b2c3d4 --by \"<your name>\" --accept-large-changes";
    static final String NO_PROPOSAL_REASON =
            "Training has only 112 churn events; at least 200 are needed to propose weights.";
    static final String UNJUDGED_REASON =
            "The holdout has no churn event (or nothing but churn), so no set of weights can be judged on it: nothing is proposed.";
    /** A dimension name with a Markdown table separator in it. */
    static final String SUPPORT = "support | success";
    /** A metric name with characters HTML must escape. */
    static final String TICKETS = "tickets <open> & late";

    private static final LocalDate RUN_DATE = LocalDate.of(2026, 9, 30);
    private static final DataWindow DATA = new DataWindow(
            LocalDate.of(2024, 10, 31), LocalDate.of(2025, 12, 31), LocalDate.of(2026, 1, 31), LocalDate.of(2026, 6, 30),
            90, false, 48_210, 2_480, 612, 15_230, 2_390, 187, 214, 38);

    private ReportFixtures() {
    }

    /** Segment x tier cells: the vip row is all of the vip segment; shares of all MRR. */
    private static final List<SegmentCell> SEGMENT_CELLS = List.of(
            new SegmentCell("vip", "all", 120, 412_345.5, 0.41234),
            new SegmentCell("vip", "at_risk", 7, 30_100.0, 0.0301),
            new SegmentCell("potential", "all", 310, 98_000.25, 0.098));
    private static final List<ProfileCell> PROFILE = List.of(
            new ProfileCell("industry", "retail", 0.42, 0.18, 2.3333, 0.91, 0.86, 0.945),
            new ProfileCell("size_band", "smb", 0.6, 0.4, 1.5, 0.8, 0.71, 0.87));

    static CalibrationReport proposed() {
        Fit fit = new Fit(0.01, 5, List.of(new CvPoint(0.001, 0.41234), new CvPoint(0.01, 0.40871),
                new CvPoint(0.1, 0.41502)), 200, 0.90, 400.0, 0.6047, 200, 10.0);
        List<WeightRow> weights = List.of(
                new WeightRow("product", "logins_per_seat", 25, 25, 31.24, 26.0, 36.45, 28.7, 25.5, 32.1, 3.7, false, List.of(),
                        18.89, 9.8825, new CalibrationReport.Evidence(-0.0312, -0.0398, -0.0226, -0.26802, -0.32824, -0.20229, "strong",
                        "Strong evidence it lowers churn, even allowing for luck across 5 metrics: 10 more points go with -27% churn "
                        + "odds (90% interval -33% to -20%).")),
                new WeightRow("product", "feature_adoption", 20, 20, 8.1, 0.0, 17.9, 12.9, 7.9, 18.0, -7.1, false,
                        List.of("interval_includes_zero")),
                new WeightRow(SUPPORT, TICKETS, 15, 15, 2.0, 0.0, 5.3, 6.9, 3.1, 10.2, -8.1, false, List.of()),
                new WeightRow("relationship", "nps", 20, 20, 41.0, 33.0, 49.0, 32.7, 28.1, 37.5, 12.7, true, List.of()),
                new WeightRow("relationship", "csm_assessment", 20, 20, 0.0, -9.4, -2.1, 18.8, 18.8, 18.8, -1.2, false,
                        List.of("contradicts_expected_direction", "sparse_history"), 0.0, 7.905, new CalibrationReport.Evidence(0.0123,
                        0.0041, 0.0205, 0.13085, 0.04185, 0.22754, "contradicts", "Contradicts its expected direction: more of it goes "
                        + "with more churn, beyond chance; question the metric (its definition, direction or data) rather than read its "
                        + "0 weight as certain: 10 more points go with +13% churn odds (90% interval +4% to +23%).")));
        List<DimensionRow> dimensions = List.of(
                new DimensionRow("product", 45, 45, 39.34, 41.6, -3.4),
                new DimensionRow(SUPPORT, 15, 15, 2.0, 6.9, -8.1),
                new DimensionRow("relationship", 40, 40, 41.0, 51.5, 11.5));
        List<SegmentFit> segments = List.of(
                new SegmentFit("industry", "retail", 120, 2_100, 40, 0.7012, 0.7243, false,
                        List.of(new DimensionRow("product", 45, 45, 40.2, null, null),
                                new DimensionRow(SUPPORT, 15, 15, 10.0, null, null),
                                new DimensionRow("relationship", 40, 40, 49.8, null, null))),
                new SegmentFit("size_band", "enterprise", 85, 900, 22, 0.6405, 0.7311, true,
                        List.of(new DimensionRow("product", 45, 45, 61.5, null, null),
                                new DimensionRow(SUPPORT, 15, 15, 30.5, null, null),
                                new DimensionRow("relationship", 40, 40, 8.0, null, null)), java.util.Map.of(), -0.85, -0.031));
        List<CohortCell> cohorts = List.of(
                new CohortCell("retail", "smb", 1_204, 31, 0.025747, 0.018174, 0.036374, false),
                new CohortCell("fintech", "enterprise", 23, 2, 0.086957, 0.024166, 0.267999, true));
        return new CalibrationReport("cal-20260930-01", RUN_DATE, "health-10", "proposed", null,
                "health-10@prior-3fa2c1", "health-10@cal-2026-09-30-a1b2c3d4", DATA, fit, weights, dimensions,
                evaluation("current", "health-10@prior-3fa2c1", 0.6894, 0.6),
                evaluation("proposed", "health-10@cal-2026-09-30-a1b2c3d4", 0.7121, 0.5),
                segments, cohorts, SEGMENT_CELLS, PROFILE,
                "Accounts like this stay: industry retail, size band smb (lift 2.3, 1.5)",
                List.of("Only 187 churn events in the holdout: AUC differences below 0.02 may be noise.",
                        "Failed-payment churn is left out of the labels."),
                APPROVE_COMMAND, MONEY, DRIFT);
    }

    /**
     * score_drift of the run date: nps moved against the training snapshots (significant), logins_per_seat has no value on
     * the run date (a broken source), open_tickets moved moderately in 90 days, the health score is stable.
     */
    static final List<CalibrationReport.DriftCell> DRIFT = List.of(
            new CalibrationReport.DriftCell("health_score", "30d", LocalDate.parse("2026-08-31"), 0.0412, "stable", 0.0, 0.0),
            new CalibrationReport.DriftCell("open_tickets", "90d", LocalDate.parse("2026-07-02"), 0.1234, "moderate", 0.02, 0.01),
            new CalibrationReport.DriftCell("logins_per_seat", "training", LocalDate.parse("2025-12-31"), null, "no_values", 1.0, 0.0),
            new CalibrationReport.DriftCell("nps", "training", LocalDate.parse("2025-12-31"), 0.3127, "significant", 0.0, 0.0));

    /** Money at stake: two tiers move, in the order MoneyAtStake sorts them. */
    static final CalibrationReport.Money MONEY = new CalibrationReport.Money(RUN_DATE, 90, 451, 1_379_404.12, 711, 3_336_780.5,
            812_345.67, 901_234.5, 260, 1_957_376.38,
            List.of(new CalibrationReport.MoneyRow("healthy", 900, 4_100_000.0, 120_000.0, 700, 3_300_000.0, 90_000.0),
                    new CalibrationReport.MoneyRow("at_risk", 300, 900_000.0, 300_000.0, 450, 2_000_000.0, 500_000.0),
                    new CalibrationReport.MoneyRow("critical", 151, 479_404.12, 392_345.67, 261, 1_336_780.5, 311_234.5)),
            List.of(new CalibrationReport.TierMove("healthy", "at_risk", 200, 1_500_000.0),
                    new CalibrationReport.TierMove("at_risk", "critical", 60, 457_376.38)),
            List.of(new CalibrationReport.MoneyRow("retail", 700, 2_000_000.0, 500_000.0, 700, 2_000_000.0, 550_000.0)),
            List.of(new CalibrationReport.MoneyRow("smb", 1_000, 3_000_000.0, 600_000.0, 1_000, 3_000_000.0, 650_000.0)),
            454_294.0, 186_260.54, 263_490.52);

    static CalibrationReport noProposal() {
        return new CalibrationReport("cal-20260930-02", RUN_DATE, "health-10", "no_proposal", NO_PROPOSAL_REASON,
                "health-10@prior-3fa2c1", null, DATA, null, priorWeights(), priorDimensions(),
                evaluation("current", "health-10@prior-3fa2c1", 0.6894, 0.6), null,
                List.of(), List.of(), List.of(), List.of(), null, List.of("Training has few churn events."), null);
    }

    static CalibrationReport unjudged() {
        Fit placeholder = new Fit(Double.NaN, 5, List.of(), 0, 0.90, 400.0, 0.0, 200, 10.0);
        return new CalibrationReport("cal-20260930-03", RUN_DATE, "health-10", "no_proposal", UNJUDGED_REASON,
                "health-10@prior-3fa2c1", null, DATA, placeholder, priorWeights(), priorDimensions(), null, null,
                List.of(), List.of(), List.of(), List.of(), null, List.of(), null);
    }

    private static List<WeightRow> priorWeights() {
        return List.of(
                new WeightRow("product", "logins_per_seat", 25, 25, null, null, null, null, null, null, null, false, List.of()),
                new WeightRow("product", "feature_adoption", 20, 20, null, null, null, null, null, null, null, false, List.of()),
                new WeightRow("support", "open_tickets", 15, 15, null, null, null, null, null, null, null, false, List.of()),
                new WeightRow("relationship", "nps", 40, 40, null, null, null, null, null, null, null, false, List.of()));
    }

    private static List<DimensionRow> priorDimensions() {
        return List.of(
                new DimensionRow("product", 45, 45, null, null, null),
                new DimensionRow("support", 15, 15, null, null, null),
                new DimensionRow("relationship", 40, 40, null, null, null));
    }

    /** An evaluation whose ROC curve is fpr^power (smaller power, better curve). */
    private static Evaluation evaluation(String label, String version, double auc, double power) {
        List<TierRow> tiers = List.of(
                new TierRow("healthy", 1_204, 38, 0.031561, 0.023085, 0.043005),
                new TierRow("needs_attention", 702, 61, 0.086895, 0.068368, 0.109882),
                new TierRow("at_risk", 355, 52, 0.146479, 0.113473, 0.186966),
                new TierRow("critical", 129, 36, 0.27907, 0.209046, 0.361802));
        List<CurvePoint> calibration = IntStream.rangeClosed(1, 10)
                .mapToObj(d -> new CurvePoint(d, 1_523, 0.012 * d, 0.01 * d + 0.004 * (d % 3)))
                .toList();
        List<RocPoint> roc = IntStream.rangeClosed(0, 20)
                .mapToObj(i -> new RocPoint(i / 20.0, Math.pow(i / 20.0, power)))
                .toList();
        return new Evaluation(label, version, auc, 0.1432 + (auc - 0.6894), 0.082327, 0.0712, -1.2345678, -0.034512,
                48.27, 63.91, 0.2814 + (auc - 0.6894), tiers, calibration, roc);
    }
}
