"""Airflow DAGs of the customer-health jobs: spark-submits of the shaded jar.

- ``customer_health_daily``: wait_for_warehouse_load -> daily -> trigger_monthly, for the day that just
  ended. ``daily`` is the CLI's ``daily`` command: score, cohorts and insights over one validated read of
  the warehouse (``run`` minus calibrate). ``trigger_monthly`` starts the monthly DAG when the day is the
  last of its month, and is skipped on other days.
- ``customer_health_monthly``: calibrate -> report, for the month-end date the daily DAG hands it. It has
  no schedule of its own: it runs after the month's last daily run, because that run triggers it.

Exit codes of the jar (README, Commands): 0 done, 1 anything else, 2 bad usage or configuration, 3 the
input failed validation. Exits 2 and 3 do not heal by retrying: the job tasks fail at once on them
(``HealthJobOperator``) and retry everything else. See docs/operations.md, "Airflow", for what is
retried, the warehouse-load sensor, the pool and the failure alert.

Written for Airflow 3 (``airflow.sdk``); also imports on Airflow 2.9+. Needs the provider
``apache-airflow-providers-apache-spark`` and a Spark connection (see docs/operations.md, "Airflow").

Every template in this file is an expression that is both valid Jinja and valid Python (no filters,
no ``{% %}`` blocks), so the test renders it with Python alone
(src/test/python/dag_tasks.py, AirflowDagTest).
"""

from __future__ import annotations

import importlib
import logging
import os
import re
from datetime import date, datetime, timedelta, timezone

try:  # Airflow 3
    from airflow.sdk import DAG, Param
except ImportError:  # Airflow 2.9+
    from airflow import DAG
    from airflow.models.param import Param
try:  # Airflow 3.1+
    from airflow.sdk import CronDataIntervalTimetable
except ImportError:  # Airflow 2.9+ and 3.0
    from airflow.timetables.interval import CronDataIntervalTimetable
try:  # Airflow 3
    from airflow.sdk import BaseHook, BaseSensorOperator
except ImportError:  # Airflow 2.9+
    from airflow.hooks.base import BaseHook
    from airflow.sensors.base import BaseSensorOperator
try:  # The Task SDK's own classes, where it defines them (the task runner of those versions catches these)
    from airflow.sdk.exceptions import AirflowFailException, AirflowSensorTimeout, AirflowSkipException
except ImportError:  # Airflow 2.9+ and 3.0/3.1
    from airflow.exceptions import AirflowFailException, AirflowSensorTimeout, AirflowSkipException
try:  # Airflow 3 (the standard provider)
    from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator
except ImportError:  # Airflow 2.9+
    from airflow.operators.trigger_dagrun import TriggerDagRunOperator

from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

log = logging.getLogger(__name__)

DAILY_DAG_ID = "customer_health_daily"
MONTHLY_DAG_ID = "customer_health_monthly"

JAVA_CLASS = "com.customerhealth.cli.HealthJobs"
# Defaults of the jar and conf settings; an Airflow Variable overrides each for a deployment and a
# run's params (trigger form or dag_run.conf) override both for that run.
DEFAULT_JAR = "/opt/customer-health/customer-health-jobs.jar"
DEFAULT_CONF = "/opt/customer-health/conf/production.conf"
JAR_VARIABLE = "customer_health_jar"
CONF_VARIABLE = "customer_health_conf"
# conn_id and pool are not templated fields, so they cannot come from a run's params or a Variable at
# run time: they are fixed when the file is parsed. Set these environment variables on every Airflow
# component (the DAG processor and the workers both parse this file) to use another connection or pool.
SPARK_CONN_ID = os.environ.get("CUSTOMER_HEALTH_SPARK_CONN_ID", "customer_health_spark")
# Every spark-submit task takes one slot of this pool. Create it with one slot
# (`airflow pools set customer_health 1 "customer-health Spark jobs"`): then the daily and the monthly
# jobs, a manual run and a backfill never run two heavy jobs on the cluster at once. A task whose pool
# does not exist is never scheduled.
POOL = os.environ.get("CUSTOMER_HEALTH_POOL", "customer_health")

# The schedule, UTC. A daily run is created when the day it covers ends (its run date D follows the
# data interval), then waits for that day's warehouse load (wait_for_warehouse_load) before any job
# starts: the data, not the clock, starts the work. The monthly DAG has no schedule: the daily run of a
# month's last day triggers it (trigger_monthly).
DAILY_CRON = "0 0 * * *"

# The jar carries Delta and the PostgreSQL driver, so spark-submit needs no --packages. The Variable
# adds coordinates where a cluster needs more (another database's JDBC driver, e.g.
# "com.mysql:mysql-connector-j:9.1.0"); empty by default.
PACKAGES_VARIABLE = "customer_health_spark_packages"

# Spark settings the jobs need from the launcher: none. The job's session sets Delta's SQL extension
# and catalog and a UTC session time zone itself; master, deploy mode, queue and memory belong to the
# connection. The one setting here keeps retries in one place:
# on YARN a failed driver is otherwise re-attempted by YARN before Airflow sees the failure, and then
# again by every Airflow retry (ignored outside YARN). The JVM option docs/operations.md recommends
# (-XX:-DontCompileHugeMethods, for speed) belongs in the cluster's spark-defaults extraJavaOptions: set here, it would
# replace the cluster's own.
SPARK_CONF = {"spark.yarn.maxAppAttempts": "1"}

# How the sensor knows that the warehouse load of D has landed (docs/operations.md, "Airflow"). Three
# Variables, read at run time; "{run_date}" in the marker or the SQL is replaced by D (YYYY-MM-DD).
# - customer_health_load_sql: when set, a query run on the connection customer_health_load_conn_id; the
#   load has landed when its first row's first cell is not 0, '0', '' or NULL (as SqlSensor decides).
# - else customer_health_load_marker: a path (file://, s3://, gs://, ... through Airflow's
#   ObjectStoragePath, with customer_health_load_conn_id as its connection when set); the load has
#   landed when it exists. Default: the file DEFAULT_LOAD_MARKER on the worker.
LOAD_SQL_VARIABLE = "customer_health_load_sql"
LOAD_MARKER_VARIABLE = "customer_health_load_marker"
LOAD_CONN_VARIABLE = "customer_health_load_conn_id"
DEFAULT_LOAD_MARKER = "file:///opt/customer-health/warehouse-loaded/{run_date}"
# The sensor checks every 10 minutes in reschedule mode (it holds no worker slot between checks) and
# gives up 20 hours after its first check (20:00 UTC the day after D for a run on time): the task then
# fails without retrying (a sensor time-out is never retried) and the alert says which check never held.
LOAD_POKE_INTERVAL = timedelta(minutes=10)
LOAD_TIMEOUT = timedelta(hours=20)

# Retries: a failed job is retried three times, waits starting at 5 minutes and doubling (Airflow
# adds a jitter of up to as much again and caps each wait at max_retry_delay), which rides out a
# busy cluster, a lost executor or a transient storage error. Retrying is safe because every job
# replaces exactly its run date's rows (Delta replaceWhere on the date partition, merges keyed by
# account): a retry after a partial write, or a re-run of a finished date, leaves the tables as one
# clean run would. Exits 2 (bad configuration or arguments) and 3 (the warehouse breaks the input
# contract) fail at once instead (HealthJobOperator), when the exit code can be known (see there).
# execution_timeout kills a hung job so that it cannot hold max_active_runs=1 forever.
# on_failure_callback runs when a task has failed for good and hands its one-line error to the alert
# handler (on_job_failure).
RETRIES = 3


def _utc_date(moment: datetime) -> date:
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.date()


def _period_closed(dag_run) -> date:
    """The UTC day on which the run's period closed.

    A scheduled or backfill run (and any Airflow 2 run) has a data interval: its end. Airflow 3 gives
    a manual run triggered without a logical date neither a logical date nor a data interval (``ds``,
    ``logical_date`` and ``data_interval_end`` are then missing from the template context); its
    ``run_after``, the moment it was triggered, stands in for the end.
    """
    end = getattr(dag_run, "data_interval_end", None) or getattr(dag_run, "run_after", None)
    if end is None:
        raise ValueError(f"DAG run {dag_run.run_id} has neither a data interval nor run_after: cannot tell its run date")
    return _utc_date(end)


def _run_date_param(params) -> date | None:
    value = params.get("run_date") if params else None
    return date.fromisoformat(value) if value else None


def daily_run_date(dag_run, params) -> date:
    """The day before the period closed: the day a scheduled run's data interval covers
    (2026-09-30 00:00 .. 2026-10-01 00:00 -> 2026-09-30); for a manual run, the day before it was
    triggered. The run_date param overrides it."""
    return _run_date_param(params) or _period_closed(dag_run) - timedelta(days=1)


def monthly_run_date(dag_run, params) -> date:
    """The run_date param, which the daily DAG's trigger_monthly always sets (the month-end date of the
    daily run that triggered it). A manual run without it runs the last day of the month before the one
    its period closed in (triggered on 2026-10-05 -> 2026-09-30)."""
    return _run_date_param(params) or _period_closed(dag_run).replace(day=1) - timedelta(days=1)


def is_month_end(day: date) -> bool:
    return (day + timedelta(days=1)).day == 1


def rows_after_run_date_policy(dag_run, params, run_date: date) -> str:
    """validation.rows-after-run-date for this run: the rows_after_run_date param, or when it is auto,
    quarantine for a run on time and exclude for a backfill or a date before yesterday.

    The job's default, quarantine, rejects rows dated after the run date: right for the daily run
    (nothing after yesterday should exist yet), wrong for any past date over a warehouse that has moved
    on, where every later row would be rejected and the job would fail. "Yesterday" is counted from the
    day the DAG run started, so every try of one run gets the same policy; catch-up runs, and a run
    cleared and re-run days later, start late and exclude.
    """
    chosen = (params.get("rows_after_run_date") if params else None) or "auto"
    if chosen != "auto":
        return chosen
    run_type = getattr(dag_run, "run_type", None)
    if str(getattr(run_type, "value", run_type)) == "backfill":
        return "exclude"
    started = getattr(dag_run, "start_date", None) or getattr(dag_run, "run_after", None) or datetime.now(timezone.utc)
    return "exclude" if run_date < _utc_date(started) - timedelta(days=1) else "quarantine"


RUN_DATE_OF = {DAILY_DAG_ID: daily_run_date, MONTHLY_DAG_ID: monthly_run_date}


def _macros(run_date_of) -> dict:
    """The template functions of one DAG (user_defined_macros), given how it derives its run date."""

    def health_run_date(dag_run, params) -> str:
        return run_date_of(dag_run, params).isoformat()

    def health_rows_after_run_date(dag_run, params) -> str:
        return rows_after_run_date_policy(dag_run, params, run_date_of(dag_run, params))

    return {"health_run_date": health_run_date, "health_rows_after_run_date": health_rows_after_run_date}


def _params() -> dict:
    return {
        "run_date": Param(
            "",
            type="string",
            pattern=r"^(\d{4}-\d{2}-\d{2})?$",
            description="YYYY-MM-DD to run a chosen date; empty: the date the schedule gives (see the DAG doc).",
        ),
        "rows_after_run_date": Param(
            "auto",
            enum=["auto", "quarantine", "exclude"],
            description="validation.rows-after-run-date; auto: quarantine on time, exclude for backfills and past dates.",
        ),
        "jar": Param("", type="string", description=f"Shaded jar; empty: Variable {JAR_VARIABLE}, else {DEFAULT_JAR}."),
        "conf_file": Param(
            "",
            type="string",
            description=f"The environment's conf file, as the Spark driver sees it; empty: Variable {CONF_VARIABLE}, else {DEFAULT_CONF}.",
        ),
    }


RUN_DATE = "{{ health_run_date(dag_run, params) }}"
JAR = "{{ params.jar or var.value.get('" + JAR_VARIABLE + "', '" + DEFAULT_JAR + "') }}"
CONF_FILE = "{{ params.conf_file or var.value.get('" + CONF_VARIABLE + "', '" + DEFAULT_CONF + "') }}"
PACKAGES = "{{ var.value.get('" + PACKAGES_VARIABLE + "', '') }}"
LOAD_SQL = "{{ var.value.get('" + LOAD_SQL_VARIABLE + "', '') }}"
LOAD_MARKER = "{{ var.value.get('" + LOAD_MARKER_VARIABLE + "', '" + DEFAULT_LOAD_MARKER + "') }}"
LOAD_CONN_ID = "{{ var.value.get('" + LOAD_CONN_VARIABLE + "', '') }}"


# ---------------------------------------------------------------------------------------------------
# Exit codes: which failures are retried.
#
# How the provider (apache-airflow-providers-apache-spark, SparkSubmitHook.submit, the same in the
# releases for Airflow 2.9 and 3.x) reports a failed spark-submit: it runs spark-submit with stderr
# merged into stdout, logs every line (SparkSubmitHook._process_spark_submit_log), waits, and on a
# non-zero return code raises a plain AirflowException "Cannot execute: <command>. Error code is: N."
# (on Kubernetes also "Kubernetes spark exit code is: M", the driver pod's exit code it read from
# spark-submit's output; newer releases append the last 20 output lines). No exception class or
# attribute carries the code; the hook keeps the process (_submit_sp) and the pod's code
# (_spark_exit_code). What N means depends on the deploy mode:
# - client mode (the connection's default; local, YARN, Kubernetes or standalone): the driver runs in
#   spark-submit's JVM, so N is the job's own System.exit code, and the job's stderr (its "ERROR: ..."
#   line) is in the task log.
# - Kubernetes, cluster mode: N is spark-submit's; the driver pod's exit code M is the job's (the pod
#   runs the driver in client mode).
# - YARN, cluster mode: spark-submit exits 1 whenever the application FAILED, whatever the driver's code
#   (Spark's yarn Client throws "Application ... finished with failed status"); the driver's stderr is
#   in YARN's container logs, not here. Spark's ApplicationMaster reports the driver's code only when the
#   main method throws SparkUserAppException ("User application exited with status N" in the
#   diagnostics, which spark-submit prints). The jar calls System.exit, which YARN records as
#   "Shutdown hook called before final status was reported" with no code, and as FAILED even for
#   System.exit(0) (docs/operations.md, "Airflow": use client mode on YARN until the jar stops calling
#   System.exit in cluster mode).
# - standalone, cluster mode: the hook polls the driver's state (FINISHED, FAILED, ...): no code.
# So the code is known in client mode and on Kubernetes, and unknown on YARN and standalone in
# cluster mode, where every failure is retried (as before) unless the output says more. Where the
# driver's output reaches the task (client mode), a line "customer-health-exit-code: N", when the jar
# prints one, is the surest source: it cannot be mistaken for a code of spark-submit or of the JVM.
# ---------------------------------------------------------------------------------------------------

FAIL_FAST_EXIT_CODES = {
    2: "bad usage or configuration",
    3: "the input failed validation",
}
_EXIT_CODE_LINE = re.compile(r"^customer-health-exit-code: (\d+)$")
_YARN_USER_EXIT = re.compile(r"User application exited with status (\d+)")
_SPARK_SUBMIT_CODE = re.compile(r"\. Error code is: (-?\d+)\.")
ERROR_PREFIX = "ERROR: "


class SubmitOutput:
    """What a job's spark-submit printed that tells how it ended: the CLI's one-line error (its first
    line starting "ERROR: "), its exit-code line and YARN's diagnostics. The hook logs every line
    anyway; this keeps only these, so memory does not grow with the output."""

    def __init__(self):
        self.error_line: str | None = None
        self.exit_code_line: int | None = None
        self.yarn_user_exit: int | None = None

    def see(self, raw) -> None:
        line = str(raw).strip()
        if self.error_line is None and line.startswith(ERROR_PREFIX):
            self.error_line = line
        match = _EXIT_CODE_LINE.match(line)
        if match:
            self.exit_code_line = int(match.group(1))
        match = _YARN_USER_EXIT.search(line)
        if match:
            self.yarn_user_exit = int(match.group(1))

    def watch(self, lines):
        for raw in lines:
            self.see(raw)
            yield raw


class JobFailure:
    """How a job task failed, as far as Airflow can tell: the exit code (None when unknown), where it
    came from, the one-line error for the alert, and whether retrying is pointless."""

    def __init__(self, *, command: str, exit_code: int | None, source: str, error: str, fail_fast: bool):
        self.command = command
        self.exit_code = exit_code
        self.source = source
        self.error = error
        self.fail_fast = fail_fast

    def message(self) -> str:
        meaning = FAIL_FAST_EXIT_CODES.get(self.exit_code, "")
        return (f"customer-health {self.command} exited with {self.exit_code} ({meaning}, from {self.source}): "
                f"retrying cannot fix it, so it is not retried. {self.error}")


def _first_line(error) -> str:
    if error is None:
        return ""
    for line in str(error).splitlines():
        if line.strip():
            return line.strip()
    return type(error).__name__ if isinstance(error, BaseException) else ""


def describe_failure(command: str, hook, output: SubmitOutput | None, error: BaseException) -> JobFailure:
    """The exit code of a failed job task and its one-line error, from the hook and the output (see
    the comment above FAIL_FAST_EXIT_CODES for what each deploy mode lets us know)."""
    connection = getattr(hook, "_connection", None) or {}
    master = str(connection.get("master") or "")
    cluster = connection.get("deploy_mode") == "cluster"
    code, source = None, "unknown"
    if output is not None and output.exit_code_line is not None:
        code, source = output.exit_code_line, "the job's exit-code line"
    elif cluster and "k8s" in master and isinstance(getattr(hook, "_spark_exit_code", None), int):
        code, source = hook._spark_exit_code, "the Kubernetes driver pod's exit code"
    elif cluster and "yarn" in master and output is not None and output.yarn_user_exit is not None:
        code, source = output.yarn_user_exit, "YARN's application diagnostics"
    elif hook is not None and not cluster:
        returncode = getattr(getattr(hook, "_submit_sp", None), "returncode", None)
        if not isinstance(returncode, int):
            match = _SPARK_SUBMIT_CODE.search(str(error))
            returncode = int(match.group(1)) if match else None
        if returncode:
            code, source = returncode, "spark-submit in client mode"

    submit_code = _SPARK_SUBMIT_CODE.search(str(error))
    if output is not None and output.error_line:
        line = output.error_line
    elif submit_code:
        line = f"spark-submit exited with {submit_code.group(1)}"
        if cluster:
            where = getattr(hook, "_yarn_application_id", None) or getattr(hook, "_kubernetes_driver_pod", None)
            if code is not None:
                line += f"; the job exited with {code} ({source})"
            line += "; in cluster mode the job's ERROR line is in the driver's log" + (f" ({where})" if where else "")
    else:
        line = f"{type(error).__name__}: {_first_line(error)}"
    return JobFailure(command=command, exit_code=code, source=source, error=line,
                      fail_fast=code in FAIL_FAST_EXIT_CODES)


def _attach(error: BaseException, failure: JobFailure) -> None:
    try:
        error.customer_health_failure = failure
    except AttributeError:  # an exception type with __slots__: the alert falls back to its text
        pass


class HealthJobOperator(SparkSubmitOperator):
    """spark-submit of one command of the jar that fails at once, without retrying, when the job
    exits 2 or 3, and lets Airflow retry any other failure.

    It watches the lines the hook reads from spark-submit (wrapping the hook's
    _process_spark_submit_log, which every provider release has had) for the CLI's ERROR line and
    exit-code line, and on a failure works out the exit code (describe_failure). AirflowFailException
    is how a task fails without using its retries (Airflow 2 and 3 alike). The failure's description
    rides on the exception for on_job_failure.
    """

    def __init__(self, *, command: str, **kwargs):
        super().__init__(**kwargs)
        self.command = command
        self._submit_output: SubmitOutput | None = None

    def _get_hook(self):
        hook = super()._get_hook()
        output = self._submit_output = SubmitOutput()
        process_log = getattr(hook, "_process_spark_submit_log", None)
        if callable(process_log):
            hook._process_spark_submit_log = lambda lines: process_log(output.watch(lines))
        return hook

    def execute(self, context):
        try:
            return super().execute(context)
        except Exception as error:  # noqa: BLE001 - classified, then re-raised or failed fast
            failure = describe_failure(self.command, getattr(self, "_hook", None), self._submit_output, error)
            _attach(error, failure)
            if not failure.fail_fast:
                raise
            fail = AirflowFailException(failure.message())
            _attach(fail, failure)
            raise fail from error


# ---------------------------------------------------------------------------------------------------
# Waiting for the warehouse load.
# ---------------------------------------------------------------------------------------------------

def _landed(value) -> bool:
    """A SQL check's first cell: not 0, '0', '' or NULL (SqlSensor's default success criterion)."""
    return value is not None and value not in (0, "0", "")


class WarehouseLoadSensor(BaseSensorOperator):
    """Waits until the warehouse load of the run date D has landed: a SQL check when the Variable
    customer_health_load_sql is set, else a marker path (Variable customer_health_load_marker).

    Reschedule mode: between checks the task holds no worker slot. It is not deferrable (its check is
    arbitrary SQL or storage, which a trigger would have to run asynchronously). A time-out fails the
    task without retrying, with a message that names D and the check; any other error of a check
    (a database down) is retried like any task.
    """

    template_fields = ("run_date", "sql", "marker", "load_conn_id")

    def __init__(self, *, run_date: str, sql: str, marker: str, load_conn_id: str, **kwargs):
        super().__init__(**kwargs)
        self.run_date = run_date
        self.sql = sql
        self.marker = marker
        self.load_conn_id = load_conn_id

    def _day(self) -> str:
        return date.fromisoformat(self.run_date).isoformat()  # a date, so safe to put into SQL text

    def check(self) -> str:
        day = self._day()
        if self.sql.strip():
            return f"SQL on {self.load_conn_id or '(no connection set)'}: {self.sql.replace('{run_date}', day)}"
        return f"marker {self.marker.replace('{run_date}', day)}"

    def poke(self, context) -> bool:
        day = self._day()
        if self.sql.strip():
            if not self.load_conn_id.strip():
                raise AirflowFailException(f"Variable {LOAD_SQL_VARIABLE} is set but {LOAD_CONN_VARIABLE} is not: "
                                           "set the connection the query runs on.")
            hook = BaseHook.get_connection(self.load_conn_id).get_hook()
            row = hook.get_first(self.sql.replace("{run_date}", day))
            landed = bool(row) and _landed(row[0])
        else:
            try:  # Airflow 3
                from airflow.sdk import ObjectStoragePath
            except ImportError:  # Airflow 2.8+
                from airflow.io.path import ObjectStoragePath
            path = ObjectStoragePath(self.marker.replace("{run_date}", day), conn_id=self.load_conn_id.strip() or None)
            landed = path.exists()
        log.info("Warehouse load of %s %s (%s)", day, "has landed" if landed else "not landed yet", self.check())
        return landed

    def execute(self, context):
        try:
            return super().execute(context)
        except AirflowSensorTimeout as timeout:
            raise AirflowSensorTimeout(
                f"The warehouse load of {self.run_date} has not landed within {timedelta(seconds=float(self.timeout))}: "
                f"{self.check()} never held. Check the load (or the Variables {LOAD_SQL_VARIABLE}, "
                f"{LOAD_MARKER_VARIABLE}, {LOAD_CONN_VARIABLE}), then clear this task."
            ) from timeout


class MonthEndTrigger(TriggerDagRunOperator):
    """Triggers the monthly DAG for the daily run's date D (conf run_date) when D is the last day of its
    month; skipped on any other day. The triggered run's id names D (month_end__D), and reset_dag_run
    re-runs that run when the month end's daily run runs again (a retry after a failure, a clear),
    instead of failing on the existing run."""

    def execute(self, context):
        day = date.fromisoformat(self.conf["run_date"])
        if not is_month_end(day):
            raise AirflowSkipException(f"{day} is not the last day of its month: no monthly run.")
        return super().execute(context)


# ---------------------------------------------------------------------------------------------------
# Failure alerts.
# ---------------------------------------------------------------------------------------------------

# "module:function", importable where callbacks run: the workers, and the DAG processor, which runs
# the callback of a task whose worker was lost (then without the exception). The function gets one
# dict (see failure_alert). Unset: log_alert.
ALERT_HANDLER_ENV = "CUSTOMER_HEALTH_ALERT_HANDLER"
NO_EXCEPTION = "no error was recorded (the task was killed, timed out or lost its worker); see its log"


def log_alert(alert: dict) -> None:
    """The default alert handler: one ERROR log line, in the task's log."""
    logging.getLogger("customer_health.alerts").error(
        "customer-health %s.%s failed for run date %s (try %s, exit code %s%s): %s", alert.get("dag_id"),
        alert.get("task_id"), alert.get("run_date"), alert.get("try_number"), alert.get("exit_code"),
        ", not retried" if alert.get("fail_fast") else "", alert.get("error"))


def alert_handler():
    target = os.environ.get(ALERT_HANDLER_ENV, "").strip()
    if not target:
        return log_alert
    module_name, _, function = target.partition(":")
    if not module_name or not function:
        raise ValueError(f"{ALERT_HANDLER_ENV}={target!r}: give module:function")
    return getattr(importlib.import_module(module_name), function)


def failure_alert(context) -> dict:
    """What an alert says about a failed task: its DAG, task, run, run date and try, the exit code when
    known, whether retries were skipped (fail_fast), the one-line error, and the log's URL.

    The error is the job's own "ERROR: ..." line when the task saw it (client mode), else the
    exception's first line (a sensor's time-out, spark-submit's code in cluster mode)."""
    error = context.get("exception")
    failure = getattr(error, "customer_health_failure", None)
    ti = context.get("task_instance") or context.get("ti")
    dag_run = context.get("dag_run")
    dag_id = getattr(ti, "dag_id", None) or getattr(dag_run, "dag_id", None)
    try:
        run_date = RUN_DATE_OF[dag_id](dag_run, context.get("params")).isoformat()
    except Exception:  # noqa: BLE001 - an alert goes out even when the date cannot be told
        run_date = None
    if failure is not None:
        line = failure.error
    elif error is not None and str(error).strip():
        line = _first_line(error)
    else:
        line = NO_EXCEPTION
    return {
        "dag_id": dag_id,
        "task_id": getattr(ti, "task_id", None),
        "run_id": getattr(ti, "run_id", None) or getattr(dag_run, "run_id", None),
        "run_date": run_date,
        "try_number": getattr(ti, "try_number", None),
        "exit_code": failure.exit_code if failure is not None else None,
        "fail_fast": isinstance(error, (AirflowFailException, AirflowSensorTimeout)),
        "error": line,
        "log_url": getattr(ti, "log_url", None),
    }


def on_job_failure(context) -> None:
    """on_failure_callback of every task: once a task has failed for good (retries used up, or failed
    fast), hands failure_alert(context) to the alert handler. Never raises: a broken handler is logged,
    with the alert it could not send."""
    try:
        alert = failure_alert(context)
    except Exception:  # noqa: BLE001
        log.exception("customer-health: could not describe the failure")
        alert = {"error": _first_line(context.get("exception")) or NO_EXCEPTION}
    try:
        alert_handler()(alert)
    except Exception:  # noqa: BLE001
        log.exception("customer-health: the alert handler (%s) failed; the alert was %s",
                      os.environ.get(ALERT_HANDLER_ENV) or "log_alert", alert)


DEFAULT_ARGS = {
    "owner": "customer-health",
    "retries": RETRIES,
    "retry_delay": timedelta(minutes=5),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(hours=1),
    "execution_timeout": timedelta(hours=6),
    "on_failure_callback": on_job_failure,
}


def _job(command: str) -> HealthJobOperator:
    """One job of the jar: ``<command> --run-date D --conf FILE --run-id ID --set validation...``."""
    return HealthJobOperator(
        task_id=command,
        command=command,
        conn_id=SPARK_CONN_ID,
        pool=POOL,
        pool_slots=1,
        application=JAR,
        java_class=JAVA_CLASS,
        packages=PACKAGES,  # rendered empty, spark-submit gets no --packages
        name=f"customer-health-{command}-{RUN_DATE}",
        conf=dict(SPARK_CONF),  # a copy per task: the YARN backend of the provider writes into it
        application_args=[
            command,
            "--run-date", RUN_DATE,
            "--conf", CONF_FILE,
            # Written to every output row: which DAG run and which try wrote it. run_id is stable for a
            # logical date (scheduled__<logical date>); the try number tells the tries apart.
            "--run-id", "airflow-{{ run_id }}-" + command + "-try{{ ti.try_number }}",
            "--set", "validation.rows-after-run-date={{ health_rows_after_run_date(dag_run, params) }}",
        ],
    )


# Catchup is off on the daily DAG: when the scheduler was down or the DAG paused, it creates only the
# latest period's run, not one per missed period. Missing history is made on purpose with a backfill
# (`airflow backfill create ... --max-active-runs 1`), whose runs exclude rows after their run date.
# A gap costs nothing downstream: cohorts and insights compute the earlier scores they need when
# they are missing. A missed month end also misses its monthly run: backfill that day.
#
# max_active_runs=1: one run at a time, in date order. Runs of different dates write different
# partitions, but they all merge into account_health_current and write the same Delta tables, so
# concurrent runs would conflict (Delta fails one commit; its retry would succeed) and compete for
# the cluster. A backfill has its own max_active_runs (Airflow 3), hence --max-active-runs 1.
#
# The data interval timetable makes the logical date the start of the period a run covers: the
# daily run with logical date 2026-09-30 is created at 2026-10-01 00:00 UTC for run date 2026-09-30,
# and a backfill from 2026-06-01 to 2026-06-30 runs exactly those dates.

DAILY_DOC = """
### Customer health, daily

`wait_for_warehouse_load -> daily -> trigger_monthly`.

- **Run date D**: the day the data interval covers (logical date 2026-09-30, created at 2026-10-01 00:00
  UTC -> D = 2026-09-30). A manual run without a logical date runs the day before it was triggered;
  set the `run_date` param to run any date.
- **wait_for_warehouse_load** waits (reschedule mode, up to 20 hours) until D's warehouse load has
  landed: the SQL in Variable `customer_health_load_sql`, else the marker in Variable
  `customer_health_load_marker` (default `file:///opt/customer-health/warehouse-loaded/{run_date}`).
- **daily** is one `spark-submit` of the customer-health jar running `daily --run-date D`: one validated
  read of the warehouse, then score, cohorts and insights, in `run`'s order. A bad warehouse fails it
  with exit 3 before any job computes.
- **trigger_monthly** starts `customer_health_monthly` for D when D is the last day of its month;
  skipped on other days.
- Exits 2 (configuration) and 3 (input) fail at once; anything else is retried 3 times. Re-running a
  date replaces that date's rows: retries, clears and backfills are safe.
- Rows dated after D are quarantined on time and excluded for backfills and past dates
  (`rows_after_run_date` param).
"""

MONTHLY_DOC = """
### Customer health, monthly

`calibrate -> report`, each a `spark-submit` of the customer-health jar. No schedule of its own: the
daily run of a month's last day triggers it (run id `month_end__D`, conf `{"run_date": "D"}`).

- **Run date D**: the `run_date` param the daily run sets. A manual run without it runs the last day of
  the month before the one it was triggered in.
- **calibrate** fits the health-score weights to the churn observed before D and records a
  *proposed* version; **report** renders the leadership report of D from what calibrate recorded.
  Nothing changes scoring until a person runs `approve`.
- Re-running a month replaces its unapproved proposal, its figures and its report (the same data
  proposes the same version; an approved version is never rewritten).
"""

with DAG(
    dag_id=DAILY_DAG_ID,
    description="Customer health: score, cohorts and insights for the day that ended, once its warehouse load landed",
    schedule=CronDataIntervalTimetable(DAILY_CRON, timezone="UTC"),
    start_date=datetime(2026, 1, 1, tzinfo=timezone.utc),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    params=_params(),
    user_defined_macros=_macros(daily_run_date),
    tags=["customer-health", "spark", "daily"],
    doc_md=DAILY_DOC,
) as customer_health_daily:
    wait_for_warehouse_load = WarehouseLoadSensor(
        task_id="wait_for_warehouse_load",
        run_date=RUN_DATE,
        sql=LOAD_SQL,
        marker=LOAD_MARKER,
        load_conn_id=LOAD_CONN_ID,
        mode="reschedule",
        poke_interval=LOAD_POKE_INTERVAL.total_seconds(),
        timeout=LOAD_TIMEOUT.total_seconds(),
    )
    daily = _job("daily")
    trigger_monthly = MonthEndTrigger(
        task_id="trigger_monthly",
        trigger_dag_id=MONTHLY_DAG_ID,
        trigger_run_id="month_end__" + RUN_DATE,
        conf={"run_date": RUN_DATE},
        reset_dag_run=True,
        wait_for_completion=False,
    )
    wait_for_warehouse_load >> daily >> trigger_monthly

with DAG(
    dag_id=MONTHLY_DAG_ID,
    description="Customer health: calibrate the weights and render the report for a month end, after its daily run",
    schedule=None,
    start_date=datetime(2026, 1, 1, tzinfo=timezone.utc),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    params=_params(),
    user_defined_macros=_macros(monthly_run_date),
    tags=["customer-health", "spark", "monthly"],
    doc_md=MONTHLY_DOC,
) as customer_health_monthly:
    calibrate = _job("calibrate")
    report = _job("report")
    calibrate >> report
