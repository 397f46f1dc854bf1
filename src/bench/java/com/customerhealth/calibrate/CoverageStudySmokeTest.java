package com.customerhealth.calibrate;

import static org.assertj.core.api.Assertions.assertThat;

import com.customerhealth.TestSpark;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The coverage study's machinery on a tiny run (3 seeds of 400 accounts, 6 replicates): every metric gets a row, the
 * rates are fractions of the seeds, the table is written. The rates themselves need the full study
 * (jobs/coverage-study.sh): three seeds cannot say whether 90% intervals cover 90% of the time.
 */
class CoverageStudySmokeTest {
    @Test
    void measuresEveryMetricOverTheSeeds() {
        CoverageStudy.SizeResult r = CoverageStudy.run(TestSpark.session(), 400, 3, 6, 11);
        assertThat(r.metrics()).extracting(CoverageStudy.MetricResult::metric).containsExactlyInAnyOrderElementsOf(CoverageStudy.TRUTH.keySet());
        assertThat(r.meanChurnEvents()).isGreaterThan(20);
        for (CoverageStudy.MetricResult m : r.metrics()) {
            assertThat(m.seeds()).isEqualTo(3);
            for (double rate : List.of(m.coverage(), m.mattersRate(), m.strongRate(), m.coverageBefore())) {
                assertThat(rate * 3).as(m.metric()).isIn(0.0, 1.0, 2.0, 3.0);
            }
        }
        // The dominant metric matters in every seed even at this size, and its share is the largest on average.
        CoverageStudy.MetricResult dominant = r.metrics().stream().filter(m -> m.metric().equals("renewal_intent")).findFirst().orElseThrow();
        assertThat(dominant.mattersRate()).isEqualTo(1.0);
        assertThat(r.metrics()).allSatisfy(m -> assertThat(m.meanFitted()).isLessThanOrEqualTo(dominant.meanFitted()));
        assertThat(CoverageStudy.markdown(List.of(r), "test")).contains("| 400 | 3 |").contains("| renewal_intent | 58.3 |");
    }
}
