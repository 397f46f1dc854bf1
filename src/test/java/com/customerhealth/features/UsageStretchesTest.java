package com.customerhealth.features;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;

import com.customerhealth.TestSpark;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * {@link UsageStretches} sums per stretch first; the windowed sums must equal those of pairing every row
 * with its as-of dates. Checked by hand on a few rows, and against the row-by-row pairing on random rows.
 */
class UsageStretchesTest {
    private static final StructType USAGE = new StructType()
            .add("account_id", DataTypes.StringType).add("usage_date", DataTypes.DateType)
            .add("active_users", DataTypes.IntegerType).add("sessions", DataTypes.LongType)
            .add("key_feature_events", DataTypes.LongType).add("features_used", DataTypes.IntegerType);

    /**
     * As-of dates Jan 31 and Feb 28, windows 7 and 30 days. Account A's rows: Jan 2 (29 days before Jan 31:
     * in its 30-day window, not its 7-day one), Jan 25 (in both of Jan 31's), Jan 31 (the as-of day itself,
     * 0 users: a day but not an active day), Feb 1 (only Feb 28's 30-day window), Mar 1 (after both dates: nowhere).
     * <pre>
     * Jan 31, 7 days  (Jan 25..31): Jan 25 (3 users), Jan 31 (0 users)   user days 3, active days 1, first Jan 25
     * Jan 31, 30 days (Jan 2..31):  Jan 2 (2), Jan 25 (3), Jan 31 (0)     user days 5, active days 2, first Jan 2
     * Feb 28, 7 days  (Feb 22..28): nothing
     * Feb 28, 30 days (Jan 30..Feb 28): Jan 31 (0), Feb 1 (4)             user days 4, active days 1, first Jan 31
     * </pre>
     */
    @Test
    void windowedSumsWorkedByHand() {
        Dataset<Row> usage = TestSpark.session().createDataFrame(List.of(
                row("A", "2026-01-02", 2, 5, 1, 3), row("A", "2026-01-25", 3, 7, 2, 4), row("A", "2026-01-31", 0, 0, 0, 9),
                row("A", "2026-02-01", 4, 8, 3, 5), row("A", "2026-03-01", 6, 9, 4, 6)), USAGE);
        List<LocalDate> dates = List.of(LocalDate.parse("2026-02-28"), LocalDate.parse("2026-01-31"));

        List<String> got = windowed(UsageStretches.onAsOfDates(usage, dates, List.of(7, 30)), List.of(7, 30));

        assertThat(got).containsExactly( // sorted as text: w30 before w7
                "A 2026-01-31 w30 user_days=5 active_days=2 sessions=12 kfe=3 features=7 first=2026-01-02",
                "A 2026-01-31 w7 user_days=3 active_days=1 sessions=7 kfe=2 features=4 first=2026-01-25",
                "A 2026-02-28 w30 user_days=4 active_days=1 sessions=8 kfe=3 features=5 first=2026-01-31",
                "A 2026-02-28 w7 user_days=null active_days=null sessions=null kfe=null features=null first=null");
    }

    @Test
    void equalsPairingEveryRowWithItsDates() {
        Random random = new Random(11);
        List<Row> rows = new ArrayList<>();
        LocalDate start = LocalDate.parse("2025-10-01");
        for (String account : List.of("A", "B", "C", "D")) {
            for (int day = 0; day < 240; day++) {
                if (random.nextInt(3) > 0) { // gaps, as accounts have days without a row
                    int users = random.nextInt(4);
                    rows.add(RowFactory.create(account, Date.valueOf(start.plusDays(day)), users, (long) random.nextInt(20),
                            (long) random.nextInt(9), 1 + random.nextInt(6)));
                }
            }
        }
        Dataset<Row> usage = TestSpark.session().createDataFrame(rows, USAGE);
        // Month ends, a mid-month date and a date before any row, with windows of 14, 30 and 90 days.
        List<LocalDate> dates = List.of(LocalDate.parse("2025-09-30"), LocalDate.parse("2025-12-31"), LocalDate.parse("2026-01-15"),
                LocalDate.parse("2026-01-31"), LocalDate.parse("2026-02-28"), LocalDate.parse("2026-05-31"));
        List<Integer> windows = List.of(14, 30, 90);

        Column event = col("usage_date");
        Dataset<Row> perRow = usage
                .withColumn("as_of_date", explode(Snapshots.datesBetween(dates, event, date_add(event, 89))))
                .withColumn("_age_days", datediff(col("as_of_date"), event))
                .withColumnRenamed("active_users", "au")
                .select(col("account_id"), col("as_of_date"), col("_age_days"), col("au").as(UsageStretches.USER_DAYS),
                        when(col("au").gt(0), 1L).otherwise(0L).as(UsageStretches.ACTIVE_DAYS),
                        col("sessions").as(UsageStretches.SESSIONS), col("key_feature_events").as(UsageStretches.KEY_FEATURE_EVENTS),
                        when(col("au").gt(0), col("features_used")).as(UsageStretches.FEATURES_USED),
                        event.as(UsageStretches.FIRST_DAY));

        List<String> expected = windowed(perRow, windows);
        assertThat(expected).hasSizeGreaterThan(40);
        assertThat(windowed(UsageStretches.onAsOfDates(usage, dates, windows), windows)).isEqualTo(expected);
    }

    /** Per account, as-of date and window: the sums over the pairs in the window, as sorted text. */
    private static List<String> windowed(Dataset<Row> pairs, List<Integer> windows) {
        List<String> out = new ArrayList<>();
        for (int w : windows) {
            Column in = col("_age_days").lt(w);
            pairs.groupBy("account_id", "as_of_date")
                    .agg(sum(when(in, col(UsageStretches.USER_DAYS))), sum(when(in, col(UsageStretches.ACTIVE_DAYS))),
                            sum(when(in, col(UsageStretches.SESSIONS))), sum(when(in, col(UsageStretches.KEY_FEATURE_EVENTS))),
                            sum(when(in, col(UsageStretches.FEATURES_USED))), min(when(in, col(UsageStretches.FIRST_DAY))))
                    .collectAsList()
                    .forEach(r -> out.add(r.get(0) + " " + r.get(1) + " w" + w + " user_days=" + r.get(2) + " active_days=" + r.get(3)
                            + " sessions=" + r.get(4) + " kfe=" + r.get(5) + " features=" + r.get(6) + " first=" + r.get(7)));
        }
        out.sort(String::compareTo);
        return out;
    }

    private static Row row(String account, String day, int users, long sessions, long kfe, int features) {
        return RowFactory.create(account, Date.valueOf(day), users, sessions, kfe, features);
    }
}
