package com.customerhealth.cohorts;

import static com.customerhealth.stats.Ratios.ratio;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.grouping_id;
import static org.apache.spark.sql.functions.last_day;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.months_between;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import com.customerhealth.config.AppConfig;
import com.customerhealth.config.CohortSettings;
import com.customerhealth.contract.WarehouseContract;
import com.customerhealth.score.Segments;
import com.customerhealth.stats.Wilson;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The cohorts job's tables as pure Dataset transformations over the MRR movement grid
 * ({@link MrrMovements}). docs/metrics.md defines every column exactly as computed here.
 */
public final class CohortMetrics {
    private static final String[] SEGMENTS = {"industry", "size_band", "onboarding_cohort"};
    private static final String ALL = "industry x size_band x cohort";

    private CohortMetrics() {
    }

    /** account_id, industry, size_band, onboarding_cohort, onboarded_at. */
    public static Dataset<Row> segments(Dataset<Row> accounts, AppConfig config) {
        return accounts.select(col("account_id"), col("industry"),
                Segments.sizeBand(col("employee_count"), config.sizeBands()).as("size_band"),
                MrrMovements.cohortLabel(col("onboarded_at"), config.cohorts().cohortGrain()).as("onboarding_cohort"),
                col("onboarded_at"));
    }

    /**
     * Paid periods (MRR above zero) that came due per account and month (their end_date's month) and how
     * many were renewed: another paid period of the account starts at most {@code graceDays} days after
     * the day following the end. A period counts only once its renewal window has closed by
     * {@code asOfMonth}, and only periods starting by then can renew it, so the numbers of a month
     * partition do not depend on which day of the following month the job ran.
     */
    public static Dataset<Row> renewals(Dataset<Row> periods, int graceDays, LocalDate asOfMonth) {
        Column asOf = lit(Date.valueOf(asOfMonth));
        Dataset<Row> paid = periods.where(col("mrr").gt(0));
        // Ends and starts in one ordered stream per account; for each end, the first start after it.
        Dataset<Row> ends = paid.where(col("end_date").isNotNull().and(date_add(col("end_date"), 1 + graceDays).leq(asOf)))
                .select(col("account_id"), col("end_date").as("_day"), lit(1).as("_kind"));
        Dataset<Row> starts = paid.where(col("start_date").leq(asOf)).select(col("account_id"), col("start_date").as("_day"), lit(0).as("_kind"));
        var after = Window.partitionBy("account_id").orderBy(col("_day"), col("_kind"))
                .rowsBetween(1, Window.unboundedFollowing());
        return ends.unionByName(starts)
                .withColumn("_next_start", min(when(col("_kind").equalTo(0), col("_day"))).over(after))
                .where(col("_kind").equalTo(1))
                .withColumn("_renewed", col("_next_start").isNotNull()
                        .and(col("_next_start").leq(date_add(col("_day"), 1 + graceDays))))
                .groupBy(col("account_id"), last_day(col("_day")).as("month_end"))
                .agg(count(lit(1)).as("periods_due"), count_if(col("_renewed")).as("periods_renewed"));
    }

    /**
     * The mrr_movements table: the movement grid with segments, the 12-month base and renewals. Accounts
     * whose accounts row was quarantined have no segments and are left out, as they are of the scores.
     */
    public static Dataset<Row> movementsTable(Dataset<Row> movements, Dataset<Row> segments, Dataset<Row> renewals) {
        Column zero = lit(0).cast(WarehouseContract.MONEY);
        return movements
                .withColumn("mrr_12m_before", coalesce(org.apache.spark.sql.functions.lag("mrr_end", 12)
                        .over(Window.partitionBy("account_id").orderBy("month_end")), zero))
                .join(segments.drop("onboarded_at"), new String[] {"account_id"}, "inner")
                .join(renewals, new String[] {"account_id", "month_end"}, "left")
                .withColumn("periods_due", coalesce(col("periods_due"), lit(0L)))
                .withColumn("periods_renewed", coalesce(col("periods_renewed"), lit(0L)));
    }

    /** Rows aggregated by the extra columns and each roll-up of the segments, with a grouping label. */
    private static Dataset<Row> rollUp(Dataset<Row> rows, List<Column> extra, List<Column> aggs) {
        List<scala.collection.immutable.Seq<Column>> sets = new ArrayList<>();
        for (String[] set : new String[][] {SEGMENTS, {"industry"}, {"size_band"}, {"onboarding_cohort"}, {}}) {
            List<Column> s = new ArrayList<>(extra);
            for (String c : set) {
                s.add(col(c));
            }
            sets.add(CollectionConverters.asScala(s).toList());
        }
        List<Column> groupBy = new ArrayList<>(extra);
        for (String c : SEGMENTS) {
            groupBy.add(col(c));
        }
        List<Column> all = new ArrayList<>(aggs);
        all.add(grouping_id().as("_gid")); // extra columns are in every set: their bits are 0
        return rows.groupingSets(CollectionConverters.asScala(sets).toList(), groupBy.toArray(Column[]::new))
                .agg(all.get(0), all.subList(1, all.size()).toArray(Column[]::new))
                .withColumn("grouping", when(col("_gid").equalTo(0), lit(ALL)).when(col("_gid").equalTo(3), lit("industry"))
                        .when(col("_gid").equalTo(5), lit("size_band")).when(col("_gid").equalTo(6), lit("cohort"))
                        .otherwise(lit("overall")))
                .drop("_gid");
    }

    /** Gross revenue retention: what is kept of the starting MRR, (start - churned - contracted) / start. */
    private static Column grr(Column start, Column lost) {
        return ratio(start.minus(lost), start);
    }

    /** Net revenue retention: (start - churned - contracted + expansion) / start. */
    private static Column nrr(Column start, Column lost, Column expansion) {
        return ratio(start.minus(lost).plus(expansion), start);
    }

    /** revenue_metrics_monthly: per month and roll-up. */
    public static Dataset<Row> revenueMetrics(Dataset<Row> movementsTable, CohortSettings cfg) {
        Column zero = lit(0).cast(WarehouseContract.MONEY);
        Column base12 = col("mrr_12m_before");
        Column end = col("mrr_end");
        Dataset<Row> rows = movementsTable
                .withColumn("_ttm_churn", when(base12.gt(0).and(end.equalTo(0)), base12).otherwise(zero))
                .withColumn("_ttm_contraction", when(base12.gt(0).and(end.gt(0)).and(end.lt(base12)), base12.minus(end)).otherwise(zero))
                .withColumn("_ttm_end", when(base12.gt(0), end).otherwise(zero));
        List<Column> aggs = List.of(
                count_if(col("mrr_begin").gt(0)).as("customers_begin"),
                count_if(col("mrr_end").gt(0)).as("customers_end"),
                count_if(col("movement").equalTo("new")).as("new_customers"),
                count_if(col("movement").equalTo("reactivation")).as("reactivated_customers"),
                count_if(col("movement").equalTo("churn")).as("churned_customers"),
                count_if(col("churn_type").equalTo("voluntary")).as("churned_voluntary"),
                count_if(col("churn_type").equalTo("involuntary")).as("churned_involuntary"),
                sum("mrr_begin").as("mrr_begin"), sum("new_mrr").as("new_mrr"), sum("expansion_mrr").as("expansion_mrr"),
                sum("reactivation_mrr").as("reactivation_mrr"), sum("contraction_mrr").as("contraction_mrr"),
                sum("churned_mrr").as("churned_mrr"), sum("mrr_end").as("mrr_end"),
                sum(base12).as("_ttm_base"), sum("_ttm_churn").as("_ttm_churn"), sum("_ttm_contraction").as("_ttm_contraction"),
                sum("_ttm_end").as("_ttm_end"),
                count_if(col("seat_reduction")).as("accounts_with_seat_reduction"),
                count_if(col("movement").equalTo("contraction")).as("accounts_with_contraction"),
                sum("periods_due").as("periods_due"), sum("periods_renewed").as("periods_renewed"));
        Dataset<Row> m = rollUp(rows, List.of(col("month_end")), aggs);
        Column begin = col("mrr_begin");
        Column lost = col("churned_mrr").plus(col("contraction_mrr"));
        var clvWindow = Window.partitionBy("grouping", "industry", "size_band", "onboarding_cohort").orderBy("month_end")
                .rowsBetween(-(cfg.clvChurnWindowMonths() - 1), 0);
        Column pooledChurn = ratio(sum("churned_customers").over(clvWindow), sum("customers_begin").over(clvWindow));
        return m
                .withColumn("logo_churn_rate", ratio(col("churned_customers"), col("customers_begin")))
                .withColumn("logo_retention_rate", lit(1.0).minus(col("logo_churn_rate")))
                .withColumn("revenue_churn_rate", ratio(lost, begin))
                .withColumn("grr", grr(begin, lost))
                .withColumn("nrr", nrr(begin, lost, col("expansion_mrr")))
                .withColumn("grr_ttm", grr(col("_ttm_base"), col("_ttm_churn").plus(col("_ttm_contraction"))))
                .withColumn("nrr_ttm", ratio(col("_ttm_end"), col("_ttm_base")))
                .withColumn("arpa", ratio(col("mrr_end"), col("customers_end")))
                .withColumn("renewal_rate", ratio(col("periods_renewed"), col("periods_due")))
                .withColumn("clv", when(pooledChurn.gt(0), col("arpa").multiply(cfg.grossMargin()).divide(pooledChurn)));
    }

    /** cohort_churn: the trailing period (periodStart, periodEnd] per roll-up. */
    public static Dataset<Row> cohortChurn(Dataset<Row> movementsTable, Dataset<Row> segments, LocalDate periodStart,
                                           LocalDate periodEnd, CohortSettings cfg) {
        Column zero = lit(0).cast(WarehouseContract.MONEY);
        Column inPeriod = col("month_end").gt(lit(Date.valueOf(periodStart))).and(col("month_end").leq(lit(Date.valueOf(periodEnd))));
        Dataset<Row> perAccount = movementsTable.groupBy("account_id").agg(
                max(when(col("month_end").equalTo(lit(Date.valueOf(periodStart))), col("mrr_end"))).as("_start"),
                max(when(col("month_end").equalTo(lit(Date.valueOf(periodEnd))), col("mrr_end"))).as("_end"),
                max_by(col("churn_type"), when(inPeriod.and(col("movement").equalTo("churn")), col("month_end"))).as("_churn_type"),
                max(inPeriod.and(col("seat_reduction"))).as("_seat_reduction"),
                max(inPeriod.and(col("movement").equalTo("contraction"))).as("_contraction"));
        Column start = coalesce(col("_start"), zero);
        Column endMrr = coalesce(col("_end"), zero);
        Column isStart = start.gt(0);
        Column churned = isStart.and(endMrr.equalTo(0));
        Dataset<Row> rows = segments.where(col("onboarded_at").leq(lit(Date.valueOf(periodEnd))))
                .join(perAccount, new String[] {"account_id"}, "left")
                .withColumn("_is_start", isStart)
                .withColumn("_churned", churned)
                .withColumn("_type", when(churned, coalesce(col("_churn_type"), lit(cfg.lapseChurnType()))))
                .withColumn("_start_mrr", when(isStart, start).otherwise(zero))
                .withColumn("_churned_mrr", when(churned, start).otherwise(zero))
                .withColumn("_contraction_mrr", when(isStart.and(endMrr.gt(0)).and(endMrr.lt(start)), start.minus(endMrr)).otherwise(zero))
                .withColumn("_expansion_mrr", when(isStart.and(endMrr.gt(start)), endMrr.minus(start)).otherwise(zero));
        Dataset<Row> g = rollUp(rows, List.of(), List.of(
                count(lit(1)).as("accounts_onboarded"),
                count_if(col("_is_start")).as("customers_start"),
                count_if(col("_churned")).as("churned"),
                count_if(col("_type").equalTo("voluntary")).as("churned_voluntary"),
                count_if(col("_type").equalTo("involuntary")).as("churned_involuntary"),
                sum("_start_mrr").as("mrr_start"), sum("_churned_mrr").as("churned_mrr"),
                sum("_contraction_mrr").as("contraction_mrr"), sum("_expansion_mrr").as("expansion_mrr"),
                count_if(col("_is_start").and(coalesce(col("_seat_reduction"), lit(false)))).as("accounts_with_seat_reduction"),
                count_if(col("_is_start").and(coalesce(col("_contraction"), lit(false)))).as("accounts_with_contraction")));
        Column mrrStart = col("mrr_start");
        Column lost = col("churned_mrr").plus(col("contraction_mrr"));
        return g
                .withColumn("period_start", lit(Date.valueOf(periodStart)))
                .withColumn("logo_churn_rate", ratio(col("churned"), col("customers_start")))
                .withColumn("logo_churn_ci_low", Wilson.lower(col("churned"), col("customers_start")))
                .withColumn("logo_churn_ci_high", Wilson.upper(col("churned"), col("customers_start")))
                .withColumn("retention_rate", lit(1.0).minus(col("logo_churn_rate")))
                .withColumn("revenue_churn_rate", ratio(lost, mrrStart))
                .withColumn("grr", grr(mrrStart, lost))
                .withColumn("nrr", nrr(mrrStart, lost, col("expansion_mrr")))
                .withColumn("small_cohort", col("customers_start").lt(cfg.minCohortSize()));
    }

    /**
     * cohort_retention: Kaplan-Meier curves per onboarding cohort, industry, size band and overall.
     * An account's time is the whole months from its onboarding month to the month of its first churn;
     * an account never churned is censored at asOfMonth.
     */
    public static Dataset<Row> retention(Dataset<Row> movementsTable, Dataset<Row> segments, LocalDate asOfMonth, CohortSettings cfg) {
        Dataset<Row> firstChurn = movementsTable.groupBy("account_id")
                .agg(min(when(col("movement").equalTo("churn"), col("month_end"))).as("_first_churn"),
                        max(col("mrr_end").gt(0)).as("_was_customer"))
                .where(col("_was_customer"));
        Column onboardMonthEnd = last_day(col("onboarded_at"));
        Column until = coalesce(col("_first_churn"), lit(Date.valueOf(asOfMonth)));
        Dataset<Row> subjects = segments.join(firstChurn, new String[] {"account_id"}, "inner") // accounts that became customers
                .withColumn("time_months", floor(months_between(until, onboardMonthEnd)).cast("int"))
                .withColumn("time_months", org.apache.spark.sql.functions.greatest(col("time_months"), lit(0)))
                .withColumn("churned", col("_first_churn").isNotNull());
        Dataset<Row> grouped = null;
        // One curve per value of each segment column, and one overall: the other segment columns are null.
        String[][] curves = {{"cohort", "onboarding_cohort"}, {"industry", "industry"}, {"size_band", "size_band"}, {"overall", ""}};
        for (String[] curve : curves) {
            List<Column> select = new ArrayList<>();
            select.add(lit(curve[0]).as("grouping"));
            for (String segment : SEGMENTS) {
                select.add((segment.equals(curve[1]) ? col(segment) : lit(null).cast("string")).as(segment));
            }
            select.add(col("time_months"));
            select.add(col("churned"));
            Dataset<Row> s = subjects.select(select.toArray(Column[]::new));
            grouped = grouped == null ? s : grouped.unionByName(s);
        }
        List<String> keys = List.of("grouping", "industry", "size_band", "onboarding_cohort");
        Dataset<Row> sizes = grouped.groupBy(keys.stream().map(c -> col(c)).toArray(Column[]::new)).agg(count(lit(1)).as("cohort_accounts"));
        Column joinOn = keys.stream().map(c -> col("c." + c).eqNullSafe(col("s." + c))).reduce(Column::and).orElseThrow();
        Dataset<Row> curve = KaplanMeier.curve(grouped, keys).as("c");
        List<Column> out = new ArrayList<>();
        for (String c : curve.columns()) {
            out.add(col("c." + c).as(c));
        }
        out.add(col("s.cohort_accounts"));
        return curve.join(sizes.as("s"), joinOn, "inner").select(out.toArray(Column[]::new))
                .withColumn("small_cohort", col("cohort_accounts").lt(cfg.minCohortSize()));
    }

    /** The mean of 2-decimal scores to 4 decimals, computed exactly (decimal sum), as a double. */
    private static Column exactMean(Column score) {
        return round(avg(score.cast(DataTypes.createDecimalType(5, 2))), 4).cast("double");
    }

    /** Scores with a churned flag -> health_tier_churn rows per tier, per 10-point band and overall. */
    public static Dataset<Row> tierChurn(Dataset<Row> scoresWithChurn) {
        Column score = col("health_score");
        Column bandLow = least(floor(score.divide(10)).multiply(10), lit(90)).cast("int");
        Column band = when(score.isNull(), lit("no_data"))
                .otherwise(org.apache.spark.sql.functions.format_string("%d-%d", bandLow, bandLow.plus(10)));
        Dataset<Row> tiers = scoresWithChurn.withColumn("grouping", lit("tier")).withColumn("bucket", col("health_tier"));
        Dataset<Row> bands = scoresWithChurn.withColumn("grouping", lit("score_band")).withColumn("bucket", band);
        Dataset<Row> overall = scoresWithChurn.withColumn("grouping", lit("overall")).withColumn("bucket", lit("all"));
        return tiers.unionByName(bands).unionByName(overall)
                .groupBy("grouping", "bucket", "weights_version").agg(
                        count(lit(1)).as("accounts"),
                        count_if(col("churned")).as("churned"),
                        // Scores have 2 decimals: averaged as decimals, so the sum is exact whatever order the rows arrive in
                        // (a double sum's last bits are not, and can tip the 4-decimal rounding), then rounded half up.
                        exactMean(score).as("mean_score"),
                        exactMean(when(col("churned"), score)).as("mean_score_churned"),
                        exactMean(when(col("churned").equalTo(false), score)).as("mean_score_retained"))
                .withColumn("churn_rate", ratio(col("churned"), col("accounts")))
                .withColumn("churn_ci_low", Wilson.lower(col("churned"), col("accounts")))
                .withColumn("churn_ci_high", Wilson.upper(col("churned"), col("accounts")));
    }
}
