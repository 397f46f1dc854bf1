package com.customerhealth.jobs;

import com.customerhealth.config.AppConfig;
import com.customerhealth.config.HealthModel;
import com.customerhealth.contract.FeatureRequest;
import com.customerhealth.io.OutputTables;
import com.customerhealth.score.ScoringPipeline;
import com.customerhealth.validate.ValidatedWarehouse;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The scores of a date in {@code account_health_scores}, as every job that needs them gets them: {@code score}
 * writes the run date's; {@code cohorts} (the scores at D - horizon) and {@code insights} (D, D - 30, D - 90)
 * read a date's, scoring and writing them first when the table has none, so a job run alone still works.
 */
final class Scores {
    private Scores() {
    }

    /** The warehouse tables scoring reads: accounts, subscription_periods and each metric's source. */
    static Set<String> inputTables(AppConfig config) {
        Set<String> tables = new TreeSet<>(Set.of("accounts", "subscription_periods"));
        for (FeatureRequest r : config.model().featureRequests()) {
            tables.add(r.feature().sourceTable());
        }
        return tables;
    }

    /** {@link #inputTables} plus churn_events: what a job that scores accounts and labels their churn reads. */
    static Set<String> inputTablesWithChurn(AppConfig config) {
        Set<String> tables = new TreeSet<>(inputTables(config));
        tables.add("churn_events");
        return tables;
    }

    /**
     * Scores every customer on {@code date} with {@code model}, replaces that date's partition of
     * account_health_scores, refreshes account_health_current, and returns the rows written (read back from Delta).
     */
    static Dataset<Row> scoreAndWrite(JobContext ctx, ValidatedWarehouse warehouse, LocalDate date, HealthModel model) {
        Dataset<Row> scores = new ScoringPipeline(ctx.config(), model).scores(warehouse, List.of(date), ctx.runId());
        ctx.tables().replacePartition(OutputTables.ACCOUNT_HEALTH_SCORES, scores, date.toString());
        // The merge reads back the partition just written instead of recomputing the scores.
        ctx.tables().refreshLatest(OutputTables.ACCOUNT_HEALTH_CURRENT, OutputTables.ACCOUNT_HEALTH_SCORES, "account_id", date);
        return ctx.tables().readPartition(OutputTables.ACCOUNT_HEALTH_SCORES, date);
    }

    /** A date's scores from account_health_scores; when it has none, scored (with today's weights) and written first. */
    static Dataset<Row> on(JobContext ctx, ValidatedWarehouse warehouse, LocalDate date) {
        if (ctx.tables().exists(OutputTables.ACCOUNT_HEALTH_SCORES)) {
            Dataset<Row> rows = ctx.tables().readPartition(OutputTables.ACCOUNT_HEALTH_SCORES, date);
            if (!rows.isEmpty()) {
                return rows;
            }
        }
        return scoreAndWrite(ctx, warehouse, date, ctx.scoringModel());
    }
}
