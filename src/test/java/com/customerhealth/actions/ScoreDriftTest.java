package com.customerhealth.actions;

import static org.assertj.core.api.Assertions.assertThat;

import com.customerhealth.TestSpark;
import com.customerhealth.config.AppConfig;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import scala.jdk.javaapi.CollectionConverters;

/**
 * PSI worked by hand on two small distributions, with the default 10 bins of width 10.
 *
 * <pre>
 * health_score  D: 5, 15, 15, 25 -> bins 0, 1, 1, 2: shares 1/4, 1/2, 1/4
 *               reference: 5, 5, 15, 25 -> shares 1/2, 1/4, 1/4
 *               PSI = (1/4 - 1/2) ln(1/2) + (1/2 - 1/4) ln 2 + 0 = 1/2 ln 2 = 0.34657 -> 0.3466, significant (>= 0.25)
 * nps           D: missing, 50, 55, 100 -> bins 5, 5, 9 (100 is in the last bin): 2/3, 1/3; missing share 1/4
 *               reference: 50, 50, 59.9, 100 -> 3/4, 1/4; missing share 0
 *               PSI = (2/3 - 3/4) ln(8/9) + (1/3 - 1/4) ln(4/3) = (0.117783 + 0.287682) / 12 = 0.033789 -> 0.0338, stable
 * </pre>
 */
class ScoreDriftTest {
    private final SparkSession spark = TestSpark.session();

    private Dataset<Row> scores(double[] health, Double[] nps) {
        StructType schema = new StructType().add("account_id", DataTypes.StringType).add("health_score", DataTypes.DoubleType)
                .add("component_scores", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType, true));
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < health.length; i++) {
            Map<String, Double> c = new HashMap<>();
            c.put("nps", nps[i]);
            rows.add(RowFactory.create("A" + i, health[i], CollectionConverters.asScala(c)));
        }
        return spark.createDataFrame(rows, schema);
    }

    @Test
    void psiOfTwoSmallDistributionsByHand() {
        Dataset<Row> now = scores(new double[] {5, 15, 15, 25}, new Double[] {null, 50.0, 55.0, 100.0});
        Dataset<Row> before = scores(new double[] {5, 5, 15, 25}, new Double[] {50.0, 50.0, 59.9, 100.0});
        Map<String, Row> byMeasure = new TreeMap<>();
        ScoreDrift.drift(ScoreDrift.histogram(now), ScoreDrift.histogram(before), "30d", LocalDate.parse("2024-05-31"), AppConfig.defaults().actions().drift()).collectAsList()
                .forEach(r -> byMeasure.put(r.getAs("measure"), r));

        assertThat(byMeasure).containsOnlyKeys("health_score", "nps");
        Row h = byMeasure.get("health_score");
        assertThat(List.<Object>of(h.getAs("psi"), h.getAs("flag"), h.getAs("current_n"), h.getAs("reference_n"), h.getAs("current_missing_share")))
                .containsExactly(0.3466, "significant", 4L, 4L, 0.0);
        Row nps = byMeasure.get("nps");
        assertThat(List.<Object>of(nps.getAs("psi"), nps.getAs("flag"), nps.getAs("current_missing_share"), nps.getAs("reference_missing_share")))
                .containsExactly(0.0338, "stable", 0.25, 0.0);
        assertThat(nps.getAs("reference").toString() + " " + nps.getAs("reference_date")).isEqualTo("30d 2024-05-31");

        // No reference scores (a first run): no PSI, flagged no_reference.
        Row none = ScoreDrift.drift(ScoreDrift.histogram(now), ScoreDrift.histogram(before.limit(0)), "90d", null, AppConfig.defaults().actions().drift())
                .where("measure = 'health_score'").first();
        assertThat(List.<Object>of(none.getAs("reference_n"), none.getAs("flag"))).containsExactly(0L, "no_reference");
        assertThat((Object) none.getAs("psi")).isNull();

        // A component missing for every account on D (its source broke): no PSI, no division by zero, flagged no_values.
        Row broken = ScoreDrift.drift(ScoreDrift.histogram(scores(new double[] {5, 15}, new Double[] {null, null})),
                ScoreDrift.histogram(before), "30d", null,
                AppConfig.defaults().actions().drift()).where("measure = 'nps'").first();
        assertThat(List.<Object>of(broken.getAs("current_missing_share"), broken.getAs("flag"))).containsExactly(1.0, "no_values");
        assertThat((Object) broken.getAs("psi")).isNull();
    }

    /**
     * The training reference: snapshots with one value column per measure, counted at the 2 decimals scores are published
     * with, in 1-point bins that merge into the drift's bins.
     *
     * <pre>
     * health_score  snapshots: 5.004, 14.996, 15, 25 -> 5.00, 15.00, 15.00, 25.00 -> bins 0, 1, 1, 2: D's own shares, PSI 0, stable
     *               (unrounded, 14.996 would fall in bin 0: shares 1/2, 1/4, 1/4 and PSI 0.3466)
     * nps           snapshots: 50, 50, 59.9, missing -> 1-point bins 50, 50, 59, null; drift bins 5, 5, 5: share 1 in bin 5;
     *               D: 2/3 in 5, 1/3 in 9 -> PSI = (2/3 - 1) ln(2/3) + (1/3 - 0.0001) ln(0.3333 / 0.0001)
     *               = 0.135155 + 0.333233 x 8.111728 = 0.135155 + 2.703099 = 2.838254 -> 2.8383, significant;
     *               reference missing share 1/4
     * </pre>
     */
    @Test
    void psiAgainstTrainingSnapshotsCountedInOnePointBins() {
        StructType schema = new StructType().add("h", DataTypes.DoubleType).add("x", DataTypes.DoubleType);
        Dataset<Row> snapshots = spark.createDataFrame(List.of(RowFactory.create(5.004, 50.0), RowFactory.create(14.996, 50.0),
                RowFactory.create(15.0, 59.9), RowFactory.create(25.0, null)), schema);
        Map<String, org.apache.spark.sql.Column> measures = new java.util.LinkedHashMap<>();
        measures.put("health_score", org.apache.spark.sql.functions.col("h"));
        measures.put("nps", org.apache.spark.sql.functions.col("x"));
        Dataset<Row> training = ScoreDrift.histogram(snapshots, measures);
        assertThat(training.where("measure = 'nps'").orderBy("bin").collectAsList().toString())
                .isEqualTo("[[nps,null,1], [nps,50,2], [nps,59,1]]");

        Dataset<Row> now = scores(new double[] {5, 15, 15, 25}, new Double[] {null, 50.0, 55.0, 100.0});
        Map<String, Row> byMeasure = new TreeMap<>();
        ScoreDrift.drift(ScoreDrift.histogram(now), training, "training", LocalDate.parse("2025-12-31"),
                AppConfig.defaults().actions().drift()).collectAsList().forEach(r -> byMeasure.put(r.getAs("measure"), r));
        Row h = byMeasure.get("health_score");
        assertThat(List.<Object>of(h.getAs("psi"), h.getAs("flag"), h.getAs("reference_n"))).containsExactly(0.0, "stable", 4L);
        Row nps = byMeasure.get("nps");
        assertThat(List.<Object>of(nps.getAs("psi"), nps.getAs("flag"), nps.getAs("reference_missing_share"), nps.getAs("reference")))
                .containsExactly(2.8383, "significant", 0.25, "training");
    }
}
