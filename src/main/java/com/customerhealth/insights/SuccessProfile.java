package com.customerhealth.insights;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.year;
import static org.apache.spark.sql.types.DataTypes.StringType;

import com.customerhealth.cohorts.ChurnLabels;
import com.customerhealth.config.SizeBand;
import com.customerhealth.features.Snapshots;
import com.customerhealth.score.Segments;
import com.customerhealth.stats.Ratios;
import com.customerhealth.stats.Wilson;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * The success profile ("accounts like this stay"): which account characteristics go with staying a
 * healthy customer rather than churning, as of a run date D over a look-back of Y days.
 *
 * <ul>
 *   <li><b>Population</b>: the customers on D - Y ({@link Snapshots#customersOn}).</li>
 *   <li><b>Churned</b>: those {@link ChurnLabels#within} marks churned in (D - Y, D] with involuntary churn
 *       not counted: a voluntary churn event, or a lapse when lapses count as voluntary. Accounts whose only
 *       churn was involuntary are in neither group.</li>
 *   <li><b>Retained-healthy</b>: the others that are healthy in D's scores (so still customers on D).
 *       Retained accounts in any other tier are in neither group.</li>
 * </ul>
 *
 * <p>For each characteristic value: its share among the retained-healthy and among the churned, with
 * 95% Wilson intervals, the lift (ratio of the two shares), the retention rate among accounts with the
 * value, and ranks by lift. Three steps, pure Dataset functions: {@link #groups}, {@link #characteristics},
 * {@link #profile}; one aggregation over an exploded (account, characteristic, value) set.
 */
public final class SuccessProfile {
    /** Default look-back Y in days. */
    public static final int DEFAULT_PERIOD_DAYS = 365;
    /** The characteristics, in the order rows describe them. */
    public static final List<String> CHARACTERISTICS = List.of("industry", "size_band", "onboarding_year", "ttfv_band",
            "initial_seats_band", "initial_mrr_band");
    /** The ttfv_band of an account that had not reached first value by D. */
    public static final String NEVER = "never";
    /** The value of an account lacking a characteristic (e.g. no size band for its head count). */
    public static final String UNKNOWN = "unknown";

    static final String RETAINED_HEALTHY = "retained_healthy";
    static final String CHURNED = "churned";
    private static final int SENTENCE_VALUES = 3;

    private SuccessProfile() {
    }

    /**
     * Band edges of the banded characteristics: each list ascending, a band running from one edge up to
     * just below the next, the last open-ended. Labels: ttfv "0-29", "30-59", ..., "90+"; seats "1-4",
     * ..., "100+"; MRR "<500", "500-1999", ..., "10000+". Values below the first edge fall in the first band.
     *
     * @param ttfvDays     edges of the days from onboarded_at to first_value_at
     * @param initialSeats edges of the seats of the first paid subscription period
     * @param initialMrr   edges of the MRR of the first paid subscription period
     */
    public record Bands(List<Integer> ttfvDays, List<Integer> initialSeats, List<Integer> initialMrr) {
        /** 30/60/90 days, 5/20/100 seats, 500/2000/10000 MRR. */
        public static final Bands DEFAULTS = new Bands(List.of(30, 60, 90), List.of(5, 20, 100), List.of(500, 2000, 10000));

        public Bands {
            ttfvDays = ascending("ttfvDays", ttfvDays, 0);
            initialSeats = ascending("initialSeats", initialSeats, 1);
            initialMrr = ascending("initialMrr", initialMrr, 0);
        }

        /** "0-29", "30-59", ..., "90+". */
        public List<String> ttfvLabels() {
            return rangeLabels(0, ttfvDays);
        }

        /** "1-4", "5-19", ..., "100+". */
        public List<String> initialSeatsLabels() {
            return rangeLabels(1, initialSeats);
        }

        /** "<500", "500-1999", ..., "10000+". */
        public List<String> initialMrrLabels() {
            List<String> labels = rangeLabels(0, initialMrr);
            labels.set(0, "<" + initialMrr.get(0));
            return labels;
        }

        private static List<Integer> ascending(String name, List<Integer> edges, int floor) {
            if (edges.isEmpty()) {
                throw new IllegalArgumentException(name + ": at least one band edge");
            }
            int previous = floor;
            for (int e : edges) {
                if (e <= previous) {
                    throw new IllegalArgumentException(name + ": edges must be ascending and above " + floor + ", got " + edges);
                }
                previous = e;
            }
            return List.copyOf(edges);
        }

        private static List<String> rangeLabels(int floor, List<Integer> edges) {
            List<String> labels = new ArrayList<>();
            int lower = floor;
            for (int e : edges) {
                labels.add(lower + "-" + (e - 1));
                lower = e;
            }
            labels.add(lower + "+");
            return labels;
        }
    }

    /**
     * The two groups compared.
     *
     * @param periods        subscription_periods
     * @param churnEvents    churn_events, or null when absent (churn is then lapses only)
     * @param healthTiers    account_id, health_tier of the scores at D (account_health_scores' D partition)
     * @param lapseChurnType cohorts.lapse-churn-type: whether a lapse without an event is voluntary
     * @return account_id, outcome ("retained_healthy" or "churned"): one row per account in a group
     */
    public static Dataset<Row> groups(Dataset<Row> periods, Dataset<Row> churnEvents, Dataset<Row> healthTiers,
                                      LocalDate runDate, int periodDays, String lapseChurnType) {
        LocalDate start = runDate.minusDays(periodDays);
        Dataset<Row> population = Snapshots.customersOn(periods, List.of(start)).select("account_id", "as_of_date");
        Dataset<Row> labelled = ChurnLabels.within(population, periods, churnEvents, List.of(start), periodDays, false, lapseChurnType)
                .join(healthTiers.select("account_id", "health_tier"), new String[] {"account_id"}, "left");
        Column outcome = when(col("churned"), lit(CHURNED))
                .when(col("involuntary_only").unary_$bang().and(col("health_tier").equalTo("healthy")), lit(RETAINED_HEALTHY));
        return labelled.select(col("account_id"), outcome.as("outcome")).where(col("outcome").isNotNull());
    }

    /**
     * The characteristics of every account, one column each (see {@link #CHARACTERISTICS}); a value the
     * account lacks is "unknown".
     *
     * @param accounts  accounts (contract columns)
     * @param periods   subscription_periods: the initial bands come from the account's earliest period
     *                  with MRR > 0 starting by D
     * @param sizeBands segments.size-bands
     * @param runDate   D: a first_value_at after D counts as never
     */
    public static Dataset<Row> characteristics(Dataset<Row> accounts, Dataset<Row> periods, List<SizeBand> sizeBands,
                                               LocalDate runDate, Bands bands) {
        Column d = lit(Date.valueOf(runDate));
        // The first paid day's periods, summed (a base plan and an add-on starting together are one start).
        Dataset<Row> paid = periods.where(col("mrr").gt(0).and(col("start_date").leq(d)));
        Dataset<Row> initial = paid
                .join(paid.groupBy("account_id").agg(min("start_date").as("start_date")), new String[] {"account_id", "start_date"})
                .groupBy("account_id")
                .agg(struct(sum("seats").as("seats"), sum("mrr").as("mrr")).as("_first"));
        Column ttfvDays = datediff(col("first_value_at"), col("onboarded_at"));
        Column reachedValue = col("first_value_at").isNotNull().and(col("first_value_at").leq(d));
        return accounts.join(initial, new String[] {"account_id"}, "left").select(
                col("account_id"),
                known(col("industry")).as("industry"),
                known(Segments.sizeBand(col("employee_count"), sizeBands)).as("size_band"),
                known(year(col("onboarded_at")).cast(StringType)).as("onboarding_year"),
                when(reachedValue, band(ttfvDays, bands.ttfvDays(), bands.ttfvLabels())).otherwise(lit(NEVER)).as("ttfv_band"),
                known(band(col("_first.seats"), bands.initialSeats(), bands.initialSeatsLabels())).as("initial_seats_band"),
                known(band(col("_first.mrr"), bands.initialMrr(), bands.initialMrrLabels())).as("initial_mrr_band"));
    }

    /**
     * The success_profile rows for D (every column but run_id): the groups joined to the characteristics,
     * exploded to (account, characteristic, value) and counted in one aggregation.
     *
     * @param groups          from {@link #groups}
     * @param characteristics from {@link #characteristics}
     * @param minAccounts     values with fewer accounts in the two groups together are small groups, unranked
     */
    public static Dataset<Row> profile(Dataset<Row> groups, Dataset<Row> characteristics, LocalDate runDate, int periodDays,
                                       int minAccounts) {
        Column pairs = explode(array(CHARACTERISTICS.stream()
                .map(c -> struct(lit(c).as("characteristic"), col(c).as("value")))
                .toArray(Column[]::new)));
        Dataset<Row> counts = groups.join(characteristics, new String[] {"account_id"}, "inner")
                .select(col("outcome"), pairs.as("_pair"))
                .groupBy(col("_pair.characteristic").as("characteristic"), col("_pair.value").as("value"))
                .agg(count_if(col("outcome").equalTo(RETAINED_HEALTHY)).as("retained_healthy"),
                        count_if(col("outcome").equalTo(CHURNED)).as("churned"));
        return ranked(withRates(withTotals(counts)), minAccounts)
                .withColumn("as_of_date", lit(Date.valueOf(runDate)))
                .withColumn("period_start", lit(Date.valueOf(runDate.minusDays(periodDays))))
                .withColumn("period_days", lit(periodDays));
    }

    /**
     * The one line for marketing, from at most {@value #SENTENCE_VALUES} collected rows: the top-ranked value of
     * each characteristic whose lift is above 1, best first, e.g. "Accounts like this stay: industry software,
     * size band mid_market, time to first value 0-29 days (lift 2.1, 1.8, 1.7)".
     *
     * @param profile the rows of {@link #profile} (or of the success_profile table for one as_of_date)
     */
    public static String marketingLine(Dataset<Row> profile) {
        List<Row> top = profile.where(col("rank_in_characteristic").equalTo(1).and(col("lift").gt(1)))
                .orderBy("rank_overall").limit(SENTENCE_VALUES)
                .select("characteristic", "value", "lift").collectAsList();
        if (top.isEmpty()) {
            return "Accounts like this stay: no characteristic value with enough accounts is commoner among accounts that stay.";
        }
        String traits = top.stream().map(r -> describe(r.getString(0), r.getString(1))).collect(Collectors.joining(", "));
        String lifts = top.stream().map(r -> String.format(Locale.ROOT, "%.1f", r.getDouble(2))).collect(Collectors.joining(", "));
        return "Accounts like this stay: " + traits + " (lift " + lifts + ")";
    }

    private static String describe(String characteristic, String value) {
        return switch (characteristic) {
            case "size_band" -> "size band " + value;
            case "onboarding_year" -> "onboarded in " + value;
            case "ttfv_band" -> value.equals(NEVER) ? "first value never reached" : "time to first value " + value + " days";
            case "initial_seats_band" -> "initial seats " + value;
            case "initial_mrr_band" -> "initial MRR " + value;
            default -> characteristic + " " + value;
        };
    }

    /** Group sizes: every account has one value per characteristic, so a characteristic's counts sum to them. */
    private static Dataset<Row> withTotals(Dataset<Row> counts) {
        WindowSpec characteristic = Window.partitionBy("characteristic");
        return counts.withColumn("retained_healthy_total", sum("retained_healthy").over(characteristic))
                .withColumn("churned_total", sum("churned").over(characteristic));
    }

    private static Dataset<Row> withRates(Dataset<Row> counts) {
        Column rh = col("retained_healthy");
        Column ch = col("churned");
        Column both = rh.plus(ch);
        return counts
                .withColumn("share_retained_healthy", Ratios.ratio(rh, col("retained_healthy_total")))
                .withColumn("share_rh_ci_low", Wilson.lower(rh, col("retained_healthy_total")))
                .withColumn("share_rh_ci_high", Wilson.upper(rh, col("retained_healthy_total")))
                .withColumn("share_churned", Ratios.ratio(ch, col("churned_total")))
                .withColumn("share_churned_ci_low", Wilson.lower(ch, col("churned_total")))
                .withColumn("share_churned_ci_high", Wilson.upper(ch, col("churned_total")))
                .withColumn("lift", Ratios.ratio(col("share_retained_healthy"), col("share_churned")))
                .withColumn("retention_rate", Ratios.ratio(rh, both))
                .withColumn("retention_ci_low", Wilson.lower(rh, both))
                .withColumn("retention_ci_high", Wilson.upper(rh, both));
    }

    /** Ranks by lift among values with a lift and at least minAccounts accounts; the rest unranked. */
    private static Dataset<Row> ranked(Dataset<Row> rows, int minAccounts) {
        Column accounts = col("retained_healthy").plus(col("churned"));
        Column[] order = {col("lift").desc(), accounts.desc(), col("characteristic").asc(), col("value").asc()};
        Column rankable = col("small_group").unary_$bang().and(col("lift").isNotNull());
        return rows.withColumn("small_group", accounts.lt(minAccounts))
                .withColumn("_rankable", rankable)
                .withColumn("rank_in_characteristic",
                        when(col("_rankable"), row_number().over(Window.partitionBy("_rankable", "characteristic").orderBy(order))))
                .withColumn("rank_overall", when(col("_rankable"), row_number().over(Window.partitionBy("_rankable").orderBy(order))))
                .drop("_rankable");
    }

    /** The label of the band a value falls in; null for a null value. */
    private static Column band(Column value, List<Integer> edges, List<String> labels) {
        Column label = lit(labels.get(0));
        for (int i = 0; i < edges.size(); i++) { // ascending edges: later bands win
            label = when(value.geq(edges.get(i)), lit(labels.get(i + 1))).otherwise(label);
        }
        return when(value.isNotNull(), label);
    }

    private static Column known(Column value) {
        return coalesce(value, lit(UNKNOWN));
    }
}
