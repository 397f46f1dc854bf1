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
import java.time.LocalDate;
import java.time.YearMonth;
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
 * stand-in Airflow, renders every templated field for DAG runs whose run dates are worked out by hand below,
 * and executes tasks in scripted situations: spark-submit failing with each exit code in each deploy mode, the
 * warehouse-load sensor's checks, the month-end trigger, the failure callback. Every job task's rendered
 * arguments then go through the real CLI with --dry-run, so the DAG cannot drift from the jobs' command line.
 */
class AirflowDagTest {
    private static final Path DAG_FILE = Path.of("jobs/airflow/customer_health_dag.py");
    private static final Path DRIVER = Path.of("src/test/python/dag_tasks.py");
    private static final String DAILY = "customer_health_daily";
    private static final String MONTHLY = "customer_health_monthly";
    private static final String PROD_CONF = "/opt/customer-health/conf/production.conf";
    private static final List<String> DAILY_ORDER = List.of("wait_for_warehouse_load", "daily", "trigger_monthly");
    private static final List<String> MONTHLY_ORDER = List.of("calibrate", "report");
    private static final String DEFAULT_MARKER = "file:///opt/customer-health/warehouse-loaded/{run_date}";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A DAG run to render and what each of its job tasks must receive. */
    private record Run(String name, String dagId, Map<String, Object> fields, String runDate, String conf, String runId,
                       int tryNumber, String rowsAfterRunDate) {
        List<String> argsOf(String task) {
            return List.of(task, "--run-date", runDate, "--conf", conf, "--run-id", "airflow-" + runId + "-" + task + "-try" + tryNumber,
                    "--set", "validation.rows-after-run-date=" + rowsAfterRunDate);
        }

        boolean monthEnd() {
            LocalDate d = LocalDate.parse(runDate);
            return YearMonth.from(d).atEndOfMonth().equals(d);
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

    /** A scheduled or backfill daily run of the day {@code d}, started at {@code startDate}. */
    private static Map<String, Object> daily(String runType, String d, String startDate) {
        String next = LocalDate.parse(d).plusDays(1).toString();
        return fields(runType, d + "T00:00:00+00:00", d + "T00:00:00+00:00", next + "T00:00:00+00:00", next + "T00:00:00+00:00",
                startDate);
    }

    /** An Airflow 3 manual run triggered without a logical date: no logical date, no data interval. */
    private static Map<String, Object> manual(String runAfter) {
        return fields("manual", null, null, null, runAfter, runAfter);
    }

    /**
     * A monthly run as trigger_monthly creates it: run id month_end__D, conf run_date D, a logical date at the
     * moment of the trigger (the operator's default) and, with no schedule, an empty data interval there.
     */
    private static Map<String, Object> triggered(String d, String at) {
        return with(with(fields("manual", at, at, at, at, at), "run_id", "month_end__" + d), "conf", Map.of("run_date", d));
    }

    private static Map<String, Object> with(Map<String, Object> f, String key, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(f);
        copy.put(key, value);
        return copy;
    }

    private static final Map<String, Object> DAILY_SCHEDULED = daily("scheduled", "2026-09-30", "2026-10-01T00:00:04+00:00");

    private static final List<Run> RUNS = List.of(
            // The day the interval covers; the run starts on time, so rows after the run date are quarantined.
            new Run("daily scheduled", DAILY, DAILY_SCHEDULED, "2026-09-30", PROD_CONF,
                    "scheduled__2026-09-30T00:00:00+00:00", 1, "quarantine"),
            // A retry of that run: another run id, the same date and policy (counted from the run's start).
            new Run("daily scheduled, second try", DAILY, with(DAILY_SCHEDULED, "try_number", 2), "2026-09-30", PROD_CONF,
                    "scheduled__2026-09-30T00:00:00+00:00", 2, "quarantine"),
            // Catching up: the run for 2026-09-27 starts on 2026-10-01, so 09-27 is before yesterday (09-30).
            new Run("daily catch-up", DAILY, daily("scheduled", "2026-09-27", "2026-10-01T00:00:04+00:00"), "2026-09-27", PROD_CONF,
                    "scheduled__2026-09-27T00:00:00+00:00", 1, "exclude"),
            new Run("daily backfill", DAILY, daily("backfill", "2026-06-15", "2026-10-05T09:00:00+00:00"), "2026-06-15", PROD_CONF,
                    "backfill__2026-06-15T00:00:00+00:00", 1, "exclude"),
            new Run("daily backfill of a month end", DAILY, daily("backfill", "2026-06-30", "2026-10-05T09:10:00+00:00"), "2026-06-30",
                    PROD_CONF, "backfill__2026-06-30T00:00:00+00:00", 1, "exclude"),
            // 2028 is a leap year: 02-28 is not the month's last day, 02-29 is.
            new Run("daily scheduled, 2028-02-28", DAILY, daily("scheduled", "2028-02-28", "2028-02-29T00:00:03+00:00"), "2028-02-28",
                    PROD_CONF, "scheduled__2028-02-28T00:00:00+00:00", 1, "quarantine"),
            new Run("daily scheduled, 2028-02-29", DAILY, daily("scheduled", "2028-02-29", "2028-03-01T00:00:03+00:00"), "2028-02-29",
                    PROD_CONF, "scheduled__2028-02-29T00:00:00+00:00", 1, "quarantine"),
            new Run("daily scheduled, new year's eve", DAILY, daily("scheduled", "2026-12-31", "2027-01-01T00:00:03+00:00"), "2026-12-31",
                    PROD_CONF, "scheduled__2026-12-31T00:00:00+00:00", 1, "quarantine"),
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
            // Triggered by the daily run of a month end, which hands it the date: on time, so quarantine.
            new Run("monthly triggered", MONTHLY, triggered("2026-09-30", "2026-10-01T02:40:00+00:00"), "2026-09-30", PROD_CONF,
                    "month_end__2026-09-30", 1, "quarantine"),
            new Run("monthly triggered, February of a leap year", MONTHLY, triggered("2028-02-29", "2028-03-01T01:55:00+00:00"),
                    "2028-02-29", PROD_CONF, "month_end__2028-02-29", 1, "quarantine"),
            // Triggered by the backfill of a month end: a past date, so exclude.
            new Run("monthly triggered by a backfill", MONTHLY, triggered("2026-06-30", "2026-10-05T09:40:00+00:00"), "2026-06-30",
                    PROD_CONF, "month_end__2026-06-30", 1, "exclude"),
            // Manual on the 1st without a date: September still, and on time.
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

    // ---- Scripted spark-submits: the output the task sees (client mode: the job's own stderr), the return code.

    private static final String ERROR_2 = "ERROR: --run-date 2026-13-01 is not a date: use YYYY-MM-DD. Run with --help to see the usage.";
    private static final String ERROR_3 = "ERROR: Table usage_daily is missing required column active_users (mapped to nope): fix the "
            + "mapping in input.tables.usage_daily.columns";
    private static final String ERROR_1 = "ERROR: IOException: No space left on device. This is unexpected: the stack trace follows; "
            + "report it with your command line.";
    private static final String YARN_APP = "application_1790000000000_0042";

    private static Map<String, Object> spark(String master, String deployMode, int returncode, String... output) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("master", master);
        s.put("deploy_mode", deployMode);
        s.put("returncode", returncode);
        List<String> lines = new ArrayList<>(List.of("26/10/01 00:10:02 INFO SparkContext: Running Spark version 4.1.0"));
        lines.addAll(List.of(output));
        s.put("output", lines);
        return s;
    }

    private static Map<String, Object> situation(String name, String dagId, String task, Map<String, Object> run) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("name", name);
        f.put("dag_id", dagId);
        f.put("task_id", task);
        f.put("run", run);
        return f;
    }

    /** The daily job of 2026-09-30 on try {@code tryNumber} of 4, failing as {@code spark} says. */
    private static Map<String, Object> failure(String name, int tryNumber, Map<String, Object> spark) {
        return with(situation(name, DAILY, "daily", with(DAILY_SCHEDULED, "try_number", tryNumber)), "spark", spark);
    }

    private static final List<Map<String, Object>> FAILURES = List.of(
            // Client mode (the connection's default): spark-submit's code is the job's.
            failure("client, exit 1", 1, spark("yarn", "client", 1, ERROR_1, "java.io.IOException: No space left on device")),
            failure("client, exit 1 on the last try", 4, spark("yarn", "client", 1, ERROR_1, "java.io.IOException: No space left on device")),
            failure("client, exit 2", 1, spark("yarn", "client", 2, ERROR_2, "Usage: customer-health daily ...")),
            failure("client, exit 3", 1, spark("yarn", "client", 3, ERROR_3, "Table usage_daily: 0 rows read")),
            failure("local master without a deploy mode, exit 3", 1, spark("local[2]", null, 3, ERROR_3)),
            failure("client, killed", 1, spark("yarn", "client", -9, "26/10/01 00:20:00 INFO DAGScheduler: Job 3 started")),
            // Kubernetes, cluster mode: the driver pod's exit code is the job's.
            failure("kubernetes cluster, driver pod exit 3", 1, spark("k8s://https://k8s.example:6443", "cluster", 0,
                    "pod name: customer-health-daily-2026-09-30-8f2a-driver", "Container state: Terminated", "Exit code: 3")),
            failure("kubernetes cluster, driver pod exit 1", 1, spark("k8s://https://k8s.example:6443", "cluster", 0,
                    "pod name: customer-health-daily-2026-09-30-8f2a-driver", "Exit code: 1")),
            // YARN, cluster mode: spark-submit exits 1 for any failed application; System.exit leaves no code in the report.
            failure("yarn cluster, no code", 1, spark("yarn", "cluster", 1, "INFO Client: Submitted application " + YARN_APP,
                    "ERROR Client: Application diagnostics message: Shutdown hook called before final status was reported.")),
            failure("yarn cluster, no code, last try", 4, spark("yarn", "cluster", 1, "INFO Client: Submitted application " + YARN_APP,
                    "ERROR Client: Application diagnostics message: Shutdown hook called before final status was reported.")),
            failure("yarn cluster, diagnostics with the code", 1, spark("yarn", "cluster", 1, "INFO Client: Submitted application " + YARN_APP,
                    "ERROR Client: Application diagnostics message: User application exited with status 3")),
            // The job's exit-code line, when it prints one, wins over everything else.
            failure("yarn cluster, exit-code line", 1, spark("yarn", "cluster", 1, "customer-health-exit-code: 2")),
            failure("client, exit-code line says 1", 1, spark("yarn", "client", 3, ERROR_1, "customer-health-exit-code: 1")),
            // Standalone, cluster mode: the hook only sees the driver's state.
            failure("standalone cluster, driver failed", 1, with(spark("spark://master:7077", "cluster", 0,
                    "Driver successfully submitted as driver-20261001001000-0001"), "driver_status", "FAILED")),
            failure("spark-submit not on the PATH", 1, with(spark("yarn", "client", 0), "raise", "FileNotFoundError")));

    // ---- The warehouse-load sensor: what it checks, where, and how it gives up.

    private static final String LOAD_SQL = "SELECT count(*) FROM etl.load_runs WHERE load_date = '{run_date}' AND status = 'succeeded'";
    private static final String LOAD_SQL_0930 = LOAD_SQL.replace("{run_date}", "2026-09-30");

    private static Map<String, Object> sensor(String name, Map<String, Object> variables, Map<String, Object> extra) {
        Map<String, Object> s = situation(name, DAILY, "wait_for_warehouse_load", with(DAILY_SCHEDULED, "variables", variables));
        s.putAll(extra);
        return s;
    }

    private static final Map<String, Object> MARKER_VARIABLE = Map.of("customer_health_load_marker", "file://{tmp}/loads/{run_date}/_SUCCESS");
    private static final Map<String, Object> SQL_VARIABLES = Map.of("customer_health_load_sql", LOAD_SQL,
            "customer_health_load_conn_id", "warehouse");

    private static final List<Map<String, Object>> SENSORS = List.of(
            sensor("default marker, not there", Map.of(), Map.of()),
            sensor("marker there", MARKER_VARIABLE, Map.of("files", List.of("loads/2026-09-30/_SUCCESS"))),
            sensor("only the day before's marker", MARKER_VARIABLE, Map.of("files", List.of("loads/2026-09-29/_SUCCESS"))),
            sensor("marker not there after 20 hours", MARKER_VARIABLE, Map.of("elapsed_seconds", 72000)),
            sensor("sql, landed", SQL_VARIABLES, Map.of("connections", Map.of("warehouse", Map.of("sql_answers", Map.of(LOAD_SQL_0930, List.of(1)))))),
            sensor("sql, not yet", SQL_VARIABLES, Map.of("connections", Map.of("warehouse", Map.of("sql_answers", Map.of(LOAD_SQL_0930, List.of(0)))))),
            sensor("sql without a connection", Map.of("customer_health_load_sql", LOAD_SQL), Map.of()));

    // ---- The failure callback on its own: no exception, a multi-line one, broken and custom handlers.

    private static Map<String, Object> callback(String name, String dagId, String task, Map<String, Object> run, Map<String, Object> exception,
                                                String handler) {
        Map<String, Object> c = situation(name, dagId, task, run);
        c.put("exception", exception);
        c.put("alert_handler", handler);
        return c;
    }

    private static final Map<String, Object> MONTHLY_TRIGGERED = triggered("2026-09-30", "2026-10-01T02:40:00+00:00");

    private static final List<Map<String, Object>> CALLBACKS = List.of(
            callback("lost worker, default handler", MONTHLY, "calibrate", MONTHLY_TRIGGERED, null, ""),
            callback("multi-line error", MONTHLY, "report", MONTHLY_TRIGGERED,
                    Map.of("type", "RuntimeError", "message", "Report folder not writable\n  at line 2"), "standin_alerts:record"),
            callback("broken handler", DAILY, "daily", DAILY_SCHEDULED, Map.of("type", "RuntimeError", "message", "boom"), "standin_alerts:broken"),
            callback("handler that cannot be imported", DAILY, "daily", DAILY_SCHEDULED, Map.of("type", "RuntimeError", "message", "boom"),
                    "no_such_module:page"));

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
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("runs", runs);
        request.put("failures", FAILURES);
        request.put("sensors", SENSORS);
        request.put("callbacks", CALLBACKS);
        rendered = JSON.readTree(python(DRIVER.toString(), DAG_FILE.toString(), JSON.writeValueAsString(request)));
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

    private static JsonNode named(String section, String key, String value) {
        return StreamSupport.stream(rendered.get(section).spliterator(), false)
                .filter(d -> d.get(key).asText().equals(value)).findFirst().orElseThrow(() -> new AssertionError("no " + section + " " + value));
    }

    private static JsonNode dag(String dagId) {
        return named("dags", "dag_id", dagId);
    }

    private static JsonNode task(String dagId, String taskId) {
        return StreamSupport.stream(dag(dagId).get("tasks").spliterator(), false)
                .filter(t -> t.get("task_id").asText().equals(taskId)).findFirst().orElseThrow(() -> new AssertionError("no task " + taskId));
    }

    private static JsonNode renderedRun(String name) {
        return named("runs", "name", name);
    }

    private static List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    private static List<String> order(String dagId) {
        return texts(dag(dagId).get("order"));
    }

    /** The job tasks (spark-submits of the jar) of a DAG, in order. */
    private static List<String> jobTasks(String dagId) {
        return order(dagId).stream().filter(t -> texts(task(dagId, t).get("classes")).contains("SparkSubmitOperator")).toList();
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
            assertThat(order).as(dagId).containsExactlyElementsOf(dagId.equals(DAILY) ? DAILY_ORDER : MONTHLY_ORDER);
            // A chain: each task waits for exactly the one before it.
            for (JsonNode task : dag(dagId).get("tasks")) {
                int i = order.indexOf(task.get("task_id").asText());
                assertThat(texts(task.get("upstream"))).as(dagId + "." + order.get(i)).isEqualTo(i == 0 ? List.of() : List.of(order.get(i - 1)));
            }
        }
        // The data before the work: the sensor, then one validated read for the day's three jobs, then the month-end trigger.
        assertThat(texts(task(DAILY, "wait_for_warehouse_load").get("classes"))).contains("WarehouseLoadSensor", "BaseSensorOperator");
        assertThat(texts(task(DAILY, "trigger_monthly").get("classes"))).contains("MonthEndTrigger", "TriggerDagRunOperator");
        assertThat(jobTasks(DAILY)).containsExactly("daily");
        assertThat(jobTasks(MONTHLY)).containsExactly("calibrate", "report");
        for (String dagId : List.of(DAILY, MONTHLY)) {
            for (String job : jobTasks(dagId)) {
                assertThat(task(dagId, job).get("operator").asText()).isEqualTo("HealthJobOperator");
            }
        }
    }

    @Test
    void schedulesRetriesPoolsCallbacksAndConcurrency() {
        JsonNode daily = dag(DAILY);
        assertThat(daily.at("/schedule/timetable").asText()).isEqualTo("CronDataIntervalTimetable");
        assertThat(daily.at("/schedule/cron").asText()).isEqualTo("0 0 * * *");
        assertThat(daily.at("/schedule/timezone").asText()).isEqualTo("UTC");
        // The monthly DAG has no clock of its own: the daily run of a month end triggers it.
        assertThat(dag(MONTHLY).get("schedule").isNull()).as("monthly schedule").isTrue();
        for (String dagId : List.of(DAILY, MONTHLY)) {
            JsonNode dag = dag(dagId);
            assertThat(dag.get("catchup").asBoolean(true)).as(dagId + " catchup").isFalse();
            assertThat(dag.get("max_active_runs").asInt()).isEqualTo(1);
            assertThat(dag.at("/params/run_date/default").asText()).isEmpty();
            assertThat(dag.at("/params/rows_after_run_date/default").asText()).isEqualTo("auto");
            assertThat(texts(dag.get("user_defined_macros"))).containsExactly("health_rows_after_run_date", "health_run_date");
            for (JsonNode task : dag.get("tasks")) {
                JsonNode args = task.get("args");
                String id = dagId + "." + task.get("task_id").asText();
                // default_args reach every task: 3 retries from 5 minutes, doubling, at most an hour apart; the alert.
                assertThat(args.get("retries").asInt()).as(id).isEqualTo(3);
                assertThat(args.get("retry_delay").asDouble()).isEqualTo(300.0);
                assertThat(args.get("retry_exponential_backoff").asBoolean()).isTrue();
                assertThat(args.get("max_retry_delay").asDouble()).isEqualTo(3600.0);
                assertThat(args.get("execution_timeout").asDouble()).isEqualTo(6 * 3600.0);
                assertThat(args.path("on_failure_callback").asText()).as(id).isEqualTo("on_job_failure");
                boolean job = jobTasks(dagId).contains(task.get("task_id").asText());
                // Only the Spark jobs take a slot of the customer_health pool: one heavy job at a time.
                assertThat(args.path("pool").asText(null)).as(id + " pool").isEqualTo(job ? "customer_health" : null);
                if (job) {
                    assertThat(args.get("pool_slots").asInt()).isEqualTo(1);
                    assertThat(args.get("java_class").asText()).isEqualTo("com.customerhealth.cli.HealthJobs");
                    assertThat(args.get("conn_id").asText()).isEqualTo("customer_health_spark");
                }
            }
        }
        JsonNode sensor = task(DAILY, "wait_for_warehouse_load").get("args");
        assertThat(sensor.get("mode").asText()).isEqualTo("reschedule");
        assertThat(sensor.get("poke_interval").asDouble()).isEqualTo(600.0);
        assertThat(sensor.get("timeout").asDouble()).isEqualTo(20 * 3600.0);
        JsonNode trigger = task(DAILY, "trigger_monthly").get("args");
        assertThat(trigger.get("trigger_dag_id").asText()).isEqualTo(MONTHLY);
        assertThat(trigger.get("reset_dag_run").asBoolean()).isTrue();
        assertThat(trigger.get("wait_for_completion").asBoolean(true)).isFalse();
    }

    @Test
    void everyJobTaskGetsItsRunDateConfRunIdAndPolicy() {
        for (Run run : RUNS) {
            JsonNode tasks = renderedRun(run.name()).get("tasks");
            for (String task : jobTasks(run.dagId())) {
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
    void theMonthlyRunsAfterTheDailyRunOfAMonthEndAndAfterNoOtherDay() {
        List<String> triggering = new ArrayList<>();
        for (Run run : RUNS.stream().filter(r -> r.dagId().equals(DAILY)).toList()) {
            // The sensor waits for the load of the run's own date.
            assertThat(renderedRun(run.name()).at("/tasks/wait_for_warehouse_load/run_date").asText()).as(run.name()).isEqualTo(run.runDate());
            JsonNode trigger = renderedRun(run.name()).at("/executed/trigger_monthly");
            if (run.monthEnd()) {
                triggering.add(run.name());
                assertThat(trigger.get("state").asText()).as(run.name()).isEqualTo("success");
                JsonNode created = trigger.get("triggered");
                assertThat(created).as(run.name()).hasSize(1);
                assertThat(created.at("/0/trigger_dag_id").asText()).isEqualTo(MONTHLY);
                assertThat(created.at("/0/run_id").asText()).isEqualTo("month_end__" + run.runDate());
                assertThat(created.at("/0/conf/run_date").asText()).isEqualTo(run.runDate());
                assertThat(created.at("/0/reset_dag_run").asBoolean()).isTrue();
            } else {
                assertThat(trigger.get("state").asText()).as(run.name()).isEqualTo("skipped");
                assertThat(trigger.get("triggered")).as(run.name()).isEmpty();
            }
        }
        assertThat(triggering).containsExactlyInAnyOrder("daily scheduled", "daily scheduled, second try", "daily backfill of a month end",
                "daily scheduled, 2028-02-29", "daily scheduled, new year's eve", "daily manual, chosen date and conf");
    }

    @Test
    void theSensorWaitsForTheWarehouseLoadOfTheRunDate() {
        JsonNode byDefault = named("sensors", "name", "default marker, not there");
        assertThat(byDefault.get("state").asText()).isEqualTo("up_for_reschedule");
        assertThat(byDefault.at("/rendered/marker").asText()).isEqualTo(DEFAULT_MARKER);
        assertThat(byDefault.at("/checked_paths/0/path").asText()).isEqualTo(DEFAULT_MARKER.replace("{run_date}", "2026-09-30"));

        assertThat(named("sensors", "name", "marker there").get("state").asText()).isEqualTo("success");
        JsonNode dayBefore = named("sensors", "name", "only the day before's marker");
        assertThat(dayBefore.get("state").asText()).isEqualTo("up_for_reschedule");
        assertThat(dayBefore.at("/checked_paths/0/path").asText()).isEqualTo("file://{tmp}/loads/2026-09-30/_SUCCESS");

        // Giving up: failed without a retry, saying which load and which check, and the alert says the same.
        JsonNode timedOut = named("sensors", "name", "marker not there after 20 hours");
        assertThat(timedOut.get("state").asText()).isEqualTo("failed");
        assertThat(timedOut.get("retried").asBoolean(true)).isFalse();
        assertThat(timedOut.get("exception").asText()).isEqualTo("AirflowSensorTimeout");
        assertThat(timedOut.get("message").asText()).startsWith("The warehouse load of 2026-09-30 has not landed within 20:00:00")
                .contains("marker file://{tmp}/loads/2026-09-30/_SUCCESS never held");
        assertThat(timedOut.at("/alerts/0/error").asText()).isEqualTo(timedOut.get("message").asText());
        assertThat(timedOut.at("/alerts/0/task_id").asText()).isEqualTo("wait_for_warehouse_load");

        JsonNode sqlLanded = named("sensors", "name", "sql, landed");
        assertThat(sqlLanded.get("state").asText()).isEqualTo("success");
        assertThat(sqlLanded.at("/executed_sql/0/sql").asText()).isEqualTo(LOAD_SQL_0930);
        assertThat(sqlLanded.at("/executed_sql/0/conn_id").asText()).isEqualTo("warehouse");
        assertThat(sqlLanded.get("checked_paths")).isEmpty();
        assertThat(named("sensors", "name", "sql, not yet").get("state").asText()).isEqualTo("up_for_reschedule");

        JsonNode noConnection = named("sensors", "name", "sql without a connection");
        assertThat(noConnection.get("state").asText()).isEqualTo("failed");
        assertThat(noConnection.get("exception").asText()).isEqualTo("AirflowFailException");
        assertThat(noConnection.get("message").asText()).contains("customer_health_load_conn_id");
    }

    private record Expected(String state, Integer exitCode, String alertError) {
    }

    @Test
    void exitCodesTwoAndThreeFailFastAndEverythingElseIsRetried() {
        Map<String, Expected> expected = new LinkedHashMap<>();
        expected.put("client, exit 1", new Expected("up_for_retry", 1, null));
        expected.put("client, exit 1 on the last try", new Expected("failed", 1, ERROR_1));
        expected.put("client, exit 2", new Expected("failed fast", 2, ERROR_2));
        expected.put("client, exit 3", new Expected("failed fast", 3, ERROR_3));
        expected.put("local master without a deploy mode, exit 3", new Expected("failed fast", 3, ERROR_3));
        expected.put("client, killed", new Expected("up_for_retry", -9, null));
        expected.put("kubernetes cluster, driver pod exit 3", new Expected("failed fast", 3,
                "spark-submit exited with 0; the job exited with 3 (the Kubernetes driver pod's exit code); in cluster mode the job's "
                        + "ERROR line is in the driver's log (customer-health-daily-2026-09-30-8f2a-driver)"));
        expected.put("kubernetes cluster, driver pod exit 1", new Expected("up_for_retry", 1, null));
        expected.put("yarn cluster, no code", new Expected("up_for_retry", null, null));
        expected.put("yarn cluster, no code, last try", new Expected("failed", null,
                "spark-submit exited with 1; in cluster mode the job's ERROR line is in the driver's log (" + YARN_APP + ")"));
        expected.put("yarn cluster, diagnostics with the code", new Expected("failed fast", 3, null));
        expected.put("yarn cluster, exit-code line", new Expected("failed fast", 2, null));
        expected.put("client, exit-code line says 1", new Expected("up_for_retry", 1, null));
        expected.put("standalone cluster, driver failed", new Expected("up_for_retry", null, null));
        expected.put("spark-submit not on the PATH", new Expected("up_for_retry", null, null));
        assertThat(expected.keySet()).containsExactlyElementsOf(FAILURES.stream().map(f -> (String) f.get("name")).toList());

        for (Map.Entry<String, Expected> e : expected.entrySet()) {
            JsonNode f = named("failures", "name", e.getKey());
            Expected x = e.getValue();
            String name = e.getKey();
            boolean fast = x.state().equals("failed fast");
            assertThat(f.get("state").asText()).as(name).isEqualTo(fast ? "failed" : x.state());
            assertThat(f.path("retried").asBoolean()).as(name + " retried").isEqualTo(x.state().equals("up_for_retry"));
            assertThat(f.get("exception").asText()).as(name).isEqualTo(fast ? "AirflowFailException"
                    : name.equals("spark-submit not on the PATH") ? "FileNotFoundError" : "AirflowException");
            assertThat(f.get("exit_code").isNull() ? null : f.get("exit_code").asInt()).as(name + " exit code").isEqualTo(x.exitCode());
            if (fast) {
                // Failed fast with the provider's error as the cause, saying why and what the job said.
                assertThat(f.get("cause").asText()).as(name).isEqualTo("AirflowException");
                assertThat(f.get("message").asText()).as(name).startsWith("customer-health daily exited with " + x.exitCode() + " (")
                        .contains("it is not retried");
            }
            if (f.get("state").asText().equals("failed")) {
                // Failed for good: the alert handler gets the one-line error once.
                assertThat(f.get("alerts")).as(name + " alerts").hasSize(1);
                JsonNode alert = f.get("alerts").get(0);
                assertThat(alert.get("fail_fast").asBoolean()).as(name).isEqualTo(fast);
                assertThat(alert.get("dag_id").asText()).isEqualTo(DAILY);
                assertThat(alert.get("task_id").asText()).isEqualTo("daily");
                assertThat(alert.get("run_date").asText()).isEqualTo("2026-09-30");
                assertThat(alert.get("exit_code").isNull() ? null : alert.get("exit_code").asInt()).isEqualTo(x.exitCode());
                if (x.alertError() != null) {
                    assertThat(alert.get("error").asText()).as(name).isEqualTo(x.alertError());
                }
            } else {
                assertThat(f.path("alerts")).as(name + ": no alert while retries remain").isEmpty();
            }
            if (!name.equals("spark-submit not on the PATH")) {
                // The task ran its rendered command line.
                int tryNumber = name.endsWith("last try") ? 4 : 1;
                List<String> cmd = texts(f.get("spark_submit"));
                assertThat(cmd.subList(cmd.indexOf("/opt/customer-health/customer-health-jobs.jar") + 1, cmd.size())).as(name)
                        .containsExactlyElementsOf(RUNS.get(0).argsOf("daily").stream()
                                .map(a -> a.replace("-daily-try1", "-daily-try" + tryNumber)).toList());
            }
        }
    }

    @Test
    void theFailureCallbackHandsTheOneLineErrorToTheAlertHandler() {
        JsonNode lost = named("callbacks", "name", "lost worker, default handler");
        assertThat(lost.get("callback_raised").isNull()).isTrue();
        assertThat(lost.get("alerts")).isEmpty();
        // The default handler logs one ERROR line.
        assertThat(lost.get("logged")).hasSize(1);
        assertThat(lost.at("/logged/0/logger").asText()).isEqualTo("customer_health.alerts");
        assertThat(lost.at("/logged/0/level").asText()).isEqualTo("ERROR");
        assertThat(lost.at("/logged/0/message").asText()).contains("customer_health_monthly.calibrate failed for run date 2026-09-30")
                .contains("no error was recorded");

        JsonNode multiLine = named("callbacks", "name", "multi-line error");
        assertThat(multiLine.get("alerts")).hasSize(1);
        assertThat(multiLine.at("/alerts/0/error").asText()).isEqualTo("Report folder not writable");
        assertThat(multiLine.at("/alerts/0/run_id").asText()).isEqualTo("month_end__2026-09-30");
        assertThat(multiLine.at("/alerts/0/run_date").asText()).isEqualTo("2026-09-30");
        assertThat(multiLine.at("/alerts/0/fail_fast").asBoolean(true)).isFalse();

        // A handler that fails, or cannot be found, never fails the callback: the alert is logged instead.
        for (String name : List.of("broken handler", "handler that cannot be imported")) {
            JsonNode c = named("callbacks", "name", name);
            assertThat(c.get("callback_raised").isNull()).as(name).isTrue();
            List<String> logged = StreamSupport.stream(c.get("logged").spliterator(), false).map(r -> r.get("message").asText()).toList();
            assertThat(logged).as(name).anySatisfy(m -> assertThat(m).contains("the alert handler").contains("'error': 'boom'"));
        }
    }

    @Test
    void everyRenderedCommandLinePassesTheCliDryRun() {
        TestSpark.session();
        // Every job task once, with both policies and both ways to the run date (data interval, run_after).
        for (Run run : RUNS.stream().filter(r -> List.of("daily scheduled", "monthly manual").contains(r.name())).toList()) {
            JsonNode tasks = renderedRun(run.name()).get("tasks");
            for (String task : jobTasks(run.dagId())) {
                List<String> args = new ArrayList<>(texts(tasks.get(task).get("application_args")));
                // The sample warehouse instead of the production conf.
                args.set(args.indexOf("--conf") + 1, "conf/local.conf");
                args.add("--dry-run");
                Cli cli = Cli.run(args.toArray(String[]::new));
                assertThat(cli.code()).as("%s: %s%n%s%s", run.name(), String.join(" ", args), cli.out(), cli.err()).isZero();
                assertThat(cli.out()).contains("Dry run of " + task + ", run id airflow-" + run.runId() + "-" + task + "-try1, run date "
                        + run.runDate());
                if (task.equals("daily")) {
                    // One validated read, then run's order minus calibrate.
                    assertThat(cli.out()).contains("1. score reads", "2. cohorts reads", "3. insights reads").doesNotContain("calibrate reads");
                }
            }
        }
    }
}
