"""Stand-in for ``airflow.sdk``: DAG (a context manager), Param, CronDataIntervalTimetable, BaseOperator,
BaseSensorOperator, BaseHook (over connections the driver declares) and ObjectStoragePath (file:// only)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from airflow.exceptions import AirflowNotFoundException, AirflowRescheduleException, AirflowSensorTimeout

# Every DAG created since import, in order (the driver reads them).
DAGS: list = []
_CURRENT: list = []

# Arguments of airflow.sdk.DAG (Airflow 3).
_DAG_ARGS = {
    "dag_id", "description", "schedule", "start_date", "end_date", "template_searchpath", "template_undefined",
    "user_defined_macros", "user_defined_filters", "default_args", "max_active_tasks", "max_active_runs",
    "max_consecutive_failed_dag_runs", "dagrun_timeout", "catchup", "on_success_callback", "on_failure_callback",
    "doc_md", "params", "access_control", "is_paused_upon_creation", "jinja_environment_kwargs",
    "render_template_as_native_obj", "tags", "owner_links", "auto_register", "fail_fast", "dag_display_name",
    "disable_bundle_versioning", "deadline",
}

# Arguments of airflow.sdk.BaseOperator (Airflow 3) that default_args may also carry.
BASE_OPERATOR_ARGS = {
    "task_id", "owner", "email", "email_on_retry", "email_on_failure", "retries", "retry_delay",
    "retry_exponential_backoff", "max_retry_delay", "start_date", "end_date", "depends_on_past",
    "ignore_first_depends_on_past", "wait_for_past_depends_before_skipping", "wait_for_downstream", "dag", "params",
    "default_args", "priority_weight", "weight_rule", "queue", "pool", "pool_slots", "execution_timeout",
    "on_execute_callback", "on_failure_callback", "on_success_callback", "on_retry_callback",
    "on_skipped_callback", "pre_execute", "post_execute", "trigger_rule", "resources", "run_as_user",
    "max_active_tis_per_dag", "max_active_tis_per_dagrun", "executor", "executor_config", "do_xcom_push",
    "multiple_outputs", "inlets", "outlets", "task_group", "doc", "doc_md", "doc_json", "doc_yaml", "doc_rst",
    "task_display_name", "logger_name", "allow_nested_operators",
}


class Param:
    """A DAG param: a default and a JSON-schema fragment (type, enum, pattern ...)."""

    def __init__(self, default=None, description: str | None = None, **schema):
        self.value = default
        self.description = description
        self.schema = schema


class CronDataIntervalTimetable:
    """Records the cron expression and time zone; computes no intervals (the test gives them by hand)."""

    def __init__(self, cron: str, timezone):
        self.cron = cron
        self.timezone = str(timezone)


class DAG:
    def __init__(self, dag_id: str, **kwargs):
        unknown = set(kwargs) - _DAG_ARGS
        if unknown:
            raise TypeError(f"DAG {dag_id}: unexpected arguments {sorted(unknown)}")
        for name, param in (kwargs.get("params") or {}).items():
            if not isinstance(param, Param):
                raise TypeError(f"DAG {dag_id}: param {name} is not a Param")
        start = kwargs.get("start_date")
        if isinstance(start, datetime) and start.tzinfo is None:
            raise ValueError(f"DAG {dag_id}: start_date must carry a time zone")
        self.dag_id = dag_id
        self.kwargs = kwargs
        self.tasks: list = []
        DAGS.append(self)

    def __enter__(self):
        _CURRENT.append(self)
        return self

    def __exit__(self, *exc):
        _CURRENT.pop()
        return False

    def add_task(self, task) -> None:
        if any(t.task_id == task.task_id for t in self.tasks):
            raise ValueError(f"DAG {self.dag_id}: duplicate task_id {task.task_id}")
        self.tasks.append(task)


class BaseOperator:
    """Records its arguments (default_args applied as Airflow does) and its upstream tasks."""

    template_fields: tuple = ()
    operator_args: set = set()

    def __init__(self, **kwargs):
        allowed = BASE_OPERATOR_ARGS | self.operator_args
        unknown = set(kwargs) - allowed
        if unknown:
            raise TypeError(f"{type(self).__name__} {kwargs.get('task_id')}: unexpected arguments {sorted(unknown)}")
        if "task_id" not in kwargs:
            raise TypeError(f"{type(self).__name__}: task_id is required")
        dag = kwargs.pop("dag", None) or (_CURRENT[-1] if _CURRENT else None)
        if dag is None:
            raise ValueError(f"task {kwargs['task_id']} is not inside a DAG")
        defaults = {k: v for k, v in (dag.kwargs.get("default_args") or {}).items() if k in allowed}
        self.task_id = kwargs["task_id"]
        self.dag = dag
        self.kwargs = {**defaults, **kwargs}
        self.upstream: list = []
        dag.add_task(self)

    def __rshift__(self, other):
        for o in other if isinstance(other, (list, tuple)) else [other]:
            if o.dag is not self.dag:
                raise ValueError(f"{self.task_id} >> {o.task_id}: tasks of different DAGs")
            o.upstream.append(self)
        return other

    def __lshift__(self, other):
        for o in other if isinstance(other, (list, tuple)) else [other]:
            o >> self
        return other


class BaseSensorOperator(BaseOperator):
    """Checks once per execute(): done when poke() says so, else reschedules, or times out once the
    driver says that much time has passed (standin_elapsed, seconds), as Airflow does."""

    operator_args = {"poke_interval", "timeout", "soft_fail", "mode", "exponential_backoff", "max_wait", "silent_fail",
                     "never_fail"}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.mode = self.kwargs.get("mode", "poke")
        if self.mode not in ("poke", "reschedule"):
            raise ValueError(f"{self.task_id}: mode must be poke or reschedule, not {self.mode}")
        self.poke_interval = self.kwargs.get("poke_interval", 60)
        self.timeout = self.kwargs.get("timeout", 7 * 24 * 3600)
        self.soft_fail = self.kwargs.get("soft_fail", False)
        self.standin_elapsed = 0.0

    def poke(self, context) -> bool:
        raise NotImplementedError

    def execute(self, context):
        if self.poke(context):
            return None
        timeout = self.timeout.total_seconds() if isinstance(self.timeout, timedelta) else float(self.timeout)
        if self.standin_elapsed >= timeout:
            # Airflow's message.
            raise AirflowSensorTimeout(f"Sensor has timed out; run duration of {self.standin_elapsed} seconds exceeds "
                                       f"the specified timeout of {self.timeout}.")
        raise AirflowRescheduleException(reschedule_date=None)


class _DbApiHook:
    def __init__(self, conn_id: str, answers: dict):
        self.conn_id = conn_id
        self.answers = answers

    def get_first(self, sql, parameters=None):
        BaseHook.executed_sql.append({"conn_id": self.conn_id, "sql": sql})
        return self.answers.get(sql)


class _Connection:
    def __init__(self, conn_id: str, spec: dict):
        self.conn_id = conn_id
        self.spec = spec

    def get_hook(self, hook_params=None):
        return _DbApiHook(self.conn_id, self.spec.get("sql_answers", {}))


class BaseHook:
    # conn_id -> {"sql_answers": {sql: first row}}, set by the driver; the SQL each hook ran, in order.
    connections: dict = {}
    executed_sql: list = []

    @classmethod
    def get_connection(cls, conn_id: str):
        if conn_id not in cls.connections:
            raise AirflowNotFoundException(f"The conn_id `{conn_id}` isn't defined")
        return _Connection(conn_id, cls.connections[conn_id])


class ObjectStoragePath:
    """file:// paths only; remembers what was checked."""

    checked: list = []

    def __init__(self, path: str, conn_id: str | None = None):
        if not str(path).startswith("file://"):
            raise ValueError(f"the stand-in ObjectStoragePath reads file:// paths only, not {path}")
        self.path = str(path)
        self.conn_id = conn_id

    def exists(self) -> bool:
        ObjectStoragePath.checked.append({"path": self.path, "conn_id": self.conn_id})
        return Path(self.path[len("file://"):]).exists()
