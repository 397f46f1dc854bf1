package com.customerhealth.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.customerhealth.TestSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** How calibrate lays out its snapshots for the fits (the fits themselves: com.customerhealth.calibrate). */
class CalibrateJobMaterialiseTest {
    private final SparkSession spark = TestSpark.session();

    /** 20,000 rows in one partition. */
    private Dataset<Row> snapshots() {
        return spark.range(20_000).selectExpr("id", "id * 0.5 AS score").coalesce(1);
    }

    @Test
    void smallRunsGetOnePartitionPerCore() {
        Dataset<Row> laidOut = CalibrateJob.materialise(snapshots(), 2_000, 22);
        assertThat(laidOut.rdd().getNumPartitions()).isEqualTo(2); // the test session's local[2]
        assertThat(laidOut.count()).isEqualTo(20_000);
    }

    @Test
    void largeRunsGetPartitionsBoundedBySize() {
        // 1M accounts x 3 dates: at most 3M snapshots, 750,000 a partition. One per core (2) was about 900 MB a
        // partition at 1M accounts and 22 dates, and ran the driver out of memory.
        Dataset<Row> laidOut = CalibrateJob.materialise(snapshots(), 1_000_000, 3);
        assertThat(laidOut.rdd().getNumPartitions()).isEqualTo(4);
        assertThat(laidOut.count()).isEqualTo(20_000);
        assertThat(laidOut.selectExpr("sum(id)").first().getLong(0)).isEqualTo(19_999L * 20_000 / 2);
        // Five by size, rounded up to a multiple of the two cores.
        assertThat(CalibrateJob.materialise(snapshots(), 1_000_001, 3).rdd().getNumPartitions()).isEqualTo(6);
    }

    /** 100,000 accounts x 22 dates: three partitions by size, four so that each pass over them is two full waves on two cores. */
    @Test
    void partitionsComeInWholeWavesOfTheCores() {
        assertThat(CalibrateJob.materialise(snapshots(), 100_000, 22).rdd().getNumPartitions()).isEqualTo(4);
    }
}
