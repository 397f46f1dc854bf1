package com.customerhealth.features;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import com.customerhealth.TestSpark;
import com.customerhealth.features.Snapshots;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * {@link Snapshots#datesBetween}: the as-of dates in [from, to], by hand, on five month ends given out of
 * order and with a repeat (the helper sorts them and drops the repeat).
 */
class SnapshotsTest {
    private static final List<LocalDate> MONTH_ENDS = List.of(LocalDate.parse("2026-03-31"), LocalDate.parse("2026-01-31"),
            LocalDate.parse("2026-05-31"), LocalDate.parse("2026-02-28"), LocalDate.parse("2026-04-30"), LocalDate.parse("2026-01-31"));
    private static final StructType RANGES = new StructType()
            .add("case_name", DataTypes.StringType).add("from", DataTypes.DateType).add("to", DataTypes.DateType);

    @Test
    void datesBetweenWorkedByHand() {
        List<Row> cases = List.of(
                range("inside one month", "2026-02-01", "2026-02-27"),          // none: no month end in Feb 1..27
                range("exactly one end", "2026-02-28", "2026-02-28"),           // [Feb 28]
                range("ends inclusive", "2026-01-31", "2026-03-31"),            // [Jan 31, Feb 28, Mar 31]
                range("before all", "2025-06-01", "2026-01-30"),                // none
                range("reaching the first", "2025-06-01", "2026-01-31"),        // [Jan 31]
                range("after all", "2026-06-01", "2026-09-01"),                 // none
                range("from the last", "2026-05-31", "2027-01-01"),             // [May 31]
                range("open end", "2026-03-01", null),                          // [Mar 31, Apr 30, May 31]
                range("to before from", "2026-04-01", "2026-02-01"),            // none (no error)
                range("no from", null, "2026-04-30"));                          // none

        Dataset<Row> in = TestSpark.session().createDataFrame(cases, RANGES);
        Column dates = Snapshots.datesBetween(MONTH_ENDS, col("from"), col("to"));
        List<Row> out = in.select(col("case_name"), dates.as("dates")).collectAsList();

        assertThat(out).extracting(r -> r.getString(0) + " " + datesOf(r)).containsExactly(
                "inside one month []",
                "exactly one end [2026-02-28]",
                "ends inclusive [2026-01-31, 2026-02-28, 2026-03-31]",
                "before all []",
                "reaching the first [2026-01-31]",
                "after all []",
                "from the last [2026-05-31]",
                "open end [2026-03-31, 2026-04-30, 2026-05-31]",
                "to before from []",
                "no from []");
        // Built from comparisons and a slice: no lambda function that Spark would interpret row by row.
        assertThat(in.select(dates).queryExecution().analyzed().toString()).doesNotContain("lambda");
    }

    @Test
    void aJavaNullUpperEndIsOpen() {
        Dataset<Row> in = TestSpark.session().createDataFrame(List.of(range("open", "2026-04-15", null)), RANGES);
        Row r = in.select(col("case_name"), Snapshots.datesBetween(MONTH_ENDS, col("from"), null)).first();
        assertThat(datesOf(r)).hasToString("[2026-04-30, 2026-05-31]");
    }

    private static Row range(String name, String from, String to) {
        return RowFactory.create(name, from == null ? null : Date.valueOf(from), to == null ? null : Date.valueOf(to));
    }

    private static List<String> datesOf(Row r) {
        List<String> out = new ArrayList<>();
        for (Object d : r.getList(1)) {
            out.add(d.toString());
        }
        return out;
    }
}
