package com.customerhealth.calibrate;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import com.customerhealth.calibrate.CalibrationReport.Money;
import com.customerhealth.calibrate.CalibrationReport.MoneyRow;
import com.customerhealth.calibrate.CalibrationReport.TierMove;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * How much revenue is at risk, today and with the proposal (docs/calibration.md, "From score to money"): the run
 * date's customers scored with today's weights and with the proposed ones (account_health_scores rows, each set with
 * its own churn probability map), paired by account. Pure: Dataset in, a few small aggregations (one row per tier,
 * tier move, industry or size band) out.
 */
public final class MoneyAtStake {
    /** Tiers in report order. */
    static final List<String> TIER_ORDER = List.of("healthy", "needs_attention", "at_risk", "critical", "no_data");

    private MoneyAtStake() {
    }

    /**
     * Today's and the proposal's scores of the same date, one row per account: account_id, industry, size_band, mrr,
     * tier_today, tier_proposed, risk_today, risk_proposed (mrr_at_risk, 0 when null).
     */
    public static Dataset<Row> paired(Dataset<Row> today, Dataset<Row> proposed) {
        Dataset<Row> t = today.select(col("account_id"), col("industry"), col("size_band"), col("mrr").cast("double").as("mrr"),
                col("health_tier").as("tier_today"), coalesce(col("mrr_at_risk").cast("double"), lit(0.0)).as("risk_today"));
        Dataset<Row> p = proposed.select(col("account_id"), col("health_tier").as("tier_proposed"),
                coalesce(col("mrr_at_risk").cast("double"), lit(0.0)).as("risk_proposed"));
        return t.join(p, new String[] {"account_id"}, "inner");
    }

    /** The money figures of {@link #paired} rows (cache them: five aggregations read them). */
    public static Money summarise(Dataset<Row> paired, LocalDate asOf, int horizonDays) {
        List<MoneyRow> tiers = new ArrayList<>();
        List<Row> today = byGroup(paired, col("tier_today"), col("risk_today"));
        List<Row> proposed = byGroup(paired, col("tier_proposed"), col("risk_proposed"));
        for (String tier : TIER_ORDER) {
            Row a = find(today, tier);
            Row b = find(proposed, tier);
            if (a != null || b != null) {
                tiers.add(new MoneyRow(tier, a == null ? 0 : a.getLong(1), a == null ? 0 : a.getDouble(2), a == null ? 0 : a.getDouble(3),
                        b == null ? 0 : b.getLong(1), b == null ? 0 : b.getDouble(2), b == null ? 0 : b.getDouble(3)));
            }
        }
        List<TierMove> moves = new ArrayList<>();
        for (Row r : paired.where(col("tier_today").notEqual(col("tier_proposed"))).groupBy("tier_today", "tier_proposed")
                .agg(count(lit(1)), sum(col("mrr"))).collectAsList()) { // at most 20 rows
            moves.add(new TierMove(r.getString(0), r.getString(1), r.getLong(2), round2(r.getDouble(3))));
        }
        moves.sort(Comparator.comparingInt((TierMove m) -> TIER_ORDER.indexOf(m.from())).thenComparingInt(m -> TIER_ORDER.indexOf(m.to())));
        long atRiskToday = 0;
        long atRiskProposed = 0;
        double atRiskMrrToday = 0;
        double atRiskMrrProposed = 0;
        double expectedToday = 0;
        double expectedProposed = 0;
        for (MoneyRow r : tiers) {
            if (r.group().equals("at_risk") || r.group().equals("critical")) {
                atRiskToday += r.accountsToday();
                atRiskProposed += r.accountsProposed();
                atRiskMrrToday += r.mrrToday();
                atRiskMrrProposed += r.mrrProposed();
            }
            expectedToday += r.mrrAtRiskToday();
            expectedProposed += r.mrrAtRiskProposed();
        }
        return new Money(asOf, horizonDays, atRiskToday, round2(atRiskMrrToday), atRiskProposed, round2(atRiskMrrProposed),
                round2(expectedToday), round2(expectedProposed), moves.stream().mapToLong(TierMove::accounts).sum(),
                round2(moves.stream().mapToDouble(TierMove::mrr).sum()), List.copyOf(tiers), List.copyOf(moves),
                groups(paired, "industry"), groups(paired, "size_band"), null, null, null);
    }

    /** Per value of a column (null: "unknown"), by MRR at risk today, largest first. */
    private static List<MoneyRow> groups(Dataset<Row> paired, String column) {
        Column group = coalesce(col(column), lit("unknown"));
        List<MoneyRow> out = new ArrayList<>();
        for (Row r : paired.groupBy(group.as("g")).agg(count(lit(1)), sum(col("mrr")), sum(col("risk_today")), sum(col("risk_proposed")))
                .collectAsList()) { // one row per industry or size band
            out.add(new MoneyRow(r.getString(0), r.getLong(1), round2(r.getDouble(2)), round2(r.getDouble(3)), r.getLong(1),
                    round2(r.getDouble(2)), round2(r.getDouble(4))));
        }
        out.sort(Comparator.comparingDouble(MoneyRow::mrrAtRiskToday).reversed().thenComparing(MoneyRow::group));
        return List.copyOf(out);
    }

    /** group, accounts, MRR, MRR at risk: one row per tier. */
    private static List<Row> byGroup(Dataset<Row> paired, Column tier, Column risk) {
        return paired.groupBy(tier.as("g")).agg(count(lit(1)), sum(col("mrr")), sum(risk)).collectAsList(); // at most five rows
    }

    private static Row find(List<Row> rows, String group) {
        return rows.stream().filter(r -> group.equals(r.getString(0)))
                .map(r -> RowFactory.create(r.getString(0), r.getLong(1), round2(r.getDouble(2)), round2(r.getDouble(3))))
                .findFirst().orElse(null);
    }

    static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
