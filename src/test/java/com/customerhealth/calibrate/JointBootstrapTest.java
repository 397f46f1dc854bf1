package com.customerhealth.calibrate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.customerhealth.FixtureWarehouse;
import com.customerhealth.TestSpark;
import com.customerhealth.config.AppConfig;
import com.customerhealth.config.MetricSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The joint bootstrap solves, for every replicate, the fit MLlib makes of that replicate alone: compared
 * replicate by replicate with {@link Calibrator#fitReplicate} (MLlib's bounded L-BFGS-B on the same
 * reweighted rows), on planted snapshots where two metrics have no true weight (so the bound 0 is active
 * in some replicates), without and with regularisation.
 */
class JointBootstrapTest {
    private static final long SEED = 42;
    private static final int REPLICATES = 4;
    private static final Map<String, Double> TRUTH = new LinkedHashMap<>();

    static {
        TRUTH.put("nps", 0.0);
        TRUTH.put("renewal_intent", 40.0);
        TRUTH.put("seat_utilisation", 20.0);
        TRUTH.put("sessions_rank", 5.0);
        TRUTH.put("support_burden", 0.0);
        TRUTH.put("payment_punctuality", 25.0);
        TRUTH.put("mrr_growth_yoy", 10.0);
    }

    private static List<MetricSpec> metrics;
    private static List<String> featureColumns;
    private static Dataset<Row> train;

    @BeforeAll
    static void plant() {
        AppConfig config = AppConfig.load(FixtureWarehouse.fixtureModelConf(), Map.of());
        metrics = config.model().metrics();
        featureColumns = metrics.stream().map(TrainingSet::featureColumn).toList();
        TrainingSet.Dates dates = PlantedSnapshots.dates(4, 1);
        Dataset<Row> snapshots = new PlantedSnapshots(TRUTH, 1.0, 0.08, 1500, 7).build(TestSpark.session(), config, dates);
        train = WeightFit.assemble(snapshots.where(col("split").equalTo(TrainingSet.TRAIN)), featureColumns)
                .withColumn(WeightFit.WEIGHT, lit(1.0)).repartition(2).cache();
    }

    @AfterAll
    static void release() {
        train.unpersist();
    }

    @Test
    void unregularisedReplicatesEqualMllibFits() {
        compareWithMllib(0.0);
    }

    @Test
    void regularisedReplicatesEqualMllibFits() {
        compareWithMllib(0.05);
    }

    private static void compareWithMllib(double regParam) {
        LogisticRegressionModel full = WeightFit.bounded(metrics.size(), regParam).fit(train);
        JointBootstrap.Fits joint = JointBootstrap.fit(train, featureColumns, SEED, REPLICATES, regParam, full);

        assertThat(joint.coefficients()).hasSize(REPLICATES).doesNotContainNull();
        assertThat(joint.passes()).as("Newton passes from the warm start").isBetween(2, 20);
        assertThat(joint.unconverged()).isZero();
        int zeroWeights = 0;
        for (int r = 0; r < REPLICATES; r++) {
            LogisticRegressionModel alone = Calibrator.fitReplicate(train, SEED, r, regParam, full);
            double[] expected = alone.coefficients().toArray();
            double[] got = joint.coefficients().get(r);
            for (int j = 0; j < expected.length; j++) {
                // Coefficients are about -0.03 per component point; MLlib stops at a relative loss change of 1e-8.
                assertThat(got[j]).as("replicate %d, %s", r, metrics.get(j).name()).isLessThanOrEqualTo(0.0)
                        .isCloseTo(expected[j], within(2e-5));
                if (got[j] == 0.0) {
                    zeroWeights++;
                }
            }
            Map<String, Double> jointPoints = WeightFit.points(metrics, got);
            for (Map.Entry<String, Double> e : WeightFit.points(metrics, alone).entrySet()) {
                assertThat(jointPoints.get(e.getKey())).as("replicate %d, %s points", r, e.getKey()).isCloseTo(e.getValue(), within(0.05));
            }
        }
        if (regParam == 0.0) {
            assertThat(zeroWeights).as("metrics held at the bound 0 in some replicate").isPositive();
        }
    }
}
