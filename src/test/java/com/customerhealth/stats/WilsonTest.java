package com.customerhealth.stats;

import static com.customerhealth.stats.Wilson.Z95;
import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.customerhealth.TestSpark;
import com.customerhealth.stats.Wilson;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Wilson 95% intervals worked by hand (z = 1.959963984540054, z^2 = 3.841458820694125).
 *
 * <pre>
 * 0 of 10:   p = 0; z^2/n = 0.384146, denominator 1.384146; centre = (z^2/20) / 1.384146 = 0.192073 / 1.384146
 *            = 0.138766; half = z * sqrt(z^2/400) / 1.384146 = (z^2/20) / 1.384146 = 0.138766
 *            -> (0.0000, 0.2775)
 * 5 of 10:   p = 0.5; centre = (0.5 + 0.192073) / 1.384146 = 0.5
 *            half = z * sqrt(0.025 + 0.009604) / 1.384146 = 1.959964 * 0.186021 / 1.384146 = 0.263407
 *            -> (0.2366, 0.7634)
 * 7 of 100:  p = 0.07; z^2/n = 0.0384146, denominator 1.0384146; z^2/(2n) = 0.0192073
 *            centre = (0.07 + 0.0192073) / 1.0384146 = 0.0892073 / 1.0384146 = 0.0859072
 *            p(1-p)/n = 0.0651/100 = 0.000651; z^2/(4n^2) = 3.841459/40000 = 0.0000960
 *            half = 1.959964 * sqrt(0.0007470) / 1.0384146 = 1.959964 * 0.0273320 / 1.0384146 = 0.0515879
 *            -> (0.0859072 - 0.0515879, 0.0859072 + 0.0515879) = (0.0343, 0.1375)
 * 130 of 1000: p = 0.13; denominator 1.0038415; centre = (0.13 + 0.0019207) / 1.0038415 = 0.1314159
 *            half = 1.959964 * sqrt(0.000113100 + 0.0000009604) / 1.0038415 = 1.959964 * 0.0106799 / 1.0038415
 *            = 0.0208521 -> (0.1106, 0.1523)
 * </pre>
 */
class WilsonTest {
    private static final double FOUR_DECIMALS = 0.00005;

    @Test
    void knownIntervals() {
        assertInterval(0, 10, 0.0000, 0.2775);
        assertInterval(5, 10, 0.2366, 0.7634);
        assertInterval(7, 100, 0.0343, 0.1375);
        assertInterval(130, 1000, 0.1106, 0.1523);
        // The bounds stay within [0, 1]; at 0 of n and n of n they are 0 and 1 up to rounding.
        assertThat(Wilson.interval(0, 10)[0]).isBetween(0.0, 1e-15);
        assertThat(Wilson.interval(10, 10)[1]).isBetween(1.0 - 1e-15, 1.0);
        assertThat(Wilson.interval(10, 10)[0]).isCloseTo(1.0 - 0.2775, within(FOUR_DECIMALS));
        assertThat(Z95 * Z95).isCloseTo(3.841458820694125, within(1e-15));
    }

    @Test
    void rejectsNoTrials() {
        assertThatThrownBy(() -> Wilson.interval(0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Wilson.interval(1, -3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Wilson.interval(11, 10)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void columnsEqualThePlainJavaVersionAndAreNullWithoutTrials() {
        StructType schema = new StructType()
                .add("k", DataTypes.LongType)
                .add("n", DataTypes.IntegerType);
        List<Row> rows = List.of(RowFactory.create(0L, 10), RowFactory.create(5L, 10), RowFactory.create(7L, 100),
                RowFactory.create(130L, 1000), RowFactory.create(10L, 10), RowFactory.create(0L, 0),
                RowFactory.create(3L, null));
        Dataset<Row> out = TestSpark.session().createDataFrame(rows, schema)
                .withColumn("lower", Wilson.lower(col("k"), col("n")))
                .withColumn("upper", Wilson.upper(col("k"), col("n")));

        assertThat(out.schema().apply("lower").dataType()).isEqualTo(DataTypes.DoubleType);
        assertThat(out.schema().apply("upper").dataType()).isEqualTo(DataTypes.DoubleType);
        List<Row> collected = out.collectAsList();
        assertThat(collected).hasSize(7);
        for (Row r : collected) {
            Integer n = r.getAs("n");
            if (n == null || n == 0) {
                assertThat((Object) r.getAs("lower")).isNull();
                assertThat((Object) r.getAs("upper")).isNull();
            } else {
                double[] expected = Wilson.interval(r.<Long>getAs("k"), n);
                assertThat((Double) r.getAs("lower")).isCloseTo(expected[0], within(1e-15));
                assertThat((Double) r.getAs("upper")).isCloseTo(expected[1], within(1e-15));
            }
        }
    }

    private static void assertInterval(long k, long n, double lower, double upper) {
        double[] ci = Wilson.interval(k, n);
        assertThat(ci[0]).as("lower of %d/%d", k, n).isCloseTo(lower, within(FOUR_DECIMALS));
        assertThat(ci[1]).as("upper of %d/%d", k, n).isCloseTo(upper, within(FOUR_DECIMALS));
    }
}
