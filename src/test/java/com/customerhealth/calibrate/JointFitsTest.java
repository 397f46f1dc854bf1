package com.customerhealth.calibrate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.customerhealth.FixtureWarehouse;
import com.customerhealth.TestSpark;
import com.customerhealth.config.AppConfig;
import com.customerhealth.config.MetricSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The joint fits solve, for every problem, the fit MLlib makes of it alone: the fit on all rows, each
 * cross-validation fold and its held-out log loss (MLlib's CrossValidator with a fold column and a log-loss
 * evaluator), a segment's fit, and bootstrap replicates (MLlib on the same reweighted rows). Planted snapshots
 * where two metrics have no true weight, so the bound 0 is active in some fits.
 */
class JointFitsTest {
    private static final long SEED = 42;
    private static final int REPLICATES = 4;
    private static final int FOLDS = 3;
    private static final List<Double> REGS = List.of(0.0, 0.05);
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
    private static String industry;
    private static JointFits.Packed packed;

    @BeforeAll
    static void plant() {
        AppConfig config = AppConfig.load(FixtureWarehouse.fixtureModelConf(), Map.of("calibration.folds", String.valueOf(FOLDS)));
        metrics = config.model().metrics();
        featureColumns = metrics.stream().map(TrainingSet::featureColumn).toList();
        TrainingSet.Dates dates = PlantedSnapshots.dates(4, 1);
        Dataset<Row> snapshots = new PlantedSnapshots(TRUTH, 1.0, 0.08, 1500, 7).build(TestSpark.session(), config, dates);
        train = WeightFit.assemble(snapshots.where(col("split").equalTo(TrainingSet.TRAIN)), featureColumns)
                .withColumn(WeightFit.WEIGHT, lit(1.0)).repartition(2).cache();
        industry = train.groupBy("industry").count().orderBy(col("count").desc()).first().getString(0);
        packed = JointFits.pack(train, featureColumns, new JointFits.Packing("fold",
                List.of(new JointFits.Grouping("industry", List.of(industry))), SEED, REPLICATES));
    }

    @AfterAll
    static void release() {
        packed.close();
        train.unpersist();
    }

    @Test
    void crossValidationGivesMllibsFoldLossesAndChoice() {
        List<JointFits.Problem> problems = new ArrayList<>();
        for (double reg : REGS) {
            for (int k = 0; k < FOLDS; k++) {
                problems.add(JointFits.Problem.cold(JointFits.RowWeight.outsideFold(k), reg));
            }
        }
        JointFits.Fits fits = packed.fit("test", problems);
        assertThat(fits.unconverged()).isZero();
        assertThat(fits.passes()).as("passes: the moments, then Newton steps from a cold start").isBetween(3, 30);
        List<JointFits.RowWeight> folds = new ArrayList<>();
        for (int i = 0; i < REGS.size() * FOLDS; i++) {
            folds.add(JointFits.RowWeight.inFold(i % FOLDS));
        }
        double[] losses = packed.logLoss(folds, fits.results());

        LogisticRegression lr = WeightFit.bounded(metrics.size(), 0.0);
        ParamMap[] grid = new ParamGridBuilder().addGrid(lr.regParam(), REGS.stream().mapToDouble(Double::doubleValue).toArray()).build();
        CrossValidatorModel cv = new CrossValidator().setEstimator(lr).setEstimatorParamMaps(grid)
                .setEvaluator(new MulticlassClassificationEvaluator().setMetricName("logLoss").setLabelCol(WeightFit.LABEL)
                        .setWeightCol(WeightFit.WEIGHT))
                .setNumFolds(FOLDS).setFoldCol("fold").fit(train);
        for (int i = 0; i < REGS.size(); i++) {
            double mean = 0;
            for (int k = 0; k < FOLDS; k++) {
                mean += losses[i * FOLDS + k] / FOLDS;
            }
            // MLlib stops L-BFGS-B at a relative loss change of 1e-8; the log loss is about 0.2.
            assertThat(mean).as("mean held-out log loss at regParam %s", REGS.get(i)).isCloseTo(cv.avgMetrics()[i], within(1e-6));
        }
    }

    @Test
    void theFitOnAllRowsAndASegmentsFitEqualMllibs() {
        JointFits.Fits fits = packed.fit("test", List.of(JointFits.Problem.cold(JointFits.RowWeight.all(), 0.0),
                JointFits.Problem.cold(JointFits.RowWeight.inGroup(0, 0), 0.01)));
        assertCoefficients("all rows", fits.results().get(0), WeightFit.bounded(metrics.size(), 0.0).fit(train));
        assertCoefficients("industry " + industry, fits.results().get(1),
                WeightFit.bounded(metrics.size(), 0.01).fit(train.where(col("industry").equalTo(industry))));
    }

    @Test
    void unregularisedReplicatesEqualMllibFits() {
        compareReplicatesWithMllib(0.0);
    }

    @Test
    void regularisedReplicatesEqualMllibFits() {
        compareReplicatesWithMllib(0.05);
    }

    /**
     * The unconstrained fit (no bound; what a wrong-signed metric is judged by) on all rows and on a replicate equals
     * MLlib's unbounded, unregularised fit of the same rows, including the coefficients of no-effect metrics that
     * come out above 0 (the bounded fit would hold them at 0).
     */
    @Test
    void unboundedFitsEqualMllibsUnboundedFits() {
        LogisticRegressionModel bounded = WeightFit.bounded(metrics.size(), 0.0).fit(train);
        JointFits.Result start = new JointFits.Result(bounded.intercept(), bounded.coefficients().toArray(), false, true);
        JointFits.Fits fits = packed.fit("test", List.of(JointFits.Problem.unbounded(JointFits.RowWeight.all(), 0.0, start),
                JointFits.Problem.unbounded(JointFits.RowWeight.replicate(1), 0.0, start)));
        assertThat(fits.unconverged()).isZero();
        LogisticRegressionModel all = WeightFit.unbounded().fit(WeightFit.assemble(train.drop(WeightFit.FEATURES), featureColumns));
        LogisticRegressionModel one = WeightFit.unbounded().fit(Calibrator.bootstrapSample(train, SEED, 1));
        int above = 0;
        for (int j = 0; j < metrics.size(); j++) {
            assertThat(fits.results().get(0).coefficients()[j]).as("all rows, %s", metrics.get(j).name())
                    .isCloseTo(all.coefficients().apply(j), within(2e-5));
            assertThat(fits.results().get(1).coefficients()[j]).as("replicate 1, %s", metrics.get(j).name())
                    .isCloseTo(one.coefficients().apply(j), within(2e-5));
            above += fits.results().get(0).coefficients()[j] > 0 || fits.results().get(1).coefficients()[j] > 0 ? 1 : 0;
        }
        assertThat(above).as("coefficients above the bound 0 (no-effect metrics)").isPositive();
        assertThat(fits.results().get(0).intercept()).isCloseTo(all.intercept(), within(1e-3));
    }

    private static void compareReplicatesWithMllib(double regParam) {
        LogisticRegressionModel full = WeightFit.bounded(metrics.size(), regParam).fit(train);
        JointFits.Result start = new JointFits.Result(full.intercept(), full.coefficients().toArray(), false, true);
        List<JointFits.Problem> problems = new ArrayList<>();
        for (int r = 0; r < REPLICATES; r++) {
            problems.add(JointFits.Problem.from(JointFits.RowWeight.replicate(r), regParam, start));
        }
        JointFits.Fits joint = packed.fit("test", problems);

        assertThat(joint.results()).hasSize(REPLICATES).noneMatch(JointFits.Result::failed);
        assertThat(joint.passes()).as("passes from the warm start").isBetween(3, 21);
        assertThat(joint.unconverged()).isZero();
        int zeroWeights = 0;
        for (int r = 0; r < REPLICATES; r++) {
            LogisticRegressionModel alone = WeightFit.bounded(metrics.size(), regParam).setInitialModel(full)
                    .fit(Calibrator.bootstrapSample(train, SEED, r));
            zeroWeights += assertCoefficients("replicate " + r, joint.results().get(r), alone);
        }
        if (regParam == 0.0) {
            assertThat(zeroWeights).as("metrics held at the bound 0 in some replicate").isPositive();
        }
    }

    /** Coefficients and weights equal MLlib's within its tolerance; returns how many sit at the bound 0. */
    private static int assertCoefficients(String what, JointFits.Result got, LogisticRegressionModel expected) {
        double[] e = expected.coefficients().toArray();
        int zeros = 0;
        for (int j = 0; j < e.length; j++) {
            // Coefficients are about -0.03 per component point; MLlib stops at a relative loss change of 1e-8.
            assertThat(got.coefficients()[j]).as("%s, %s", what, metrics.get(j).name()).isLessThanOrEqualTo(0.0)
                    .isCloseTo(e[j], within(2e-5));
            zeros += got.coefficients()[j] == 0.0 ? 1 : 0;
        }
        assertThat(got.intercept()).as("%s, intercept", what).isCloseTo(expected.intercept(), within(1e-3));
        Map<String, Double> points = WeightFit.points(metrics, got.coefficients());
        for (Map.Entry<String, Double> w : WeightFit.points(metrics, expected).entrySet()) {
            assertThat(points.get(w.getKey())).as("%s, %s points", what, w.getKey()).isCloseTo(w.getValue(), within(0.05));
        }
        return zeros;
    }
}
