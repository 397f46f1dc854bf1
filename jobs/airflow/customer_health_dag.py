"""Airflow DAGs of the customer-health jobs: one spark-submit per job of the shaded jar.

- ``customer_health_daily``: validate -> cohorts -> score -> insights, for the day that just ended.
- ``customer_health_monthly``: calibrate -> report, for the last day of the month that just ended.

Written for Airflow 3 (``airflow.sdk``); also imports on Airflow 2.9+. Needs the provider
``apache-airflow-providers-apache-spark`` and a Spark connection (see docs/operations.md, "Airflow").

Every template in this file is an expression that is both valid Jinja and valid Python (no filters,
no ``{% %}`` blocks), so the test renders it with Python alone
(src/test/python/dag_tasks.py, AirflowDagTest).
"""

from __future__ import annotations

import os
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

from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

JAVA_CLASS = "com.customerhealth.cli.HealthJobs"
# Defaults of the jar and conf settings; an Airflow Variable overrides each for a deployment and a
# run's params (trigger form or dag_run.conf) override both for that run.
DEFAULT_JAR = "/opt/customer-health/customer-health-jobs.jar"
DEFAULT_CONF = "/opt/customer-health/conf/production.conf"
JAR_VARIABLE = "customer_health_jar"
CONF_VARIABLE = "customer_health_conf"
# conn_id is not a templated field of SparkSubmitOperator, so it cannot come from a run's params or
# a Variable at run time: it is fixed when the file is parsed. Set the environment variable on every
# Airflow component (the DAG processor and the workers both parse this file) to use another connection.
SPARK_CONN_ID = os.environ.get("CUSTOMER_HEALTH_SPARK_CONN_ID", "customer_health_spark")

# Schedules, UTC. The daily run starts when the day it covers ends; move it after your warehouse's
# nightly load if that lands later (the run dates do not change: they follow the data interval). The
# monthly run starts six hours after the daily run of the month's last day, so that its report sees
# that day's cohort and insight tables, and so that the two rarely overlap: both write the
# rejected_rows partition of that date, and of two concurrent commits to it Delta lets one through;
# the other task fails and its retry succeeds.
DAILY_CRON = "0 0 * * *"
MONTHLY_CRON = "0 6 1 * *"

# The jar carries Delta and the PostgreSQL driver, so spark-submit needs no --packages. The Variable
# adds coordinates where a cluster needs more (another database's JDBC driver, e.g.
# "com.mysql:mysql-connector-j:9.1.0"); empty by default.
PACKAGES_VARIABLE = "customer_health_spark_packages"

# Spark settings the jobs need from the launcher: none. The job's session sets Delta's SQL extension
# and catalog and a UTC session time zone itself; master, deploy mode, queue and memory belong to the
# connection. The one setting here keeps retries in one place:
# on YARN a failed driver is otherwise re-attempted by YARN before Airflow sees the failure, and then
# again by every Airflow retry (ignored outside YARN).
SPARK_CONF = {"spark.yarn.maxAppAttempts": "1"}

# Retries: a failed job is retried three times, waits starting at 5 minutes and doubling (Airflow
# adds a jitter of up to as much again and caps each wait at max_retry_delay), which rides out a
# busy cluster, a lost executor or a transient storage error. Retrying is safe because every job
# replaces exactly its run date's rows (Delta replaceWhere on the date partition, merges keyed by
# account): a retry after a partial write, or a re-run of a finished date, leaves the tables as one
# clean run would. Failures that cannot heal (exit 2, bad config or arguments; exit 3, the warehouse
# breaks the input contract) are retried too: the operator fails the same way whatever the job's
# exit code (in cluster mode spark-submit does not even see it); they fail again quickly.
# execution_timeout kills a hung job so that it cannot hold max_active_runs=1 forever.
DEFAULT_ARGS = {
    "owner": "customer-health",
    "retries": 3,
    "retry_delay": timedelta(minutes=5),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(hours=1),
    "execution_timeout": timedelta(hours=6),
}


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
    """The last day of the month before the period closed: the month a scheduled run's data interval
    covers (2026-09-01 06:00 .. 2026-10-01 06:00 -> 2026-09-30); for a manual run, the last day of the
    month before the one it was triggered in. The run_date param overrides it."""
    return _run_date_param(params) or _period_closed(dag_run).replace(day=1) - timedelta(days=1)


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


def _job(command: str) -> SparkSubmitOperator:
    """One job of the jar: ``<command> --run-date D --conf FILE --run-id ID --set validation...``."""
    return SparkSubmitOperator(
        task_id=command,
        conn_id=SPARK_CONN_ID,
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


# Catchup is off on both DAGs: when the scheduler was down or the DAG paused, it creates only the
# latest period's run, not one per missed period. Missing history is made on purpose with a backfill
# (`airflow backfill create ... --max-active-runs 1`), whose runs exclude rows after their run date.
# A gap costs nothing downstream: cohorts and insights compute the earlier scores they need when
# they are missing.
#
# max_active_runs=1: one run at a time, in date order. Runs of different dates write different
# partitions, but they all merge into account_health_current and write the same Delta tables, so
# concurrent runs would conflict (Delta fails one commit; its retry would succeed) and compete for
# the cluster. A backfill has its own max_active_runs (Airflow 3), hence --max-active-runs 1.
#
# The data interval timetable makes the logical date the start of the period a run covers: the
# daily run with logical date 2026-09-30 runs at 2026-10-01 00:00 UTC for run date 2026-09-30, and
# a backfill from 2026-06-01 to 2026-06-30 runs exactly those dates.

DAILY_DOC = """
### Customer health, daily

`validate -> cohorts -> score -> insights`, each a `spark-submit` of the customer-health jar
(`com.customerhealth.cli.HealthJobs <command> --run-date D ...`).

- **Run date D**: the day the data interval covers (logical date 2026-09-30, run at 2026-10-01 00:00
  UTC -> D = 2026-09-30). A manual run without a logical date runs the day before it was triggered;
  set the `run_date` param to run any date.
- **validate** checks every input table and writes `rejected_rows`; **cohorts** the revenue and
  cohort tables; **score** `account_health_scores` for D and `account_health_current`;
  **insights** reads D's scores, so it runs last.
- Re-running a date replaces that date's rows: retries, clears and backfills are safe.
- Rows dated after D are quarantined on time and excluded for backfills and past dates
  (`rows_after_run_date` param).
"""

MONTHLY_DOC = """
### Customer health, monthly

`calibrate -> report`, each a `spark-submit` of the customer-health jar.

- **Run date D**: the last day of the month the data interval covers (logical date 2026-09-01 06:00,
  run at 2026-10-01 06:00 UTC -> D = 2026-09-30). A manual run without a logical date runs the last day
  of the month before the one it was triggered in; set the `run_date` param to run any date.
- **calibrate** fits the health-score weights to the churn observed before D and records a
  *proposed* version; **report** renders the leadership report of D from what calibrate recorded.
  Nothing changes scoring until a person runs `approve`.
- Re-running a month replaces its unapproved proposal, its figures and its report (the same data
  proposes the same version; an approved version is never rewritten).
"""

with DAG(
    dag_id="customer_health_daily",
    description="Customer health: validate, cohorts, score, insights for the day that ended",
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
    validate = _job("validate")
    cohorts = _job("cohorts")
    score = _job("score")
    insights = _job("insights")
    validate >> cohorts >> score >> insights

with DAG(
    dag_id="customer_health_monthly",
    description="Customer health: calibrate the weights and render the report for the month that ended",
    schedule=CronDataIntervalTimetable(MONTHLY_CRON, timezone="UTC"),
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
