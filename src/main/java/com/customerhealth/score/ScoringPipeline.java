package com.customerhealth.score;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import com.customerhealth.actions.Overrides;
import com.customerhealth.config.AppConfig;
import com.customerhealth.config.HealthModel;
import com.customerhealth.features.FeatureStep;
import com.customerhealth.features.Snapshots;
import com.customerhealth.io.OutputTables;
import com.customerhealth.validate.ValidatedWarehouse;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Scores every customer on each as-of date: snapshots, point-in-time features, component and
 * health scores, in the {@code account_health_scores} schema. Pure: no I/O. One pass for all dates.
 */
public final class ScoringPipeline {
    private final AppConfig config;
    private final HealthModel model;

    public ScoringPipeline(AppConfig config, HealthModel model) {
        this.config = config;
        this.model = model;
    }

    /**
     * Features and unrounded component scores per (account, as_of_date): the input calibration fits on.
     * The population is every customer on each date whose accounts row passed validation; an account
     * whose row was quarantined is not scored (rejected_rows says why).
     */
    public Dataset<Row> components(ValidatedWarehouse warehouse, List<LocalDate> asOfDates) {
        Dataset<Row> population = population(warehouse, asOfDates);
        Dataset<Row> features = new FeatureStep(config.validation().highTicketPriorities()).compute(warehouse, population, asOfDates, model.featureRequests());
        return new HealthScorer(model, config.tiers()).componentScores(features);
    }

    /**
     * Who is scored on each date: every customer (account_id, as_of_date, mrr, seats) whose accounts row
     * passed validation; an account whose row was quarantined is not scored (rejected_rows says why).
     */
    public static Dataset<Row> population(ValidatedWarehouse warehouse, List<LocalDate> asOfDates) {
        return Snapshots.customersOn(warehouse.table("subscription_periods"), asOfDates)
                .join(warehouse.table("accounts").select("account_id"), new String[] {"account_id"}, "inner");
    }

    /** Scores in the account_health_scores schema, score_date = as-of date; no churn probability map (its columns null). */
    public Dataset<Row> scores(ValidatedWarehouse warehouse, List<LocalDate> asOfDates, String runId) {
        return scores(warehouse, asOfDates, runId, Optional.empty());
    }

    /** Scores in the account_health_scores schema, with churn_probability_90d and mrr_at_risk from {@code probability}. */
    public Dataset<Row> scores(ValidatedWarehouse warehouse, List<LocalDate> asOfDates, String runId,
                               Optional<ChurnProbability> probability) {
        HealthScorer scorer = new HealthScorer(model, config.tiers());
        Dataset<Row> scored = scorer.aggregate(components(warehouse, asOfDates));
        Dataset<Row> accounts = warehouse.table("accounts").select(
                col("account_id"), col("account_name"), col("industry"), col("csm_owner"),
                Segments.sizeBand(col("employee_count"), config.sizeBands()).as("size_band"));
        Dataset<Row> rows = scored.join(accounts, new String[] {"account_id"}, "left")
                .withColumn("score_date", col("as_of_date"))
                .withColumn("weights_version", lit(model.version()))
                .withColumn("run_id", lit(runId));
        // CSM overrides add the final score beside the computed one (optional input); the churn probability and the
        // MRR at risk read the computed score, as calibration does.
        rows = Overrides.apply(rows, warehouse.optionalTable("csm_score_overrides").orElse(null), scorer::tier);
        return OutputTables.ACCOUNT_HEALTH_SCORES.conform(ChurnProbability.withMoney(rows, probability));
    }
}
