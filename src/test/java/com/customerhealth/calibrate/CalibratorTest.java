package com.customerhealth.calibrate;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count_distinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.customerhealth.FixtureWarehouse;
import com.customerhealth.TestSpark;
import com.customerhealth.calibrate.CalibrationReport.WeightRow;
import com.customerhealth.config.AppConfig;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Calibration against snapshots with a planted answer (PlantedSnapshots): the fixture model's seven
 * metrics, churn drawn from known weights.
 */
class CalibratorTest {
    private static final SparkSession SPARK = TestSpark.session();
    private static final LocalDate RUN_DATE = LocalDate.of(2025, 9, 30);
    private static final TrainingSet.Dates DATES = PlantedSnapshots.dates(4, 1);
    /** The planted weights, points of 100. Priors (fixture model): 6.25, 18.75, 10, 5, 5, 25, 25. */
    private static final Map<String, Double> TRUTH = ordered("nps", 0.0, "renewal_intent", 40.0, "seat_utilisation", 20.0,
            "sessions_rank", 5.0, "support_burden", 0.0, "payment_punctuality", 25.0, "mrr_growth_yoy", 10.0);

    private static AppConfig config;
    private static CalibrationReport planted;

    private static Map<String, Double> ordered(Object... kv) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (Double) kv[i + 1]);
        }
        return m;
    }

    private static AppConfig config(Map<String, String> extra) {
        Map<String, String> o = new HashMap<>(Map.of("calibration.folds", "3", "calibration.reg-params", "[0.0, 0.01]",
                "calibration.bootstrap-replicates", "30", "calibration.segment-min-churn-events", "1000000"));
        o.putAll(extra);
        return AppConfig.load(FixtureWarehouse.fixtureModelConf(), o);
    }

    private static CalibrationReport calibrate(AppConfig cfg, Dataset<Row> snapshots) {
        return new Calibrator(cfg.calibration(), cfg.tiers(), cfg.model(), cfg.model())
                .calibrate(snapshots, DATES, "test-run", RUN_DATE).report();
    }

    /**
     * 4,500 accounts x 4 training months (about 800 churn events) and 1 holdout month. With that many
     * events one weight's standard error is about 1.5 points, so the tolerances below are 2.5 to 3
     * standard errors: a correct fit passes them, a fit that confused two metrics or lost the sign does
     * not. The draws are fixed by the seed, so the test cannot flicker.
     */
    @BeforeAll
    static void calibratePlanted() {
        config = config(Map.of());
        Dataset<Row> snapshots = new PlantedSnapshots(TRUTH, 1.0, 0.08, 4500, 7).build(SPARK, config, DATES).cache();
        planted = calibrate(config, snapshots);
        snapshots.unpersist();
    }

    private static Map<String, WeightRow> byMetric(CalibrationReport r) {
        return r.weights().stream().collect(Collectors.toMap(WeightRow::metric, w -> w));
    }

    @Test
    void fittedWeightsRecoverThePlantedOnesAndRankTheMetricsAsTheTruthDoes() {
        Map<String, WeightRow> w = byMetric(planted);
        assertThat(planted.status()).isEqualTo("proposed");
        TRUTH.forEach((metric, truth) -> assertThat(w.get(metric).fitted()).as(metric).isCloseTo(truth, within(4.0)));
        // Every pair whose true weights differ by 5 points or more is ranked the same way.
        for (String a : TRUTH.keySet()) {
            for (String b : TRUTH.keySet()) {
                if (TRUTH.get(a) >= TRUTH.get(b) + 5) {
                    assertThat(w.get(a).fitted()).as(a + " above " + b).isGreaterThan(w.get(b).fitted());
                }
            }
        }
        assertThat(w.values().stream().mapToDouble(WeightRow::fitted).sum()).isCloseTo(100.0, within(1e-6));
    }

    /**
     * A 90% interval misses the truth about one time in ten, so with seven metrics we require at least
     * five inside (the chance a correct bootstrap has three or more misses is about 3%, and the draw is
     * fixed by the seed, so the test cannot flicker).
     */
    @Test
    void theTruthLiesInsideTheBootstrapIntervalForMostMetrics() {
        long inside = planted.weights().stream()
                .filter(r -> r.fittedLow() <= TRUTH.get(r.metric()) + 1e-9 && TRUTH.get(r.metric()) <= r.fittedHigh() + 1e-9).count();
        assertThat(inside).isGreaterThanOrEqualTo(5);
        assertThat(planted.fit().replicates()).isEqualTo(30);
        planted.weights().forEach(r -> assertThat(r.fittedLow()).as(r.metric()).isLessThanOrEqualTo(r.fittedHigh()));
    }

    @Test
    void proposedIsTheFitShrunkToThePriorByNOverNPlusK() {
        long n = planted.data().trainingChurnEvents();
        double share = n / (n + 100.0);
        assertThat(planted.fit().dataShare()).isCloseTo(share, within(1e-12));
        for (WeightRow r : planted.weights()) {
            double expected = Math.round((share * r.fitted() + (1 - share) * r.prior()) * 100) / 100.0;
            assertThat(r.proposed()).as(r.metric()).isEqualTo(expected);
            assertThat(r.change()).isCloseTo(r.proposed() - r.current(), within(1e-9));
        }
        assertThat(planted.proposedVersion()).startsWith("fixture@cal-2025-09-30-");
        assertThat(planted.currentVersion()).startsWith("fixture@prior-");
    }

    @Test
    void largeMovesNeedExplicitApprovalAndZeroWeightMetricsAreFlagged() {
        Map<String, WeightRow> w = byMetric(planted);
        // renewal_intent 18.75 -> about 38, mrr_growth_yoy 25 -> about 12: both move more than 10 points.
        assertThat(w.get("renewal_intent").needsApproval()).isTrue();
        assertThat(w.get("mrr_growth_yoy").needsApproval()).isTrue();
        for (String small : List.of("nps", "sessions_rank", "support_burden", "payment_punctuality")) {
            assertThat(w.get(small).needsApproval()).as(small).isFalse();
        }
        assertThat(planted.approveCommand()).contains("--version " + planted.proposedVersion()).contains("--accept-large-changes");
        for (String zero : List.of("nps", "support_burden")) {
            assertThat(w.get(zero).flags()).as(zero).containsAnyOf("no_weight_from_data", "interval_includes_zero");
        }
        assertThat(w.get("renewal_intent").flags()).isEmpty();
        assertThat(planted.caveats()).anyMatch(c -> c.contains("nps"));
    }

    @Test
    void theProposalPredictsTheHoldoutBetterThanThePrior() {
        assertThat(planted.proposed().rocAuc()).isGreaterThan(planted.current().rocAuc());
        assertThat(planted.proposed().brier()).isLessThanOrEqualTo(planted.current().brier());
        assertThat(planted.proposed().meanScoreChurned()).isLessThan(planted.proposed().meanScoreStayed());
        assertThat(planted.proposed().calibration()).hasSizeBetween(9, 10);
        assertThat(planted.proposed().roc().get(0).falsePositiveRate()).isZero();
        CalibrationReport.RocPoint last = planted.proposed().roc().get(planted.proposed().roc().size() - 1);
        assertThat(last.falsePositiveRate()).isEqualTo(1.0);
        assertThat(last.truePositiveRate()).isEqualTo(1.0);
        long tierRows = planted.proposed().tiers().stream().mapToLong(CalibrationReport.TierRow::accounts).sum();
        assertThat(tierRows).isEqualTo(planted.data().holdoutRows());
    }

    @Test
    void tooFewChurnEventsProposesNothingAndSaysWhy() {
        AppConfig cfg = config(Map.of("calibration.min-churn-events", "100000"));
        CalibrationReport r = calibrate(cfg, new PlantedSnapshots(TRUTH, 1.0, 0.08, 400, 7).build(SPARK, cfg, DATES));
        assertThat(r.status()).isEqualTo("no_proposal");
        assertThat(r.statusReason()).contains("below the minimum of 100,000").contains("nothing is proposed");
        assertThat(r.proposedVersion()).isNull();
        assertThat(r.proposed()).isNull();
        assertThat(r.approveCommand()).isNull();
        assertThat(r.weights()).isNotEmpty().allSatisfy(w -> assertThat(w.fitted()).isNull());
        assertThat(r.current()).isNotNull();
    }

    /** Today's weights cannot be judged without stayers to fit the score-to-probability curve on: no proposal either. */
    @Test
    void aTrainingWindowOfNothingButChurnProposesNothingAndSaysWhy() {
        AppConfig cfg = config(Map.of("calibration.bootstrap-replicates", "2", "calibration.folds", "2"));
        Dataset<Row> snapshots = new PlantedSnapshots(TRUTH, 1.0, 0.08, 400, 7).build(SPARK, cfg, DATES);
        Dataset<Row> allChurn = snapshots.withColumn("label", when(col("split").equalTo(TrainingSet.TRAIN), lit(1.0)).otherwise(col("label")))
                .withColumn("churn_ref_date", when(col("label").equalTo(1.0), col("as_of_date")));
        CalibrationReport r = calibrate(cfg, allChurn);
        assertThat(r.status()).isEqualTo("no_proposal");
        assertThat(r.statusReason()).contains("nothing but churn events").contains("nothing is proposed");
        assertThat(r.data().trainingChurnEvents()).isEqualTo(r.data().trainingRows()).isPositive();
        assertThat(r.proposed()).isNull();
        assertThat(r.current()).isNull();
    }

    @Test
    void foldsAndBootstrapWeightsAreConstantWithinAnAccount() {
        Dataset<Row> snapshots = new PlantedSnapshots(TRUTH, 1.0, 0.08, 2000, 7).build(SPARK, config, DATES)
                .withColumn(WeightFit.WEIGHT, lit(1.0));
        assertThat(snapshots.groupBy("account_id").agg(count_distinct(col("fold")).as("n")).agg(max("n")).first().getLong(0))
                .isEqualTo(1L);
        Dataset<Row> replicate = Calibrator.bootstrapSample(snapshots, 42, 3);
        assertThat(replicate.groupBy("account_id").agg(count_distinct(col(WeightFit.WEIGHT)).as("n")).agg(max("n")).first().getLong(0))
                .isEqualTo(1L);
        // Poisson(1) per account: mean 1, and about e^-1 = 36.8% of accounts left out of the replicate.
        Dataset<Row> perAccount = snapshots.select("account_id").distinct()
                .join(replicate.select("account_id", WeightFit.WEIGHT).distinct(), new String[] {"account_id"}, "left");
        Row r = perAccount.agg(avg(when(col(WeightFit.WEIGHT).isNull(), 0.0).otherwise(col(WeightFit.WEIGHT))),
                avg(when(col(WeightFit.WEIGHT).isNull(), 1.0).otherwise(0.0))).first();
        assertThat(r.getDouble(0)).isCloseTo(1.0, within(0.07));
        assertThat(r.getDouble(1)).isCloseTo(Math.exp(-1), within(0.04));
        // Replicates differ from each other.
        assertThat(Calibrator.bootstrapSample(snapshots, 42, 4).select("account_id", WeightFit.WEIGHT).distinct()
                .except(replicate.select("account_id", WeightFit.WEIGHT).distinct()).isEmpty()).isFalse();
    }

    @Test
    void theHoldoutIsNeverFittedOn() {
        AppConfig cfg = config(Map.of("calibration.bootstrap-replicates", "3", "calibration.folds", "2"));
        Dataset<Row> snapshots = new PlantedSnapshots(TRUTH, 1.0, 0.08, 1500, 11).build(SPARK, cfg, DATES);
        Dataset<Row> flipped = snapshots.withColumn("label",
                        when(col("split").equalTo(TrainingSet.HOLDOUT), lit(1.0).minus(col("label"))).otherwise(col("label")))
                .withColumn("churn_ref_date", when(col("label").equalTo(1.0), col("as_of_date")));
        CalibrationReport a = calibrate(cfg, snapshots);
        CalibrationReport b = calibrate(cfg, flipped);
        assertThat(b.weights()).extracting(WeightRow::fitted).isEqualTo(a.weights().stream().map(WeightRow::fitted).toList());
        assertThat(b.weights()).extracting(WeightRow::fittedLow).isEqualTo(a.weights().stream().map(WeightRow::fittedLow).toList());
        assertThat(b.fit().regParam()).isEqualTo(a.fit().regParam());
        assertThat(b.proposed().rocAuc()).isNotEqualTo(a.proposed().rocAuc()); // the holdout is what changed
    }

    @Test
    void aSegmentWithItsOwnChurnDriversIsReportedAsFittingBadly() {
        AppConfig cfg = config(Map.of("calibration.bootstrap-replicates", "2", "calibration.segment-min-churn-events", "50",
                "calibration.reg-params", "[0.0]"));
        Map<String, Double> software = ordered("nps", 0.0, "renewal_intent", 0.0, "seat_utilisation", 0.0,
                "sessions_rank", 50.0, "support_burden", 50.0, "payment_punctuality", 0.0, "mrr_growth_yoy", 0.0);
        Dataset<Row> snapshots = new PlantedSnapshots(TRUTH, software, 1.0, 0.08, 4000, 5).build(SPARK, cfg, DATES).cache();
        CalibrationReport r = calibrate(cfg, snapshots);
        Map<String, CalibrationReport.SegmentFit> seg = r.segments().stream()
                .collect(Collectors.toMap(CalibrationReport.SegmentFit::segment, s -> s));
        assertThat(seg).containsKeys("Retail", "Software", "smb");
        assertThat(seg.get("Software").fitsBadly()).isTrue();
        assertThat(seg.get("Software").ownAuc()).isGreaterThan(seg.get("Software").globalAuc() + 0.05);
        double ownUsage = seg.get("Software").ownDimensions().stream().filter(d -> d.dimension().equals("usage"))
                .findFirst().orElseThrow().proposed();
        assertThat(ownUsage).isGreaterThan(85.0);
        assertThat(seg.get("smb").fitsBadly()).isFalse(); // every account is smb: its own fit is the global fit

        // Software's own version's score-to-probability map (from the one aggregation over all segments) is MLlib's
        // unpenalised fit on Software's training rows scored with Software's own weights, as the global maps are fitted.
        CalibrationReport.SegmentFit sw = seg.get("Software");
        Dataset<Row> swTrain = snapshots.where(col("split").equalTo(TrainingSet.TRAIN).and(col("involuntary_only").equalTo(false))
                .and(col("health_score").isNotNull()).and(col("industry").equalTo("Software")));
        Dataset<Row> scored = HoldoutEvaluation.scored(swTrain, cfg.model().withPoints("own", sw.ownWeights()), cfg.tiers())
                .withColumn(WeightFit.WEIGHT, lit(1.0));
        var mllib = WeightFit.unbounded().fit(WeightFit.assemble(scored, List.of(HoldoutEvaluation.SCORE)));
        assertThat(sw.scoreIntercept()).isCloseTo(mllib.intercept(), within(1e-4));
        assertThat(sw.scoreSlope()).isCloseTo(mllib.coefficients().apply(0), within(1e-4));
        assertThat(sw.scoreSlope()).isNegative(); // a higher own score, less churn
        // The global proposal's map too: fitted on its points, MLlib's fit on the training rows.
        Map<String, Double> proposedPoints = new LinkedHashMap<>();
        r.weights().forEach(w -> proposedPoints.put(w.metric(), w.proposed()));
        var proposedModel = cfg.model().withPoints("proposed", proposedPoints);
        Dataset<Row> train = snapshots.where(col("split").equalTo(TrainingSet.TRAIN).and(col("involuntary_only").equalTo(false))
                .and(col("health_score").isNotNull()));
        var mllibGlobal = WeightFit.unbounded().fit(WeightFit.assemble(HoldoutEvaluation.scored(train, proposedModel, cfg.tiers())
                .withColumn(WeightFit.WEIGHT, lit(1.0)), List.of(HoldoutEvaluation.SCORE)));
        assertThat(r.proposed().scoreIntercept()).isCloseTo(mllibGlobal.intercept(), within(1e-4));
        assertThat(r.proposed().scoreSlope()).isCloseTo(mllibGlobal.coefficients().apply(0), within(1e-4));
        // Software's ROC AUCs (every segment's from one Spark job) are MLlib's on its holdout rows, scored with its own and
        // with the global proposed weights.
        Dataset<Row> swHoldout = snapshots.where(col("split").equalTo(TrainingSet.HOLDOUT).and(col("involuntary_only").equalTo(false))
                .and(col("health_score").isNotNull()).and(col("industry").equalTo("Software")));
        assertThat(sw.ownAuc()).isCloseTo(mllibAuc(HoldoutEvaluation.scored(swHoldout, cfg.model().withPoints("own", sw.ownWeights()),
                cfg.tiers())), within(1e-12));
        assertThat(sw.globalAuc()).isCloseTo(mllibAuc(HoldoutEvaluation.scored(swHoldout, proposedModel, cfg.tiers())), within(1e-12));
        assertThat(r.segments()).allSatisfy(s -> assertThat(s.scoreIntercept()).as(s.segment()).isNotNull());
        // Recorded under the segment version's id, bucket all, as scoring reads it.
        String swVersion = WeightVersions.segmentVersion(r.proposedVersion(), "industry", "Software");
        Map<String, Double> figures = new HashMap<>();
        CalibrationFigures.of(r).stream().filter(f -> swVersion.equals(f.getString(5)) && "all".equals(f.getString(7)))
                .forEach(f -> figures.put(f.getString(4) + " " + f.getString(6), f.getDouble(9)));
        assertThat(figures).containsOnlyKeys("own score_intercept", "own score_slope");
        assertThat(figures.get("own score_intercept")).isCloseTo(sw.scoreIntercept(), within(1e-9));
        assertThat(figures.get("own score_slope")).isCloseTo(sw.scoreSlope(), within(1e-9));
        snapshots.unpersist();
    }
    /**
     * Planted wrong sign: nps has truth -15 (more of it, more churn), the drivers 50 / 30 / 20 share the 100 points,
     * the other three metrics have no effect. 4,000 accounts, 100 replicates. The drivers' truth lies inside their
     * 90% intervals (the dominant one too: no share lost to noise or to the normalisation); nps is named as
     * contradicting its expected direction with its unconstrained estimate (truth +0.08 x 15 / 100 = +0.012 per point)
     * inside its interval, not reported as a certain 0; the no-effect metrics take no share.
     */
    @Test
    void aWrongSignIsNamedAndTheDriversTruthLiesInsideTheirIntervals() {
        Map<String, Double> truth = ordered("nps", -15.0, "renewal_intent", 50.0, "seat_utilisation", 30.0,
                "sessions_rank", 0.0, "support_burden", 0.0, "payment_punctuality", 20.0, "mrr_growth_yoy", 0.0);
        AppConfig cfg = config(Map.of("calibration.bootstrap-replicates", "100"));
        CalibrationReport r = calibrate(cfg, new PlantedSnapshots(truth, 1.0, 0.08, 4000, 3).build(SPARK, cfg, DATES));
        Map<String, WeightRow> w = byMetric(r);
        for (String driver : List.of("renewal_intent", "seat_utilisation", "payment_punctuality")) {
            assertThat(truth.get(driver)).as(driver + " inside [" + w.get(driver).fittedLow() + ", " + w.get(driver).fittedHigh() + "]")
                    .isBetween(w.get(driver).fittedLow(), w.get(driver).fittedHigh());
            assertThat(w.get(driver).evidence().strength()).as(driver).isEqualTo("strong");
        }
        WeightRow nps = w.get("nps");
        assertThat(nps.flags()).containsExactly("contradicts_expected_direction");
        assertThat(nps.evidence().strength()).isEqualTo("contradicts");
        assertThat(nps.fitted()).isZero();
        assertThat(nps.fittedHigh()).as("its share interval is not [0, 0]").isLessThan(0.0);
        assertThat(0.012).isBetween(nps.evidence().coefficientLow(), nps.evidence().coefficientHigh());
        assertThat(nps.evidence().words()).startsWith("Contradicts its expected direction");
        assertThat(r.caveats()).anyMatch(c -> c.startsWith("nps contradicts its expected direction"));
        for (String zero : List.of("sessions_rank", "support_burden", "mrr_growth_yoy")) {
            assertThat(w.get(zero).fitted()).as(zero).isLessThan(3.0);
            assertThat(0.0).as(zero).isBetween(w.get(zero).fittedLow(), w.get(zero).fittedHigh());
        }
        // Shrinkage's floor is shown apart from the evidence: proposed = from data + from prior.
        for (WeightRow row : r.weights()) {
            assertThat(row.fromData() + row.fromPrior()).as(row.metric()).isCloseTo(row.proposed(), within(0.006));
        }
    }

    /** MLlib's ROC AUC of (100 - score) on scored rows, as HoldoutEvaluation judged one set of weights before. */
    private static double mllibAuc(Dataset<Row> scored) {
        var pairs = scored.select(lit(100.0).minus(col(HoldoutEvaluation.SCORE)), col("label")).toJavaRDD()
                .map(row -> new scala.Tuple2<Object, Object>(row.getDouble(0), row.getDouble(1)));
        return new org.apache.spark.mllib.evaluation.BinaryClassificationMetrics(pairs.rdd(), 0).areaUnderROC();
    }
}
