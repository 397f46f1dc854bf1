package com.customerhealth.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;

import com.customerhealth.calibrate.CalibrationFigures;
import com.customerhealth.calibrate.CalibrationReport.CohortCell;
import com.customerhealth.calibrate.CalibrationReport.ProfileCell;
import com.customerhealth.calibrate.CalibrationReport.SegmentCell;
import com.customerhealth.calibrate.CalibrationReport;
import com.customerhealth.calibrate.Calibrator;
import com.customerhealth.calibrate.TrainingSet;
import com.customerhealth.calibrate.WeightVersions;
import com.customerhealth.cohorts.MrrMovements;
import com.customerhealth.cohorts.SuccessProfile;
import com.customerhealth.cohorts.Wilson;
import com.customerhealth.config.AppConfig;
import com.customerhealth.config.CalibrationSettings;
import com.customerhealth.config.HealthModel;
import com.customerhealth.io.OutputTable;
import com.customerhealth.io.OutputTables;
import com.customerhealth.io.ReportFiles;
import com.customerhealth.report.ReportRenderer;
import com.customerhealth.validate.ValidatedWarehouse;
import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * {@code calibrate --run-date D}: fits the health model's metric weights to the churn observed in the
 * account snapshots before D, judges them against today's weights on a holdout, records a proposed
 * version in {@code health_weights} and every figure in {@code calibration_runs}, and writes the
 * leadership report under {@code report-path} (README, "Calibration").
 */
public final class CalibrateJob implements Job {

    @Override
    public String name() {
        return "calibrate";
    }

    @Override
    public Set<String> inputTables(JobContext ctx) {
        return ScoreJob.inputTablesWithChurn(ctx);
    }

    @Override
    public List<OutputTable> outputTables() {
        return List.of(OutputTables.HEALTH_WEIGHTS, OutputTables.CALIBRATION_RUNS, OutputTables.CALIBRATION_REPORTS);
    }

    @Override
    public List<String> otherOutputs(JobContext ctx) {
        return List.of("the leadership report in " + reportFolder(ctx));
    }

    /** Where the report of the run date goes: {@code <report-path>/calibration-<D>}. */
    static String reportFolder(JobContext ctx) {
        return ctx.config().output().reportPath() + "/calibration-" + ctx.runDate();
    }

    @Override
    public void run(JobContext ctx, ValidatedWarehouse warehouse) {
        AppConfig config = ctx.config();
        CalibrationSettings cal = config.calibration();
        String reportFolder = reportFolder(ctx); // a missing setting fails before any work
        TrainingSet.Dates dates = TrainingSet.Dates.of(ctx.runDate(), cal);
        HealthModel current = ctx.scoringModel();
        Dataset<Row> snapshots = materialise(ctx, TrainingSet.build(warehouse, config, current, dates));
        Calibrator.Result result = new Calibrator(cal, config.tiers(), config.model(), current)
                .calibrate(snapshots, dates, ctx.runId(), ctx.runDate());
        write(ctx, result.report(), reportFolder);
    }

    /**
     * Computes the snapshots once, for every as-of date, and cuts their lineage (a local checkpoint on
     * the executors): each of the few hundred small Spark jobs of the fits then ships a task of a few
     * KB instead of the whole feature plan (about 1 MB a task before). One partition per core, so an
     * iteration of a fit is one wave of tasks. The checkpoint's blocks are freed with the Dataset
     * (Spark's ContextCleaner) once the job is done with it.
     */
    private static Dataset<Row> materialise(JobContext ctx, Dataset<Row> snapshots) {
        return snapshots.repartition(ctx.spark().sparkContext().defaultParallelism()).localCheckpoint(true);
    }

    /**
     * Records the run: the proposal (or, when there is none, withdraws an unapproved proposal an earlier
     * run of this date made), every figure and the report as computed, then publishes the report.
     */
    private static void write(JobContext ctx, CalibrationReport report, String reportFolder) {
        WeightVersions versions = new WeightVersions(ctx.spark(), ctx.tables());
        boolean recorded = false;
        if (report.proposedVersion() != null) {
            recorded = versions.propose(report, ctx.config().model(), Timestamp.from(Instant.now()));
        } else {
            versions.withdraw(report.modelPreset(), ctx.runDate());
        }
        ctx.tables().replacePartition(OutputTables.CALIBRATION_RUNS,
                ctx.spark().createDataFrame(CalibrationFigures.of(report), OutputTables.CALIBRATION_RUNS.schema()),
                ctx.runDate().toString());
        ctx.tables().replacePartition(OutputTables.CALIBRATION_REPORTS, ctx.spark().createDataFrame(List.of(RowFactory.create(
                        Date.valueOf(report.runDate()), report.runId(), report.modelPreset(), report.status(), report.proposedVersion(),
                        ReportRenderer.json(report))), OutputTables.CALIBRATION_REPORTS.schema()),
                ctx.runDate().toString());
        String folder = publish(ctx, report, reportFolder);
        summarise(ctx, report, recorded, folder);
    }

    /**
     * Renders the report with what the cohorts and insights jobs wrote for its run date and replaces its
     * folder. Returns the folder's qualified path. {@code calibrate} and {@code report} both publish this way.
     */
    static String publish(JobContext ctx, CalibrationReport report, String reportFolder) {
        return ReportFiles.write(ctx.spark(), reportFolder, ReportRenderer.render(withContext(ctx, report)));
    }

    /**
     * What the cohorts and insights jobs wrote for this run date, when they did: cohort_churn's last month
     * by industry x size band (summed over onboarding cohorts), segment_tier_summary, and the ten
     * best-ranked success_profile values with the marketing line. Each a few dozen rows at most.
     */
    private static CalibrationReport withContext(JobContext ctx, CalibrationReport r) {
        LocalDate d = ctx.runDate();
        List<CohortCell> cells = new ArrayList<>();
        if (ctx.tables().exists(OutputTables.COHORT_CHURN)) {
            int minSize = ctx.config().cohorts().minCohortSize();
            for (Row c : ctx.tables().readPartition(OutputTables.COHORT_CHURN, MrrMovements.lastMonthEnd(d))
                    .where(col("grouping").equalTo("industry x size_band x cohort"))
                    .groupBy("industry", "size_band").agg(sum("customers_start").as("start"), sum("churned").as("churned"))
                    .where(col("start").gt(0)) // a cell with no customer at the start has no churn rate
                    .orderBy("industry", "size_band").collectAsList()) { // one row per industry and size band
                long start = c.getLong(2);
                long churned = c.getLong(3);
                double[] ci = Wilson.interval(churned, start);
                cells.add(new CohortCell(c.getString(0), c.getString(1), start, churned, (double) churned / start, ci[0], ci[1],
                        start < minSize));
            }
        }
        List<SegmentCell> segments = new ArrayList<>();
        if (ctx.tables().exists(OutputTables.SEGMENT_TIER_SUMMARY)) {
            for (Row c : ctx.tables().readPartition(OutputTables.SEGMENT_TIER_SUMMARY, d).orderBy("segment", "health_tier")
                    .collectAsList()) { // at most four segments x six tiers
                segments.add(new SegmentCell(c.getAs("segment"), c.getAs("health_tier"), c.<Long>getAs("accounts"),
                        c.<BigDecimal>getAs("mrr").doubleValue(), c.<Double>getAs("mrr_share")));
            }
        }
        List<ProfileCell> profile = new ArrayList<>();
        String line = null;
        if (ctx.tables().exists(OutputTables.SUCCESS_PROFILE)) {
            Dataset<Row> rows = ctx.tables().readPartition(OutputTables.SUCCESS_PROFILE, d);
            for (Row c : rows.where(col("rank_overall").isNotNull()).orderBy("rank_overall").takeAsList(10)) {
                profile.add(new ProfileCell(c.getAs("characteristic"), c.getAs("value"), c.<Double>getAs("share_retained_healthy"),
                        c.<Double>getAs("share_churned"), c.<Double>getAs("lift"), c.<Double>getAs("retention_rate"),
                        c.<Double>getAs("retention_ci_low"), c.<Double>getAs("retention_ci_high")));
            }
            line = profile.isEmpty() ? null : SuccessProfile.marketingLine(rows);
        }
        return r.withContext(List.copyOf(cells), List.copyOf(segments), List.copyOf(profile), line);
    }

    private static void summarise(JobContext ctx, CalibrationReport r, boolean recorded, String folder) {
        CalibrationReport.DataWindow w = r.data();
        ctx.out().printf(Locale.ROOT, "calibrate %s: training %s..%s (%,d snapshots, %,d churn events), holdout %s..%s (%,d snapshots, "
                        + "%,d churn events), horizon %d days, involuntary churn %s%n", ctx.runDate(), w.trainFrom(), w.trainTo(),
                w.trainingRows(), w.trainingChurnEvents(), w.holdoutFrom(), w.holdoutTo(), w.holdoutRows(), w.holdoutChurnEvents(),
                w.horizonDays(), w.involuntaryCounted() ? "counted" : "not counted");
        if (r.current() != null) {
            ctx.out().printf(Locale.ROOT, "  current  %-44s ROC AUC %.3f  Brier %.4f%n", r.current().weightsVersion(),
                    r.current().rocAuc(), r.current().brier());
        }
        if (r.proposed() == null) {
            ctx.out().println("  nothing proposed: " + r.statusReason());
        } else {
            ctx.out().printf(Locale.ROOT, "  proposed %-44s ROC AUC %.3f  Brier %.4f%s%n", r.proposedVersion(), r.proposed().rocAuc(),
                    r.proposed().brier(), recorded ? "" : "  (already in health_weights: left as it is)");
            for (CalibrationReport.DimensionRow d : r.dimensions()) {
                ctx.out().printf(Locale.ROOT, "  %-13s %5.1f -> %5.1f points%n", d.dimension(), d.current(), d.proposed());
            }
            r.weights().stream().filter(CalibrationReport.WeightRow::needsApproval).forEach(m -> ctx.out().printf(Locale.ROOT,
                    "  needs explicit approval: %s %.1f -> %.1f%n", m.metric(), m.current(), m.proposed()));
            ctx.out().println("  to approve: " + r.approveCommand());
        }
        ctx.out().printf("  report: %s/report.html%n", folder);
        ctx.out().printf("  tables: %s%n          %s%n", ctx.tables().describe(OutputTables.HEALTH_WEIGHTS),
                ctx.tables().describe(OutputTables.CALIBRATION_RUNS));
    }
}
