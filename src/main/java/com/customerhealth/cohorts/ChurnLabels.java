package com.customerhealth.cohorts;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.when;

import com.customerhealth.features.Snapshots;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * Did an account churn within (T, T + horizon] of an as-of date T? One definition, used by
 * health_tier_churn and by calibration, computed for every (account, T) of a population in one pass.
 *
 * <p>An account churned in the window when it has a churn_events row dated in (T, T + horizon], or
 * when it is no longer a customer on T + horizon (a lapse; a lapse with no event counts as
 * {@code cohorts.lapse-churn-type}). Whether involuntary churn (failed payments) counts is the
 * caller's choice: when it does not, a window whose only churn is involuntary is {@code involuntary_only}
 * (neither churned nor stayed) rather than a stay.
 */
public final class ChurnLabels {
    private ChurnLabels() {
    }

    /**
     * @param population  account_id, as_of_date (T) for every snapshot to label, T among {@code asOfDates}: keep it
     *                    to those keys (the population is read several times in the plan)
     * @param churnEvents the churn_events table, or null when absent
     * @return the population's rows with {@code churned} (counts as churn under the setting),
     *         {@code involuntary_only} and {@code churn_ref_date}: the churn's date, the same for
     *         every snapshot whose window holds that churn, so distinct (account_id, churn_ref_date)
     *         counts churn events; null when not churned
     */
    public static Dataset<Row> within(Dataset<Row> population, Dataset<Row> periods, Dataset<Row> churnEvents,
                                      List<LocalDate> asOfDates, int horizonDays, boolean countInvoluntary,
                                      String lapseChurnType) {
        List<LocalDate> windowEnds = asOfDates.stream().map(d -> d.plusDays(horizonDays)).toList();
        Dataset<Row> customerAtEnd = Snapshots.customersOn(periods, windowEnds)
                .select(col("account_id"), date_sub(col("as_of_date"), horizonDays).as("as_of_date"), lit(true).as("_customer_at_end"));
        Dataset<Row> rows = population.join(customerAtEnd, new String[] {"account_id", "as_of_date"}, "left");

        if (churnEvents != null) {
            Dataset<Row> events = population.select("account_id", "as_of_date").as("p")
                    .join(churnEvents.as("e"), col("p.account_id").equalTo(col("e.account_id"))
                            .and(col("e.churned_at").gt(col("p.as_of_date")))
                            .and(col("e.churned_at").leq(date_add(col("p.as_of_date"), horizonDays))))
                    .groupBy(col("p.account_id").as("account_id"), col("p.as_of_date").as("as_of_date"))
                    .agg(min(when(col("e.churn_type").notEqual("involuntary"), col("e.churned_at"))).as("_voluntary_at"),
                            min(when(col("e.churn_type").equalTo("involuntary"), col("e.churned_at"))).as("_involuntary_at"));
            rows = rows.join(events, new String[] {"account_id", "as_of_date"}, "left");
        } else {
            rows = rows.withColumn("_voluntary_at", lit(null).cast(DataTypes.DateType))
                    .withColumn("_involuntary_at", lit(null).cast(DataTypes.DateType));
        }

        // A lapse's date: the last paid day before T + horizon, the latest end of the paid periods running on
        // or after T that start by T + horizon. Every snapshot whose window holds the lapse gets the same date.
        Column lapseOnly = col("_customer_at_end").isNull().and(col("_voluntary_at").isNull()).and(col("_involuntary_at").isNull());
        Dataset<Row> lapses = rows.where(lapseOnly).select("account_id", "as_of_date").as("l")
                .join(periods.where(col("mrr").gt(0)).as("s"), col("l.account_id").equalTo(col("s.account_id"))
                        .and(col("s.start_date").leq(date_add(col("l.as_of_date"), horizonDays)))
                        .and(col("s.end_date").geq(col("l.as_of_date"))))
                .groupBy(col("l.account_id").as("account_id"), col("l.as_of_date").as("as_of_date"))
                .agg(max(col("s.end_date")).as("_lapse_at"));
        rows = rows.join(lapses, new String[] {"account_id", "as_of_date"}, "left");

        boolean lapseIsVoluntary = lapseChurnType.equals("voluntary");
        Column voluntary = col("_voluntary_at").isNotNull().or(lapseOnly.and(lit(lapseIsVoluntary)));
        Column involuntary = col("_involuntary_at").isNotNull().or(lapseOnly.and(lit(!lapseIsVoluntary)));
        Column churnedAny = voluntary.or(involuntary);
        Column counted = countInvoluntary ? churnedAny : voluntary;
        Column lapseAt = when(lapseOnly, coalesce(col("_lapse_at"), date_add(col("as_of_date"), horizonDays)));
        Column refDate = least(col("_voluntary_at"), countInvoluntary ? col("_involuntary_at") : lit(null).cast(DataTypes.DateType), lapseAt);
        return rows
                .withColumn("churned", counted)
                .withColumn("involuntary_only", churnedAny.and(counted.unary_$bang()))
                .withColumn("churn_ref_date", when(counted, refDate))
                .drop("_customer_at_end", "_voluntary_at", "_involuntary_at", "_lapse_at");
    }
}
