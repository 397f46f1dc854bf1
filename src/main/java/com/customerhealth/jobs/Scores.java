package com.customerhealth.jobs;

import static org.apache.spark.sql.functions.col;

import com.customerhealth.config.AppConfig;
import com.customerhealth.config.HealthModel;
import com.customerhealth.contract.FeatureRequest;
import com.customerhealth.io.DeltaTables;
import com.customerhealth.io.OutputTables;
import com.customerhealth.score.ChurnProbability;
import com.customerhealth.score.ScoringPipeline;
import com.customerhealth.validate.ValidatedWarehouse;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    /** The warehouse tables scoring reads: accounts, subscription_periods, each metric's source, and the optional CSM overrides. */
    static Set<String> inputTables(AppConfig config) {
        Set<String> tables = new TreeSet<>(Set.of("accounts", "subscription_periods", "csm_score_overrides"));
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
     * Scores every customer on each of {@code dates} with {@code model}, or its segment's approved scorecard
     * ({@link JobContext#scorecards}), each version's rows with that version's newest score-to-probability map (one read
     * of calibration_runs for all versions), in one pass, replaces those dates' partitions of account_health_scores in
     * one commit, and refreshes account_health_current in one merge.
     */
    static void scoreAndWrite(JobContext ctx, ValidatedWarehouse warehouse, Collection<LocalDate> dates, HealthModel model) {
        List<LocalDate> sorted = dates.stream().distinct().sorted().toList();
        List<String> versions = new ArrayList<>(List.of(model.version()));
        ctx.scorecards().forEach(s -> versions.add(s.model().version()));
        Dataset<Row> scores = new ScoringPipeline(ctx.config(), model, ctx.scorecards()).scores(warehouse, sorted, ctx.runId(),
                ChurnProbability.latest(ctx.tables(), versions, sorted.get(sorted.size() - 1)));
        ctx.tables().replaceWhere(OutputTables.ACCOUNT_HEALTH_SCORES, scores, DeltaTables.inDates("score_date", sorted));
        // The merge reads back the partitions just written instead of recomputing the scores.
        ctx.tables().refreshLatest(OutputTables.ACCOUNT_HEALTH_CURRENT, OutputTables.ACCOUNT_HEALTH_SCORES, "account_id", sorted);
    }

    /** Of {@code dates}, those account_health_scores has no row for. One small aggregation over the partition column. */
    static Set<LocalDate> missing(JobContext ctx, Collection<LocalDate> dates) {
        Set<LocalDate> missing = new TreeSet<>(dates);
        if (ctx.tables().exists(OutputTables.ACCOUNT_HEALTH_SCORES)) {
            for (Row r : ctx.tables().read(OutputTables.ACCOUNT_HEALTH_SCORES)
                    .where(col("score_date").isin(dates.stream().map(java.sql.Date::valueOf).toArray()))
                    .select("score_date").distinct().collectAsList()) { // at most one row per date asked
                missing.remove(r.getDate(0).toLocalDate());
            }
        }
        return missing;
    }

    /**
     * The scores of each of {@code dates} from account_health_scores, by date; the dates it has none for are scored
     * (with today's weights) and written first, together in one pass.
     */
    static Map<LocalDate, Dataset<Row>> on(JobContext ctx, ValidatedWarehouse warehouse, Collection<LocalDate> dates) {
        Set<LocalDate> missing = missing(ctx, dates);
        if (!missing.isEmpty()) {
            scoreAndWrite(ctx, warehouse, missing, ctx.scoringModel());
        }
        Map<LocalDate, Dataset<Row>> out = new LinkedHashMap<>();
        for (LocalDate date : dates) {
            out.put(date, ctx.tables().readPartition(OutputTables.ACCOUNT_HEALTH_SCORES, date));
        }
        return out;
    }
}
