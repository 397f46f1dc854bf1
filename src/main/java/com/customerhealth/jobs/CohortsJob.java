package com.customerhealth.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;

import com.customerhealth.cohorts.ChurnLabels;
import com.customerhealth.cohorts.CohortMetrics;
import com.customerhealth.cohorts.ExperienceMetrics;
import com.customerhealth.cohorts.MrrMovements;
import com.customerhealth.config.CohortSettings;
import com.customerhealth.io.DeltaTables;
import com.customerhealth.io.OutputTable;
import com.customerhealth.io.OutputTables;
import com.customerhealth.validate.ValidatedWarehouse;
import java.sql.Date;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code cohorts --run-date D}: MRR movements, monthly revenue metrics, cohort churn and retention, experience metrics
 * up to the last complete month end on or before D (partition {@code as_of_month}), and churn by
 * health tier for the accounts scored at D - horizon ({@code health_tier_churn}, partition D).
 */
public final class CohortsJob implements Job {

    @Override
    public String name() {
        return "cohorts";
    }

    /** Also account_health_scores (and current) when the scores of D - horizon are missing. */
    @Override
    public List<OutputTable> outputTables() {
        return List.of(OutputTables.MRR_MOVEMENTS, OutputTables.REVENUE_METRICS_MONTHLY, OutputTables.COHORT_CHURN,
                OutputTables.COHORT_RETENTION, OutputTables.HEALTH_TIER_CHURN, OutputTables.EXPERIENCE_METRICS_MONTHLY,
                OutputTables.ACCOUNT_HEALTH_SCORES, OutputTables.ACCOUNT_HEALTH_CURRENT);
    }

    /** health_tier_churn reads the scores at D - horizon. */
    @Override
    public Set<LocalDate> scoreDates(JobContext ctx) {
        return Set.of(ctx.runDate().minusDays(ctx.config().cohorts().horizonDays()));
    }

    @Override
    public Set<String> inputTables(JobContext ctx) {
        Set<String> tables = new TreeSet<>(Scores.inputTablesWithChurn(ctx.config())); // scores at D - horizon may be needed
        tables.addAll(List.of("survey_responses", "support_tickets", "csm_assessments")); // experience metrics
        return tables;
    }

    @Override
    public void run(JobContext ctx, ValidatedWarehouse warehouse) {
        CohortSettings cfg = ctx.config().cohorts();
        DeltaTables tables = ctx.tables();
        Dataset<Row> periods = warehouse.table("subscription_periods");
        Dataset<Row> churnEvents = warehouse.optionalTable("churn_events").orElse(null);
        Dataset<Row> segments = CohortMetrics.segments(warehouse.table("accounts"), ctx.config());
        LocalDate asOfMonth = MrrMovements.lastMonthEnd(ctx.runDate());
        Date first = periods.agg(min("start_date")).first().getDate(0); // one value
        List<LocalDate> monthEnds = first == null ? List.of() : MrrMovements.monthEnds(first.toLocalDate(), ctx.runDate());
        tierChurn(ctx, warehouse, cfg);
        if (monthEnds.isEmpty()) {
            ctx.out().printf("cohorts %s: no complete month of subscriptions yet: only health_tier_churn written%n", ctx.runDate());
            return;
        }

        Dataset<Row> movements = CohortMetrics.movementsTable(
                        MrrMovements.movements(periods, churnEvents, monthEnds, cfg.lapseChurnType()), segments,
                        CohortMetrics.renewals(periods, cfg.renewalGraceDays(), asOfMonth));
        ctx.writePartition(OutputTables.MRR_MOVEMENTS, movements, asOfMonth);
        // The roll-ups read the movements back from Delta rather than recomputing them.
        Dataset<Row> written = tables.readPartition(OutputTables.MRR_MOVEMENTS, asOfMonth);

        Dataset<Row> revenue = CohortMetrics.revenueMetrics(written, cfg);
        ctx.writePartition(OutputTables.REVENUE_METRICS_MONTHLY, revenue, asOfMonth);

        LocalDate periodStart = YearMonth.from(asOfMonth).minusMonths(cfg.periodMonths()).atEndOfMonth();
        Dataset<Row> churn = CohortMetrics.cohortChurn(written, segments, periodStart, asOfMonth, cfg);
        ctx.writePartition(OutputTables.COHORT_CHURN, churn, asOfMonth);

        Dataset<Row> retention = CohortMetrics.retention(written, segments, asOfMonth, cfg);
        ctx.writePartition(OutputTables.COHORT_RETENTION, retention, asOfMonth);

        Dataset<Row> experience = ExperienceMetrics.monthly(warehouse.table("accounts"), warehouse.table("survey_responses"),
                warehouse.table("support_tickets"), warehouse.table("csm_assessments"), segments, monthEnds, asOfMonth, cfg.minCohortSize());
        ctx.writePartition(OutputTables.EXPERIENCE_METRICS_MONTHLY, experience, asOfMonth);

        summarise(ctx, asOfMonth, periodStart);
    }

    /**
     * health_tier_churn for D: the scores at D - horizon (written first, by the scoring code, when
     * account_health_scores has none for that date), each flagged churned as {@link ChurnLabels} defines:
     * a churn event in (D - horizon, D], or no longer a customer on D.
     */
    private static void tierChurn(JobContext ctx, ValidatedWarehouse warehouse, CohortSettings cfg) {
        LocalDate scoredAt = ctx.runDate().minusDays(cfg.horizonDays());
        Dataset<Row> scores = Scores.on(ctx, warehouse, List.of(scoredAt)).get(scoredAt);
        // Every churn counts here, involuntary too: the table shows what happened to each tier.
        Dataset<Row> withChurn = ChurnLabels.within(scores.withColumn("as_of_date", col("score_date")),
                warehouse.table("subscription_periods"), warehouse.optionalTable("churn_events").orElse(null),
                List.of(scoredAt), cfg.horizonDays(), true, cfg.lapseChurnType());
        Dataset<Row> rows = CohortMetrics.tierChurn(withChurn)
                .withColumn("scored_at", lit(Date.valueOf(scoredAt)))
                .withColumn("horizon_days", lit(cfg.horizonDays()));
        ctx.writePartition(OutputTables.HEALTH_TIER_CHURN, rows, ctx.runDate());
    }

    /** A few lines for the log: the overall trailing churn and the tier table (at most a dozen rows). */
    private static void summarise(JobContext ctx, LocalDate asOfMonth, LocalDate periodStart) {
        List<Row> overall = ctx.tables().readPartition(OutputTables.COHORT_CHURN, asOfMonth)
                .where(col("grouping").equalTo("overall")).takeAsList(1);
        if (overall.isEmpty()) {
            ctx.out().printf("cohorts %s: months through %s; no account onboarded by then%n", ctx.runDate(), asOfMonth);
        } else {
            Row o = overall.get(0);
            ctx.out().printf(Locale.ROOT, "cohorts %s: months through %s; %s to %s: %d of %d customers churned (%.1f%%), GRR %.1f%%, NRR %.1f%%%n",
                    ctx.runDate(), asOfMonth, periodStart, asOfMonth, o.<Long>getAs("churned"), o.<Long>getAs("customers_start"),
                    pct(o.getAs("logo_churn_rate")), pct(o.getAs("grr")), pct(o.getAs("nrr")));
        }
        ctx.out().println("  churn within the horizon by tier of the score at its start:");
        for (Row r : ctx.tables().readPartition(OutputTables.HEALTH_TIER_CHURN, ctx.runDate())
                .where(col("grouping").isin("tier", "overall")) // at most six rows
                .orderBy("mean_score").collectAsList()) {
            ctx.out().printf(Locale.ROOT, "  %-16s %,6d accounts  %,5d churned  %5.1f%%%n", r.<String>getAs("bucket"),
                    r.<Long>getAs("accounts"), r.<Long>getAs("churned"), pct(r.getAs("churn_rate")));
        }
        for (var t : List.of(OutputTables.MRR_MOVEMENTS, OutputTables.REVENUE_METRICS_MONTHLY, OutputTables.COHORT_CHURN,
                OutputTables.COHORT_RETENTION, OutputTables.HEALTH_TIER_CHURN, OutputTables.EXPERIENCE_METRICS_MONTHLY)) {
            ctx.out().printf("  table: %s%n", ctx.tables().describe(t));
        }
    }

    private static double pct(Object ratio) {
        return ratio == null ? Double.NaN : 100 * ((Number) ratio).doubleValue();
    }
}
