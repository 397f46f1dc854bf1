package com.customerhealth.calibrate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import com.customerhealth.config.HealthModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * For the benchmark (test scope, in this package for {@link WeightFit} and {@link Calibrator#bootstrapSample}):
 * fits single bootstrap replicates exactly as {@link Calibrator} does, one at a time, so one replicate's
 * cost can be timed on its own. The training rows are prepared as Calibrator prepares them (usable
 * snapshots of the training split, assembled, cached).
 */
public final class BootstrapProbe {

    /** One replicate: its index, wall seconds, L-BFGS-B iterations, and whether the fit gave any metric weight. */
    public record Replicate(int index, double seconds, int iterations, boolean gaveWeights) {
    }

    /**
     * @param trainingRows   rows of the training split the replicates draw from
     * @param replicatePlan  the physical plan of replicate 0's input (what every fit reads)
     * @param planReadsFiles whether that plan scans any file (false: it reads the cached snapshots)
     */
    public record Result(long trainingRows, String replicatePlan, boolean planReadsFiles, List<Replicate> replicates) {
    }

    private BootstrapProbe() {
    }

    /**
     * @param snapshots {@link TrainingSet#build} rows, computed once (the calibrate job local-checkpoints them)
     */
    public static Result run(Dataset<Row> snapshots, HealthModel model, long seed, double regParam, int replicates) {
        List<String> featureColumns = model.metrics().stream().map(TrainingSet::featureColumn).toList();
        Dataset<Row> usable = snapshots.where(col("involuntary_only").equalTo(false).and(col("health_score").isNotNull()));
        Dataset<Row> train = WeightFit.assemble(usable.where(col("split").equalTo(TrainingSet.TRAIN)), featureColumns)
                .withColumn(WeightFit.WEIGHT, lit(1.0)).cache();
        try {
            long rows = train.count();
            String plan = Calibrator.bootstrapSample(train, seed, 0).queryExecution().executedPlan().treeString();
            LogisticRegressionModel full = WeightFit.bounded(model.metrics().size(), regParam).fit(train); // the replicates' start
            List<Replicate> out = new ArrayList<>();
            for (int r = 0; r < replicates; r++) {
                long started = System.nanoTime();
                LogisticRegressionModel fit = Calibrator.fitReplicate(train, seed, r, regParam, full);
                Map<String, Double> points = WeightFit.points(model.metrics(), fit);
                double seconds = (System.nanoTime() - started) / 1e9;
                out.add(new Replicate(r, seconds, fit.summary().totalIterations(), !points.isEmpty()));
            }
            return new Result(rows, plan, plan.contains("FileScan") || plan.contains("Scan parquet"), List.copyOf(out));
        } finally {
            train.unpersist();
        }
    }
}
