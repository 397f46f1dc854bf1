package com.customerhealth.calibrate;

import static org.assertj.core.api.Assertions.assertThat;

import com.customerhealth.TestSpark;
import com.customerhealth.config.AppConfig;
import com.customerhealth.config.HealthModel;
import com.customerhealth.config.MetricSpec;
import com.customerhealth.score.HealthScorer;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * The histogram calibrate keeps of a proposal's training snapshots, by hand: a snapshot whose components all equal v has
 * health score v under any weights (a weighted mean of equal values).
 *
 * <pre>
 * train    all components 40       -> every measure in bin 40
 * train    all components 72.5     -> bin 72
 * train    no component            -> every measure missing (bin null), the health score too
 * holdout  all components 10       -> not counted: only training snapshots are the reference
 * </pre>
 */
class TrainingDistributionTest {
    private final SparkSession spark = TestSpark.session();

    @Test
    void countsEveryTrainingSnapshotPerMeasureInOnePointBins() {
        AppConfig config = AppConfig.defaults();
        HealthModel model = config.model();
        StructType schema = new StructType().add("split", DataTypes.StringType);
        for (MetricSpec m : model.metrics()) {
            schema = schema.add(HealthScorer.componentColumn(m), DataTypes.DoubleType);
        }
        List<Row> rows = new ArrayList<>();
        for (Object[] r : new Object[][] {{TrainingSet.TRAIN, 40.0}, {TrainingSet.TRAIN, 72.5}, {TrainingSet.TRAIN, null},
                {TrainingSet.HOLDOUT, 10.0}}) {
            Object[] values = new Object[1 + model.metrics().size()];
            values[0] = r[0];
            java.util.Arrays.fill(values, 1, values.length, r[1]);
            rows.add(RowFactory.create(values));
        }
        Dataset<Row> snapshots = spark.createDataFrame(rows, schema);
        TrainingSet.Dates dates = new TrainingSet.Dates(List.of(LocalDate.parse("2025-01-31"), LocalDate.parse("2025-02-28")),
                List.of(LocalDate.parse("2025-06-30")));

        Dataset<Row> histogram = TrainingDistribution.of(snapshots, model, config.tiers(), dates);

        assertThat(histogram.select("measure").distinct().count()).isEqualTo(1 + model.metrics().size());
        List<String> perBin = histogram.groupBy("bin").agg(org.apache.spark.sql.functions.sum("snapshots").as("n"),
                        org.apache.spark.sql.functions.count("*").as("measures"))
                .orderBy("bin").collectAsList().stream().map(Row::toString).toList();
        int measures = 1 + model.metrics().size();
        assertThat(perBin).containsExactly("[null," + measures + "," + measures + "]", "[40," + measures + "," + measures + "]",
                "[72," + measures + "," + measures + "]");
        Row health = histogram.where("measure = 'health_score' AND bin = 72").first();
        assertThat(List.<Object>of(health.getAs("weights_version"), health.getAs("snapshots"), health.getAs("training_from").toString(),
                health.getAs("training_to").toString())).containsExactly(model.version(), 1L, "2025-01-31", "2025-02-28");

        // Kept in weights_training_distribution, it is the reference of that version, read back as a histogram with its last
        // training date; another version (conf's prior, never fitted) or no table at all has none.
        java.nio.file.Path out;
        try {
            out = java.nio.file.Files.createTempDirectory("training-distribution-");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        com.customerhealth.io.DeltaTables tables = new com.customerhealth.io.DeltaTables(spark,
                new com.customerhealth.config.OutputSettings(out.toString(), null, null));
        assertThat(TrainingDistribution.of(tables, model.version(), spark).trainingTo()).isNull();
        tables.replacePartition(com.customerhealth.io.OutputTables.WEIGHTS_TRAINING_DISTRIBUTION, histogram
                .withColumn("run_date", org.apache.spark.sql.functions.lit(java.sql.Date.valueOf("2025-07-31")))
                .withColumn("run_id", org.apache.spark.sql.functions.lit("calibrate-2025-07-31")), "2025-07-31");
        TrainingDistribution.Reference reference = TrainingDistribution.of(tables, model.version(), spark);
        assertThat(reference.trainingTo()).isEqualTo(LocalDate.parse("2025-02-28"));
        assertThat(reference.histogram().where("measure = 'health_score'").orderBy("bin").collectAsList().toString())
                .isEqualTo("[[health_score,null,1], [health_score,40,1], [health_score,72,1]]");
        TrainingDistribution.Reference other = TrainingDistribution.of(tables, "health-10@prior", spark);
        assertThat(List.<Object>of(other.histogram().count(), String.valueOf(other.trainingTo()))).containsExactly(0L, "null");
    }
}
