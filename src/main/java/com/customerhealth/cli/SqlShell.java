package com.customerhealth.cli;

import com.customerhealth.JobFailure;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;

/**
 * The analysts' SQL shell ({@code sql} command, {@code ./jobs/sql-local.sh}): runs statements in a session whose current
 * database is {@code output.database}, and prints each result as a text table. One statement ({@code -e}) or many,
 * read from a reader, each ending in {@code ;}.
 */
public final class SqlShell {
    static final String PROMPT = "health-sql> ";
    private static final String MORE = "        ...> ";

    private final SparkSession spark;
    private final PrintStream out;
    private final int maxRows;

    SqlShell(SparkSession spark, PrintStream out, int maxRows) {
        this.spark = spark;
        this.out = out;
        this.maxRows = maxRows;
    }

    /** Runs one statement and prints its result; a statement Spark rejects (parse or analysis) is bad usage, exit 2. */
    void runOne(String sql) {
        String statement = stripSemicolons(sql);
        try {
            print(spark.sql(statement));
        } catch (Exception e) { // AnalysisException is checked in Java's eyes
            if (userError(e)) {
                throw JobFailure.badConfig("The query failed: " + JobFailure.firstLine(e).trim()
                        + (JobFailure.firstLine(e).trim().endsWith(".") ? "" : "."), "Query: " + statement);
            }
            throw e instanceof RuntimeException r ? r : new IllegalStateException(JobFailure.firstLine(e), e);
        }
    }

    /**
     * Reads statements ending in {@code ;} until end of input or {@code exit}/{@code quit}; prints each result, or the
     * one-line error of a statement Spark rejects, and goes on. Returns the number of statements that failed.
     */
    int interactive(BufferedReader in, PrintStream err, boolean prompt) {
        int failed = 0;
        StringBuilder buffer = new StringBuilder();
        try {
            while (true) {
                if (prompt) {
                    out.print(buffer.length() == 0 ? PROMPT : MORE);
                    out.flush();
                }
                String line = in.readLine();
                if (line == null) {
                    break;
                }
                if (buffer.length() == 0 && isExit(line)) {
                    break;
                }
                buffer.append(line).append('\n');
                List<String> statements = new ArrayList<>();
                String rest = split(buffer.toString(), statements);
                buffer.setLength(0);
                buffer.append(rest.isBlank() ? "" : rest);
                for (String statement : statements) {
                    try {
                        print(spark.sql(statement));
                    } catch (Exception e) { // AnalysisException is checked in Java's eyes
                        if (!userError(e)) {
                            throw e instanceof RuntimeException r ? r : new IllegalStateException(JobFailure.firstLine(e), e);
                        }
                        failed++;
                        err.println("ERROR: " + JobFailure.firstLine(e).trim());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!buffer.toString().isBlank()) { // the last statement had no ';': run it too
            runOne(buffer.toString());
        }
        out.flush();
        return failed;
    }

    private static boolean isExit(String line) {
        String t = stripSemicolons(line).trim().toLowerCase(java.util.Locale.ROOT);
        return t.equals("exit") || t.equals("quit");
    }

    /** Spark's errors about the statement itself (syntax, unknown table or column, wrong types): the user's to fix. */
    static boolean userError(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.apache.spark.sql.AnalysisException) { // ParseException is one too
                return true;
            }
        }
        return false;
    }

    /**
     * Splits {@code text} at the {@code ;} outside quotes ('...', "...", `...`) and {@code --} comments: adds the complete
     * statements (trimmed, non-empty) to {@code statements} and returns the unfinished rest.
     */
    public static String split(String text, List<String> statements) {
        int start = 0;
        char quote = 0;
        boolean comment = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (comment) {
                comment = c != '\n';
            } else if (quote != 0) {
                if (c == '\\' && quote != '`') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"' || c == '`') {
                quote = c;
            } else if (c == '-' && i + 1 < text.length() && text.charAt(i + 1) == '-') {
                comment = true;
            } else if (c == ';') {
                String statement = text.substring(start, i).trim();
                if (!statement.isEmpty()) {
                    statements.add(statement);
                }
                start = i + 1;
            }
        }
        return text.substring(start);
    }

    private static String stripSemicolons(String sql) {
        String s = sql.trim();
        while (s.endsWith(";")) {
            s = s.substring(0, s.length() - 1).trim();
        }
        return s;
    }

    /** Prints a result as a text table (at most maxRows rows, then how many were left out), or OK for a command. */
    void print(Dataset<Row> result) {
        StructField[] fields = result.schema().fields();
        if (fields.length == 0) {
            result.collectAsList(); // a command: run it
            out.println("OK");
            return;
        }
        List<Row> rows = result.takeAsList(maxRows + 1);
        boolean more = rows.size() > maxRows;
        if (more) {
            rows = rows.subList(0, maxRows);
        }
        out.print(format(fields, rows));
        out.println(more ? "(first " + maxRows + " rows shown; add LIMIT or raise --max-rows)"
                : "(" + rows.size() + (rows.size() == 1 ? " row)" : " rows)"));
        out.flush();
    }

    /** The rows as a table: a header, a rule, one line per row; numbers right-aligned, NULL for null. */
    static String format(StructField[] fields, List<Row> rows) {
        int n = fields.length;
        int[] width = new int[n];
        String[][] cells = new String[rows.size()][n];
        for (int j = 0; j < n; j++) {
            width[j] = fields[j].name().length();
        }
        for (int i = 0; i < rows.size(); i++) {
            for (int j = 0; j < n; j++) {
                Object v = rows.get(i).get(j);
                String cell = v == null ? "NULL" : v instanceof scala.collection.Iterable<?> || v instanceof scala.collection.Map<?, ?>
                        ? v.toString() : String.valueOf(v);
                cell = cell.replace('\n', ' ');
                cells[i][j] = cell;
                width[j] = Math.max(width[j], cell.length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < n; j++) {
            sb.append(j == 0 ? "" : " | ").append(pad(fields[j].name(), width[j], numeric(fields[j])));
        }
        trimEnd(sb).append('\n');
        for (int j = 0; j < n; j++) {
            sb.append(j == 0 ? "" : "-+-").append("-".repeat(width[j]));
        }
        sb.append('\n');
        for (String[] row : cells) {
            for (int j = 0; j < n; j++) {
                sb.append(j == 0 ? "" : " | ").append(pad(row[j], width[j], numeric(fields[j])));
            }
            trimEnd(sb).append('\n');
        }
        return sb.toString();
    }

    private static boolean numeric(StructField f) {
        return f.dataType() instanceof NumericType;
    }

    private static String pad(String s, int width, boolean right) {
        String fill = " ".repeat(width - s.length());
        return right ? fill + s : s + fill;
    }

    private static StringBuilder trimEnd(StringBuilder sb) {
        int end = sb.length();
        while (end > 0 && sb.charAt(end - 1) == ' ') {
            end--;
        }
        sb.setLength(end);
        return sb;
    }
}
