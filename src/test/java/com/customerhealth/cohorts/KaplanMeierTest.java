package com.customerhealth.cohorts;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.customerhealth.TestSpark;
import com.customerhealth.cohorts.KaplanMeier;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Kaplan-Meier curves worked by hand.
 *
 * <pre>
 * Cohort 2024-01, 6 accounts (time, churned): (1, T) (2, F) (3, T) (3, T) (4, F) (5, T)
 *   k  at_risk  churned  censored  factor        retention
 *   0     6        0        0      1             1
 *   1     6        1        0      1 - 1/6       5/6
 *   2     5        0        1      1             5/6          (censored at 2: at risk at 2, gone at 3)
 *   3     4        2        0      1 - 2/4       5/6 * 2/4 = 5/12
 *   4     2        0        1      1             5/12
 *   5     1        1        0      1 - 1/1 = 0   0
 * Cohort 2024-02, 2 accounts: (0, F) (2, T)
 *   0     2        0        1      1             1            (censored at 0)
 *   1     1        0        0      1             1            (nothing happens at 1, the row is still there)
 *   2     1        1        0      0             0
 * </pre>
 */
class KaplanMeierTest {
    private static final StructType SUBJECTS = new StructType()
            .add("cohort", DataTypes.StringType)
            .add("time_months", DataTypes.IntegerType)
            .add("churned", DataTypes.BooleanType);

    @Test
    void curvesWorkedByHand() {
        List<Row> curve = curve(
                RowFactory.create("2024-01", 1, true), RowFactory.create("2024-01", 2, false),
                RowFactory.create("2024-01", 3, true), RowFactory.create("2024-01", 3, true),
                RowFactory.create("2024-01", 4, false), RowFactory.create("2024-01", 5, true),
                RowFactory.create("2024-02", 0, false), RowFactory.create("2024-02", 2, true));

        assertThat(curve).hasSize(9);
        assertRow(curve.get(0), "2024-01", 0, 6, 0, 0, 1.0);
        assertRow(curve.get(1), "2024-01", 1, 6, 1, 0, 5.0 / 6);
        assertRow(curve.get(2), "2024-01", 2, 5, 0, 1, 5.0 / 6);
        assertRow(curve.get(3), "2024-01", 3, 4, 2, 0, 5.0 / 12);
        assertRow(curve.get(4), "2024-01", 4, 2, 0, 1, 5.0 / 12);
        assertRow(curve.get(5), "2024-01", 5, 1, 1, 0, 0.0);
        assertRow(curve.get(6), "2024-02", 0, 2, 0, 1, 1.0);
        assertRow(curve.get(7), "2024-02", 1, 1, 0, 0, 1.0);
        assertRow(curve.get(8), "2024-02", 2, 1, 1, 0, 0.0);
    }

    @Test
    void outputColumnsAndTypes() {
        Dataset<Row> out = KaplanMeier.curve(subjects(List.of(RowFactory.create("2024-01", 1, true))), List.of("cohort"));
        assertThat(out.schema().fieldNames())
                .containsExactly("cohort", "months_since_onboarding", "at_risk", "churned", "censored", "retention");
        assertThat(out.schema().apply("months_since_onboarding").dataType()).isEqualTo(DataTypes.IntegerType);
        assertThat(out.schema().apply("at_risk").dataType()).isEqualTo(DataTypes.LongType);
        assertThat(out.schema().apply("churned").dataType()).isEqualTo(DataTypes.LongType);
        assertThat(out.schema().apply("censored").dataType()).isEqualTo(DataTypes.LongType);
        assertThat(out.schema().apply("retention").dataType()).isEqualTo(DataTypes.DoubleType);
    }

    /**
     * A null cohort (a cube roll-up's "all cohorts" row) is a group of its own, not merged with
     * another group or dropped. Null: (1, T) (1, F) -> k=0: 2 at risk, 1; k=1: 2 at risk, 1 churned,
     * 1 censored, 1/2. "2024-01": (0, T) -> k=0: 1 at risk, 1 churned, 0.
     */
    @Test
    void aNullGroupValueIsItsOwnGroup() {
        List<Row> curve = curve(RowFactory.create(null, 1, true), RowFactory.create(null, 1, false),
                RowFactory.create("2024-01", 0, true));

        assertThat(curve).hasSize(3);
        assertRow(curve.get(0), null, 0, 2, 0, 0, 1.0);
        assertRow(curve.get(1), null, 1, 2, 1, 1, 0.5);
        assertRow(curve.get(2), "2024-01", 0, 1, 1, 0, 0.0);
    }

    /**
     * Retention reaches exactly 0 (not null from log(0), not a tiny positive number) when every
     * subject still at risk churns. Group "A": (1, T) (3, T) (3, T) -> k=0: 3 at risk, 1; k=1: 3 at
     * risk, 1 churned, 2/3; k=2: 2 at risk, 2/3; k=3: 2 at risk, 2 churned, 2/3 * 0 = 0. Nobody is
     * left after the last churns, so k=3 = max(time_months) is the group's last row and the curve
     * ends at 0. Group "B" for contrast: (3, T) (3, F) -> a subject censored in the same month is
     * still at risk then: k=3: 2 at risk, 1 churned, 1 censored, 1/2, not 0.
     */
    @Test
    void retentionReachesZeroAndStaysThereWhenEveryRemainingSubjectChurns() {
        List<Row> curve = curve(RowFactory.create("A", 1, true), RowFactory.create("A", 3, true),
                RowFactory.create("A", 3, true), RowFactory.create("B", 3, true), RowFactory.create("B", 3, false));

        assertThat(curve).hasSize(8);
        assertRow(curve.get(0), "A", 0, 3, 0, 0, 1.0);
        assertRow(curve.get(1), "A", 1, 3, 1, 0, 2.0 / 3);
        assertRow(curve.get(2), "A", 2, 2, 0, 0, 2.0 / 3);
        assertRow(curve.get(3), "A", 3, 2, 2, 0, 0.0);
        assertThat((Double) curve.get(3).getAs("retention")).isEqualTo(0.0);
        assertRow(curve.get(4), "B", 0, 2, 0, 0, 1.0);
        assertRow(curve.get(5), "B", 1, 2, 0, 0, 1.0);
        assertRow(curve.get(6), "B", 2, 2, 0, 0, 1.0);
        assertRow(curve.get(7), "B", 3, 2, 1, 1, 0.5);
    }

    private static List<Row> curve(Row... rows) {
        return KaplanMeier.curve(subjects(List.of(rows)), List.of("cohort"))
                .orderBy(col("cohort").asc_nulls_first(),
                        col("months_since_onboarding"))
                .collectAsList();
    }

    private static Dataset<Row> subjects(List<Row> rows) {
        return TestSpark.session().createDataFrame(new ArrayList<>(rows), SUBJECTS);
    }

    private static void assertRow(Row r, String cohort, int k, long atRisk, long churned, long censored, double retention) {
        String at = cohort + " k=" + k;
        assertThat((String) r.getAs("cohort")).as(at).isEqualTo(cohort);
        assertThat((Integer) r.getAs("months_since_onboarding")).as(at).isEqualTo(k);
        assertThat((Long) r.getAs("at_risk")).as(at).isEqualTo(atRisk);
        assertThat((Long) r.getAs("churned")).as(at).isEqualTo(churned);
        assertThat((Long) r.getAs("censored")).as(at).isEqualTo(censored);
        assertThat((Double) r.getAs("retention")).as(at).isCloseTo(retention, within(1e-12));
    }
}
