package com.customerhealth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.customerhealth.Cli;
import com.customerhealth.TestSpark;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The analysts' SQL shell: statements split at ';', results printed as tables, a rejected statement is exit 2; and, as a
 * client would use it, {@code sql} in processes of their own over the persistent local catalog (output.local-catalog):
 * the tables by name, a view one process made seen by the next, and a second process refused with one line while the
 * first has the catalog open.
 */
class SqlShellTest {

    @Test
    void statementsEndAtSemicolonsOutsideQuotesAndComments() {
        List<String> statements = new ArrayList<>();
        String rest = SqlShell.split("SELECT ';' AS a; -- a comment; still a comment\nSELECT `x;y` FROM t;\nSELECT 3", statements);

        assertThat(statements).containsExactly("SELECT ';' AS a", "-- a comment; still a comment\nSELECT `x;y` FROM t");
        assertThat(rest).isEqualTo("\nSELECT 3");
    }

    @Test
    void resultsPrintAsATableWithNumbersRightAlignedAndNullSpelledOut() {
        StructField[] fields = {DataTypes.createStructField("health_tier", DataTypes.StringType, true),
                DataTypes.createStructField("accounts", DataTypes.LongType, true)};
        String table = SqlShell.format(fields, List.of(RowFactory.create("at_risk", 381L), RowFactory.create(null, 7L)));

        assertThat(table).isEqualTo("""
                health_tier | accounts
                ------------+---------
                at_risk     |      381
                NULL        |        7
                """);
    }

    /** The standard fixture scored on 2024-06-30 (A1 and A3 healthy, A2 at risk), by path and registered nowhere: once. */
    private static CliFixture run;

    @BeforeAll
    static void score() {
        run = CliFixture.standard();
        assertThat(run.cli(run.job("score", "2024-06-30"))).as(run.err()).isZero();
    }

    @Test
    void oneQueryByNamePrintsItsResultAndABadOneExitsTwoWithOneLine() {
        String[] sql = sqlArgs(run, "sql_shell_test");

        Cli ok = Cli.run(concat(sql, "-e", "SELECT account_id, mrr FROM account_health_current ORDER BY account_id;"));
        Cli bad = Cli.run(concat(sql, "-e", "SELECT no_such_column FROM account_health_current"));

        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.out()).isEqualTo("""
                account_id |     mrr
                -----------+--------
                A1         | 1000.00
                A2         |  500.00
                A3         | 2000.00
                (3 rows)
                """);
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err().lines().findFirst().orElseThrow()).startsWith("ERROR: The query failed: ").contains("no_such_column");
    }

    /**
     * The way a client uses it: separate processes (java, the test classpath, as ./jobs/sql-local.sh runs it), each a new
     * session. The first keeps the catalog open while a second is refused; a view the first made is there for the third.
     */
    @Test
    void newProcessesFindTheTablesAndViewsByNameAndOneAtATimeOpensTheCatalog() throws Exception {
        Path logs = Files.createTempDirectory("sql-shell-");
        List<String> args = new ArrayList<>(Arrays.asList(sqlArgs(run, "default")));
        args.addAll(List.of("--set", "output.local-catalog=true"));

        Process first = start(args, logs.resolve("first.err"));
        try (OutputStream in = first.getOutputStream();
             BufferedReader out = new BufferedReader(new InputStreamReader(first.getInputStream(), StandardCharsets.UTF_8))) {
            in.write(("SELECT health_tier, count(*) AS accounts FROM account_health_current GROUP BY 1 ORDER BY 1;\n"
                    + "CREATE OR REPLACE VIEW big_accounts AS SELECT account_id FROM account_health_current WHERE mrr >= 1000;\n"
                    + "SELECT 'ready' AS state;\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
            List<String> lines = new ArrayList<>();
            for (String line = out.readLine(); line != null && !line.equals("ready"); line = out.readLine()) {
                lines.add(line);
            }
            assertThat(lines).as(Files.readString(logs.resolve("first.err"))).containsExactly(
                    "health_tier | accounts", "------------+---------", "at_risk     |        1", "healthy     |        2", "(2 rows)",
                    "OK", "state", "-----");

            List<String> second = new ArrayList<>(args);
            second.addAll(List.of("-e", "SELECT 1"));
            Process refused = start(second, logs.resolve("second.err"));
            assertThat(refused.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(refused.exitValue()).isEqualTo(1);
            assertThat(errorLines(logs.resolve("second.err"))).containsExactly("ERROR: The local catalog "
                    + run.fixture().output().path() + "/_catalog is open in another process (a job or ./jobs/sql-local.sh on the "
                    + "same output folder): one process at a time can open it; wait for that one to end, then try again.");
        }
        assertThat(first.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(first.exitValue()).as(Files.readString(logs.resolve("first.err"))).isZero();

        List<String> third = new ArrayList<>(args);
        third.addAll(List.of("-e", "SELECT * FROM big_accounts ORDER BY 1"));
        Process later = start(third, logs.resolve("third.err"));
        String printed = new String(later.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(later.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(later.exitValue()).as(Files.readString(logs.resolve("third.err"))).isZero();
        assertThat(printed).isEqualTo("""
                account_id
                ----------
                A1
                A3
                (2 rows)
                """);
    }

    /** The sql command's arguments for the fixture's output, with the database to find the tables in. */
    private static String[] sqlArgs(CliFixture fixture, String database) {
        return new String[] {"sql", "--set", "output.path=" + fixture.fixture().output().path(), "--set", "output.database=" + database};
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** The CLI in a JVM of its own: the test classpath (Spark provided, as spark-local-env.sh's), a small heap, one core. */
    private static Process start(List<String> cliArgs, Path stderr) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m"));
        command.addAll(TestSpark.childJvmOptions());
        command.addAll(List.of("-Dspark.master=local[1]", "-Dspark.ui.enabled=false", "-Dspark.driver.host=127.0.0.1",
                "-Dspark.driver.bindAddress=127.0.0.1", "-Dspark.sql.shuffle.partitions=1",
                "-Dlog4j2.configurationFile=" + Path.of("conf/log4j2.properties").toAbsolutePath(),
                "-cp", System.getProperty("java.class.path"), HealthJobs.class.getName()));
        command.addAll(cliArgs);
        return new ProcessBuilder(command).redirectError(stderr.toFile()).start();
    }

    /** The stderr lines that are not Spark's start-up warnings about the host name. */
    private static List<String> errorLines(Path stderr) throws IOException {
        return Files.readAllLines(stderr).stream().filter(l -> !l.contains(" WARN ")).toList();
    }
}
