package com.customerhealth.jobs;

import static org.apache.spark.sql.functions.col;

import com.customerhealth.actions.HealthAlerts;
import com.customerhealth.actions.ScoreDrift;
import com.customerhealth.calibrate.TrainingDistribution;
import com.customerhealth.calibrate.WeightVersions;
import com.customerhealth.config.HealthModel;
import com.customerhealth.config.InsightSettings;
import com.customerhealth.contract.Feature;
import com.customerhealth.contract.FeatureRequest;
import com.customerhealth.features.FeatureStep;
import com.customerhealth.insights.CustomerSegments;
import com.customerhealth.insights.Drivers;
import com.customerhealth.insights.PeerBenchmarks;
import com.customerhealth.insights.SuccessProfile;
import com.customerhealth.io.OutputTable;
import com.customerhealth.io.OutputTables;
import com.customerhealth.score.ScoringPipeline;
import com.customerhealth.validate.ValidatedWarehouse;
import java.time.LocalDate;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;

/**
 * {@code insights --run-date D}: from score to action. Areas of concern and score trends per account
 * ({@code account_health_drivers}), healthiest-peer benchmarks ({@code peer_benchmarks}) and the four
 * customer segments ({@code customer_segments}, {@code segment_tier_summary}) and the success profile
 * ({@code success_profile}: accounts like this stay), all partitioned by D.
 * Scores of D, D - 30 and D - 90 days are read from account_health_scores, and written first by the
 * scoring code when missing.
 */
public final class InsightsJob implements Job {
    private static final FeatureRequest GROWTH_RATING = FeatureRequest.of(Feature.CSM_GROWTH_POTENTIAL, 180);
    private static final FeatureRequest SEAT_UTILISATION = FeatureRequest.of(Feature.USAGE_ACTIVE_USER_RATIO, 30);
    private static final FeatureRequest MRR_GROWTH_90D = FeatureRequest.of(Feature.SUBSCRIPTIONS_MRR_GROWTH_YOY, 90);

    @Override
    public String name() {
        return "insights";
    }

    /** Also account_health_scores (and current) for D, D - 30 or D - 90 days when one is missing. */
    @Override
    public List<OutputTable> outputTables() {
        return List.of(OutputTables.ACCOUNT_HEALTH_DRIVERS, OutputTables.PEER_BENCHMARKS, OutputTables.CUSTOMER_SEGMENTS,
                OutputTables.SEGMENT_TIER_SUMMARY, OutputTables.SUCCESS_PROFILE, OutputTables.ACCOUNT_HEALTH_SCORES,
                OutputTables.ACCOUNT_HEALTH_CURRENT, OutputTables.HEALTH_ALERTS, OutputTables.SCORE_DRIFT);
    }

    /** The scores of D, D - 30 and D - 90 days: the trends compare them. */
    @Override
    public Set<LocalDate> scoreDates(JobContext ctx) {
        return new TreeSet<>(Set.of(ctx.runDate(), ctx.runDate().minusDays(30), ctx.runDate().minusDays(90)));
    }

    @Override
    public Set<String> inputTables(JobContext ctx) {
        Set<String> tables = new TreeSet<>(Scores.inputTablesWithChurn(ctx.config()));
        for (FeatureRequest r : List.of(GROWTH_RATING, SEAT_UTILISATION, MRR_GROWTH_90D)) {
            tables.add(r.feature().sourceTable());
        }
        tables.add("invoices"); // health_alerts' overdue payments
        return tables;
    }

    @Override
    public void run(JobContext ctx, ValidatedWarehouse warehouse) {
        InsightSettings cfg = ctx.config().insights();
        LocalDate d = ctx.runDate();
        Map<LocalDate, Dataset<Row>> scores = Scores.on(ctx, warehouse, scoreDates(ctx));
        Dataset<Row> now = scores.get(d);
        Dataset<Row> before30 = scores.get(d.minusDays(30));
        Dataset<Row> before90 = scores.get(d.minusDays(90));
        // The weights versions D's rows were scored with: the global version and a few segments'.
        List<String> versions = now.select("weights_version").distinct().as(Encoders.STRING()).collectAsList();

        ctx.writePartition(OutputTables.PEER_BENCHMARKS, PeerBenchmarks.benchmarks(now, cfg.minGroupSize()), d);
        Dataset<Row> peers = PeerBenchmarks.healthyPeers(ctx.tables().readPartition(OutputTables.PEER_BENCHMARKS, d));
        ctx.writePartition(OutputTables.ACCOUNT_HEALTH_DRIVERS, Drivers.drivers(now, before30, before90, peers,
                Drivers.metricTable(ctx.spark(), modelsOf(ctx, versions)), cfg.trendThreshold(), cfg.topConcerns()), d);

        CustomerSegments.Cuts cuts = CustomerSegments.Cuts.of(now, cfg.segments());
        ctx.writePartition(OutputTables.CUSTOMER_SEGMENTS, CustomerSegments.segments(now, signals(ctx, warehouse), cuts, cfg.segments()), d);
        ctx.writePartition(OutputTables.SEGMENT_TIER_SUMMARY,
                CustomerSegments.summary(ctx.tables().readPartition(OutputTables.CUSTOMER_SEGMENTS, d)), d);
        Dataset<Row> profile = SuccessProfile.profile(
                SuccessProfile.groups(warehouse.table("subscription_periods"), warehouse.optionalTable("churn_events").orElse(null),
                        now.select("account_id", "health_tier"), d, SuccessProfile.DEFAULT_PERIOD_DAYS, ctx.config().cohorts().lapseChurnType()),
                SuccessProfile.characteristics(warehouse.table("accounts"), warehouse.table("subscription_periods"),
                        ctx.config().sizeBands(), d, SuccessProfile.Bands.DEFAULTS),
                d, SuccessProfile.DEFAULT_PERIOD_DAYS, cfg.minGroupSize());
        ctx.writePartition(OutputTables.SUCCESS_PROFILE, profile, d);
        summarise(ctx);
        ctx.out().println("  " + SuccessProfile.marketingLine(ctx.tables().readPartition(OutputTables.SUCCESS_PROFILE, d)));
        ctx.out().printf("  table: %s%n", ctx.tables().describe(OutputTables.SUCCESS_PROFILE));
        writeAlerts(ctx, warehouse, now, before30);
        writeDrift(ctx, now, before30, before90, globalVersion(ctx, versions));
    }

    /**
     * The global weights version among D's (the rest are segment versions): the one whose training
     * snapshots they are compared with. Not today's approved version: a version approved after D was scored did not score D.
     */
    private static String globalVersion(JobContext ctx, List<String> versions) {
        List<String> global = versions.stream().filter(v -> !WeightVersions.isSegmentVersion(v)).toList(); // one per date
        return global.size() == 1 ? global.get(0) : ctx.scoringModel().version();
    }

    /**
     * score_drift of D: D's scores against D - 30 and D - 90 days and against the training snapshots of the global weights
     * version that scored D, and the measures flagged.
     */
    private static void writeDrift(JobContext ctx, Dataset<Row> now, Dataset<Row> before30, Dataset<Row> before90,
                                   String globalVersion) {
        LocalDate d = ctx.runDate();
        var cfg = ctx.config().actions().drift();
        TrainingDistribution.Reference training = TrainingDistribution.of(ctx.tables(), globalVersion, ctx.spark());
        Dataset<Row> current = ScoreDrift.histogram(now).cache(); // a few hundred rows, compared three times
        try {
            ctx.writePartition(OutputTables.SCORE_DRIFT,
                    ScoreDrift.drift(current, ScoreDrift.histogram(before30), "30d", d.minusDays(30), cfg)
                            .unionByName(ScoreDrift.drift(current, ScoreDrift.histogram(before90), "90d", d.minusDays(90), cfg))
                            .unionByName(ScoreDrift.drift(current, training.histogram(), "training", training.trainingTo(), cfg)), d);
        } finally {
            current.unpersist();
        }
        // At most two rows per measure of the model.
        List<Row> flagged = ctx.tables().readPartition(OutputTables.SCORE_DRIFT, d).where(col("flag").isin("moderate", "significant"))
                .orderBy(col("psi").desc()).collectAsList();
        ctx.out().printf("  drift: %d measure/reference pairs flagged%s%n", flagged.size(), flagged.isEmpty() ? "" : ":");
        for (Row r : flagged) {
            ctx.out().printf(Locale.ROOT, "    %-22s vs %s  PSI %.4f  %s%n", r.<String>getAs("measure"), r.<String>getAs("reference"),
                    r.<Double>getAs("psi"), r.<String>getAs("flag"));
        }
        ctx.out().printf("  table: %s%n", ctx.tables().describe(OutputTables.SCORE_DRIFT));
    }

    /**
     * health_alerts of D: against the previous score date and the previous drivers date before D (each the newest
     * partition before D; none on a first run), D - 30's scores, and the renewals and overdue invoices on D.
     */
    private static void writeAlerts(JobContext ctx, ValidatedWarehouse warehouse, Dataset<Row> now, Dataset<Row> before30) {
        LocalDate d = ctx.runDate();
        Dataset<Row> drivers = ctx.tables().readPartition(OutputTables.ACCOUNT_HEALTH_DRIVERS, d);
        var cfg = ctx.config().actions().alerts();
        HealthAlerts.Inputs in = new HealthAlerts.Inputs(now, partitionBefore(ctx, OutputTables.ACCOUNT_HEALTH_SCORES, now),
                before30, drivers, partitionBefore(ctx, OutputTables.ACCOUNT_HEALTH_DRIVERS, drivers),
                HealthAlerts.renewals(warehouse.table("subscription_periods"), d),
                HealthAlerts.overdueInvoices(warehouse.table("invoices"), d, cfg.paymentOverdueDays()),
                warehouse.optionalTable("csm_score_overrides").orElse(null));
        ctx.writePartition(OutputTables.HEALTH_ALERTS, HealthAlerts.alerts(in, cfg, d), d);
        Dataset<Row> written = ctx.tables().readPartition(OutputTables.HEALTH_ALERTS, d);
        ctx.out().printf("  alerts:");
        for (Row r : written.groupBy("alert_kind").count().orderBy("alert_kind").collectAsList()) { // at most six rows
            ctx.out().printf(Locale.ROOT, "  %s %,d", r.getString(0), r.getLong(1));
        }
        ctx.out().printf("%n  table: %s%n", ctx.tables().describe(OutputTables.HEALTH_ALERTS));
    }

    /** {@code table}'s newest partition before the run date (one aggregation over the partition column), else none of {@code like}'s rows. */
    private static Dataset<Row> partitionBefore(JobContext ctx, com.customerhealth.io.OutputTable table, Dataset<Row> like) {
        String column = table.partitionColumn().orElseThrow();
        Row latest = ctx.tables().read(table).where(col(column).lt(java.sql.Date.valueOf(ctx.runDate())))
                .agg(org.apache.spark.sql.functions.max(col(column))).first();
        return latest.isNullAt(0) ? like.limit(0) : ctx.tables().readPartition(table, latest.getDate(0).toLocalDate());
    }

    /**
     * The weights D's scores were made with (each row's weights_version: the global version, and the scorecards of
     * segments that have one), so the points lost explain the score shown, also when a newer version was approved
     * since; today's model, under the row's version, when a version is unknown.
     */
    private static List<HealthModel> modelsOf(JobContext ctx, List<String> versions) {
        if (versions.isEmpty()) {
            return List.of(ctx.scoringModel());
        }
        WeightVersions weights = new WeightVersions(ctx.spark(), ctx.tables());
        HealthModel today = ctx.scoringModel();
        return versions.stream().map(v -> weights.model(ctx.config().model(), v)
                .orElseGet(() -> today.withPoints(v, today.points()))).toList();
    }

    /** The growth signals of D's customers: CSM growth rating, seat utilisation, MRR growth over 90 days. */
    private static Dataset<Row> signals(JobContext ctx, ValidatedWarehouse warehouse) {
        List<LocalDate> dates = List.of(ctx.runDate());
        Dataset<Row> features = new FeatureStep(ctx.config().validation().highTicketPriorities())
                .compute(warehouse, ScoringPipeline.population(warehouse, dates), dates, new LinkedHashSet<>(List.of(GROWTH_RATING, SEAT_UTILISATION, MRR_GROWTH_90D)));
        return features.select(col("account_id"), col(GROWTH_RATING.column()).as("growth_rating"),
                col(SEAT_UTILISATION.column()).as("seat_utilisation"), col(MRR_GROWTH_90D.column()).as("mrr_growth_90d"));
    }

    /** A few lines for the log: trends (at most four rows) and segments (at most four). */
    private static void summarise(JobContext ctx) {
        LocalDate d = ctx.runDate();
        ctx.out().printf("insights %s:%n  score trend over 30 days:", d);
        for (Row r : ctx.tables().readPartition(OutputTables.ACCOUNT_HEALTH_DRIVERS, d).select("account_id", "trend").distinct()
                .groupBy("trend").count().orderBy("trend").collectAsList()) {
            ctx.out().printf(Locale.ROOT, "  %s %,d", r.getString(0), r.getLong(1));
        }
        ctx.out().println();
        for (Row r : ctx.tables().readPartition(OutputTables.SEGMENT_TIER_SUMMARY, d).where(col("health_tier").equalTo("all"))
                .orderBy(col("mrr").desc()).collectAsList()) {
            ctx.out().printf(Locale.ROOT, "  segment %-10s %,6d accounts  %5.1f%% of MRR%n", r.<String>getAs("segment"),
                    r.<Long>getAs("accounts"), 100 * r.<Double>getAs("mrr_share"));
        }
        for (var t : List.of(OutputTables.ACCOUNT_HEALTH_DRIVERS, OutputTables.PEER_BENCHMARKS, OutputTables.CUSTOMER_SEGMENTS,
                OutputTables.SEGMENT_TIER_SUMMARY)) {
            ctx.out().printf("  table: %s%n", ctx.tables().describe(t));
        }
    }
}
