package com.customerhealth.cohorts;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.lag;
import static org.apache.spark.sql.functions.last_day;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.quarter;
import static org.apache.spark.sql.functions.trunc;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.year;

import com.customerhealth.contract.WarehouseContract;
import com.customerhealth.features.Snapshots;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * MRR movements per account and month (pure Dataset transformations).
 *
 * <p>Month grain: the MRR of an account for month M is its MRR on M's last day, the sum over the
 * subscription periods covering that day. A period that starts mid-month counts for that month
 * when it still runs on the last day; a period that ends before the last day does not count for
 * its last month (the account is then not a customer at that month's end).
 *
 * <p>Comparing M with M-1: new (first month ever above zero), expansion, contraction, churn (above
 * zero, then zero), reactivation (zero after having been a customer, then above zero; never new).
 * For every account and month: mrr_begin + new + expansion + reactivation - contraction - churn = mrr_end.
 */
public final class MrrMovements {
    private MrrMovements() {
    }

    /** Month ends from {@code first}'s month through the last month end on or before {@code runDate}. */
    public static List<LocalDate> monthEnds(LocalDate first, LocalDate runDate) {
        List<LocalDate> ends = new ArrayList<>();
        YearMonth last = YearMonth.from(runDate);
        if (!runDate.equals(last.atEndOfMonth())) {
            last = last.minusMonths(1); // the run date's month has not ended
        }
        for (YearMonth m = YearMonth.from(first); !m.isAfter(last); m = m.plusMonths(1)) {
            ends.add(m.atEndOfMonth());
        }
        return ends;
    }

    /** The last month end on or before {@code runDate}: the newest complete month. */
    public static LocalDate lastMonthEnd(LocalDate runDate) {
        YearMonth m = YearMonth.from(runDate);
        return runDate.equals(m.atEndOfMonth()) ? runDate : m.minusMonths(1).atEndOfMonth();
    }

    /**
     * The dense account x month grid, from the month of each account's first paid period through the
     * last month end, with its MRR and seats at the end of the month and of the month before, and the
     * movement between them.
     *
     * <p>Columns: account_id, month_end, mrr_begin, mrr_end, seats_begin, seats_end, new_mrr,
     * expansion_mrr, contraction_mrr, churned_mrr, reactivation_mrr, movement, seat_reduction,
     * churn_type (for churn: the account's churn event in the month, else {@code lapseType}).
     *
     * @param churnEvents churn_events, or null when the warehouse has none
     */
    public static Dataset<Row> movements(Dataset<Row> periods, Dataset<Row> churnEvents, List<LocalDate> monthEnds, String lapseType) {
        Dataset<Row> atMonthEnd = Snapshots.mrrOn(periods, monthEnds, 0).withColumnRenamed("as_of_date", "month_end");
        // Rows start at the month of the account's first paid period (so a period too short to cover a
        // month end still has a month to come due in); movements only count what month ends show.
        Dataset<Row> firstMonth = periods.where(col("mrr").gt(0)).groupBy("account_id").agg(last_day(min("start_date")).as("_first"));
        WindowSpec byMonth = Window.partitionBy("account_id").orderBy("month_end");
        Column zero = lit(0).cast(WarehouseContract.MONEY);
        Dataset<Row> grid = firstMonth
                .withColumn("month_end", explode(Snapshots.datesBetween(monthEnds, col("_first"), null)))
                .join(atMonthEnd, new String[] {"account_id", "month_end"}, "left")
                .select(col("account_id"), col("month_end"),
                        coalesce(col("mrr"), zero).as("mrr_end"),
                        coalesce(col("seats"), lit(0L)).as("seats_end"))
                .withColumn("mrr_begin", coalesce(lag("mrr_end", 1).over(byMonth), zero))
                .withColumn("seats_begin", coalesce(lag("seats_end", 1).over(byMonth), lit(0L)))
                .withColumn("_was_customer", coalesce(max(when(col("mrr_end").gt(0), lit(true)))
                        .over(byMonth.rowsBetween(Window.unboundedPreceding(), -1)), lit(false)));

        Column begin = col("mrr_begin");
        Column end = col("mrr_end");
        Column isNew = begin.equalTo(0).and(end.gt(0)).and(col("_was_customer").equalTo(false));
        Column isReactivation = begin.equalTo(0).and(end.gt(0)).and(col("_was_customer"));
        Column isExpansion = begin.gt(0).and(end.gt(begin));
        Column isContraction = begin.gt(0).and(end.gt(0)).and(end.lt(begin));
        Column isChurn = begin.gt(0).and(end.equalTo(0));
        Dataset<Row> moved = grid
                .withColumn("new_mrr", when(isNew, end).otherwise(zero))
                .withColumn("reactivation_mrr", when(isReactivation, end).otherwise(zero))
                .withColumn("expansion_mrr", when(isExpansion, end.minus(begin)).otherwise(zero))
                .withColumn("contraction_mrr", when(isContraction, begin.minus(end)).otherwise(zero))
                .withColumn("churned_mrr", when(isChurn, begin).otherwise(zero))
                .withColumn("movement", when(isNew, lit("new")).when(isReactivation, lit("reactivation"))
                        .when(isExpansion, lit("expansion")).when(isContraction, lit("contraction"))
                        .when(isChurn, lit("churn")).otherwise(lit("none")))
                .withColumn("seat_reduction", begin.gt(0).and(end.gt(0)).and(col("seats_end").lt(col("seats_begin"))))
                .drop("_was_customer");

        Column eventType = lit(null).cast("string");
        if (churnEvents != null) {
            // A churn in month M has its event in (end of M-1, end of M]: the event's month end is M's.
            Dataset<Row> events = churnEvents.groupBy(col("account_id"), last_day(col("churned_at")).as("month_end"))
                    .agg(max_by(col("churn_type"), col("churned_at")).as("_event_type"));
            moved = moved.join(events, new String[] {"account_id", "month_end"}, "left");
            eventType = col("_event_type");
        } else {
            moved = moved.withColumn("_event_type", eventType);
        }
        return moved.withColumn("churn_type", when(isChurn, coalesce(eventType, lit(lapseType))))
                .drop("_event_type");
    }

    /** The onboarding cohort label of a date: {@code 2024-03} for month grain, {@code 2024-Q1} for quarter. */
    public static Column cohortLabel(Column onboardedAt, String grain) {
        return grain.equals("quarter")
                ? format_string("%d-Q%d", year(onboardedAt), quarter(onboardedAt))
                : date_format(trunc(onboardedAt, "month"), "yyyy-MM");
    }
}
