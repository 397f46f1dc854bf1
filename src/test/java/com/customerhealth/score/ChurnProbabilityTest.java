package com.customerhealth.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.customerhealth.TestSpark;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * churn_probability_90d and mrr_at_risk from a map with intercept -2 and slope -0.02, by hand:
 * score 50: logit -3, P = 1 / (1 + e^3) = 0.0474259, x 1000.00 = 47.43; score 0: logit -2, P = 0.1192029,
 * x 250.00 = 29.80; a null score: both null.
 */
class ChurnProbabilityTest {
    private static final SparkSession SPARK = TestSpark.session();

    private static Dataset<Row> scores() {
        return SPARK.createDataFrame(List.of(RowFactory.create("A1", 50.0, new BigDecimal("1000.00")),
                        RowFactory.create("A2", 0.0, new BigDecimal("250.00")), RowFactory.create("A3", null, new BigDecimal("80.00"))),
                StructType.fromDDL("account_id STRING, health_score DOUBLE, mrr DECIMAL(18,2)"));
    }

    @Test
    void probabilityFromTheScoreAndMrrAtRiskToTheCent() {
        ChurnProbability map = new ChurnProbability("v1", -2.0, -0.02, LocalDate.of(2026, 9, 30));
        List<Row> rows = ChurnProbability.withMoney(scores(), Optional.of(map)).orderBy("account_id").collectAsList();
        assertThat(rows.get(0).getDouble(3)).isCloseTo(0.0474259, within(1e-7));
        assertThat(rows.get(0).getDecimal(4)).isEqualByComparingTo("47.43");
        assertThat(rows.get(1).getDouble(3)).isCloseTo(0.1192029, within(1e-7));
        assertThat(rows.get(1).getDecimal(4)).isEqualByComparingTo("29.80");
        assertThat(rows.get(2).isNullAt(3)).isTrue();
        assertThat(rows.get(2).isNullAt(4)).isTrue();
    }

    @Test
    void withoutAMapBothAreNull() {
        List<Row> rows = ChurnProbability.withMoney(scores(), Optional.empty()).collectAsList();
        assertThat(rows).allSatisfy(r -> assertThat(r.isNullAt(3) && r.isNullAt(4)).isTrue());
        assertThat(ChurnProbability.withMoney(scores(), Optional.empty()).schema().apply("mrr_at_risk").dataType().sql())
                .isEqualTo("DECIMAL(18,2)");
    }
}
