package com.customerhealth.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.lit;

import com.customerhealth.actions.AccountHierarchy;
import com.customerhealth.config.HealthModel;
import com.customerhealth.io.OutputTable;
import com.customerhealth.io.OutputTables;
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

    @Override
    public List<OutputTable> outputTables() {
        return List.of(OutputTables.ACCOUNT_HEALTH_SCORES, OutputTables.ACCOUNT_HEALTH_CURRENT, OutputTables.ACCOUNT_HEALTH_ROLLUP);
    }

    @Override
    public Set<LocalDate> scoreDates(JobContext ctx) {
        return Set.of(ctx.runDate());
    }

    @Override
    public Set<String> inputTables(JobContext ctx) {
        return Scores.inputTables(ctx.config());
    }

    @Override
    public void run(JobContext ctx, ValidatedWarehouse warehouse) {
        HealthModel model = ctx.scoringModel();
        // The run date is always (re)scored; other dates the command's jobs read only when they have no scores yet.
        Set<LocalDate> dates = new TreeSet<>(Scores.missing(ctx, ctx.scoreDates()));
        dates.add(ctx.runDate());
        Scores.scoreAndWrite(ctx, warehouse, dates, model);
        Dataset<Row> written = ctx.tables().readPartition(OutputTables.ACCOUNT_HEALTH_SCORES, ctx.runDate());
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
        // One row per weights version: the global one and each approved segment scorecard's (docs/calibration.md).
        List<Row> byVersion = written.groupBy("weights_version").count().orderBy("weights_version").collectAsList();
        if (byVersion.size() > 1) {
            byVersion.forEach(r -> ctx.out().printf("  scored with %-44s %,8d accounts%n", r.getString(0), r.getLong(1)));
        }
        // One row: the CSM overrides in force on D, and how many of them change the tier shown.
        Row overrides = written.agg(count_if(col("override_applied")), count_if(col("final_health_tier").notEqual(col("health_tier")))).first();
        ctx.out().printf("  CSM overrides applied: %,d (tier shown differs from the computed one for %,d)%n", overrides.getLong(0),
                overrides.getLong(1));
        ctx.out().printf("  tables: %s%n          %s%n", ctx.tables().describe(OutputTables.ACCOUNT_HEALTH_SCORES),
                ctx.tables().describe(OutputTables.ACCOUNT_HEALTH_CURRENT));
        rollUp(ctx, warehouse, written);
    }

    /**
     * account_health_rollup of the run date from its scores, and the hierarchy links that do not hold (unknown parent,
     * cycle) to rejected_rows as table account_hierarchy, replacing the run date's.
     */
    private static void rollUp(JobContext ctx, ValidatedWarehouse warehouse, Dataset<Row> scores) {
        Dataset<Row> accounts = warehouse.table("accounts");
        Dataset<Row> links = AccountHierarchy.checkedLinks(accounts).localCheckpoint();
        ctx.tables().replaceWhere(OutputTables.REJECTED_ROWS, AccountHierarchy.rejected(links)
                        .withColumn("run_id", lit(ctx.runId())).withColumn("run_date", lit(java.sql.Date.valueOf(ctx.runDate()))),
                "run_date = DATE'" + ctx.runDate() + "' AND table_name = 'account_hierarchy'");
        ctx.writePartition(OutputTables.ACCOUNT_HEALTH_ROLLUP, AccountHierarchy.rollup(links, accounts, scores), ctx.runDate());
        // One row: the link counts by outcome.
        Row counts = links.agg(count_if(col("rule").isNull()), count_if(col("rule").isNotNull())).first();
        ctx.out().printf("  hierarchy: %,d parent links hold, %,d quarantined (rejected_rows, table account_hierarchy); %,d parents rolled up%n",
                counts.getLong(0), counts.getLong(1), ctx.tables().readPartition(OutputTables.ACCOUNT_HEALTH_ROLLUP, ctx.runDate()).count());
        ctx.out().printf("  table: %s%n", ctx.tables().describe(OutputTables.ACCOUNT_HEALTH_ROLLUP));
    }
}
