package com.customerhealth.jobs;

import com.customerhealth.contract.FeatureRequest;
import com.customerhealth.config.HealthModel;
import com.customerhealth.io.OutputTable;
import com.customerhealth.io.OutputTables;
import com.customerhealth.score.ScoringPipeline;
import com.customerhealth.validate.ValidatedWarehouse;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code score --run-date D}: the health score of every account that is a customer on D, into
 * {@code account_health_scores} (D's partition replaced) and {@code account_health_current} (merged),
 * with the newest approved weights version (else the conf prior); each row names its version.
 */
public final class ScoreJob implements Job {

    @Override
    public String name() {
        return "score";
    }

    /**
     * Scores every customer on {@code date}, replaces that date's partition of account_health_scores,
     * refreshes account_health_current, and returns the rows written (read back from Delta). Shared by
     * every job that needs scores for a date.
     */
    public static Dataset<Row> scoreAndWrite(JobContext ctx, ValidatedWarehouse warehouse, LocalDate date) {
        return scoreAndWrite(ctx, warehouse, date, ctx.scoringModel());
    }

    private static Dataset<Row> scoreAndWrite(JobContext ctx, ValidatedWarehouse warehouse, LocalDate date, HealthModel model) {
        Dataset<Row> scores = new ScoringPipeline(ctx.config(), model).scores(warehouse, List.of(date), ctx.runId());
        ctx.tables().replacePartition(OutputTables.ACCOUNT_HEALTH_SCORES, scores, date.toString());
        // The merge reads back the partition just written instead of recomputing the scores.
        ctx.tables().refreshLatest(OutputTables.ACCOUNT_HEALTH_CURRENT, OutputTables.ACCOUNT_HEALTH_SCORES, "account_id", date);
        return ctx.tables().readPartition(OutputTables.ACCOUNT_HEALTH_SCORES, date);
    }

    /** The tables scoring reads plus churn_events: what a job that scores accounts and labels their churn needs. */
    static Set<String> inputTablesWithChurn(JobContext ctx) {
        Set<String> tables = new TreeSet<>(new ScoreJob().inputTables(ctx));
        tables.add("churn_events");
        return tables;
    }

    @Override
    public List<OutputTable> outputTables() {
        return List.of(OutputTables.ACCOUNT_HEALTH_SCORES, OutputTables.ACCOUNT_HEALTH_CURRENT);
    }

    @Override
    public Set<String> inputTables(JobContext ctx) {
        Set<String> tables = new TreeSet<>(Set.of("accounts", "subscription_periods"));
        for (FeatureRequest r : ctx.config().model().featureRequests()) {
            tables.add(r.feature().sourceTable());
        }
        return tables;
    }

    @Override
    public void run(JobContext ctx, ValidatedWarehouse warehouse) {
        HealthModel model = ctx.scoringModel();
        Dataset<Row> written = scoreAndWrite(ctx, warehouse, ctx.runDate(), model);
        Map<String, Long> perTier = new LinkedHashMap<>();
        for (String tier : List.of("healthy", "needs_attention", "at_risk", "critical", "no_data")) {
            perTier.put(tier, 0L);
        }
        // At most five rows: one per tier.
        for (Row r : written.groupBy("health_tier").count().collectAsList()) {
            perTier.put(r.getString(0), r.getLong(1));
        }
        long total = perTier.values().stream().mapToLong(Long::longValue).sum();
        ctx.out().printf("score %s: %,d customer accounts scored with weights %s%n", ctx.runDate(), total, model.version());
        perTier.forEach((tier, n) -> ctx.out().printf("  %-16s %,8d  (%5.1f%%)%n", tier, n, total == 0 ? 0.0 : 100.0 * n / total));
        ctx.out().printf("  tables: %s%n          %s%n", ctx.tables().describe(OutputTables.ACCOUNT_HEALTH_SCORES),
                ctx.tables().describe(OutputTables.ACCOUNT_HEALTH_CURRENT));
    }
}
