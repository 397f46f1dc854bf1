package com.customerhealth.calibrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.customerhealth.TestSpark;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.mllib.evaluation.BinaryClassificationMetrics;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

/** The ROC curve, ROC AUC and PR AUC summed on the driver from counts per distinct score, in score order. */
class HoldoutEvaluationTest {

    /**
     * Churners at scores 20 and 40, stayers at 40 and 80: of the four churner-stayer pairs, three have the churner lower
     * and one is a tie (counted half), so the AUC is 3.5 / 4 = 0.875.
     */
    @Test
    void aucByHandWithATie() {
        List<double[]> byScore = List.of(new double[] {1, 0}, new double[] {1, 1}, new double[] {0, 1}); // scores 20, 40, 80
        assertThat(HoldoutEvaluation.rocAuc(byScore)).isCloseTo(0.875, within(1e-15));
        assertThat(HoldoutEvaluation.rocAuc(List.of())).isEqualTo(0.5);
    }

    /**
     * The same rows ranked by precision and recall: at or below 20, recall 1/2 and precision 1; at or below 40, recall 1 and
     * precision 2/3; at or below 80, recall 1 and precision 1/2. From (0, 1): 1/2 x 1 + 1/2 x (1 + 2/3) / 2 + 0 = 11/12.
     */
    @Test
    void prAucByHandWithATie() {
        List<double[]> byScore = List.of(new double[] {1, 0}, new double[] {1, 1}, new double[] {0, 1}); // scores 20, 40, 80
        assertThat(HoldoutEvaluation.prAuc(byScore)).isCloseTo(11.0 / 12, within(1e-15));
        assertThat(HoldoutEvaluation.rocCurve(byScore)).extracting(p -> p.falsePositiveRate() + "," + p.truePositiveRate())
                .containsExactly("0.0,0.0", "0.0,0.5", "0.5,1.0", "1.0,1.0", "1.0,1.0");
    }

    /**
     * MLlib's BinaryClassificationMetrics on the rows, risk = 100 - score, which the evaluation used before: its ROC AUC,
     * PR AUC and ROC curve, on 60 rows over 7 distinct scores with ties of churners and stayers, and the edge cases of a
     * class that is empty.
     */
    @Test
    void equalsMllibsCurveAndAreasOnTheRows() {
        double[] scores = {12.5, 30, 30, 47.25, 55, 55, 55, 71, 88.75, 95};
        List<double[]> rows = new ArrayList<>(); // {score, label}
        for (int i = 0; i < 60; i++) {
            double score = scores[(i * 7) % scores.length];
            rows.add(new double[] {score, (i % 3 == 0 || score < 40) && i % 5 != 0 ? 1 : 0});
        }
        assertThat(grouped(rows).size()).isEqualTo(7);
        List<double[]> noChurn = rows.stream().map(r -> new double[] {r[0], 0}).toList();
        List<double[]> allChurn = rows.stream().map(r -> new double[] {r[0], 1}).toList();
        for (List<double[]> set : List.of(rows, noChurn, allChurn)) {
            BinaryClassificationMetrics mllib = mllib(set);
            assertThat(HoldoutEvaluation.rocAuc(grouped(set))).isCloseTo(mllib.areaUnderROC(), within(1e-12));
            assertThat(HoldoutEvaluation.prAuc(grouped(set))).isCloseTo(mllib.areaUnderPR(), within(1e-12));
            assertThat(HoldoutEvaluation.rocCurve(grouped(set))).extracting(p -> new Tuple2<Object, Object>(p.falsePositiveRate(), p.truePositiveRate()))
                    .isEqualTo(mllib.roc().toJavaRDD().collect());
        }
    }

    /** {churners, stayers} per distinct score, lowest score first. */
    private static List<double[]> grouped(List<double[]> rows) {
        java.util.TreeMap<Double, double[]> byScore = new java.util.TreeMap<>();
        for (double[] r : rows) {
            byScore.computeIfAbsent(r[0], k -> new double[2])[r[1] > 0.5 ? 0 : 1] += 1;
        }
        return new ArrayList<>(byScore.values());
    }

    private static BinaryClassificationMetrics mllib(List<double[]> rows) {
        List<Tuple2<Object, Object>> pairs = rows.stream().map(r -> new Tuple2<Object, Object>(100.0 - r[0], r[1])).toList();
        var rdd = org.apache.spark.api.java.JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext()).parallelize(pairs, 2);
        return new BinaryClassificationMetrics(rdd.rdd(), 0);
    }
}
