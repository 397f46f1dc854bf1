package com.customerhealth.features;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.sql.Date;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * usage_daily summed per account and stretch of days before it meets the as-of dates.
 *
 * <p>usage_daily has a row per account and day: pairing every row with each as-of date whose window
 * holds it (as the other sources do) would double its rows with monthly dates and 90-day windows. Every
 * usage feature is a sum, a count or a minimum, so the rows can be summed first. The window edges of all
 * as-of dates D and windows w (D + 1 and D - w + 1) cut the timeline into stretches; a stretch is wholly
 * inside or wholly outside every window. Rows are summed per (account, stretch), in one aggregation
 * whose stretch index is a code-generated binary search over the edges, and only those sums are paired
 * with the as-of dates, through a small broadcast table of (stretch, as-of date).
 *
 * <p>Each pair carries {@code _age_days} = D - the stretch's first day, so "in the window of w days" is
 * {@code _age_days < w}, as for a single row. The sums keep the rows' types (long sums, a count, a date).
 */
final class UsageStretches {
    static final String USER_DAYS = "_u_user_days";
    static final String ACTIVE_DAYS = "_u_active_days";
    static final String SESSIONS = "_u_sessions";
    static final String KEY_FEATURE_EVENTS = "_u_kfe";
    static final String FEATURES_USED = "_u_features";
    static final String FIRST_DAY = "_u_first_day";
    private static final String STRETCH = "_stretch";

    private UsageStretches() {
    }

    /**
     * One row per account, as-of date and stretch of that date's widest window in which the account has
     * usage rows: account_id, as_of_date, _age_days and the sums named by this class's constants.
     */
    static Dataset<Row> onAsOfDates(Dataset<Row> usage, Collection<LocalDate> asOfDates, Collection<Integer> windowDays) {
        List<LocalDate> dates = asOfDates.stream().distinct().sorted().toList();
        int maxWindow = windowDays.stream().mapToInt(Integer::intValue).max().orElseThrow();
        TreeSet<LocalDate> edges = new TreeSet<>();
        for (LocalDate d : dates) {
            edges.add(d.plusDays(1));
            for (int w : windowDays) {
                edges.add(d.minusDays(w - 1));
            }
        }
        List<LocalDate> cuts = List.copyOf(edges);
        // Stretch k (1 .. cuts - 1) is [cuts[k-1], cuts[k] - 1]; k = #(cuts <= day). 0 and cuts.size() are outside every window.
        Dataset<Row> sums = usage
                .select(col("account_id"), Snapshots.countBefore(cuts, date_add(col("usage_date"), 1)).as(STRETCH),
                        col("usage_date"), col("active_users"), col("sessions"), col("key_feature_events"), col("features_used"))
                .where(col(STRETCH).between(1, cuts.size() - 1))
                .groupBy("account_id", STRETCH)
                .agg(sum("active_users").as(USER_DAYS),
                        count(when(col("active_users").gt(0), lit(1))).as(ACTIVE_DAYS),
                        sum("sessions").as(SESSIONS),
                        sum("key_feature_events").as(KEY_FEATURE_EVENTS),
                        sum(when(col("active_users").gt(0), col("features_used"))).as(FEATURES_USED),
                        min("usage_date").as(FIRST_DAY));
        List<Row> pairs = new ArrayList<>();
        for (int k = 1; k < cuts.size(); k++) {
            LocalDate first = cuts.get(k - 1);
            for (LocalDate d : dates) {
                long age = ChronoUnit.DAYS.between(first, d); // the stretch ends on or before D when it starts on or before D
                if (age >= 0 && age < maxWindow) {
                    pairs.add(RowFactory.create(k, Date.valueOf(d), (int) age));
                }
            }
        }
        StructType schema = new StructType().add(STRETCH, DataTypes.IntegerType, false)
                .add("as_of_date", DataTypes.DateType, false).add("_age_days", DataTypes.IntegerType, false);
        Dataset<Row> stretchDates = usage.sparkSession().createDataFrame(pairs, schema);
        return sums.join(broadcast(stretchDates), STRETCH).drop(STRETCH);
    }
}
