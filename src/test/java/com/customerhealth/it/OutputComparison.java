package com.customerhealth.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.TimestampType;
import scala.collection.JavaConverters;

/**
 * Compares the Delta tables of two output folders: the same tables, the same schemas and the same
 * rows. What legitimately differs between two runs of one date is left out: {@code run_id} and the
 * timestamps of when a row was written, the report's approve command (the run's launcher and conf), and {@code job_runs} (durations, config hashes). Doubles (also those inside a JSON text
 * column, such as {@code calibration_reports.report_json}) are equal within a relative 1e-9, because sums over
 * another partitioning (a cluster's, a JDBC source's) add in another order; everything else is exact.
 */
public final class OutputComparison {
    private static final double RELATIVE_TOLERANCE = 1e-9;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern JSON_DECIMAL = Pattern.compile("-?\\d+\\.\\d+(?:[eE][-+]?\\d+)?");

    private OutputComparison() {
    }

    /** The Delta tables (folders with a _delta_log) directly under {@code root}, by name. */
    public static List<String> tables(Path root) {
        try (Stream<Path> children = Files.list(root)) {
            return children.filter(p -> Files.isDirectory(p.resolve("_delta_log"))).map(p -> p.getFileName().toString())
                    .filter(name -> !name.equals("job_runs")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void assertSameTables(SparkSession spark, Path expected, Path actual) {
        List<String> names = tables(expected);
        assertThat(names).as("tables of the reference run").isNotEmpty();
        assertThat(tables(actual)).as("tables under %s", actual).isEqualTo(names);
        for (String name : names) {
            assertSameRows(name, comparable(spark, expected.resolve(name)), comparable(spark, actual.resolve(name)));
        }
    }

    private static Dataset<Row> comparable(SparkSession spark, Path table) {
        Dataset<Row> rows = spark.read().format("delta").load(table.toString());
        for (StructField f : rows.schema().fields()) {
            if (f.name().equals("run_id") || f.dataType() instanceof TimestampType) {
                rows = rows.drop(f.name());
            }
        }
        if (List.of(rows.columns()).contains("report_json")) {
            // The approve command starts with the launcher and ends with the run's --conf/--set (output path included).
            rows = rows.withColumn("report_json", org.apache.spark.sql.functions.regexp_replace(rows.col("report_json"),
                    // possessive: a run of plain characters is one step, not one regex frame per character (a JDBC run's
                    // long command overflowed a task thread's stack)
                    "\"approveCommand\"\\s*:\\s*\"(?:[^\"\\\\]++|\\\\.)*+\"", "\"approveCommand\": \"<as run>\""));
        }
        return rows;
    }

    private static void assertSameRows(String table, Dataset<Row> expected, Dataset<Row> actual) {
        assertThat(actual.schema()).as("schema of %s", table).isEqualTo(expected.schema());
        List<Row> e = sorted(expected.collectAsList());
        List<Row> a = sorted(actual.collectAsList());
        assertThat(a).as("row count of %s", table).hasSameSizeAs(e);
        for (int i = 0; i < e.size(); i++) {
            if (!same(e.get(i), a.get(i))) {
                fail("%s differs at row %d of %d:%n  expected %s%n  actual   %s", table, i, e.size(), e.get(i), a.get(i));
            }
        }
    }

    /**
     * Sorted by the rows' text with doubles cut to 6 significant digits, so near-equal rows sort alike. Each row's key is
     * made once: a comparator that makes it on every comparison formats each double about 2 log2(n) times.
     */
    private static List<Row> sorted(List<Row> rows) {
        return rows.stream().map(r -> Map.entry(sortKey(r), r)).sorted(Map.Entry.comparingByKey()).map(Map.Entry::getValue).toList();
    }

    private static String sortKey(Object v) {
        if (v instanceof Double d) {
            return String.format(Locale.ROOT, "%.6g", d);
        }
        if (v instanceof String text && isJson(text)) {
            return JSON_DECIMAL.matcher(text).replaceAll(m -> String.format(Locale.ROOT, "%.6g", Double.parseDouble(m.group())));
        }
        if (v instanceof Row r) {
            StringBuilder s = new StringBuilder("(");
            for (int i = 0; i < r.length(); i++) {
                s.append(sortKey(r.get(i))).append('|');
            }
            return s.append(')').toString();
        }
        if (v instanceof scala.collection.Map<?, ?> m) {
            return sortKey(new java.util.TreeMap<>(JavaConverters.mapAsJavaMap(m)));
        }
        if (v instanceof Map<?, ?> m) {
            StringBuilder s = new StringBuilder("{");
            m.forEach((k, x) -> s.append(k).append('=').append(sortKey(x)).append(','));
            return s.append('}').toString();
        }
        if (v instanceof scala.collection.Seq<?> seq) {
            StringBuilder s = new StringBuilder("[");
            JavaConverters.seqAsJavaList(seq).forEach(x -> s.append(sortKey(x)).append(','));
            return s.append(']').toString();
        }
        return String.valueOf(v);
    }

    private static boolean same(Object e, Object a) {
        if (e == null || a == null) {
            return e == a;
        }
        if (e instanceof Double x && a instanceof Double y) {
            return x.equals(y) || Math.abs(x - y) <= RELATIVE_TOLERANCE * Math.max(Math.abs(x), Math.abs(y));
        }
        if (e instanceof String x && a instanceof String y && !x.equals(y) && isJson(x) && isJson(y)) {
            // A JSON document (calibration_reports.report_json) carries doubles as text: same rule as for columns.
            try {
                return sameJson(JSON.readTree(x), JSON.readTree(y));
            } catch (JsonProcessingException notJson) {
                return false;
            }
        }
        if (e instanceof Row x && a instanceof Row y) {
            if (x.length() != y.length()) {
                return false;
            }
            for (int i = 0; i < x.length(); i++) {
                if (!same(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (e instanceof scala.collection.Map<?, ?> x && a instanceof scala.collection.Map<?, ?> y) {
            Map<?, ?> mx = JavaConverters.mapAsJavaMap(x);
            Map<?, ?> my = JavaConverters.mapAsJavaMap(y);
            return mx.keySet().equals(my.keySet()) && mx.keySet().stream().allMatch(k -> same(mx.get(k), my.get(k)));
        }
        if (e instanceof scala.collection.Seq<?> x && a instanceof scala.collection.Seq<?> y) {
            Iterator<?> ix = JavaConverters.seqAsJavaList(x).iterator();
            Iterator<?> iy = JavaConverters.seqAsJavaList(y).iterator();
            while (ix.hasNext() && iy.hasNext()) {
                if (!same(ix.next(), iy.next())) {
                    return false;
                }
            }
            return !ix.hasNext() && !iy.hasNext();
        }
        return e.equals(a);
    }

    private static boolean isJson(String text) {
        return text.startsWith("{") || text.startsWith("[");
    }

    private static boolean sameJson(JsonNode e, JsonNode a) {
        if (e.isNumber() && a.isNumber()) {
            return same(e.doubleValue(), a.doubleValue());
        }
        if (e.isArray() && a.isArray()) {
            if (e.size() != a.size()) {
                return false;
            }
            for (int i = 0; i < e.size(); i++) {
                if (!sameJson(e.get(i), a.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (e.isObject() && a.isObject()) {
            List<String> names = new ArrayList<>();
            e.fieldNames().forEachRemaining(names::add);
            List<String> other = new ArrayList<>();
            a.fieldNames().forEachRemaining(other::add);
            return names.equals(other) && names.stream().allMatch(n -> sameJson(e.get(n), a.get(n)));
        }
        return e.equals(a);
    }
}
