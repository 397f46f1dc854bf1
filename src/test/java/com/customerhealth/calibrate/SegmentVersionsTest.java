package com.customerhealth.calibrate;

import static com.customerhealth.FixtureWarehouse.points;
import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.customerhealth.FixtureWarehouse;
import com.customerhealth.JobFailure;
import com.customerhealth.TestSpark;
import com.customerhealth.calibrate.CalibrationReport.SegmentFit;
import com.customerhealth.calibrate.CalibrationReport.WeightRow;
import com.customerhealth.config.AppConfig;
import com.customerhealth.config.HealthModel;
import com.customerhealth.io.DeltaTables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

/**
 * A segment's own weights version (issue 19, item 3): recorded beside the global proposal, approved with
 * {@code approve --segment}, and refused for a segment with too few churn events. No warehouse is read: the
 * proposals are written as a calibrate run records them. The fixture model's prior (points of 100): nps 6.25,
 * renewal_intent 18.75, seat_utilisation 12.5, sessions_rank 6.25, support_burden 6.25, payment_punctuality 25,
 * mrr_growth_yoy 25; calibration.max-weight-change 10, segment-min-churn-events 50.
 */
class SegmentVersionsTest {
    private static final double MAX_CHANGE = 10;
    private static final long MIN_EVENTS = 50;
    private final SparkSession spark = TestSpark.session();
    private AppConfig fixture;
    private HealthModel prior;
    private WeightVersions versions;
    private Path root;

    @BeforeEach
    void configure() throws IOException {
        root = Files.createTempDirectory("segment-versions-");
        fixture = AppConfig.load(FixtureWarehouse.fixtureModelConf(), Map.of("input.root", root.resolve("warehouse").toString(),
                "output.path", root.resolve("out").toString(), "output.database", ""));
        prior = fixture.model();
        versions = new WeightVersions(spark, new DeltaTables(spark, fixture.output()));
    }


    private static SegmentFit segment(String grouping, String name, long events, Map<String, Double> own) {
        return new SegmentFit(grouping, name, events, 400, 12, 0.66, 0.71, false, List.of(), own);
    }

    /** A calibrate run's report proposing {@code global} for the fixture model, with the given segments' own fits. */
    private CalibrationReport proposal(String version, LocalDate runDate, Map<String, Double> global, List<SegmentFit> segments) {
        Map<String, Double> p = prior.points();
        List<WeightRow> rows = new ArrayList<>();
        prior.metrics().forEach(m -> {
            double w = global.get(m.name());
            double change = w - p.get(m.name());
            rows.add(new WeightRow(m.dimension(), m.name(), p.get(m.name()), p.get(m.name()), w, w - 1, w + 1, w, w - 1, w + 1,
                    change, Math.abs(change) > MAX_CHANGE, List.of()));
        });
        var window = new CalibrationReport.DataWindow(LocalDate.of(2022, 7, 31), LocalDate.of(2023, 12, 31),
                LocalDate.of(2024, 1, 31), LocalDate.of(2024, 3, 31), 90, false, 1000, 100, 80, 300, 100, 20, 0, 0);
        var fit = new CalibrationReport.Fit(0.01, 5, List.of(), 100, 0.9, 100, 80 / 180.0, 50, 10);
        return new CalibrationReport("calibrate-" + runDate, runDate, "fixture", "proposed", null, prior.version(), version, window, fit,
                rows, List.of(), null, null, segments, List.of(), List.of(), List.of(), null, List.of(), null);
    }

    private Map<String, Row> rowsOf(String metric) {
        Map<String, Row> byVersion = new LinkedHashMap<>();
        spark.read().format("delta").load(fixture.output().path() + "/health_weights").where(col("metric").equalTo(metric))
                .collectAsList().forEach(r -> byVersion.put(r.getAs("version"), r));
        return byVersion;
    }

    private static Timestamp at(String time) {
        return Timestamp.valueOf("2026-11-26 " + time);
    }

    @Test
    void aSegmentsOwnWeightsAreProposedBesideTheGlobalVersionApprovedAloneAndNeverScoredAsTheGlobalOne() {
        versions.propose(proposal("fixture@cal-v1", LocalDate.of(2024, 5, 31), points(60, 40),
                List.of(segment("industry", "retail", 80, points(25, 75)), segment("size_band", "smb", 55, points(50, 50)))),
                prior, at("09:00:00"), MAX_CHANGE);

        Map<String, Row> payment = rowsOf("payment_punctuality");
        assertThat(payment.keySet()).containsExactlyInAnyOrder("fixture@cal-v1", "fixture@cal-v1/industry=retail",
                "fixture@cal-v1/size_band=smb");
        Row retail = payment.get("fixture@cal-v1/industry=retail");
        assertThat(retail.<String>getAs("segment_grouping")).isEqualTo("industry");
        assertThat(retail.<String>getAs("segment")).isEqualTo("retail");
        assertThat(retail.<String>getAs("status")).isEqualTo("proposed");
        assertThat(retail.<Double>getAs("weight")).isEqualTo(75.0);
        assertThat(retail.<Double>getAs("current_weight")).isEqualTo(25.0);
        assertThat(retail.<Double>getAs("change")).isEqualTo(50.0); // 75 - 25
        assertThat(retail.<Boolean>getAs("needs_explicit_approval")).isTrue();
        assertThat(retail.<Long>getAs("training_churn_events")).isEqualTo(80L);
        assertThat(retail.<Double>getAs("data_share")).isEqualTo(1.0);
        assertThat(payment.get("fixture@cal-v1").<String>getAs("segment_grouping")).isNull();

        // Against the weights retail is scored with now (the prior): payment +50, seat_utilisation -12.5 and
        // mrr_growth_yoy -25 move more than 10 points; renewal_intent +6.25 and the 6.25-point metrics do not.
        assertThatThrownBy(() -> versions.approveSegment("fixture@cal-v1", "industry=retail", "Ana", false, prior, MAX_CHANGE,
                MIN_EVENTS, at("10:00:00")))
                .isInstanceOf(JobFailure.class)
                .hasMessageContaining("payment_punctuality (+50.0 points)").hasMessageContaining("seat_utilisation (-12.5 points)")
                .hasMessageContaining("mrr_growth_yoy (-25.0 points)").hasMessageNotContaining("renewal_intent (");
        WeightVersions.Approval a = versions.approveSegment("fixture@cal-v1", "industry=retail", "Ana", true, prior, MAX_CHANGE,
                MIN_EVENTS, at("10:00:00"));
        assertThat(a.version()).isEqualTo("fixture@cal-v1/industry=retail");
        assertThat(a.retired()).isNull();
        assertThat(versions.status("fixture@cal-v1/industry=retail")).contains("approved");
        assertThat(versions.status("fixture@cal-v1/size_band=smb")).contains("proposed");
        assertThat(versions.status("fixture@cal-v1")).contains("proposed");
        // An approved segment version is never the global scoring model.
        assertThat(versions.scoringModel(prior).version()).isEqualTo(prior.version());

        // Approving the global version retires no segment's version.
        assertThat(versions.approve("fixture@cal-v1", "Ben", true, prior, MAX_CHANGE, at("11:00:00")).retired()).isNull();
        assertThat(versions.status("fixture@cal-v1/industry=retail")).contains("approved");
        assertThat(versions.scoringModel(prior).version()).isEqualTo("fixture@cal-v1");

        // A later run's retail weights (30 / 70) are measured against retail's approved 25 / 75: +5 and -5, no flag
        // needed; approving them retires retail's earlier version and nothing else.
        versions.propose(proposal("fixture@cal-v2", LocalDate.of(2024, 6, 30), points(60, 40),
                List.of(segment("industry", "retail", 90, points(30, 70)))), prior, at("12:00:00"), MAX_CHANGE);
        WeightVersions.Approval b = versions.approveSegment("fixture@cal-v2", "industry=retail", "Ana", false, prior, MAX_CHANGE,
                MIN_EVENTS, at("13:00:00"));
        assertThat(b.retired()).isEqualTo("fixture@cal-v1/industry=retail");
        Map<String, Row> renewal = rowsOf("renewal_intent");
        assertThat(renewal.get("fixture@cal-v1/industry=retail").<String>getAs("status")).isEqualTo("retired");
        assertThat(renewal.get("fixture@cal-v1/industry=retail").<Timestamp>getAs("retired_at")).isEqualTo(at("13:00:00"));
        assertThat(renewal.get("fixture@cal-v2/industry=retail").<String>getAs("status")).isEqualTo("approved");
        assertThat(renewal.get("fixture@cal-v2/industry=retail").<String>getAs("approved_by")).isEqualTo("Ana");
        assertThat(renewal.get("fixture@cal-v1").<String>getAs("status")).isEqualTo("approved");
        assertThat(renewal.get("fixture@cal-v1/size_band=smb").<String>getAs("status")).isEqualTo("proposed");
        assertThat(versions.scoringModel(prior).version()).isEqualTo("fixture@cal-v1");
        // Scoring's scorecards: retail's approved v2 weights (30 / 70); smb's version is only proposed.
        var cards = versions.scorecards(prior);
        assertThat(cards).hasSize(1);
        assertThat(cards.get(0).grouping()).isEqualTo("industry");
        assertThat(cards.get(0).segment()).isEqualTo("retail");
        assertThat(cards.get(0).model().version()).isEqualTo("fixture@cal-v2/industry=retail");
        assertThat(cards.get(0).model().points().get("renewal_intent")).isCloseTo(30.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(cards.get(0).model().points().get("payment_punctuality")).isCloseTo(70.0, org.assertj.core.data.Offset.offset(1e-9));
        // Re-approving is a no-op that names who approved it.
        assertThat(versions.approveSegment("fixture@cal-v2", "industry=retail", "Cy", false, prior, MAX_CHANGE, MIN_EVENTS,
                at("14:00:00")).alreadyApprovedBy()).isEqualTo("Ana");
    }

    @Test
    void aSegmentWithTooFewChurnEventsIsRefusedItsOwnVersion() {
        // Calibrated with segment-min-churn-events lowered to 20: retail's 30 events got a fit; conf's 50 now refuses it.
        versions.propose(proposal("fixture@cal-v1", LocalDate.of(2024, 6, 30), points(60, 40),
                List.of(segment("industry", "retail", 30, points(20, 80)), segment("size_band", "smb", 50, points(40, 60)))),
                prior, at("09:00:00"), MAX_CHANGE);
        assertThatThrownBy(() -> versions.approveSegment("fixture@cal-v1", "industry=retail", "Ana", true, prior, MAX_CHANGE, MIN_EVENTS,
                at("10:00:00")))
                .isInstanceOf(JobFailure.class)
                .hasMessage("industry retail had only 30 training churn events in fixture@cal-v1's calibration, fewer than "
                        + "calibration.segment-min-churn-events = 50: too few to trust weights of its own, so it cannot get its own "
                        + "version; its accounts keep the global version.");
        assertThat(versions.status("fixture@cal-v1/industry=retail")).contains("proposed");

        // A segment calibration did not fit (too few events then) has no version to approve.
        assertThatThrownBy(() -> versions.approveSegment("fixture@cal-v1", "industry=media", "Ana", true, prior, MAX_CHANGE, MIN_EVENTS,
                at("10:00:00")))
                .isInstanceOf(JobFailure.class)
                .hasMessageStartingWith("industry media cannot get weights of its own from fixture@cal-v1: calibration fits a segment "
                        + "only when it has at least calibration.segment-min-churn-events training churn events (50 in conf now)")
                .hasMessageEndingWith("Segments with their own weights in fixture@cal-v1: industry=retail, size_band=smb.");

        // Exactly segment-min-churn-events (50) is enough.
        assertThat(versions.approveSegment("fixture@cal-v1", "size_band=smb", "Ana", true, prior, MAX_CHANGE, MIN_EVENTS,
                at("10:00:00")).version()).isEqualTo("fixture@cal-v1/size_band=smb");

        assertThatThrownBy(() -> versions.approveSegment("fixture@cal-v1", "region=emea", "Ana", true, prior, MAX_CHANGE, MIN_EVENTS,
                at("10:00:00"))).isInstanceOf(JobFailure.class).hasMessageContaining("use industry=<industry> or size_band=<size band>");
        assertThatThrownBy(() -> versions.approve("fixture@cal-v1/size_band=smb", "Ana", true, prior, MAX_CHANGE, at("10:00:00")))
                .isInstanceOf(JobFailure.class)
                .hasMessage("Version fixture@cal-v1/size_band=smb is a segment's own weights: approve it with --version fixture@cal-v1 "
                        + "--segment size_band=smb.");
    }
}
