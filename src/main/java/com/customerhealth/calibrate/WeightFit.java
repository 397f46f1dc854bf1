package com.customerhealth.calibrate;

import com.customerhealth.config.MetricSpec;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Matrices;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The bounded logistic regression behind calibration, and the step from its coefficients to weights.
 *
 * <p>logit P(churn) = b0 + sum_i beta_i x_i over the metrics' component scores x_i (0-100), with every
 * beta_i <= 0: a healthier component can only lower the churn odds (MLlib's bound-constrained
 * L-BFGS-B; L2 regularisation only). With B = sum_j (-beta_j) and weight_i = 100 (-beta_i) / B, the
 * weighted health score S = sum_i weight_i x_i / 100 gives logit P(churn) = b0 - B S: the churn
 * probability is a function of the score alone.
 */
final class WeightFit {
    static final String FEATURES = "features";
    static final String LABEL = "label";
    static final String WEIGHT = "weight";

    private WeightFit() {
    }

    /** Adds the feature vector of the given numeric columns. */
    static Dataset<Row> assemble(Dataset<Row> rows, List<String> columns) {
        return new VectorAssembler().setInputCols(columns.toArray(String[]::new)).setOutputCol(FEATURES).transform(rows);
    }

    /** Logistic regression with every coefficient bounded to <= 0, weighted by the {@code weight} column. */
    static LogisticRegression bounded(int features, double regParam) {
        double[] zeros = new double[features];
        double[] minusInf = new double[features];
        Arrays.fill(minusInf, Double.NEGATIVE_INFINITY);
        return base(regParam)
                .setUpperBoundsOnCoefficients(Matrices.dense(1, features, zeros))
                .setLowerBoundsOnCoefficients(Matrices.dense(1, features, minusInf));
    }

    /** Unbounded, unregularised logistic regression (the one-feature fit from score to probability). */
    static LogisticRegression unbounded() {
        return base(0.0);
    }

    private static LogisticRegression base(double regParam) {
        return new LogisticRegression().setFamily("binomial").setFeaturesCol(FEATURES).setLabelCol(LABEL)
                .setWeightCol(WEIGHT).setRegParam(regParam).setElasticNetParam(0.0).setStandardization(true)
                .setMaxIter(200).setTol(1e-8);
    }

    /**
     * weight_i = 100 (-beta_i) / sum_j (-beta_j) per metric, in model order; empty when every beta is 0
     * (the data gives no metric any weight).
     */
    static Map<String, Double> points(List<MetricSpec> metrics, LogisticRegressionModel model) {
        return points(metrics, model.coefficients().toArray());
    }

    /** {@link #points(List, LogisticRegressionModel)} from the coefficients, in model order. */
    static Map<String, Double> points(List<MetricSpec> metrics, double[] beta) {
        double total = Arrays.stream(beta).map(b -> -b).sum();
        Map<String, Double> out = new LinkedHashMap<>();
        if (!(total > 0)) {
            return out;
        }
        for (int i = 0; i < metrics.size(); i++) {
            out.put(metrics.get(i).name(), 100 * Math.max(0.0, -beta[i]) / total);
        }
        return out;
    }
}
