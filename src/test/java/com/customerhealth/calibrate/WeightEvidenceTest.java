package com.customerhealth.calibrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Evidence words, the set that shares the 100 points and the intervals mapped through the normalisation, on
 * coefficients small enough to work by hand. Four replicates; level 0.90, so z(0.95) = 1.6449 and, for 3
 * metrics, the strong level z(1 - 0.05 / 3) = 2.1280.
 */
class WeightEvidenceTest {
    /**
     * Metric a: full -0.30, replicates -0.28, -0.32, -0.30, -0.30: sd = sqrt(0.0008 / 3) = 0.016330, z = -18.37: strong.
     * Metric b: full -0.10, replicates -0.05, -0.15, -0.10, -0.10: sd = 0.040825, z = -2.449: strong (below -2.128).
     * Metric c: full +0.05, replicates +0.04, +0.06, +0.05, +0.05: sd = 0.008165, z = +6.12: contradicts.
     */
    @Test
    void aWrongSignContradictsAndTheDriversShareTheHundredPoints() {
        List<double[]> reps = List.of(new double[] {-0.28, -0.05, 0.04}, new double[] {-0.32, -0.15, 0.06},
                new double[] {-0.30, -0.10, 0.05}, new double[] {-0.30, -0.10, 0.05});
        List<WeightEvidence.Finding> f = WeightEvidence.findings(new double[] {-0.30, -0.10, 0.05}, reps, 0.90);
        assertThat(f).extracting(WeightEvidence.Finding::strength).containsExactly("strong", "strong", "contradicts");
        // Shares among a and b: 0.30 / 0.40 = 75, 25; c gets 0, not clipped: its interval is its share if it were added.
        assertThat(f.get(0).share()).isCloseTo(75.0, within(1e-9));
        assertThat(f.get(1).share()).isCloseTo(25.0, within(1e-9));
        assertThat(f.get(2).share()).isZero();
        // a's replicate shares: 28/33 = 84.848, 32/47 = 68.085, 75, 75; their sd 6.8958; interval 75 -/+ 1.6449 x 6.8958.
        assertThat(f.get(0).shareLow()).isCloseTo(63.657, within(1e-3));
        assertThat(f.get(0).shareHigh()).isCloseTo(86.343, within(1e-3));
        // c's share if added: -0.04/0.29, -0.06/0.41, -0.05/0.35 (twice): -13.793, -14.634, -14.286, -14.286, sd 0.3459;
        // its full-data share if added -0.05/0.35 = -14.286, so the interval's upper end -14.286 + 1.6449 x 0.3459 = -13.717 < 0.
        assertThat(f.get(2).shareHigh()).isCloseTo(-13.717, within(1e-3));
        // Coefficient interval: -0.30 +/- 1.6449 x 0.016330.
        assertThat(f.get(0).low()).isCloseTo(-0.30 - 1.644854 * 0.0163299, within(1e-6));
        assertThat(WeightEvidence.words(f.get(2), 3, 0.90)).startsWith("Contradicts its expected direction")
                .contains("10 more points go with +65% churn odds");
    }

    /** b: full -0.05, replicates spread so z = -0.05 / 0.040825 = -1.22: no evidence, so a alone takes the 100 points. */
    @Test
    void aMetricWithoutEvidenceTakesNoShare() {
        List<double[]> reps = List.of(new double[] {-0.28, 0.0}, new double[] {-0.32, -0.10}, new double[] {-0.30, -0.05},
                new double[] {-0.30, -0.05});
        List<WeightEvidence.Finding> f = WeightEvidence.findings(new double[] {-0.30, -0.05}, reps, 0.90);
        assertThat(f).extracting(WeightEvidence.Finding::strength).containsExactly("strong", "none");
        assertThat(f.get(0).share()).isEqualTo(100.0);
        assertThat(f.get(1).share()).isZero();
        assertThat(f.get(1).z()).isCloseTo(-1.2247, within(1e-4));
        assertThat(WeightEvidence.words(f.get(1), 2, 0.90)).startsWith("No evidence either way");
    }

    /**
     * a: full -0.075, replicates -0.025, -0.125, -0.075, -0.075: sd 0.040825, z = -1.837: some evidence (below -1.6449),
     * not strong (above z(1 - 0.05 / 2) = -1.960 for 2 metrics). b: full -0.02, replicates +0.02, -0.06, -0.02, -0.02:
     * sd 0.032660, z = -0.61: none. No metric is strong, so the cross-validated fit's shares are proposed, not a's 100.
     */
    @Test
    void withoutStrongEvidenceTheCrossValidatedFitIsProposed() {
        List<double[]> reps = List.of(new double[] {-0.025, 0.02}, new double[] {-0.125, -0.06}, new double[] {-0.075, -0.02},
                new double[] {-0.075, -0.02});
        List<WeightEvidence.Finding> f = WeightEvidence.findings(new double[] {-0.075, -0.02}, reps, 0.90);
        assertThat(f).extracting(WeightEvidence.Finding::strength).containsExactly("some", "none");
        assertThat(f.get(0).z()).isCloseTo(-1.8371, within(1e-4));
        assertThat(f.get(0).share()).isEqualTo(100.0);
        assertThat(WeightEvidence.anyStrong(f)).isFalse();
        assertThat(WeightEvidence.proposalShares(List.of("a", "b"), f, Map.of("a", 60.0, "b", 40.0)))
                .containsExactly(Map.entry("a", 60.0), Map.entry("b", 40.0));
        // A metric the cross-validated fit leaves out gets 0.
        assertThat(WeightEvidence.proposalShares(List.of("a", "b"), f, Map.of("a", 100.0))).containsEntry("b", 0.0);
    }

    @Test
    void withStrongEvidenceTheEvidenceSharesAreProposed() {
        List<double[]> reps = List.of(new double[] {-0.28, 0.0}, new double[] {-0.32, -0.10}, new double[] {-0.30, -0.05},
                new double[] {-0.30, -0.05});
        List<WeightEvidence.Finding> f = WeightEvidence.findings(new double[] {-0.30, -0.05}, reps, 0.90);
        assertThat(WeightEvidence.proposalShares(List.of("a", "b"), f, Map.of("a", 60.0, "b", 40.0)))
                .containsExactly(Map.entry("a", 100.0), Map.entry("b", 0.0));
    }

    @Test
    void noMetricWithEvidenceMeansNothingToPropose() {
        List<double[]> reps = List.of(new double[] {0.1}, new double[] {-0.1}, new double[] {0.0});
        assertThat(WeightEvidence.findings(new double[] {0.0}, reps, 0.90)).isEmpty();
    }
}
