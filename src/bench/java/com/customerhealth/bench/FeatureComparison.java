package com.customerhealth.bench;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Spark's and DuckDB's feature rows for the same sample of accounts, compared value by value: the same
 * (account, as-of date) keys on both sides, decimals and integers equal, doubles within {@link #TOLERANCE}
 * (absolute), nulls where the other side has nulls.
 */
final class FeatureComparison {
    static final double TOLERANCE = 1e-9;
    private static final int MAX_EXAMPLES = 10;

    record Key(String accountId, LocalDate asOfDate) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = accountId.compareTo(o.accountId);
            return c != 0 ? c : asOfDate.compareTo(o.asOfDate);
        }
    }

    /**
     * @param accounts        sample accounts asked for
     * @param accountsCompared accounts with at least one row on either side
     * @param rows            (account, date) keys on either side
     * @param valuesCompared  values checked (keys on both sides x columns)
     * @param mismatches      values that differ, plus keys on one side only
     * @param maxAbsDiff      largest absolute difference among the doubles compared
     * @param examples        the first few differences, for people
     */
    record Result(int accounts, int accountsCompared, int rows, long valuesCompared, long mismatches, double maxAbsDiff,
                  List<String> columns, List<String> examples) {
        boolean matched() {
            return mismatches == 0 && valuesCompared > 0;
        }
    }

    private FeatureComparison() {
    }

    static Result compare(int sampleAccounts, List<String> columns, Map<Key, Object[]> spark, Map<Key, Object[]> duck) {
        TreeSet<Key> keys = new TreeSet<>(spark.keySet());
        keys.addAll(duck.keySet());
        long compared = 0;
        long mismatches = 0;
        double maxDiff = 0;
        List<String> examples = new ArrayList<>();
        for (Key k : keys) {
            Object[] s = spark.get(k);
            Object[] d = duck.get(k);
            if (s == null || d == null) {
                mismatches++;
                note(examples, k + " only in " + (s == null ? "DuckDB" : "Spark"));
                continue;
            }
            for (int i = 0; i < columns.size(); i++) {
                compared++;
                Object a = s[i];
                Object b = d[i];
                if (a == null || b == null) {
                    if (a != b) {
                        mismatches++;
                        note(examples, k + " " + columns.get(i) + ": Spark " + a + ", DuckDB " + b);
                    }
                } else if (a instanceof Double x && b instanceof Double y) {
                    double diff = Math.abs(x - y);
                    if (x.isNaN() || y.isNaN() || !(diff <= TOLERANCE)) {
                        mismatches++;
                        note(examples, k + " " + columns.get(i) + ": Spark " + x + ", DuckDB " + y);
                    } else {
                        maxDiff = Math.max(maxDiff, diff);
                    }
                } else if (a instanceof BigDecimal x && b instanceof BigDecimal y) {
                    if (x.compareTo(y) != 0) {
                        mismatches++;
                        note(examples, k + " " + columns.get(i) + ": Spark " + x + ", DuckDB " + y);
                    }
                } else if (a instanceof Number x && b instanceof Number y && !(a instanceof Double) && !(b instanceof Double)) {
                    if (x.longValue() != y.longValue()) {
                        mismatches++;
                        note(examples, k + " " + columns.get(i) + ": Spark " + x + ", DuckDB " + y);
                    }
                } else if (!Objects.equals(a, b)) {
                    mismatches++;
                    note(examples, k + " " + columns.get(i) + ": Spark " + a + " (" + a.getClass().getSimpleName() + "), DuckDB "
                            + b + " (" + b.getClass().getSimpleName() + ")");
                }
            }
        }
        int accountsCompared = (int) keys.stream().map(Key::accountId).distinct().count();
        return new Result(sampleAccounts, accountsCompared, keys.size(), compared, mismatches, maxDiff, List.copyOf(columns),
                List.copyOf(examples));
    }

    private static void note(List<String> examples, String line) {
        if (examples.size() < MAX_EXAMPLES) {
            examples.add(line);
        }
    }
}
