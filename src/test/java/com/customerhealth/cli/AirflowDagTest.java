package com.customerhealth.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.customerhealth.Cli;
import com.customerhealth.TestSpark;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Airflow DAG file, without Airflow: it compiles, and src/test/python/dag_tasks.py imports it against a
 * stand-in Airflow and renders every templated field for DAG runs whose run dates are worked out by hand
 * below. Every task's rendered arguments then go through the real CLI with --dry-run, so the DAG cannot
 * drift from the jobs' command line.
 */
class AirflowDagTest {
    private static final Path DAG_FILE = Path.of("jobs/airflow/customer_health_dag.py");
    private static final Path DRIVER = Path.of("src/test/python/dag_tasks.py");
    private static final String DAILY = "customer_health_daily";
    private static final String MONTHLY = "customer_health_monthly";
    private static final String PROD_CONF = "/opt/customer-health/conf/production.conf";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A DAG run to render and what each of its tasks must receive. */
    private record Run(String name, String dagId, Map<String, Object> fields, String runDate, String conf, String runId,
                       int tryNumber, String rowsAfterRunDate) {
        List<String> argsOf(String task) {
            return List.of(task, "--run-date", runDate, "--conf", conf, "--run-id", "airflow-" + runId + "-" + task + "-try" + tryNumber,
                    "--set", "validation.rows-after-run-date=" + rowsAfterRunDate);
        }
    }

    private static Map<String, Object> fields(String runType, String logicalDate, String intervalStart, String intervalEnd,
                                              String runAfter, String startDate) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("run_type", runType);
        f.put("logical_date", logicalDate);
        f.put("data_interval_start", intervalStart);
        f.put("data_interval_end", intervalEnd);
        f.put("run_after", runAfter);
        f.put("start_date", startDate);
        return f;
    }

    /** An Airflow 3 manual run triggered without a logical date: no logical date, no data interval. */
    private static Map<String, Object> manual(String runAfter) {
        return fields("manual", null, null, null, runAfter, runAfter);
    }

    private static Map<String, Object> with(Map<String, Object> f, String key, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(f);
        copy.put(key, value);
        return copy;
    }

    private static final Map<String, Object> DAILY_SCHEDULED = fields("scheduled", "2026-09-30T00:00:00+00:00",
            "2026-09-30T00:00:00+00:00", "2026-10-01T00:00:00+00:00", "2026-10-01T00:00:00+00:00", "2026-10-01T00:00:04+00:00");

    private static final List<Run> RUNS = List.of(
            // The day the interval covers; the run starts on time, so rows after the run date are quarantined.
            new Run("daily scheduled", DAILY, DAILY_SCHEDULED, "2026-09-30", PROD_CONF,
                    "scheduled__2026-09-30T00:00:00+00:00", 1, "quarantine"),
            // A retry of that run: another run id, the same date and policy (counted from the run's start).
            new Run("daily scheduled, second try", DAILY, with(DAILY_SCHEDULED, "try_number", 2), "2026-09-30", PROD_CONF,
                    "scheduled__2026-09-30T00:00:00+00:00", 2, "quarantine"),
            // Catching up: the run for 2026-09-27 starts on 2026-10-01, so 09-27 is before yesterday (09-30).
            new Run("daily catch-up", DAILY, fields("scheduled", "2026-09-27T00:00:00+00:00", "2026-09-27T00:00:00+00:00",
                    "2026-09-28T00:00:00+00:00", "2026-09-28T00:00:00+00:00", "2026-10-01T00:00:04+00:00"), "2026-09-27", PROD_CONF,
                    "scheduled__2026-09-27T00:00:00+00:00", 1, "exclude"),
            new Run("daily backfill", DAILY, fields("backfill", "2026-06-15T00:00:00+00:00", "2026-06-15T00:00:00+00:00",
                    "2026-06-16T00:00:00+00:00", "2026-06-16T00:00:00+00:00", "2026-10-05T09:00:00+00:00"), "2026-06-15", PROD_CONF,
                    "backfill__2026-06-15T00:00:00+00:00", 1, "exclude"),
            // Manual, no logical date: the day before run_after.
            new Run("daily manual", DAILY, manual("2026-10-05T10:15:00+00:00"), "2026-10-04", PROD_CONF,
                    "manual__2026-10-05T10:15:00+00:00", 1, "quarantine"),
            // run_after 2026-10-01 00:30 in UTC+2 is 2026-09-30 22:30 UTC: the day before is 09-29.
            new Run("daily manual, UTC+2 just after midnight", DAILY, manual("2026-10-01T00:30:00+02:00"), "2026-09-29", PROD_CONF,
                    "manual__2026-10-01T00:30:00+02:00", 1, "quarantine"),
            // Manual with a chosen date, conf file and jar Variable: the params win; a past date excludes.
            new Run("daily manual, chosen date and conf", DAILY,
                    with(with(manual("2026-10-05T10:15:00+00:00"), "conf", Map.of("run_date", "2026-06-30", "conf_file", "/etc/health/staging.conf")),
                            "variables", Map.of("customer_health_jar", "/jars/customer-health-1.2.jar", "customer_health_spark_packages", "com.mysql:mysql-connector-j:9.1.0")),
                    "2026-06-30", "/etc/health/staging.conf", "manual__2026-10-05T10:15:00+00:00", 1, "exclude"),
            // The month the interval covers.
            new Run("monthly scheduled", MONTHLY, fields("scheduled", "2026-09-01T06:00:00+00:00", "2026-09-01T06:00:00+00:00",
                    "2026-10-01T06:00:00+00:00", "2026-10-01T06:00:00+00:00", "2026-10-01T06:00:03+00:00"), "2026-09-30", PROD_CONF,
                    "scheduled__2026-09-01T06:00:00+00:00", 1, "quarantine"),
            new Run("monthly scheduled, February of a leap year", MONTHLY, fields("scheduled", "2028-02-01T06:00:00+00:00",
                    "2028-02-01T06:00:00+00:00", "2028-03-01T06:00:00+00:00", "2028-03-01T06:00:00+00:00", "2028-03-01T06:00:05+00:00"),
                    "2028-02-29", PROD_CONF, "scheduled__2028-02-01T06:00:00+00:00", 1, "quarantine"),
            // Manual on the 1st before the scheduled run: September still, and on time.
            new Run("monthly manual on the 1st", MONTHLY, manual("2026-10-01T03:00:00+00:00"), "2026-09-30", PROD_CONF,
                    "manual__2026-10-01T03:00:00+00:00", 1, "quarantine"),
            // Manual on 2026-10-05: the month before October ends 2026-09-30, before yesterday: exclude.
            new Run("monthly manual", MONTHLY, manual("2026-10-05T10:15:00+00:00"), "2026-09-30", PROD_CONF,
                    "manual__2026-10-05T10:15:00+00:00", 1, "exclude"),
            new Run("monthly manual in January", MONTHLY, manual("2027-01-03T08:00:00+00:00"), "2026-12-31", PROD_CONF,
                    "manual__2027-01-03T08:00:00+00:00", 1, "exclude"),
            // The param forces the policy.
            new Run("monthly manual, quarantine forced", MONTHLY,
                    with(manual("2026-10-05T10:15:00+00:00"), "conf", Map.of("rows_after_run_date", "quarantine")), "2026-09-30", PROD_CONF,
                    "manual__2026-10-05T10:15:00+00:00", 1, "quarantine"));

    private static JsonNode rendered;

    @BeforeAll
    static void renderTheDag() throws IOException, InterruptedException {
        List<Map<String, Object>> runs = new ArrayList<>();
        for (Run r : RUNS) {
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("name", r.name());
            run.put("dag_id", r.dagId());
            run.putAll(r.fields());
            runs.add(run);
        }
        rendered = JSON.readTree(python(DRIVER.toString(), DAG_FILE.toString(), JSON.writeValueAsString(runs)));
    }

    /** Runs python3 with the arguments; returns its stdout, failing with its stderr when it exits non-zero. */
    private static String python(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("python3"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        // Byte code goes under target/, never beside the sources.
        pb.environment().put("PYTHONPYCACHEPREFIX", Path.of("target", "pycache").toAbsolutePath().toString());
        Path stderr = Files.createTempFile("airflow-dag-test", ".err");
        pb.redirectError(stderr.toFile());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException("python3 is needed to test the Airflow DAG: " + e.getMessage(), e);
        }
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("python3 %s did not finish in 120 s", command).isTrue();
        String err = Files.readString(stderr);
        Files.delete(stderr);
        assertThat(p.exitValue()).as("python3 %s failed:%n%s", String.join(" ", args), err).isZero();
        return out;
    }

    private static JsonNode dag(String dagId) {
        return StreamSupport.stream(rendered.get("dags").spliterator(), false)
                .filter(d -> d.get("dag_id").asText().equals(dagId)).findFirst().orElseThrow(() -> new AssertionError("no DAG " + dagId));
    }

    private static JsonNode renderedRun(String name) {
        return StreamSupport.stream(rendered.get("runs").spliterator(), false)
                .filter(r -> r.get("name").asText().equals(name)).findFirst().orElseThrow(() -> new AssertionError("no run " + name));
    }

    private static List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    private static List<String> order(String dagId) {
        return texts(dag(dagId).get("order"));
    }

    @Test
    void theDagFileCompiles() throws IOException, InterruptedException {
        python("-m", "py_compile", DAG_FILE.toString());
    }

    @Test
    void tasksRunInTheirOrder() {
        assertThat(StreamSupport.stream(rendered.get("dags").spliterator(), false).map(d -> d.get("dag_id").asText()))
                .containsExactlyInAnyOrder(DAILY, MONTHLY);
        for (String dagId : List.of(DAILY, MONTHLY)) {
            List<String> order = order(dagId);
            assertThat(order).as(dagId).containsExactly(dagId.equals(DAILY)
                    ? new String[] {"validate", "cohorts", "score", "insights"} : new String[] {"calibrate", "report"});
            // A chain: each task waits for exactly the one before it.
            for (JsonNode task : dag(dagId).get("tasks")) {
                int i = order.indexOf(task.get("task_id").asText());
                assertThat(texts(task.get("upstream"))).as(dagId + "." + order.get(i)).isEqualTo(i == 0 ? List.of() : List.of(order.get(i - 1)));
            }
        }
    }

    @Test
    void schedulesRetriesAndConcurrency() {
        for (String dagId : List.of(DAILY, MONTHLY)) {
            JsonNode dag = dag(dagId);
            assertThat(dag.at("/schedule/timetable").asText()).isEqualTo("CronDataIntervalTimetable");
            assertThat(dag.at("/schedule/cron").asText()).isEqualTo(dagId.equals(DAILY) ? "0 0 * * *" : "0 6 1 * *");
            assertThat(dag.at("/schedule/timezone").asText()).isEqualTo("UTC");
            assertThat(dag.get("catchup").asBoolean(true)).as(dagId + " catchup").isFalse();
            assertThat(dag.get("max_active_runs").asInt()).isEqualTo(1);
            assertThat(dag.at("/params/run_date/default").asText()).isEmpty();
            assertThat(dag.at("/params/rows_after_run_date/default").asText()).isEqualTo("auto");
            assertThat(texts(dag.get("user_defined_macros"))).containsExactly("health_rows_after_run_date", "health_run_date");
            for (JsonNode task : dag.get("tasks")) {
                JsonNode args = task.get("args");
                assertThat(task.get("operator").asText()).isEqualTo("SparkSubmitOperator");
                assertThat(args.get("java_class").asText()).isEqualTo("com.customerhealth.cli.HealthJobs");
                assertThat(args.get("conn_id").asText()).isEqualTo("customer_health_spark");
                // default_args reach every task: 3 retries from 5 minutes, doubling, at most an hour apart.
                assertThat(args.get("retries").asInt()).isEqualTo(3);
                assertThat(args.get("retry_delay").asDouble()).isEqualTo(300.0);
                assertThat(args.get("retry_exponential_backoff").asBoolean()).isTrue();
                assertThat(args.get("max_retry_delay").asDouble()).isEqualTo(3600.0);
                assertThat(args.get("execution_timeout").asDouble()).isEqualTo(6 * 3600.0);
            }
        }
    }

    @Test
    void everyTaskGetsItsRunDateConfRunIdAndPolicy() {
        for (Run run : RUNS) {
            JsonNode tasks = renderedRun(run.name()).get("tasks");
            for (String task : order(run.dagId())) {
                JsonNode t = tasks.get(task);
                assertThat(texts(t.get("application_args"))).as(run.name() + ": " + task).containsExactlyElementsOf(run.argsOf(task));
                assertThat(t.get("name").asText()).isEqualTo("customer-health-" + task + "-" + run.runDate());
                assertThat(t.at("/conf/spark.yarn.maxAppAttempts").asText()).isEqualTo("1");
                Map<?, ?> variables = (Map<?, ?>) run.fields().getOrDefault("variables", Map.of());
                assertThat(t.get("application").asText()).as(run.name())
                        .isEqualTo(variables.containsKey("customer_health_jar") ? variables.get("customer_health_jar")
                                : "/opt/customer-health/customer-health-jobs.jar");
                // The jar carries Delta: no --packages unless a Variable adds some.
                assertThat(t.get("packages").asText()).as(run.name())
                        .isEqualTo(variables.containsKey("customer_health_spark_packages") ? variables.get("customer_health_spark_packages") : "");
            }
        }
    }

    @Test
    void everyRenderedCommandLinePassesTheCliDryRun() {
        TestSpark.session();
        // Every task once, with both policies and both ways to the run date (data interval, run_after).
        for (Run run : RUNS.stream().filter(r -> List.of("daily scheduled", "monthly manual").contains(r.name())).toList()) {
            JsonNode tasks = renderedRun(run.name()).get("tasks");
            for (String task : order(run.dagId())) {
                List<String> args = new ArrayList<>(texts(tasks.get(task).get("application_args")));
                // The sample warehouse instead of the production conf.
                args.set(args.indexOf("--conf") + 1, "conf/local.conf");
                args.add("--dry-run");
                Cli cli = Cli.run(args.toArray(String[]::new));
                assertThat(cli.code()).as("%s: %s%n%s%s", run.name(), String.join(" ", args), cli.out(), cli.err()).isZero();
                assertThat(cli.out()).contains("Dry run of " + task + ", run id airflow-" + run.runId() + "-" + task + "-try1, run date "
                        + run.runDate());
            }
        }
    }
}
