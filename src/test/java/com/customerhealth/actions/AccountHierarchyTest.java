package com.customerhealth.actions;

import static org.assertj.core.api.Assertions.assertThat;

import com.customerhealth.TestSpark;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * A three-level group rolled up by hand, and the links that do not hold.
 *
 * <pre>
 * G (80, 1000)                    P1 group: P1, C1, C2   (60x500 + 90x200 + 20x100) / 800 = 50000 / 800 = 62.5
 * +-- P1 (60, 500)                P2 group: P2, C3       C3 not scored: 40x300 / 300 = 40.0
 * |   +-- C1 (90, 200)            G group: all six       (80000 + 30000 + 12000 + 18000 + 2000) / 2100 = 67.619.. -> 67.62
 * |   +-- C2 (20, 100)
 * +-- P2 (40, 300)
 *     +-- C3 (not a customer)
 * X -> NOPE (unknown parent); Y1 -> Y2 -> Y1 (a cycle); Y3 -> Y1 holds, but no account of Y1's group is scored: no row.
 * </pre>
 */
class AccountHierarchyTest {
    private final SparkSession spark = TestSpark.session();

    private Dataset<Row> accounts() {
        StructType schema = new StructType().add("account_id", DataTypes.StringType).add("account_name", DataTypes.StringType)
                .add("csm_owner", DataTypes.StringType).add("parent_account_id", DataTypes.StringType);
        String[][] links = {{"G", null}, {"P1", "G"}, {"P2", "G"}, {"C1", "P1"}, {"C2", "P1"}, {"C3", "P2"}, {"X", "NOPE"},
                {"Y1", "Y2"}, {"Y2", "Y1"}, {"Y3", "Y1"}};
        List<Row> rows = new ArrayList<>();
        for (String[] l : links) {
            rows.add(RowFactory.create(l[0], "Account " + l[0], "csm_" + l[0], l[1]));
        }
        return spark.createDataFrame(rows, schema);
    }

    private Dataset<Row> scores() {
        StructType schema = new StructType().add("account_id", DataTypes.StringType).add("account_name", DataTypes.StringType)
                .add("mrr", DataTypes.createDecimalType(18, 2)).add("health_score", DataTypes.DoubleType).add("health_tier", DataTypes.StringType);
        Object[][] s = {{"G", 1000, 80.0, "healthy"}, {"P1", 500, 60.0, "needs_attention"}, {"P2", 300, 40.0, "at_risk"},
                {"C1", 200, 90.0, "healthy"}, {"C2", 100, 20.0, "critical"}};
        List<Row> rows = new ArrayList<>();
        for (Object[] r : s) {
            rows.add(RowFactory.create(r[0], "Account " + r[0], new BigDecimal((Integer) r[1]).setScale(2), r[2], r[3]));
        }
        return spark.createDataFrame(rows, schema);
    }

    @Test
    void threeLevelGroupRolledUpByHandAndBadLinksQuarantined() {
        Dataset<Row> links = AccountHierarchy.checkedLinks(accounts());
        Map<String, String> rules = new TreeMap<>();
        AccountHierarchy.rejected(links).collectAsList().forEach(r -> rules.put(new String(r.<String>getAs("row_json")), r.getAs("rule")));
        assertThat(rules).containsExactlyEntriesOf(new TreeMap<>(Map.of(
                "{\"account_id\":\"X\",\"parent_account_id\":\"NOPE\"}", "unknown_parent",
                "{\"account_id\":\"Y1\",\"parent_account_id\":\"Y2\"}", "parent_cycle",
                "{\"account_id\":\"Y2\",\"parent_account_id\":\"Y1\"}", "parent_cycle")));

        Map<String, Row> byParent = new TreeMap<>();
        AccountHierarchy.rollup(links, accounts(), scores()).collectAsList().forEach(r -> byParent.put(r.getAs("parent_account_id"), r));
        assertThat(byParent).containsOnlyKeys("G", "P1", "P2");

        Row g = byParent.get("G");
        assertThat(List.<Object>of(g.getAs("accounts_below"), g.getAs("scored_below"), g.getAs("group_health_score"),
                g.getAs("parent_health_score"), g.getAs("worst_account_id"), g.getAs("worst_health_score"), g.getAs("parent_csm_owner")))
                .containsExactly(5L, 4L, 67.62, 80.0, "C2", 20.0, "csm_G");
        assertThat(g.<BigDecimal>getAs("group_mrr")).isEqualByComparingTo("2100");
        assertThat(g.getJavaMap(g.fieldIndex("tiers_below"))).isEqualTo(Map.of("healthy", 1L, "needs_attention", 1L, "at_risk", 1L,
                "critical", 1L));

        Row p1 = byParent.get("P1");
        assertThat(List.<Object>of(p1.getAs("accounts_below"), p1.getAs("scored_below"), p1.getAs("group_health_score"),
                p1.getAs("worst_account_id"), p1.getAs("worst_health_tier")))
                .containsExactly(2L, 2L, 62.5, "C2", "critical");
        assertThat(p1.getJavaMap(p1.fieldIndex("tiers_below"))).isEqualTo(Map.of("healthy", 1L, "critical", 1L));

        Row p2 = byParent.get("P2");
        assertThat(List.<Object>of(p2.getAs("accounts_below"), p2.getAs("scored_below"), p2.getAs("group_health_score")))
                .containsExactly(1L, 0L, 40.0);
        assertThat((Object) p2.getAs("worst_account_id")).isNull();
        assertThat((Object) p2.getAs("tiers_below")).isNull();
    }
}
