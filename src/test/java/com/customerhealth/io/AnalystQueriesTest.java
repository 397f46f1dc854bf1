package com.customerhealth.io;

import static org.assertj.core.api.Assertions.assertThat;

import com.customerhealth.Cli;
import com.customerhealth.FixtureWarehouse;
import com.customerhealth.TestSpark;
import com.customerhealth.config.AppConfig;
import com.customerhealth.config.OutputSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * Every analyst query README.md and docs/analysts.md show (their {@code sql} blocks and the {@code sql-local.sh -e}
 * examples) runs on a fixture output, by name, in the catalog database the jobs registered the tables in; the headline
 * answers are checked exactly. The fixture (FixtureWarehouse.standard) scored on 2024-06-30: A1 and A3 healthy, A2 at
 * risk with MRR 500; A4 lapsed in March. DuckDB's example (delta_scan) is not Spark SQL and is left out.
 */
class AnalystQueriesTest {
    private static final String DB = "analyst_queries_test";
    private static final Pattern SQL_BLOCK = Pattern.compile("```sql\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern SHELL_QUERY = Pattern.compile("sql-local\\.sh -e \"([^\"]+)\"");

    private final SparkSession spark = TestSpark.session();

    @Test
    void everyDocumentedQueryRunsOnTheOutputAndTheHeadlinesAreExact() throws IOException {
        AppConfig fixture = FixtureWarehouse.standard().writeAndConfigure(spark, Map.of());
        Cli daily = Cli.run(FixtureWarehouse.jobArgs(fixture, "daily", "2024-06-30", "--set", "output.database=" + DB));
        assertThat(daily.code()).as(daily.err()).isZero();
        DeltaTables tables = new DeltaTables(spark, new OutputSettings(fixture.output().path(), DB, null));
        for (OutputTable t : OutputTables.ALL) {
            tables.ensureCreated(t); // calibrate's tables, which daily does not write: there, empty, and registered
        }
        assertThat(AnalystViews.create(spark, DB)).containsExactly("at_risk_accounts_today", "tier_movement_this_month", "nrr_trend");

        List<String> queries = new ArrayList<>(documented(Path.of("README.md")));
        queries.addAll(documented(Path.of("docs/analysts.md")));
        assertThat(queries).hasSizeGreaterThanOrEqualTo(15);
        List<String> failed = new ArrayList<>();
        // In DB, as the SQL shell runs them: a session of its own, so the shared one (another class's at the same time)
        // never changes database.
        SparkSession shell = spark.newSession();
        shell.catalog().setCurrentDatabase(DB);
        for (String query : queries) {
            String sql = query.replace("customer_health.", DB + ".").replace("default.", DB + ".")
                    .replace("account_health_current', 12)", "account_health_current', 0)"); // the fixture's first version
            try {
                shell.sql(sql).collectAsList();
            } catch (Exception e) {
                failed.add(JobFailure(e) + "\n" + query);
            }
        }
        assertThat(failed).as("documented queries that fail on the fixture output").isEmpty();

        assertThat(rows("SELECT health_tier, count(*) FROM " + DB + ".account_health_current WHERE is_current_customer GROUP BY 1 ORDER BY 1"))
                .containsExactly("at_risk 1", "healthy 2");
        assertThat(rows("SELECT account_id, mrr, health_tier, top_concern IS NOT NULL FROM " + DB + ".at_risk_accounts_today"))
                .containsExactly("A2 500.00 at_risk true");
        assertThat(rows("SELECT account_name, mrr, health_tier FROM " + DB + ".account_health_current "
                + "WHERE is_current_customer AND health_tier IN ('at_risk', 'critical') ORDER BY mrr DESC"))
                .hasSize(1).allMatch(r -> r.endsWith(" 500.00 at_risk"));
        assertThat(spark.sql("DESCRIBE TABLE EXTENDED " + DB + ".at_risk_accounts_today").where("col_name = 'Comment'")
                .first().getString(1)).startsWith("Today's customers in the at_risk and critical tiers");
    }

    private static String JobFailure(Exception e) {
        return com.customerhealth.JobFailure.firstLine(e);
    }

    private List<String> rows(String sql) {
        return spark.sql(sql).collectAsList().stream().map(r -> {
            List<String> cells = new ArrayList<>();
            for (int i = 0; i < r.size(); i++) {
                cells.add(String.valueOf(r.get(i)));
            }
            return String.join(" ", cells);
        }).toList();
    }

    /** The Spark SQL statements of a markdown file: its sql blocks' statements and its sql-local.sh -e queries. */
    private static List<String> documented(Path file) throws IOException {
        String text = Files.readString(file);
        List<String> statements = new ArrayList<>();
        Matcher block = SQL_BLOCK.matcher(text);
        while (block.find()) {
            List<String> found = new ArrayList<>();
            String rest = com.customerhealth.cli.SqlShell.split(block.group(1), found);
            if (!rest.isBlank()) {
                found.add(rest.trim());
            }
            found.stream().filter(s -> !s.contains("delta_scan(") && !s.startsWith("INSTALL") && !s.startsWith("LOAD"))
                    .filter(s -> !s.lines().allMatch(l -> l.isBlank() || l.trim().startsWith("--"))).forEach(statements::add);
        }
        Matcher shell = SHELL_QUERY.matcher(text);
        while (shell.find()) {
            statements.add(shell.group(1));
        }
        return statements;
    }
}
