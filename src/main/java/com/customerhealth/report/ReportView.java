package com.customerhealth.report;

import com.customerhealth.calibrate.CalibrationReport;
import com.customerhealth.calibrate.CalibrationReport.CohortCell;
import com.customerhealth.calibrate.CalibrationReport.CurvePoint;
import com.customerhealth.calibrate.CalibrationReport.DataWindow;
import com.customerhealth.calibrate.CalibrationReport.DimensionRow;
import com.customerhealth.calibrate.CalibrationReport.Evaluation;
import com.customerhealth.calibrate.CalibrationReport.Fit;
import com.customerhealth.calibrate.CalibrationReport.SegmentFit;
import com.customerhealth.calibrate.CalibrationReport.TierRow;
import com.customerhealth.calibrate.CalibrationReport.WeightRow;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The templates' view of a report: maps and lists of preformatted strings, so the templates only place
 * them. A value shown from the JSON is a <em>cell</em>, {@code {key, text}}: its JSON pointer in
 * report.json and its text by {@link ReportFormat}; the templates put the key in a {@code data-key}
 * attribute. Words (flags, verdicts) are chosen here; sentences live in the templates.
 */
final class ReportView {
    private static final String[] EVALUATION_KEYS = {"current", "proposed"};
    /** The approve command's flag for weights that need explicit approval. */
    private static final String ACCEPT_LARGE_CHANGES = "--accept-large-changes";
    private static final Map<String, String> FLAG_WORDS = Map.of(
            "no_weight_from_data", "the data gives this metric no weight",
            "interval_includes_zero", "the data cannot tell this metric's weight from zero",
            "contradicts_expected_direction", "contradicts its expected direction: question the metric");

    private ReportView() {
    }

    /**
     * Builds the view of a report.
     *
     * @param evaluations today's evaluation, then the proposal's when the report proposes weights; empty
     *                    when the snapshots could not judge any weights
     * @param charts      the rendered charts
     */
    static Map<String, Object> build(CalibrationReport r, List<Evaluation> evaluations, List<ReportCharts.Image> charts) {
        boolean proposing = evaluations.size() > 1;
        Map<String, Object> view = cells("",
                "runId", r.runId(), "runDate", r.runDate(), "modelPreset", r.modelPreset(), "status", r.status(),
                "currentVersion", r.currentVersion());
        view.put("proposing", proposing);
        view.put("judged", !evaluations.isEmpty());
        if (proposing) {
            view.putAll(cells("", "proposedVersion", r.proposedVersion(), "approveCommand", r.approveCommand()));
            view.put("acceptFlagInCommand", r.approveCommand().contains(ACCEPT_LARGE_CHANGES));
        } else {
            view.putAll(cells("", "statusReason", r.statusReason()));
        }
        view.put("headline", headline(evaluations));
        view.put("money", proposing ? money(r.money()) : null);
        view.put("data", dataWindow(r.data()));
        view.put("fit", r.fit() == null ? null : fit(r.fit()));
        view.put("dimensions", indexed(r.dimensions(), (d, i) -> dimension("/dimensions/" + i, d, proposing)));
        List<Map<String, Object>> metrics = indexed(r.weights(), (w, i) -> metric("/weights/" + i, w, proposing));
        view.put("metrics", metrics);
        putList(view, "largeChanges", metrics.stream().filter(m -> (Boolean) m.get("needsApproval")).toList());
        view.put("evaluations", indexed(evaluations, ReportView::evaluation));
        view.put("measures", measures(evaluations));
        putList(view, "cohorts", indexed(r.cohortChurn(), ReportView::cohort));
        putList(view, "customerSegments", indexed(r.customerSegments(), (c, i) -> cells("/customerSegments/" + i,
                "segment", c.segment(), "tier", c.tier(), "accounts", c.accounts(), "mrr", c.mrr(), "mrrShare", c.mrrShare())));
        putList(view, "successProfile", indexed(r.successProfile(), (c, i) -> cells("/successProfile/" + i,
                "characteristic", c.characteristic(), "value", c.value(), "shareRetainedHealthy", c.shareRetainedHealthy(),
                "shareChurned", c.shareChurned(), "lift", c.lift(), "retentionRate", c.retentionRate(),
                "retentionLow", c.retentionLow(), "retentionHigh", c.retentionHigh())));
        view.put("successLine", r.successLine() == null ? null : cell("/successLine", r.successLine()));
        putList(view, "segments", indexed(r.segments(), ReportView::segment));
        putList(view, "caveats", indexed(r.caveats(), (c, i) -> cell("/caveats/" + i, c)));
        view.put("drift", drift(r.drift()));
        view.put("charts", charts(charts));
        return view;
    }

    /** The answer in numbers: both AUCs, their difference as shown, the verdict word, churn captured. */
    private static Map<String, Object> headline(List<Evaluation> evaluations) {
        Map<String, Object> headline = new LinkedHashMap<>();
        if (evaluations.isEmpty()) {
            return headline;
        }
        Evaluation today = evaluations.get(0);
        headline.put("currentAuc", cell("/current/rocAuc", today.rocAuc()));
        headline.put("currentCapture", cell("/current/captureLowest10", today.captureLowest10()));
        if (evaluations.size() > 1) {
            Evaluation proposed = evaluations.get(1);
            String difference = ReportFormat.difference(proposed.rocAuc(), today.rocAuc(), 3);
            headline.put("proposedAuc", cell("/proposed/rocAuc", proposed.rocAuc()));
            headline.put("proposedCapture", cell("/proposed/captureLowest10", proposed.captureLowest10()));
            headline.put("aucDifference", difference);
            headline.put("verdict", verdict(difference));
        }
        return headline;
    }

    /** Better, worse or no better, judged on the AUCs as the reader sees them (3 decimals). */
    private static String verdict(String shownDifference) {
        if (shownDifference.startsWith("+")) {
            return "predict churn better than";
        }
        return shownDifference.startsWith("-") ? "predict churn worse than" : "predict churn no better than";
    }

    private static Map<String, Object> dataWindow(DataWindow d) {
        Map<String, Object> data = cells("/data",
                "trainFrom", d.trainFrom(), "trainTo", d.trainTo(), "holdoutFrom", d.holdoutFrom(),
                "holdoutTo", d.holdoutTo(), "horizonDays", d.horizonDays(),
                "trainingRows", d.trainingRows(), "trainingAccounts", d.trainingAccounts(),
                "trainingChurnEvents", d.trainingChurnEvents(), "holdoutRows", d.holdoutRows(),
                "holdoutAccounts", d.holdoutAccounts(), "holdoutChurnEvents", d.holdoutChurnEvents(),
                "excludedInvoluntary", d.excludedInvoluntary(), "excludedNoData", d.excludedNoData());
        data.put("involuntaryCounted", d.involuntaryCounted());
        return data;
    }

    private static Map<String, Object> fit(Fit f) {
        Map<String, Object> fit = cells("/fit",
                "regParam", f.regParam(), "folds", f.folds(), "replicates", f.replicates(),
                "intervalLevel", f.intervalLevel(), "shrinkageK", f.shrinkageK(), "dataShare", f.dataShare(),
                "minChurnEvents", f.minChurnEvents(), "maxWeightChange", f.maxWeightChange());
        fit.put("cv", indexed(f.cv(), (p, i) -> cells("/fit/cv/" + i, "regParam", p.regParam(), "logLoss", p.logLoss())));
        return fit;
    }

    private static Map<String, Object> dimension(String pointer, DimensionRow d, boolean proposing) {
        Map<String, Object> row = cells(pointer, "dimension", d.dimension(), "prior", d.prior(), "current", d.current());
        if (proposing) {
            row.putAll(cells(pointer, "fitted", d.fitted(), "proposed", d.proposed(), "change", d.change()));
        }
        return row;
    }

    private static Map<String, Object> metric(String pointer, WeightRow w, boolean proposing) {
        Map<String, Object> row = cells(pointer, "dimension", w.dimension(), "metric", w.metric(),
                "prior", w.prior(), "current", w.current());
        if (proposing) {
            row.putAll(cells(pointer, "fitted", w.fitted(), "fittedLow", w.fittedLow(), "fittedHigh", w.fittedHigh(),
                    "proposed", w.proposed(), "proposedLow", w.proposedLow(), "proposedHigh", w.proposedHigh(),
                    "change", w.change()));
        }
        if (proposing && w.evidence() != null) {
            String e = pointer + "/evidence";
            Map<String, Object> evidence = cells(e, "strength", w.evidence().strength(), "words", w.evidence().words(),
                    "coefficient", w.evidence().coefficient(), "coefficientLow", w.evidence().coefficientLow(),
                    "coefficientHigh", w.evidence().coefficientHigh(), "oddsChangePer10", w.evidence().oddsChangePer10(),
                    "oddsChangeLow", w.evidence().oddsChangeLow(), "oddsChangeHigh", w.evidence().oddsChangeHigh());
            evidence.put("label", STRENGTH_WORDS.getOrDefault(w.evidence().strength(), w.evidence().strength()));
            evidence.put("contradicts", "contradicts".equals(w.evidence().strength()));
            row.put("evidence", evidence);
        }
        if (proposing) {
            row.putAll(cells(pointer, "fromData", w.fromData(), "fromPrior", w.fromPrior()));
        }
        boolean needsApproval = proposing && w.needsApproval();
        row.put("needsApproval", needsApproval);
        row.put("notes", w.flags().stream().map(f -> FLAG_WORDS.getOrDefault(f, f)).toList());
        return row;
    }

    /** PSI flags that call for action, in the drift table's order of concern. */
    private static final List<String> DRIFT_FLAGS = List.of("no_values", "significant", "moderate");

    /**
     * The drift watch from score_drift of the run date: the flagged rows (no_values, significant, moderate; worst first),
     * the measures that moved since the weights in use were trained, those with no value on the run date (a broken
     * source), and whether the weights in use have training snapshots to compare with. Null when insights has not run.
     */
    private static Map<String, Object> drift(List<CalibrationReport.DriftCell> cells) {
        if (cells.isEmpty()) {
            return null;
        }
        List<Integer> flagged = new ArrayList<>();
        for (int i = 0; i < cells.size(); i++) {
            if (DRIFT_FLAGS.contains(cells.get(i).flag())) {
                flagged.add(i);
            }
        }
        flagged.sort(java.util.Comparator.<Integer>comparingInt(i -> DRIFT_FLAGS.indexOf(cells.get(i).flag()))
                .thenComparing(i -> -(cells.get(i).psi() == null ? 0 : cells.get(i).psi())));
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("measures", cells.stream().map(CalibrationReport.DriftCell::measure).distinct().count());
        putList(view, "flagged", flagged.stream().map(i -> {
            CalibrationReport.DriftCell c = cells.get(i);
            Map<String, Object> row = cells("/drift/" + i, "measure", c.measure(), "reference", c.reference(),
                    "referenceDate", c.referenceDate(), "psi", c.psi(), "flag", c.flag(),
                    "currentMissingShare", c.currentMissingShare(), "referenceMissingShare", c.referenceMissingShare());
            row.put("significant", "significant".equals(c.flag()));
            return row;
        }).toList());
        List<String> stale = cells.stream().filter(c -> "training".equals(c.reference()) && "significant".equals(c.flag()))
                .map(CalibrationReport.DriftCell::measure).toList();
        List<String> broken = cells.stream().filter(c -> "no_values".equals(c.flag()))
                .map(CalibrationReport.DriftCell::measure).distinct().toList();
        putList(view, "stale", stale);
        putList(view, "broken", broken);
        view.put("noTrainingReference", cells.stream().filter(c -> "training".equals(c.reference()))
                .allMatch(c -> "no_reference".equals(c.flag()) || "no_values".equals(c.flag())));
        view.put("alert", !stale.isEmpty() || !broken.isEmpty());
        return view;
    }

    /** Tier moves shown on the first screen, largest MRR first. */
    private static final int FIRST_SCREEN_MOVES = 4;

    /** Evidence strength in a word or two, for the weights table. */
    private static final Map<String, String> STRENGTH_WORDS = Map.of("strong", "strong", "some", "some (could be luck)",
            "none", "none", "contradicts", "wrong direction");

    /** The first screen's money: at-risk MRR today and with the proposal, tier moves, expected churn, the holdout's flagged churn. */
    private static Map<String, Object> money(CalibrationReport.Money m) {
        if (m == null || m.tiers().isEmpty()) {
            return null;
        }
        Map<String, Object> view = cells("/money", "asOf", m.asOf(), "horizonDays", m.horizonDays(),
                "atRiskAccountsToday", m.atRiskAccountsToday(), "atRiskMrrToday", m.atRiskMrrToday(),
                "atRiskAccountsProposed", m.atRiskAccountsProposed(), "atRiskMrrProposed", m.atRiskMrrProposed(),
                "expectedChurnMrrToday", m.expectedChurnMrrToday(), "expectedChurnMrrProposed", m.expectedChurnMrrProposed(),
                "movedAccounts", m.movedAccounts(), "movedMrr", m.movedMrr());
        List<Map<String, Object>> moves = new ArrayList<>(indexed(m.moves(), (t, i) -> cells("/money/moves/" + i, "from", t.from(),
                "to", t.to(), "accounts", t.accounts(), "mrr", t.mrr())));
        List<Integer> byMrr = new ArrayList<>();
        for (int i = 0; i < m.moves().size(); i++) {
            byMrr.add(i);
        }
        byMrr.sort((a, b) -> Double.compare(m.moves().get(b).mrr(), m.moves().get(a).mrr()));
        // The first screen shows the largest moves by MRR; report.json has them all.
        view.put("moves", byMrr.stream().limit(FIRST_SCREEN_MOVES).map(moves::get).toList());
        view.put("hasMoves", !m.moves().isEmpty());
        view.put("tiers", moneyRows("/money/tiers/", m.tiers()));
        view.put("byIndustry", moneyRows("/money/byIndustry/", m.byIndustry()));
        view.put("bySizeBand", moneyRows("/money/bySizeBand/", m.bySizeBand()));
        if (m.holdoutChurnedMrr() != null && m.holdoutChurnedMrr() > 0) {
            Map<String, Object> holdout = cells("/money", "holdoutChurnedMrr", m.holdoutChurnedMrr(),
                    "holdoutFlaggedToday", m.holdoutFlaggedToday(), "holdoutFlaggedProposed", m.holdoutFlaggedProposed());
            holdout.put("shareToday", ReportFormat.format("/share/captureLowest10", m.holdoutFlaggedToday() / m.holdoutChurnedMrr()));
            holdout.put("shareProposed", ReportFormat.format("/share/captureLowest10", m.holdoutFlaggedProposed() / m.holdoutChurnedMrr()));
            view.put("holdout", holdout);
        }
        return view;
    }

    private static List<Map<String, Object>> moneyRows(String pointer, List<CalibrationReport.MoneyRow> rows) {
        return indexed(rows, (r, i) -> cells(pointer + i, "group", r.group(), "accountsToday", r.accountsToday(), "mrrToday", r.mrrToday(),
                "mrrAtRiskToday", r.mrrAtRiskToday(), "accountsProposed", r.accountsProposed(), "mrrProposed", r.mrrProposed(),
                "mrrAtRiskProposed", r.mrrAtRiskProposed()));
    }

    /** One set of weights judged on the holdout: its title, version, tiers, deciles and score-to-probability fit. */
    private static Map<String, Object> evaluation(Evaluation e, int index) {
        String pointer = "/" + EVALUATION_KEYS[index];
        Map<String, Object> view = cells(pointer, "weightsVersion", e.weightsVersion(),
                "scoreIntercept", e.scoreIntercept(), "scoreSlope", e.scoreSlope());
        view.put("title", ReportCharts.SET_NAMES.get(index));
        view.put("tiers", indexed(e.tiers(), (t, i) -> tier(pointer + "/tiers/" + i, t)));
        view.put("deciles", indexed(e.calibration(), (p, i) -> decile(pointer + "/calibration/" + i, p)));
        return view;
    }

    private static Map<String, Object> tier(String pointer, TierRow t) {
        return cells(pointer, "tier", t.tier(), "accounts", t.accounts(), "churned", t.churned(),
                "churnRate", t.churnRate(), "low", t.low(), "high", t.high());
    }

    private static Map<String, Object> decile(String pointer, CurvePoint p) {
        return cells(pointer, "decile", p.decile(), "rows", p.rows(),
                "meanPredicted", p.meanPredicted(), "observedRate", p.observedRate());
    }

    /** The quality measures table: one row per measure, one cell per set of weights. */
    private static List<Map<String, Object>> measures(List<Evaluation> evaluations) {
        return List.of(
                measure(evaluations, "rocAuc", Evaluation::rocAuc, "ROC AUC",
                        "the chance that an account that churned scored lower than one that stayed: 0.5 is a coin toss, 1.0 is perfect"),
                measure(evaluations, "prAuc", Evaluation::prAuc, "PR AUC",
                        "how well the lowest scores concentrate the churners; a useless score gets the churn rate (next row)"),
                measure(evaluations, "churnRate", Evaluation::churnRate, "Churn rate of the holdout",
                        "the PR AUC of a useless score, for comparison"),
                measure(evaluations, "brier", Evaluation::brier, "Brier score",
                        "the average squared error of the predicted churn probability; lower is better"),
                measure(evaluations, "meanScoreChurned", Evaluation::meanScoreChurned,
                        "Mean score of accounts that churned", "should sit well below the stayers' mean"),
                measure(evaluations, "meanScoreStayed", Evaluation::meanScoreStayed,
                        "Mean score of accounts that stayed", "the wider the gap to the churners, the better"),
                measure(evaluations, "calibrationSlope", Evaluation::calibrationSlope,
                        "Calibration slope on the holdout",
                        "1.0: the churn probabilities are as spread as the holdout's churn says; below 1 they are too extreme, above 1 too timid"),
                measure(evaluations, "captureLowest10", Evaluation::captureLowest10,
                        "Churn caught by the lowest-scored 10%",
                        "the share of the accounts that went on to churn found among the 10% of accounts with the lowest scores on each date"));
    }

    private static Map<String, Object> measure(List<Evaluation> evaluations, String field,
                                               java.util.function.Function<Evaluation, Double> value, String label, String meaning) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("label", label);
        row.put("meaning", meaning);
        row.put("values", indexed(evaluations,
                (e, i) -> cell("/" + EVALUATION_KEYS[i] + "/" + field, value.apply(e))));
        return row;
    }

    private static Map<String, Object> cohort(CohortCell c, int i) {
        Map<String, Object> row = cells("/cohortChurn/" + i, "industry", c.industry(), "sizeBand", c.sizeBand(),
                "customersStart", c.customersStart(), "churned", c.churned(), "churnRate", c.churnRate(),
                "low", c.low(), "high", c.high());
        row.put("smallCohort", c.smallCohort());
        return row;
    }

    private static Map<String, Object> segment(SegmentFit s, int i) {
        String pointer = "/segments/" + i;
        Map<String, Object> row = cells(pointer, "grouping", s.grouping(), "segment", s.segment(),
                "trainingEvents", s.trainingEvents(), "holdoutRows", s.holdoutRows(), "holdoutEvents", s.holdoutEvents(),
                "globalAuc", s.globalAuc(), "ownAuc", s.ownAuc());
        row.put("fitsBadly", s.fitsBadly());
        row.put("own", indexed(s.ownDimensions(),
                (d, j) -> cells(pointer + "/ownDimensions/" + j, "dimension", d.dimension(), "fitted", d.fitted())));
        return row;
    }

    /** Charts by short name ({@code weights}, {@code tiers}, ...): file name, data URI, size, alt text. */
    private static Map<String, Object> charts(List<ReportCharts.Image> images) {
        Map<String, Object> charts = new LinkedHashMap<>();
        for (ReportCharts.Image image : images) {
            String shortName = image.name().substring("charts/".length(), image.name().length() - ".png".length());
            charts.put(shortName, Map.of("name", image.name(),
                    "src", "data:image/png;base64," + Base64.getEncoder().encodeToString(image.png()),
                    "width", image.width(), "height", image.height(), "alt", image.alt()));
        }
        return charts;
    }

    /** Puts a list and whether it has items ({@code hasCohorts} for {@code cohorts}), for the templates' if/else. */
    private static void putList(Map<String, Object> view, String name, List<?> items) {
        view.put(name, items);
        view.put("has" + Character.toUpperCase(name.charAt(0)) + name.substring(1), !items.isEmpty());
    }

    /** Cells of one JSON object, by field name: {@code cells("/data", "trainFrom", date, ...)}. */
    private static Map<String, Object> cells(String pointer, Object... namesAndValues) {
        Map<String, Object> cells = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            String name = (String) namesAndValues[i];
            cells.put(name, cell(pointer + "/" + name, namesAndValues[i + 1]));
        }
        return cells;
    }

    /** One value shown from the JSON: {@code {key: its JSON pointer, text: its formatted text}}. */
    private static Map<String, String> cell(String pointer, Object value) {
        return Map.of("key", pointer, "text", ReportFormat.format(pointer, value));
    }

    private static <T, R> List<R> indexed(List<T> items, BiFunction<T, Integer, R> view) {
        List<R> views = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            views.add(view.apply(items.get(i), i));
        }
        return views;
    }
}
