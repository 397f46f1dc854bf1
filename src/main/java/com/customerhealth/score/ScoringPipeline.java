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
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Scores every customer on each as-of date: snapshots, point-in-time features, component and
 * health scores, in the {@code account_health_scores} schema. Pure: no I/O. One pass for all dates.
 */
public final class ScoringPipeline {
    private final AppConfig config;
    private final HealthModel model;
    private final List<Segments.Scorecard> scorecards;

    public ScoringPipeline(AppConfig config, HealthModel model) {
        this(config, model, List.of());
    }

    /**
     * Scores with {@code model} (the global weights) and, for the accounts of a segment with an approved
     * scorecard, that segment's weights ({@link Segments#weightsVersion}); all of one structure as conf's model.
     */
    public ScoringPipeline(AppConfig config, HealthModel model, List<Segments.Scorecard> scorecards) {
        this.config = config;
        this.model = model;
        this.scorecards = List.copyOf(scorecards);
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
        return scores(warehouse, asOfDates, runId, List.of());
    }

    /**
     * Scores in the account_health_scores schema, with churn_probability_90d and mrr_at_risk from {@code maps}: each row's
     * from the map of its weights_version (the global version's, or its segment scorecard's), null on the rows of a version
     * without one (no calibrate run has fitted it, or its segment's training rows gave none). One pass for every set of
     * weights: the components once, each row's score from the weights of its weights_version, its probability from that
     * version's map.
     */
    public Dataset<Row> scores(ValidatedWarehouse warehouse, List<LocalDate> asOfDates, String runId, List<ChurnProbability> maps) {
        return scores(warehouse, components(warehouse, asOfDates), runId, maps);
    }

    /**
     * {@link #scores} from components already computed by {@link #components}, here or in a pipeline whose model has the same
     * metrics and scales (components do not depend on the weights): two sets of weights then score a date from one feature
     * pass.
     */
    public Dataset<Row> scores(ValidatedWarehouse warehouse, Dataset<Row> components, String runId, List<ChurnProbability> maps) {
        HealthScorer scorer = new HealthScorer(model, config.tiers());
        Dataset<Row> accounts = warehouse.table("accounts").select(
                col("account_id"), col("account_name"), col("industry"), col("csm_owner"),
                Segments.sizeBand(col("employee_count"), config.sizeBands()).as("size_band"));
        Dataset<Row> rows = components.join(accounts, new String[] {"account_id"}, "left")
                .withColumn("weights_version", Segments.weightsVersion(scorecards, model.version()));
        List<HealthModel> models = new java.util.ArrayList<>(List.of(model));
        scorecards.forEach(s -> models.add(s.model()));
        rows = HealthScorer.aggregateByVersion(rows, models, config.tiers())
                .withColumn("score_date", col("as_of_date"))
                .withColumn("run_id", lit(runId));
        // CSM overrides add the final score beside the computed one (optional input); the churn probability and the
        // MRR at risk read the computed score, as calibration does.
        rows = Overrides.apply(rows, warehouse.optionalTable("csm_score_overrides").orElse(null), scorer::tier);
        rows = ChurnProbability.withMoney(rows, maps);
        return OutputTables.ACCOUNT_HEALTH_SCORES.conform(rows);
    }
}
