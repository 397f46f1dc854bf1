package com.customerhealth.calibrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.customerhealth.TestSpark;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The driver-side score-to-probability fit on aggregated points. */
class ScoreCurveTest {

    private static double p(double a, double b, double score) {
        return 1 / (1 + Math.exp(-(a + b * score)));
    }

    /**
     * Planted truth a = 2.0, b = -0.05: at scores 0, 10, ..., 100, n = 1000 rows each with exactly n x P events (e.g.
     * score 0: 1000 / (1 + e^-2) = 880.797; score 40: logit 0, 500; score 100: logit -3, 47.426). The observed rates are
     * the truth, so the maximum-likelihood fit is the truth itself.
     */
    @Test
    void recoversAPlantedMapFromExactAggregatedPoints() {
        List<ScoreCurve.Point> points = new ArrayList<>();
        for (int s = 0; s <= 100; s += 10) {
            points.add(new ScoreCurve.Point(s, 1000, 1000 * p(2.0, -0.05, s)));
        }
        assertThat(points.get(4).events()).isCloseTo(500.0, within(1e-9));
        ScoreCurve.Fit fit = ScoreCurve.fit(points).orElseThrow();
        assertThat(fit.intercept()).isCloseTo(2.0, within(1e-6));
        assertThat(fit.slope()).isCloseTo(-0.05, within(1e-6));
    }

    /** Two scores: the fit goes through both observed rates. 10 of 100 churn at 20 (logit -ln 9), 50 of 100 at 70 (logit 0). */
    @Test
    void twoScoresAreFittedExactly() {
        ScoreCurve.Fit fit = ScoreCurve.fit(List.of(new ScoreCurve.Point(20, 100, 10), new ScoreCurve.Point(70, 100, 50))).orElseThrow();
        double slope = Math.log(9) / 50; // 0.0439445 per point
        assertThat(fit.slope()).isCloseTo(slope, within(1e-9));
        assertThat(fit.intercept()).isCloseTo(-70 * slope, within(1e-9));
    }

    @Test
    void noMapWithoutEventsWithoutStayersFromOneScoreOrWhenTheScoreSeparatesThem() {
        assertThat(ScoreCurve.fit(List.of())).isEmpty();
        assertThat(ScoreCurve.fit(List.of(new ScoreCurve.Point(10, 50, 0), new ScoreCurve.Point(60, 80, 0)))).isEmpty();
        assertThat(ScoreCurve.fit(List.of(new ScoreCurve.Point(10, 50, 50), new ScoreCurve.Point(60, 80, 80)))).isEmpty();
        assertThat(ScoreCurve.fit(List.of(new ScoreCurve.Point(35.5, 50, 5)))).isEmpty();
        // Everyone below 40 churned, nobody above: the slope has no finite maximum.
        assertThat(ScoreCurve.fit(List.of(new ScoreCurve.Point(20, 30, 30), new ScoreCurve.Point(30, 10, 10),
                new ScoreCurve.Point(60, 40, 0)))).isEmpty();
    }

    /**
     * The same as MLlib's unpenalised fit on the rows ({@link WeightFit#unbounded()}, as HoldoutEvaluation fits the global
     * maps): 21 integer scores 0, 5, ..., 100, 20 rows each, round(20 x P) of them churned under a = 1, b = -0.04 (from 15
     * of 20 at score 0 to 1 of 20 at 100): 420 rows.
     */
    @Test
    void matchesMllibsFitOnTheRows() {
        SparkSession spark = TestSpark.session();
        List<Row> rows = new ArrayList<>();
        List<ScoreCurve.Point> points = new ArrayList<>();
        for (int s = 0; s <= 100; s += 5) {
            long events = Math.round(20 * p(1.0, -0.04, s));
            for (int i = 0; i < 20; i++) {
                rows.add(RowFactory.create((double) s, i < events ? 1.0 : 0.0, 1.0));
            }
            points.add(new ScoreCurve.Point(s, 20, events));
        }
        Dataset<Row> data = spark.createDataFrame(rows, StructType.fromDDL("_score DOUBLE, label DOUBLE, weight DOUBLE"));
        LogisticRegressionModel mllib = WeightFit.unbounded().fit(WeightFit.assemble(data, List.of("_score")));
        ScoreCurve.Fit fit = ScoreCurve.fit(points).orElseThrow();
        assertThat(fit.intercept()).isCloseTo(mllib.intercept(), within(1e-4));
        assertThat(fit.slope()).isCloseTo(mllib.coefficients().apply(0), within(1e-4));
        assertThat(fit.slope()).isCloseTo(-0.04, within(0.01)); // and near the truth the counts were rounded from
    }
}
