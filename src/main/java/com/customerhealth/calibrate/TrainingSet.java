package com.customerhealth.calibrate;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import com.customerhealth.JobFailure;
import com.customerhealth.cohorts.ChurnLabels;
import com.customerhealth.cohorts.MrrMovements;
import com.customerhealth.config.AppConfig;
import com.customerhealth.config.CalibrationSettings;
import com.customerhealth.config.HealthModel;
import com.customerhealth.config.MetricSpec;
import com.customerhealth.config.Tiers;
import com.customerhealth.score.HealthScorer;
import com.customerhealth.score.ScoringPipeline;
import com.customerhealth.score.Segments;
import com.customerhealth.validate.ValidatedWarehouse;
import java.sql.Date;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The account snapshots calibration learns from: every customer at each monthly as-of date T, its
 * component scores as of T (by the scoring code, all dates in one pass) and whether it churned within
 * (T, T + horizon]. Pure: no I/O.
 *
 * <p>Columns: account_id, as_of_date, split ({@code train} | {@code holdout}), industry, size_band,
 * fold (0..folds-1, by account), label (1.0 churned, 0.0 stayed), churn_ref_date, involuntary_only,
 * health_score (today's weights), mrr (on T), the raw {@code component_<metric>} columns (null without data), and
 * {@code x_<metric>}: the component with a missing value filled the way scoring's missing-data rule
 * implies (its dimension's score, else the health score), which is what the fit sees.
 */
public final class TrainingSet {
    public static final String TRAIN = "train";
    public static final String HOLDOUT = "holdout";

    private TrainingSet() {
    }

    /**
     * The as-of dates of a run: month ends, the last at least horizon days before the run date,
     * {@code lookbackMonths} of them. The last {@code holdoutMonths} are the holdout; a training date
     * is kept only when its label window ends on or before the first holdout date, so no churn is both
     * learnt from and judged on.
     */
    public record Dates(List<LocalDate> training, List<LocalDate> holdout) {
        public static Dates of(LocalDate runDate, CalibrationSettings cal) {
            LocalDate last = MrrMovements.lastMonthEnd(runDate.minusDays(cal.horizonDays()));
            List<LocalDate> all = new ArrayList<>();
            for (int i = cal.lookbackMonths() - 1; i >= 0; i--) {
                all.add(YearMonth.from(last).minusMonths(i).atEndOfMonth());
            }
            List<LocalDate> holdout = all.subList(all.size() - cal.holdoutMonths(), all.size());
            LocalDate holdoutFrom = holdout.get(0);
            List<LocalDate> training = all.subList(0, all.size() - cal.holdoutMonths()).stream()
                    .filter(t -> !t.plusDays(cal.horizonDays()).isAfter(holdoutFrom)).toList();
            if (training.isEmpty()) {
                throw JobFailure.badConfig(String.format(Locale.ROOT, "calibration: no training as-of date is left: of %d monthly dates the last "
                        + "%d are the holdout, and a training date's %d-day label window must end by the first holdout date %s. "
                        + "Raise calibration.lookback-months, or lower holdout-months or horizon-days.", cal.lookbackMonths(),
                        cal.holdoutMonths(), cal.horizonDays(), holdoutFrom), "");
            }
            return new Dates(List.copyOf(training), List.copyOf(holdout));
        }

        public List<LocalDate> all() {
            List<LocalDate> out = new ArrayList<>(training);
            out.addAll(holdout);
            return out;
        }
    }

    /** The fit's input column for a metric. */
    public static String featureColumn(MetricSpec m) {
        return "x_" + m.name();
    }

    /** Fold of an account: a hash of the account id, so an account's snapshots are all on one side. */
    public static Column fold(Column accountId, long seed, int folds) {
        return pmod(xxhash64(lit(seed), lit("fold"), accountId), lit((long) folds)).cast("int");
    }

    public static Dataset<Row> build(ValidatedWarehouse warehouse, AppConfig config, HealthModel model, Dates dates) {
        CalibrationSettings cal = config.calibration();
        Dataset<Row> components = new ScoringPipeline(config, model).components(warehouse, dates.all());
        // Labelled on the snapshot keys alone (cheap to recompute), then joined to the components once.
        Dataset<Row> labels = ChurnLabels.within(ScoringPipeline.population(warehouse, dates.all()).select("account_id", "as_of_date"),
                warehouse.table("subscription_periods"), warehouse.optionalTable("churn_events").orElse(null), dates.all(),
                cal.horizonDays(), cal.countInvoluntary(), config.cohorts().lapseChurnType());
        Dataset<Row> accounts = warehouse.table("accounts").select(col("account_id"), col("industry"),
                Segments.sizeBand(col("employee_count"), config.sizeBands()).as("size_band"));
        Dataset<Row> rows = withFeatures(components.join(labels, new String[] {"account_id", "as_of_date"}, "inner")
                .join(accounts, new String[] {"account_id"}, "left"), model, config.tiers())
                .withColumn("split", when(col("as_of_date").geq(lit(Date.valueOf(dates.holdout().get(0)))), lit(HOLDOUT))
                        .otherwise(lit(TRAIN)))
                .withColumn("fold", fold(col("account_id"), cal.seed(), cal.folds()))
                .withColumn("label", when(col("churned"), 1.0).otherwise(0.0));
        // Only what calibration reads: the raw feature values stay behind.
        List<Column> keep = new ArrayList<>();
        for (String c : List.of("account_id", "as_of_date", "split", "industry", "size_band", "fold", "label", "churn_ref_date",
                "involuntary_only", "health_score", "mrr")) {
            keep.add(col(c));
        }
        for (MetricSpec m : model.metrics()) {
            keep.add(col(HealthScorer.componentColumn(m)));
            keep.add(col(featureColumn(m)));
        }
        return rows.select(keep.toArray(Column[]::new));
    }

    /**
     * Adds health_score under {@code model} and the fit's {@code x_<metric>} columns to rows carrying
     * the component columns: a missing component takes its dimension's score, else the health score.
     * Renormalising over the metrics with data, as scoring does, is the same as that filling.
     */
    public static Dataset<Row> withFeatures(Dataset<Row> withComponents, HealthModel model, Tiers tiers) {
        HealthScorer scorer = new HealthScorer(model, tiers);
        Dataset<Row> out = withComponents.withColumn("health_score", scorer.healthScore());
        for (MetricSpec m : model.metrics()) {
            Column dimension = scorer.dimensionScore(m.dimension()).orElseThrow();
            out = out.withColumn(featureColumn(m), coalesce(col(HealthScorer.componentColumn(m)), dimension, col("health_score")));
        }
        return out;
    }
}
