package com.customerhealth.calibrate;

import static com.customerhealth.FixtureWarehouse.points;
import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import com.customerhealth.Cli;
import com.customerhealth.FixtureWarehouse;
import com.customerhealth.TestSpark;
import com.customerhealth.calibrate.CalibrationReport.WeightRow;
import com.customerhealth.config.AppConfig;
import com.customerhealth.io.DeltaTables;
import com.customerhealth.io.OutputTables;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Proposing and approving weights versions, and scoring with the approved one. */
class ApproveTest {
    private final SparkSession spark = TestSpark.session();
    private AppConfig fixture;
    private WeightVersions versions;
    private String out;
    private String err;

    @BeforeEach
    void writeFixture() {
        fixture = FixtureWarehouse.standard().writeAndConfigure(spark, Map.of());
        versions = new WeightVersions(spark, new DeltaTables(spark, fixture.output()));
    }

    private int cli(String... args) {
        Cli run = Cli.run(args);
        out = run.out();
        err = run.err();
        return run.code();
    }

    private String[] command(String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("--conf", FixtureWarehouse.fixtureModelConf().toString(),
                "--set", "input.root=" + fixture.raw().getString("input.root"),
                "--set", "output.path=" + fixture.output().path(), "--set", "output.database="));
        return a.toArray(String[]::new);
    }

    /** A proposal of the fixture model with the given weights (points), as a calibrate run would record it. */
    private CalibrationReport proposal(String version, LocalDate runDate, Map<String, Double> points) {
        return proposal(version, runDate, points, List.of());
    }

    /** The same with the segments' own fits calibrate recorded beside it. */
    private CalibrationReport proposal(String version, LocalDate runDate, Map<String, Double> points,
                                       List<CalibrationReport.SegmentFit> segments) {
        Map<String, Double> prior = fixture.model().points();
        List<WeightRow> rows = new ArrayList<>();
        fixture.model().metrics().forEach(m -> {
            double p = points.get(m.name());
            double change = p - prior.get(m.name());
            rows.add(new WeightRow(m.dimension(), m.name(), prior.get(m.name()), prior.get(m.name()), p, p - 1, p + 1, p, p - 1, p + 1,
                    change, Math.abs(change) > 10, List.of()));
        });
        var window = new CalibrationReport.DataWindow(LocalDate.of(2022, 7, 31), LocalDate.of(2023, 12, 31),
                LocalDate.of(2024, 1, 31), LocalDate.of(2024, 3, 31), 90, false, 1000, 100, 80, 300, 100, 20, 0, 0);
        var fit = new CalibrationReport.Fit(0.01, 5, List.of(), 100, 0.9, 100, 80 / 180.0, 50, 10);
        return new CalibrationReport("calibrate-" + runDate, runDate, "fixture", "proposed", null, fixture.model().version(),
                version, window, fit, rows, List.of(), null, null, segments, List.of(), List.of(), List.of(), null, List.of(), null);
    }

    private List<Row> scores() {
        return spark.read().format("delta").load(fixture.output().path() + "/account_health_scores").orderBy("account_id").collectAsList();
    }

    @Test
    void approvingAVersionSwitchesScoringToItsWeightsAndTheScoresNameIt() {
        assertThat(cli(command("score", "--run-date", "2024-06-30"))).as(err).isZero();
        assertThat(scores()).hasSize(3) // allSatisfy alone would pass on no rows
                .allSatisfy(r -> assertThat(r.<String>getAs("weights_version")).startsWith("fixture@prior-"));

        // Only renewal_intent (60) and payment_punctuality (40) carry weight: a score is their weighted
        // mean, or the one with data when the other is missing (A3 has no CSM assessment).
        assertThat(versions.propose(proposal("fixture@cal-v1", LocalDate.of(2024, 6, 30), points(60, 40)), fixture.model(), now())).isTrue();
        assertThat(cli(command("approve", "--version", "fixture@cal-v1", "--by", "Ana CFO"))).as(err).isEqualTo(2);
        assertThat(err).contains("renewal_intent").contains("--accept-large-changes");

        assertThat(cli(command("approve", "--version", "fixture@cal-v1", "--by", "Ana CFO", "--accept-large-changes"))).as(err).isZero();
        assertThat(out).contains("fixture@cal-v1 is approved");
        assertThat(cli(command("score", "--run-date", "2024-06-30"))).as(err).isZero();
        for (Row r : scores()) {
            assertThat(r.<String>getAs("weights_version")).isEqualTo("fixture@cal-v1");
            Map<String, Double> c = scala.jdk.javaapi.CollectionConverters.asJava(r.<scala.collection.Map<String, Double>>getAs("component_scores"));
            Double renewal = c.get("renewal_intent");
            Double payment = c.get("payment_punctuality");
            Double expected = renewal == null ? payment : payment == null ? renewal : (60 * renewal + 40 * payment) / 100;
            // Neither weighted metric has data: the score is null (tier no_data), whatever the zero-weight metrics say.
            assertThat(r.<Double>getAs("health_score")).as(r.<String>getAs("account_id"))
                    .isEqualTo(expected == null ? null : Math.round(expected * 100) / 100.0);
        }
    }

    /**
     * The fixture's accounts are all software; A1 (250 employees) is mid_market, A2 smb, A3 enterprise. mid_market's own
     * weights put all 100 points on payment_punctuality: once approved, A1's score is its payment component and names
     * the segment version, and its churn probability comes from the map calibrate recorded for that version in
     * calibration_runs (intercept 0.5, slope -0.03: P = 1 / (1 + exp(-(0.5 - 0.03 x score)))); A2 and A3 keep the global
     * prior, for which no calibrate run has recorded a map: their probability stays null.
     */
    @Test
    void aSegmentWithTooFewEventsIsRefusedAndAnApprovedSegmentScorecardScoresItsAccounts() {
        CalibrationReport report = proposal("fixture@cal-v1", LocalDate.of(2024, 6, 30), points(60, 40), List.of(
                new CalibrationReport.SegmentFit("size_band", "mid_market", 30, 200, 8, 0.6, 0.7, true, List.of(), points(0, 100), 0.5,
                        -0.03)));
        versions.propose(report, fixture.model(), now());
        new DeltaTables(spark, fixture.output()).replacePartition(OutputTables.CALIBRATION_RUNS,
                spark.createDataFrame(CalibrationFigures.of(report), OutputTables.CALIBRATION_RUNS.schema()), "2024-06-30");
        assertThat(cli(command("approve", "--version", "fixture@cal-v1", "--segment", "size_band=mid_market", "--by", "Ana",
                "--accept-large-changes"))).isEqualTo(2);
        assertThat(err).contains("size_band mid_market had only 30 training churn events")
                .contains("calibration.segment-min-churn-events = 50").contains("cannot get its own version");

        assertThat(cli(command("approve", "--version", "fixture@cal-v1", "--segment", "size_band=mid_market", "--by", "Ana",
                "--accept-large-changes", "--set", "calibration.segment-min-churn-events=30"))).as(err).isZero();
        assertThat(out).contains("fixture@cal-v1/size_band=mid_market is approved for fixture size_band=mid_market (by Ana)");
        assertThat(cli(command("score", "--run-date", "2024-06-30"))).as(err).isZero();
        List<Row> rows = scores();
        assertThat(rows).extracting(r -> r.<String>getAs("account_id")).containsExactly("A1", "A2", "A3");
        Row a1 = rows.get(0);
        assertThat(a1.<String>getAs("weights_version")).isEqualTo("fixture@cal-v1/size_band=mid_market");
        Map<String, Double> c = scala.jdk.javaapi.CollectionConverters.asJava(a1.<scala.collection.Map<String, Double>>getAs("component_scores"));
        assertThat(c.get("payment_punctuality")).isNotNull();
        assertThat(a1.<Double>getAs("health_score")).isEqualTo(c.get("payment_punctuality"));
        double p = 1 / (1 + Math.exp(-(0.5 - 0.03 * a1.<Double>getAs("health_score"))));
        assertThat(a1.<Double>getAs("churn_probability_90d")).isCloseTo(p, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(a1.<java.math.BigDecimal>getAs("mrr_at_risk").doubleValue())
                .isEqualTo(Math.round(p * a1.<java.math.BigDecimal>getAs("mrr").doubleValue() * 100) / 100.0);
        assertThat(rows.subList(1, 3)).allSatisfy(r -> {
            assertThat(r.<String>getAs("weights_version")).startsWith("fixture@prior-");
            assertThat(r.<Double>getAs("churn_probability_90d")).isNull();
        });
        assertThat(out).contains("scored with fixture@cal-v1/size_band=mid_market").contains("1 accounts");
    }

    @Test
    void approvingANewerVersionRetiresTheOldOneAndKeepsTheHistory() {
        versions.propose(proposal("fixture@cal-v1", LocalDate.of(2024, 5, 31), points(40, 60)), fixture.model(), now());
        versions.propose(proposal("fixture@cal-v2", LocalDate.of(2024, 6, 30), points(70, 30)), fixture.model(), now());
        assertThat(cli(command("approve", "--version", "fixture@cal-v1", "--by", "Ana", "--accept-large-changes"))).as(err).isZero();
        assertThat(cli(command("approve", "--version", "fixture@cal-v2", "--by", "Ben", "--accept-large-changes"))).as(err).isZero();
        assertThat(out).contains("fixture@cal-v1 is retired");

        Map<String, Row> byVersion = new LinkedHashMap<>();
        spark.read().format("delta").load(fixture.output().path() + "/health_weights").where(col("metric").equalTo("renewal_intent"))
                .collectAsList().forEach(r -> byVersion.put(r.getAs("version"), r));
        assertThat(byVersion.get("fixture@cal-v1").<String>getAs("status")).isEqualTo("retired");
        assertThat(byVersion.get("fixture@cal-v1").<Timestamp>getAs("retired_at")).isNotNull();
        assertThat(byVersion.get("fixture@cal-v1").<String>getAs("approved_by")).isEqualTo("Ana");
        assertThat(byVersion.get("fixture@cal-v2").<String>getAs("status")).isEqualTo("approved");
        assertThat(byVersion.get("fixture@cal-v2").<String>getAs("approved_by")).isEqualTo("Ben");
        assertThat(spark.read().format("delta").load(fixture.output().path() + "/health_weights").count()).isEqualTo(14L);
        assertThat(versions.scoringModel(fixture.model()).version()).isEqualTo("fixture@cal-v2");
        assertThat(versions.scoringModel(fixture.model()).points().get("renewal_intent")).isEqualTo(70.0);
    }

    @Test
    void largeChangesAreMeasuredAgainstTheWeightsInUseAtApprovalNotAtProposal() {
        // Both were proposed against the prior (renewal_intent 18.75): each moves it by more than 10 points.
        versions.propose(proposal("fixture@cal-v1", LocalDate.of(2024, 5, 31), points(40, 60)), fixture.model(), now());
        versions.propose(proposal("fixture@cal-v2", LocalDate.of(2024, 6, 30), points(45, 55)), fixture.model(), now());
        assertThat(cli(command("approve", "--version", "fixture@cal-v1", "--by", "Ana"))).isEqualTo(2);
        assertThat(cli(command("approve", "--version", "fixture@cal-v1", "--by", "Ana", "--accept-large-changes"))).as(err).isZero();
        // Against v1, in use now, v2 moves two weights by 5 points: no flag needed.
        assertThat(cli(command("approve", "--version", "fixture@cal-v2", "--by", "Ana"))).as(err).isZero();
        assertThat(cli(command("approve", "--version", "fixture@cal-v2", "--by", "Ben"))).as(err).isZero();
        assertThat(out).contains("already the approved version").contains("approved by Ana");
    }

    @Test
    void anApprovedVersionIsRefusedOnceTheModelItWasFittedForChangesInConf() {
        versions.propose(proposal("fixture@cal-v1", LocalDate.of(2024, 6, 30), points(60, 40)), fixture.model(), now());
        assertThat(cli(command("approve", "--version", "fixture@cal-v1", "--by", "Ana", "--accept-large-changes"))).as(err).isZero();
        assertThat(cli(command("score", "--run-date", "2024-06-30",
                "--set", "models.fixture.dimensions.usage.metrics.seat_utilisation.window-days=60"))).isEqualTo(2);
        assertThat(err).contains("fixture@cal-v1").contains("was fitted for another definition of model-preset fixture");
    }

    @Test
    void withdrawingRemovesTheDatesUnapprovedProposalOnly() {
        versions.propose(proposal("fixture@cal-v1", LocalDate.of(2024, 5, 31), points(60, 40)), fixture.model(), now());
        versions.propose(proposal("fixture@cal-v2", LocalDate.of(2024, 6, 30), points(50, 50)), fixture.model(), now());
        assertThat(cli(command("approve", "--version", "fixture@cal-v1", "--by", "Ana", "--accept-large-changes"))).as(err).isZero();
        versions.withdraw("fixture", LocalDate.of(2024, 6, 30));
        versions.withdraw("fixture", LocalDate.of(2024, 5, 31));
        assertThat(versions.status("fixture@cal-v2")).isEmpty();
        assertThat(versions.status("fixture@cal-v1")).contains("approved");
    }

    @Test
    void reProposingForTheSameRunDateReplacesTheUnapprovedProposalAndNeverTouchesAnApprovedOne() {
        LocalDate d = LocalDate.of(2024, 6, 30);
        versions.propose(proposal("fixture@cal-a", d, points(20, 30)), fixture.model(), now());
        versions.propose(proposal("fixture@cal-b", d, points(25, 25)), fixture.model(), now());
        assertThat(versions.status("fixture@cal-a")).isEmpty();
        assertThat(versions.status("fixture@cal-b")).contains("proposed");
        assertThat(cli(command("approve", "--version", "fixture@cal-b", "--by", "Ana", "--accept-large-changes"))).as(err).isZero();
        assertThat(versions.propose(proposal("fixture@cal-b", d, points(25, 25)), fixture.model(), now())).isFalse();
        assertThat(versions.status("fixture@cal-b")).contains("approved");
        assertThat(spark.read().format("delta").load(fixture.output().path() + "/health_weights").count()).isEqualTo(7L);
    }

    @Test
    void approvingAnUnknownVersionExitsTwoListingTheProposedOnes() {
        versions.propose(proposal("fixture@cal-v1", LocalDate.of(2024, 6, 30), points(20, 30)), fixture.model(), now());
        assertThat(cli(command("approve", "--version", "fixture@nope", "--by", "Ana"))).isEqualTo(2);
        assertThat(err).contains("fixture@nope does not exist").contains("Proposed versions: fixture@cal-v1");
    }

    private static Timestamp now() {
        return Timestamp.valueOf("2026-11-26 09:00:00");
    }
}
