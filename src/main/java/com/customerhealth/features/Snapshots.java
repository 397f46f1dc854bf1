package com.customerhealth.features;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Customer snapshots: who is a customer on each as-of date, with MRR and seats, for many dates in
 * one pass over subscription_periods.
 */
public final class Snapshots {
    private Snapshots() {
    }

    /** The as-of dates as an array literal column, for exploding rows onto the dates they count for. */
    public static Column dateArray(List<LocalDate> dates) {
        if (dates.isEmpty()) {
            throw new IllegalArgumentException("No as-of dates");
        }
        return array(dates.stream().map(d -> lit(Date.valueOf(d))).toArray(Column[]::new));
    }

    /**
     * MRR and seats of every account on each date {@code lagDays} before each as-of date: the sums
     * over the periods covering that day. Columns: account_id, as_of_date, mrr, seats.
     */
    public static Dataset<Row> mrrOn(Dataset<Row> subscriptionPeriods, List<LocalDate> asOfDates, int lagDays) {
        Column covers = explode(filter(dateArray(asOfDates), d -> {
            Column day = lagDays == 0 ? d : date_sub(d, lagDays);
            return col("start_date").leq(day).and(col("end_date").isNull().or(col("end_date").geq(day)));
        }));
        return subscriptionPeriods
                .select(col("account_id"), covers.as("as_of_date"), col("mrr"), col("seats"))
                .groupBy("account_id", "as_of_date")
                .agg(sum("mrr").as("mrr"), sum("seats").as("seats"));
    }

    /**
     * Customers on each as-of date: accounts with a subscription period covering the date whose
     * summed MRR is above 0. Columns: account_id, as_of_date, mrr, seats.
     */
    public static Dataset<Row> customersOn(Dataset<Row> subscriptionPeriods, List<LocalDate> asOfDates) {
        return mrrOn(subscriptionPeriods, asOfDates, 0).where(col("mrr").gt(0));
    }
}
