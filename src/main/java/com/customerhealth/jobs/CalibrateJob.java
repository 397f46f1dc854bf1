package com.customerhealth.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import com.customerhealth.calibrate.CalibrationFigures;
import com.customerhealth.calibrate.CalibrationReport;
import com.customerhealth.calibrate.Calibrator;
import com.customerhealth.calibrate.MoneyAtStake;
import com.customerhealth.calibrate.TrainingDistribution;
import com.customerhealth.calibrate.TrainingSet;
import com.customerhealth.calibrate.WeightVersions;
import com.customerhealth.config.AppConfig;
import com.customerhealth.config.CalibrationSettings;
import com.customerhealth.config.HealthModel;
import com.customerhealth.io.OutputTable;
import com.customerhealth.io.OutputTables;
import com.customerhealth.report.ReportRenderer;
import com.customerhealth.score.ChurnProbability;
import com.customerhealth.score.ScoringPipeline;
import com.customerhealth.validate.TableReport;
import com.customerhealth.validate.ValidatedWarehouse;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
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
        // The score tables too: each run refreshes the run date's churn_probability_90d and mrr_at_risk (fillProbability).
        return List.of(OutputTables.HEALTH_WEIGHTS, OutputTables.CALIBRATION_RUNS, OutputTables.CALIBRATION_REPORTS,
                OutputTables.WEIGHTS_TRAINING_DISTRIBUTION, OutputTables.ACCOUNT_HEALTH_SCORES, OutputTables.ACCOUNT_HEALTH_CURRENT);
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
        long accounts = warehouse.reports().stream().filter(r -> r.table().equals("accounts")).mapToLong(TableReport::rows).sum();
        Dataset<Row> snapshots = materialise(TrainingSet.build(warehouse, config, current, dates), accounts,
                dates.training().size() + dates.holdout().size());
        Calibrator.Result result = new Calibrator(cal, config.tiers(), config.model(), current)
                .calibrate(snapshots, dates, ctx.runId(), ctx.runDate());
        CalibrationReport report = result.proposedModel() == null ? result.report()
                : withTodaysMoney(ctx, warehouse, result.report(), current, result.proposedModel());
        keepTrainingDistribution(ctx, snapshots, result.proposedModel(), dates);
        write(ctx, report.withApproveCommand(ctx.invocation()::commandLine), reportFolder);
        fillProbability(ctx, report);
    }

    /**
     * The proposal's training snapshots as counts, score_drift's reference once the version is approved; written before the
     * proposal, so a proposed version always has its reference. A run that proposes nothing empties its date's partition.
     */
    private static void keepTrainingDistribution(JobContext ctx, Dataset<Row> snapshots, HealthModel proposed, TrainingSet.Dates dates) {
        Dataset<Row> rows = proposed != null ? TrainingDistribution.of(snapshots, proposed, ctx.config().tiers(), dates)
                : ctx.spark().createDataFrame(List.of(), OutputTables.WEIGHTS_TRAINING_DISTRIBUTION.schema()).drop("run_date", "run_id");
        ctx.writePartition(OutputTables.WEIGHTS_TRAINING_DISTRIBUTION, rows, ctx.runDate());
    }

    /**
     * The money at stake on the run date: today's customers scored with today's weights and with the proposal, each
     * with the score-to-probability map this run fitted for it, and the holdout's flagged churned MRR the calibrator found.
     * One feature pass of the run date: the proposal has today's metrics and scales, so the components are the same.
     */
    private static CalibrationReport withTodaysMoney(JobContext ctx, ValidatedWarehouse warehouse, CalibrationReport report,
                                                     HealthModel current, HealthModel proposed) {
        ScoringPipeline todays = new ScoringPipeline(ctx.config(), current);
        Dataset<Row> components = todays.components(warehouse, List.of(ctx.runDate())).cache();
        Dataset<Row> today = todays.scores(warehouse, components, ctx.runId(), List.of(map(report.current(), ctx)));
        Dataset<Row> withProposal = new ScoringPipeline(ctx.config(), proposed).scores(warehouse, components, ctx.runId(),
                List.of(map(report.proposed(), ctx)));
        Dataset<Row> paired = MoneyAtStake.paired(today, withProposal).cache();
        try {
            CalibrationReport.Money money = MoneyAtStake.summarise(paired, ctx.runDate(), ctx.config().calibration().horizonDays());
            CalibrationReport.Money holdout = report.money();
            return report.withMoney(holdout == null ? money
                    : money.withHoldout(holdout.holdoutChurnedMrr(), holdout.holdoutFlaggedToday(), holdout.holdoutFlaggedProposed()));
        } finally {
            paired.unpersist();
            components.unpersist();
        }
    }

    private static ChurnProbability map(CalibrationReport.Evaluation e, JobContext ctx) {
        return new ChurnProbability(e.weightsVersion(), e.scoreIntercept(), e.scoreSlope(), ctx.runDate());
    }

    /**
     * Each calibration recalibrates today's score-to-probability map: the run date's rows of account_health_scores and
     * account_health_current scored with today's weights get churn_probability_90d and mrr_at_risk from the map this
     * run fitted (a first run's scores, written before any calibration, had them null).
     */
    private static void fillProbability(JobContext ctx, CalibrationReport report) {
        if (report.current() == null || !ctx.tables().exists(OutputTables.ACCOUNT_HEALTH_SCORES)) {
            return;
        }
        ChurnProbability m = map(report.current(), ctx);
        Column probability = when(col("health_score").isNotNull(), m.of(col("health_score")));
        Map<String, Column> set = new LinkedHashMap<>();
        set.put(ChurnProbability.PROBABILITY, probability);
        set.put(ChurnProbability.MRR_AT_RISK, ChurnProbability.mrrAtRisk(col("mrr"), probability));
        Column rows = col("score_date").equalTo(lit(Date.valueOf(ctx.runDate()))).and(col("weights_version").equalTo(m.weightsVersion()));
        ctx.tables().update(OutputTables.ACCOUNT_HEALTH_SCORES, rows, set);
        if (ctx.tables().exists(OutputTables.ACCOUNT_HEALTH_CURRENT)) {
            ctx.tables().update(OutputTables.ACCOUNT_HEALTH_CURRENT, rows, set);
        }
    }

    /**
     * Snapshots per partition of the checkpoint: about 80 MB in memory (1M accounts' 17.6M snapshots took about 1.8 GB,
     * some 107 bytes each).
     */
    static final long SNAPSHOTS_PER_PARTITION = 750_000;

    /**
     * Computes the snapshots once, for every as-of date, and cuts their lineage (a local checkpoint on
     * the executors): each of the few hundred small Spark jobs of the fits then ships a task of a few
     * KB instead of the whole feature plan (about 1 MB a task before). The partitions are bounded by size: one per
     * {@link #SNAPSHOTS_PER_PARTITION} of at most one snapshot per account and date (capped at 100,000 partitions, an
     * int), rounded up to a multiple of the cores, so each of a fit's passes runs whole waves of tasks: 2 partitions for
     * the sample, 4 at 100k accounts, 30 at 1M (3 at 100k ran every pass in two waves on two cores, the second one task
     * long: the fits' 86 passes took 47.7 s). Fixed at one per core
     * before, each was about 900 MB at 1M accounts, which ran a 4 GB driver out of memory while the training rows were
     * cached (bench/README.md, 2026-12-07). An explicit count rather than a rebalance hint: Spark ignores that hint
     * without adaptive execution, and the count keeps small runs' layout, so their sums and figures, as they were. The
     * checkpoint's blocks are freed with the Dataset (Spark's ContextCleaner) once the job is done with it.
     */
    static Dataset<Row> materialise(Dataset<Row> snapshots, long accounts, int asOfDates) {
        long bound = Math.multiplyExact(Math.max(accounts, 1), asOfDates);
        long sized = (bound + SNAPSHOTS_PER_PARTITION - 1) / SNAPSHOTS_PER_PARTITION;
        int cores = snapshots.sparkSession().sparkContext().defaultParallelism();
        long waves = Math.max(1, (sized + cores - 1) / cores);
        return snapshots.repartition((int) Math.min(waves * cores, 100_000)).localCheckpoint(true);
    }

    /**
     * Records the run: the proposal (or, when there is none, withdraws an unapproved proposal an earlier
     * run of this date made), every figure and the report as computed, then publishes the report.
     */
    private static void write(JobContext ctx, CalibrationReport report, String reportFolder) {
        WeightVersions versions = new WeightVersions(ctx.spark(), ctx.tables());
        boolean recorded = false;
        if (report.proposedVersion() != null) {
            recorded = versions.propose(report, ctx.config().model(), Timestamp.from(Instant.now()),
                    ctx.config().calibration().maxWeightChange());
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
