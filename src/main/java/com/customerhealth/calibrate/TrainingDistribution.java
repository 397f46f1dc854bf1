package com.customerhealth.calibrate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;

import com.customerhealth.actions.ScoreDrift;
import com.customerhealth.config.HealthModel;
import com.customerhealth.config.MetricSpec;
import com.customerhealth.config.Tiers;
import com.customerhealth.io.DeltaTables;
import com.customerhealth.io.OutputTables;
import com.customerhealth.score.HealthScorer;
import java.sql.Date;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * weights_training_distribution: what a proposed version was fitted on, kept as a {@link ScoreDrift#histogram} (counts per
 * measure and 1-point bin) so score_drift can compare later scores with it without keeping any per-account snapshot.
 */
public final class TrainingDistribution {
    private TrainingDistribution() {
    }

    /**
     * The histogram of the training snapshots ({@link TrainingSet#build} rows of split train): the health score under
     * {@code model}'s weights and each metric's component score, as scoring publishes them (2 decimals). Every training
     * snapshot counts, those whose only churn was involuntary included: the reference is the population, not the labels.
     */
    public static Dataset<Row> of(Dataset<Row> snapshots, HealthModel model, Tiers tiers, TrainingSet.Dates dates) {
        Dataset<Row> train = snapshots.where(col("split").equalTo(TrainingSet.TRAIN));
        Map<String, org.apache.spark.sql.Column> measures = new LinkedHashMap<>();
        measures.put("health_score", new HealthScorer(model, tiers).healthScore());
        for (MetricSpec m : model.metrics()) {
            measures.put(m.name(), col(HealthScorer.componentColumn(m)));
        }
        List<LocalDate> training = dates.training();
        return ScoreDrift.histogram(train, measures)
                .select(lit(model.version()).as("weights_version"), col("measure"), col("bin"), col("n").as("snapshots"),
                        lit(Date.valueOf(training.get(0))).as("training_from"),
                        lit(Date.valueOf(training.get(training.size() - 1))).as("training_to"));
    }

    /** A version's training histogram, in {@link ScoreDrift#histogram}'s columns, and its last training date (null: none kept). */
    public record Reference(Dataset<Row> histogram, LocalDate trainingTo) {
    }

    /**
     * The training histogram calibrate kept for {@code version} (the newest run that proposed it); empty, with no date,
     * when there is none (conf's prior was never fitted; a table written before this one existed). Reads one small aggregate.
     */
    public static Reference of(DeltaTables tables, String version, org.apache.spark.sql.SparkSession spark) {
        Dataset<Row> none = spark.createDataFrame(List.of(), ScoreDrift.HISTOGRAM_SCHEMA);
        if (!tables.exists(OutputTables.WEIGHTS_TRAINING_DISTRIBUTION)) {
            return new Reference(none, null);
        }
        Dataset<Row> rows = tables.read(OutputTables.WEIGHTS_TRAINING_DISTRIBUTION).where(col("weights_version").equalTo(version));
        Row newest = rows.agg(max("run_date"), max("training_to")).first(); // one row
        if (newest.isNullAt(0)) {
            return new Reference(none, null);
        }
        Dataset<Row> histogram = rows.where(col("run_date").equalTo(lit(newest.getDate(0))))
                .select(col("measure"), col("bin"), col("snapshots").as("n"));
        return new Reference(histogram, newest.getDate(1).toLocalDate());
    }
}
