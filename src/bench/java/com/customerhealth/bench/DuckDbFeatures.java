package com.customerhealth.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The feature computation of the default model preset as DuckDB SQL over the warehouse's Parquet files
 * ({@code src/test/resources/bench/duckdb-features.sql}), run in this JVM through DuckDB's JDBC driver.
 * The result stays in a DuckDB temp table for the sample comparison.
 */
final class DuckDbFeatures implements AutoCloseable {
    static final String SQL_RESOURCE = "/bench/duckdb-features.sql";
    static final List<String> TABLES = List.of("accounts", "subscription_periods", "usage_daily", "support_tickets", "survey_responses",
            "invoices", "csm_assessments");

    private final Connection connection;
    private final Path warehouse;

    /**
     * @param threads     DuckDB's worker threads ({@code SET threads}), the same as Spark's local[N]
     * @param memoryLimit DuckDB's {@code memory_limit} (its buffer pool lives outside the Java heap)
     * @param tempDir     where DuckDB may spill
     */
    DuckDbFeatures(Path warehouse, int threads, String memoryLimit, Path tempDir) {
        this.warehouse = warehouse;
        try {
            connection = DriverManager.getConnection("jdbc:duckdb:");
            try (Statement s = connection.createStatement()) {
                s.execute("SET threads = " + threads);
                s.execute("SET memory_limit = '" + memoryLimit.replace("'", "") + "'");
                s.execute("SET temp_directory = '" + tempDir.toAbsolutePath().toString().replace("'", "''") + "'");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("DuckDB failed to start: " + e.getMessage(), e);
        }
    }

    String version() {
        return single("SELECT version()");
    }

    String setting(String name) {
        return single("SELECT current_setting('" + name + "')");
    }

    /** The SQL with the warehouse's file globs and the as-of dates filled in. */
    String sql(List<LocalDate> asOfDates) {
        String sql;
        try (InputStream in = DuckDbFeatures.class.getResourceAsStream(SQL_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("Missing test resource " + SQL_RESOURCE);
            }
            sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String table : TABLES) {
            Path dir = warehouse.resolve(table);
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException("The warehouse has no " + table + " folder: " + dir);
            }
            sql = sql.replace("{{" + table + "}}", dir.toAbsolutePath().toString().replace("'", "''") + "/*.parquet");
        }
        String dates = asOfDates.stream().map(d -> "(DATE '" + d + "')").collect(Collectors.joining(", "));
        return sql.replace("{{as_of_dates}}", dates);
    }

    /** Runs the feature SQL for every customer on every date; returns the rows it made. */
    long compute(List<LocalDate> asOfDates) {
        try (Statement s = connection.createStatement()) {
            for (String statement : statements(sql(asOfDates))) {
                s.execute(statement);
            }
            return Long.parseLong(single("SELECT count(*) FROM duck_features"));
        } catch (SQLException e) {
            throw new IllegalStateException("DuckDB feature SQL failed: " + e.getMessage(), e);
        }
    }

    /** The result's columns, in order. */
    List<String> columns() {
        List<String> out = new ArrayList<>();
        try (Statement s = connection.createStatement();
             ResultSet r = s.executeQuery("SELECT * FROM duck_features LIMIT 0")) {
            for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) {
                out.add(r.getMetaData().getColumnName(i));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        return out;
    }

    /** Every n-th account of the result (sorted by id), at most {@code limit}: an even spread over the ids. */
    List<String> sampleAccounts(int limit) {
        List<String> all = new ArrayList<>();
        try (Statement s = connection.createStatement();
             ResultSet r = s.executeQuery("SELECT DISTINCT account_id FROM duck_features ORDER BY account_id")) {
            while (r.next()) {
                all.add(r.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        if (all.size() <= limit) {
            return all;
        }
        List<String> out = new ArrayList<>();
        double step = (double) all.size() / limit;
        for (int i = 0; i < limit; i++) {
            out.add(all.get((int) Math.floor(i * step)));
        }
        return out;
    }

    /** The rows of the given accounts, keyed by (account_id, as_of_date); values in {@code columns} order. */
    Map<FeatureComparison.Key, Object[]> rows(Set<String> accounts, List<String> columns) {
        Map<FeatureComparison.Key, Object[]> out = new LinkedHashMap<>();
        String select = "SELECT account_id, as_of_date, " + columns.stream().map(c -> "\"" + c + "\"").collect(Collectors.joining(", "))
                + " FROM duck_features WHERE account_id IN (SELECT unnest(?::VARCHAR[]))";
        try (PreparedStatement p = connection.prepareStatement(select)) {
            p.setArray(1, connection.createArrayOf("VARCHAR", accounts.toArray()));
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    Object[] values = new Object[columns.size()];
                    for (int i = 0; i < columns.size(); i++) {
                        Object v = r.getObject(3 + i);
                        values[i] = v instanceof BigDecimal || v == null || v instanceof Double ? v
                                : v instanceof Number n ? (Object) n.longValue() : v;
                    }
                    out.put(new FeatureComparison.Key(r.getString(1), r.getObject(2, LocalDate.class)), values);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Reading DuckDB's sample failed: " + e.getMessage(), e);
        }
        return out;
    }

    private String single(String query) {
        try (Statement s = connection.createStatement(); ResultSet r = s.executeQuery(query)) {
            r.next();
            return r.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Splits the script on semicolons that end a line (the file's statements never contain one elsewhere). */
    static List<String> statements(String script) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : script.split("\n")) {
            if (line.strip().startsWith("--")) {
                continue;
            }
            current.append(line).append('\n');
            if (line.strip().endsWith(";")) {
                out.add(current.toString().strip());
                current.setLength(0);
            }
        }
        if (!current.toString().isBlank()) {
            out.add(current.toString().strip());
        }
        return out;
    }

    /** Requested feature columns the SQL does not produce (checked on its text before anything runs). */
    Set<String> missingColumns(Set<String> wanted) {
        String sql = sql(List.of(LocalDate.of(2000, 1, 31)));
        Set<String> missing = new LinkedHashSet<>();
        for (String column : wanted) {
            if (!sql.contains(" AS " + column + ",") && !sql.contains(" AS " + column + "\n")) {
                missing.add(column);
            }
        }
        return missing;
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            // closing an in-memory database: nothing to keep
        }
    }
}
