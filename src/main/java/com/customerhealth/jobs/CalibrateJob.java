package com.customerhealth.jobs;

import com.customerhealth.calibrate.CalibrationFigures;
import com.customerhealth.calibrate.CalibrationReport;
import com.customerhealth.calibrate.Calibrator;
import com.customerhealth.calibrate.TrainingSet;
import com.customerhealth.calibrate.WeightVersions;
import com.customerhealth.config.AppConfig;
import com.customerhealth.config.CalibrationSettings;
import com.customerhealth.config.HealthModel;
import com.customerhealth.io.OutputTable;
import com.customerhealth.io.OutputTables;
import com.customerhealth.report.ReportRenderer;
import com.customerhealth.validate.ValidatedWarehouse;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
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
 * leadership report under {@code report-path} (docs/calibration.md).
 */
public final class CalibrateJob implements Job {

    @Override
    public String name() {
        return "calibrate";
    }

    @Override
    public Set<String> inputTables(JobContext ctx) {
        return Scores.inputTablesWithChurn(ctx.config());
    }

    @Override
    public List<OutputTable> outputTables() {
        return List.of(OutputTables.HEALTH_WEIGHTS, OutputTables.CALIBRATION_RUNS, OutputTables.CALIBRATION_REPORTS);
    }

    @Override
    public List<String> otherOutputs(JobContext ctx) {
        return List.of("the leadership report in " + ReportPublisher.folder(ctx));
    }

    @Override
    public void run(JobContext ctx, ValidatedWarehouse warehouse) {
        AppConfig config = ctx.config();
        CalibrationSettings cal = config.calibration();
        String reportFolder = ReportPublisher.folder(ctx); // a missing setting fails before any work
        TrainingSet.Dates dates = TrainingSet.Dates.of(ctx.runDate(), cal);
        HealthModel current = ctx.scoringModel();
        Dataset<Row> snapshots = materialise(ctx, TrainingSet.build(warehouse, config, current, dates));
        Calibrator.Result result = new Calibrator(cal, config.tiers(), config.model(), current)
                .calibrate(snapshots, dates, ctx.runId(), ctx.runDate());
        write(ctx, result.report().withApproveCommand(ctx.invocation()::commandLine), reportFolder);
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
        String folder = ReportPublisher.publish(ctx, report, reportFolder);
        summarise(ctx, report, recorded, folder);
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
