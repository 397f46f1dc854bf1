package com.customerhealth.cohorts;

import static org.assertj.core.api.Assertions.assertThat;

import com.customerhealth.FixtureWarehouse;
import com.customerhealth.TestSpark;
import com.customerhealth.cohorts.MrrMovements;
import com.customerhealth.config.AppConfig;
import com.customerhealth.validate.ValidatedWarehouse;
import com.customerhealth.validate.WarehouseLoader;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MRR movements on a hand-worked fixture, January to June 2024 (run date 2024-06-30).
 *
 * <pre>
 * N1  100 from 2024-01-15 (mid-month start, still running on Jan 31)   Jan new 100
 * E1  100 Jan-Feb, 150 from Mar                                         Jan new 100, Mar expansion 50
 * C1  200 Jan-Mar, 120 from Apr                                         Jan new 200, Apr contraction 80
 * X1  300 until 2024-04-10 (mid-month end), involuntary event 04-11     Jan new 300, Apr churn 300 (involuntary)
 * R1  50 until 2024-02-15, 60 again from Apr                            Jan new 50, Feb churn 50 (no event: voluntary), Apr reactivation 60
 * Z1  80 / 5 seats until Apr, then 0 MRR / 0 seats                      Jan new 80, May churn 80
 * Z2  80 / 5 seats until Apr, then 40 MRR / 0 seats (platform fee)      Jan new 80, May contraction 40, seat reduction
 *
 * month  begin  new  expansion  reactivation  contraction  churn  end
 * Jan       0   910      0           0             0          0   910
 * Feb     910     0      0           0             0         50   860
 * Mar     860     0     50           0             0          0   910
 * Apr     910     0      0          60            80        300   590
 * May     590     0      0           0            40         80   470
 * Jun     470     0      0           0             0          0   470
 * </pre>
 */
class MrrMovementsTest {
    private static final LocalDate RUN = LocalDate.of(2024, 6, 30);
    private static SparkSession spark;
    private static Dataset<Row> movements;

    @BeforeAll
    static void compute() {
        spark = TestSpark.session();
        FixtureWarehouse f = FixtureWarehouse.mrrHistory();
        AppConfig cfg = f.writeAndConfigure(spark, Map.of());
        ValidatedWarehouse w = WarehouseLoader.load(spark, cfg, RUN, "mrr", List.of("accounts", "subscription_periods", "churn_events"));
        movements = MrrMovements.movements(w.table("subscription_periods"), w.optionalTable("churn_events").orElse(null),
                MrrMovements.monthEnds(LocalDate.of(2024, 1, 1), RUN), "voluntary").cache();
    }

    private static Row row(String account, String monthEnd) {
        return movements.where("account_id = '" + account + "' AND month_end = DATE'" + monthEnd + "'").first();
    }

    private static BigDecimal money(Row r, String column) {
        return r.getAs(column);
    }

    @Test
    void monthEndsStopAtTheLastCompleteMonth() {
        assertThat(MrrMovements.monthEnds(LocalDate.of(2024, 1, 20), LocalDate.of(2024, 4, 29)))
                .containsExactly(LocalDate.of(2024, 1, 31), LocalDate.of(2024, 2, 29), LocalDate.of(2024, 3, 31));
        assertThat(MrrMovements.lastMonthEnd(LocalDate.of(2024, 4, 30))).isEqualTo(LocalDate.of(2024, 4, 30));
    }

    @Test
    void eachAccountMovesAsWorkedByHand() {
        assertThat((String) row("N1", "2024-01-31").getAs("movement")).isEqualTo("new");
        assertThat(money(row("E1", "2024-03-31"), "expansion_mrr")).isEqualByComparingTo("50");
        assertThat(money(row("C1", "2024-04-30"), "contraction_mrr")).isEqualByComparingTo("80");
        Row x1 = row("X1", "2024-04-30");
        assertThat((String) x1.getAs("movement")).isEqualTo("churn");
        assertThat(money(x1, "churned_mrr")).isEqualByComparingTo("300");
        assertThat((String) x1.getAs("churn_type")).isEqualTo("involuntary");
        Row r1Feb = row("R1", "2024-02-29");
        assertThat((String) r1Feb.getAs("movement")).isEqualTo("churn");
        assertThat((String) r1Feb.getAs("churn_type")).isEqualTo("voluntary");
        assertThat((String) row("R1", "2024-03-31").getAs("movement")).isEqualTo("none");
        Row r1Apr = row("R1", "2024-04-30");
        assertThat((String) r1Apr.getAs("movement")).isEqualTo("reactivation");
        assertThat(money(r1Apr, "reactivation_mrr")).isEqualByComparingTo("60");
        assertThat(money(r1Apr, "new_mrr")).isEqualByComparingTo("0");
        assertThat((String) row("Z1", "2024-05-31").getAs("movement")).isEqualTo("churn");
        Row z2 = row("Z2", "2024-05-31");
        assertThat((String) z2.getAs("movement")).isEqualTo("contraction");
        assertThat((Boolean) z2.getAs("seat_reduction")).isTrue();
        assertThat((Long) z2.getAs("seats_end")).isZero();
        assertThat((Object) row("Z2", "2024-05-31").getAs("churn_type")).isNull();
    }

    @Test
    void monthTotalsMatchTheHandWorkedTable() {
        Map<String, String> got = new TreeMap<>();
        for (Row r : movements.groupBy("month_end").agg(
                        org.apache.spark.sql.functions.expr("sum(mrr_begin)"), org.apache.spark.sql.functions.expr("sum(new_mrr)"),
                        org.apache.spark.sql.functions.expr("sum(expansion_mrr)"), org.apache.spark.sql.functions.expr("sum(reactivation_mrr)"),
                        org.apache.spark.sql.functions.expr("sum(contraction_mrr)"), org.apache.spark.sql.functions.expr("sum(churned_mrr)"),
                        org.apache.spark.sql.functions.expr("sum(mrr_end)"))
                .collectAsList()) {
            StringBuilder sb = new StringBuilder();
            for (int i = 1; i <= 7; i++) {
                sb.append(((BigDecimal) r.get(i)).stripTrailingZeros().toPlainString()).append(i < 7 ? " " : "");
            }
            got.put(r.getDate(0).toString(), sb.toString());
        }
        assertThat(got).containsExactly(
                Map.entry("2024-01-31", "0 910 0 0 0 0 910"),
                Map.entry("2024-02-29", "910 0 0 0 0 50 860"),
                Map.entry("2024-03-31", "860 0 50 0 0 0 910"),
                Map.entry("2024-04-30", "910 0 0 60 80 300 590"),
                Map.entry("2024-05-31", "590 0 0 0 40 80 470"),
                Map.entry("2024-06-30", "470 0 0 0 0 0 470"));
    }

    @Test
    void theMrrIdentityHoldsForEveryAccountAndMonth() {
        assertThat(movements.where("mrr_begin + new_mrr + expansion_mrr + reactivation_mrr - contraction_mrr - churned_mrr <> mrr_end")
                .count()).isZero();
        assertThat(movements.count()).isEqualTo(7 * 6);
    }
}
