package com.customerhealth.calibrate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import com.customerhealth.config.HealthModel;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * For the benchmark (test scope, in this package for {@link JointFits} and {@link WeightFit}): times the
 * bootstrap as {@link Calibrator} runs it, all replicates fitted together, once with 1 replicate and once
 * with more, so the cost of one more replicate shows apart from the fixed cost (packing the rows, the
 * passes' Spark jobs). The training rows are prepared as Calibrator prepares them (usable snapshots of the
 * training split, assembled, cached) and the fit on all of them is the replicates' start.
 */
public final class BootstrapProbe {

    /** One joint fit: how many replicates, its wall seconds, and the passes over the training rows it made. */
    public record Round(int replicates, double seconds, int passes) {
    }

    /**
     * @param trainingRows   rows of the training split the replicates draw from
     * @param replicatePlan  the physical plan of the training rows the joint fit packs once (it repartitions and sorts them first)
     * @param planReadsFiles whether that plan scans any file (false: it reads the cached snapshots)
     */
    public record Result(long trainingRows, String replicatePlan, boolean planReadsFiles, List<Round> rounds) {
        /** Seconds one more replicate adds: the slope between the two rounds. */
        public double perReplicateSeconds() {
            Round one = rounds.get(0);
            Round many = rounds.get(rounds.size() - 1);
            return (many.seconds() - one.seconds()) / (many.replicates() - one.replicates());
        }
    }

    private BootstrapProbe() {
    }

    /**
     * @param snapshots  {@link TrainingSet#build} rows, computed once (the calibrate job local-checkpoints them)
     * @param replicates replicates of the second round (at least 2)
     */
    public static Result run(Dataset<Row> snapshots, HealthModel model, long seed, double regParam, int replicates) {
        List<String> featureColumns = model.metrics().stream().map(TrainingSet::featureColumn).toList();
        Dataset<Row> usable = snapshots.where(col("involuntary_only").equalTo(false).and(col("health_score").isNotNull()));
        Dataset<Row> train = WeightFit.assemble(usable.where(col("split").equalTo(TrainingSet.TRAIN)), featureColumns)
                .withColumn(WeightFit.WEIGHT, lit(1.0)).cache();
        try {
            long rows = train.count();
            String plan = train.select(featureColumns.stream().map(c -> col(c)).toArray(Column[]::new))
                    .queryExecution().executedPlan().treeString();
            int most = Math.max(2, replicates);
            List<Round> rounds = new ArrayList<>();
            try (JointFits.Packed packed = JointFits.pack(train, featureColumns, new JointFits.Packing(null, List.of(), seed, most))) {
                JointFits.Result full = packed.fit("probe start", List.of(JointFits.Problem.cold(JointFits.RowWeight.all(), regParam)))
                        .results().get(0); // the replicates' start; also the warm-up (packing, code compiled), not timed
                for (int n : List.of(1, most)) {
                    List<JointFits.Problem> problems = new ArrayList<>();
                    for (int r = 0; r < n; r++) {
                        problems.add(JointFits.Problem.from(JointFits.RowWeight.replicate(r), regParam, full));
                    }
                    long started = System.nanoTime();
                    JointFits.Fits fits = packed.fit("probe", problems);
                    rounds.add(new Round(n, (System.nanoTime() - started) / 1e9, fits.passes()));
                }
            }
            return new Result(rows, plan, plan.contains("FileScan") || plan.contains("Scan parquet"), List.copyOf(rounds));
        } finally {
            train.unpersist();
        }
    }
}
