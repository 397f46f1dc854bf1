#!/usr/bin/env python3
"""Imports the Airflow DAG file against the stand-in Airflow (airflow_standin/) and prints, as JSON,
what Airflow would run: each DAG's settings, its tasks in dependency order, every templated field of
every task rendered for the given DAG runs, and what tasks do when executed in scripted situations.

    python3 src/test/python/dag_tasks.py jobs/airflow/customer_health_dag.py [REQUEST_JSON]

REQUEST_JSON is a JSON list of DAG runs to render (default: a few examples), or an object
{"runs": [...], "failures": [...], "sensors": [...], "callbacks": [...]}. A run is
    {"name": "...", "dag_id": "...", "run_type": "scheduled" | "manual" | "backfill",
     "logical_date": ISO or null, "data_interval_start": ISO or null, "data_interval_end": ISO or null,
     "run_after": ISO, "start_date": ISO (when the DAG run started), "try_number": 1,
     "conf": {trigger params}, "variables": {Airflow Variables}, "run_id": optional}
A run with logical_date null is an Airflow 3 manual run without a logical date: as in Airflow 3, its
context has no logical_date, ds, ts or data interval, so a template that uses them fails here too.
Each run's TriggerDagRunOperator tasks are also executed (on their rendered fields): skipped, or what
they would trigger.

The scripted situations each name a run ("run": the run's fields, as above) and a task:
- failures: {"name", "dag_id", "task_id", "run", "spark": {"master", "deploy_mode", "output": [lines],
  "returncode", "driver_status", "raise"}}: the task is executed with the stand-in SparkSubmitHook
  playing that spark-submit (see airflow_standin/.../hooks/spark_submit.py);
- sensors: {"name", "dag_id", "task_id", "run", "files": [paths under {tmp}], "connections":
  {conn_id: {"sql_answers": {sql: first row}}}, "elapsed_seconds"}: the sensor checks once; "{tmp}" in
  the run's Variables is a fresh temporary folder;
- callbacks: {"name", "dag_id", "task_id", "run", "exception": null | {"type", "message"},
  "alert_handler": "module:function" | ""}: the task's on_failure_callback is called.
A task that fails for good (AirflowFailException, a sensor time-out, or its last try) has its
on_failure_callback called, as Airflow does; alert handlers are pointed at standin_alerts:record (the
CUSTOMER_HEALTH_ALERT_HANDLER environment variable) unless the situation names another ("" for the
DAG's default), and what they received and what was logged is reported.

Templates are rendered with Python alone: each {{ expression }} must be an expression that Jinja and
Python read alike (names, attributes, calls, literals, and/or/not, comparisons, arithmetic, x if c
else y; no filters, tests or {% %} blocks), which is checked on its syntax tree, then evaluated with
eval(). When jinja2 is importable every template is also rendered by Jinja (sandboxed, strict
undefined, as Airflow does) and both results must agree.

Output: {"dags": [...], "runs": [...], "failures": [...], "sensors": [...], "callbacks": [...],
"jinja2": "checked" | "not installed"}; timedeltas are seconds.
Exit 1 with the reason on stderr when the DAG file fails to import or a template fails to render.
"""

from __future__ import annotations

import ast
import copy
import importlib.util
import json
import logging
import os
import re
import sys
import tempfile
import types
from datetime import datetime, timedelta
from pathlib import Path

STANDIN = Path(__file__).resolve().parent / "airflow_standin"
sys.path.insert(0, str(STANDIN))

import airflow  # noqa: E402  (the stand-in, never a real Airflow)
import airflow.sdk as standin  # noqa: E402
from airflow.exceptions import (  # noqa: E402
    AirflowFailException, AirflowRescheduleException, AirflowSensorTimeout, AirflowSkipException,
)
from airflow.providers.apache.spark.hooks.spark_submit import SparkSubmitHook  # noqa: E402
from airflow.providers.standard.operators import trigger_dagrun  # noqa: E402

if Path(airflow.__file__).resolve().parent.parent != STANDIN:
    sys.exit(f"dag_tasks.py: imported airflow from {airflow.__file__}, not the stand-in")

try:
    import jinja2
    import jinja2.sandbox
except ImportError:
    jinja2 = None

EXAMPLE_RUNS = [
    {"name": "daily scheduled", "dag_id": "customer_health_daily", "run_type": "scheduled",
     "logical_date": "2026-09-30T00:00:00+00:00", "data_interval_start": "2026-09-30T00:00:00+00:00",
     "data_interval_end": "2026-10-01T00:00:00+00:00", "run_after": "2026-10-01T00:00:00+00:00",
     "start_date": "2026-10-01T00:00:04+00:00"},
    {"name": "daily manual", "dag_id": "customer_health_daily", "run_type": "manual", "logical_date": None,
     "run_after": "2026-10-05T10:15:00+00:00", "start_date": "2026-10-05T10:15:02+00:00"},
    {"name": "monthly triggered", "dag_id": "customer_health_monthly", "run_type": "manual",
     "run_id": "month_end__2026-09-30", "logical_date": "2026-10-01T02:40:00+00:00",
     "data_interval_start": "2026-10-01T02:40:00+00:00", "data_interval_end": "2026-10-01T02:40:00+00:00",
     "run_after": "2026-10-01T02:40:00+00:00", "start_date": "2026-10-01T02:40:03+00:00",
     "conf": {"run_date": "2026-09-30"}},
    {"name": "monthly manual", "dag_id": "customer_health_monthly", "run_type": "manual", "logical_date": None,
     "run_after": "2026-10-05T10:15:00+00:00", "start_date": "2026-10-05T10:15:02+00:00"},
]


class RenderError(Exception):
    pass


class AttrDict(dict):
    """A dict whose keys also read as attributes, as Jinja reads params.x."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class Record:
    def __init__(self, **fields):
        self.__dict__.update(fields)


class VariableAccessor:
    """var.value: var.value.get(key, default) and var.value.<key>, as in Airflow."""

    _NOTSET = object()

    def __init__(self, variables: dict):
        self._variables = variables

    def get(self, key, default=_NOTSET):
        if key in self._variables:
            return self._variables[key]
        if default is VariableAccessor._NOTSET:
            raise RenderError(f"Airflow Variable {key} is not set and the template gives no default")
        return default

    def __getattr__(self, key):
        if key.startswith("_"):
            raise AttributeError(key)
        return self.get(key)


# Syntax that Jinja and Python read the same way.
_SHARED_SYNTAX = (
    ast.Expression, ast.Name, ast.Load, ast.Attribute, ast.Call, ast.keyword, ast.Constant, ast.BoolOp, ast.And,
    ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE,
    ast.In, ast.NotIn, ast.BinOp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow,
    ast.Subscript, ast.Tuple, ast.List, ast.Dict, ast.IfExp,
)
_EXPRESSION = re.compile(r"\{\{(.*?)\}\}", re.S)


def check_expression(expr: str) -> ast.Expression:
    try:
        tree = ast.parse(expr.strip(), mode="eval")
    except SyntaxError as e:
        raise RenderError(f"{{{{{expr}}}}} is not a Python expression ({e.msg}); a Jinja filter or test?") from None
    for node in ast.walk(tree):
        if not isinstance(node, _SHARED_SYNTAX) or (
                isinstance(node, ast.Constant) and not isinstance(node.value, (str, int, float, bool, type(None)))):
            raise RenderError(f"{{{{{expr}}}}} uses {type(node).__name__}, which Jinja and Python do not read alike")
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            raise RenderError(f"{{{{{expr}}}}} reads {node.attr}: Airflow's sandboxed Jinja refuses private attributes")
    return tree


def render_string(template: str, context: dict, macros: dict, where: str) -> str:
    if "{%" in template or "{#" in template:
        raise RenderError(f"{where}: {template!r} has a Jinja block or comment; only {{{{ expressions }}}} are allowed")
    names = {**macros, **context}

    def evaluate(match):
        tree = check_expression(match.group(1))
        try:
            return str(eval(compile(tree, "<template>", "eval"), {"__builtins__": {}}, names))  # noqa: S307
        except NameError as e:
            raise RenderError(f"{where}: {match.group(0)} is undefined in this run's context ({e})") from None
        except RenderError as e:
            raise RenderError(f"{where}: {match.group(0)}: {e}") from None
        except Exception as e:  # noqa: BLE001 - report any failure of a template with its field
            raise RenderError(f"{where}: {match.group(0)} failed: {type(e).__name__}: {e}") from None

    rendered = _EXPRESSION.sub(evaluate, template)
    if jinja2 is not None:
        env = jinja2.sandbox.SandboxedEnvironment(undefined=jinja2.StrictUndefined)
        env.globals.update(macros)
        try:
            by_jinja = env.from_string(template).render(**context)
        except Exception as e:  # noqa: BLE001
            raise RenderError(f"{where}: Jinja fails on {template!r}: {type(e).__name__}: {e}") from None
        if by_jinja != rendered:
            raise RenderError(f"{where}: Jinja gives {by_jinja!r}, Python {rendered!r} for {template!r}")
    return rendered


def render(value, context: dict, macros: dict, where: str):
    """Renders a templated field as Airflow does: strings, and the strings inside lists and dict values."""
    if isinstance(value, str):
        return render_string(value, context, macros, where)
    if isinstance(value, (list, tuple)):
        return [render(v, context, macros, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: render(v, context, macros, f"{where}.{k}") for k, v in value.items()}
    return value


def has_template(value) -> bool:
    if isinstance(value, str):
        return "{{" in value or "{%" in value
    if isinstance(value, (list, tuple)):
        return any(has_template(v) for v in value)
    if isinstance(value, dict):
        return any(has_template(v) for v in value.values())
    return False


def moment(text):
    if text is None:
        return None
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"{text}: give a time zone")
    return value


def resolve_params(dag, conf: dict) -> AttrDict:
    """Param defaults, overridden by the run's conf and checked against each param's schema."""
    declared = dag.kwargs.get("params") or {}
    values = {name: p.value for name, p in declared.items()}
    values.update(conf or {})
    for name, p in declared.items():
        v, schema = values[name], p.schema
        if schema.get("type") == "string" and not isinstance(v, str):
            raise RenderError(f"param {name}={v!r} is not a string")
        if "enum" in schema and v not in schema["enum"]:
            raise RenderError(f"param {name}={v!r} is not one of {schema['enum']}")
        if "pattern" in schema and not re.search(schema["pattern"], v):
            raise RenderError(f"param {name}={v!r} does not match {schema['pattern']}")
    return AttrDict(values)


def context_of(dag, task, run: dict) -> dict:
    """The template context Airflow 3 gives a task of this DAG run."""
    logical = moment(run.get("logical_date"))
    start, end = moment(run.get("data_interval_start")), moment(run.get("data_interval_end"))
    if logical is None and (start or end):
        raise RenderError(f"run {run['name']}: Airflow 3 gives a run without a logical date no data interval")
    run_after = moment(run["run_after"])
    run_id = run.get("run_id") or f"{run['run_type']}__{(logical or run_after).isoformat()}"
    dag_run = Record(dag_id=dag.dag_id, run_id=run_id, run_type=run["run_type"], logical_date=logical,
                     data_interval_start=start, data_interval_end=end, run_after=run_after,
                     start_date=moment(run.get("start_date")), conf=run.get("conf") or {})
    ti = Record(task_id=task.task_id, dag_id=dag.dag_id, run_id=run_id, try_number=run.get("try_number", 1))
    context = {
        "dag": dag, "task": task, "ti": ti, "task_instance": ti, "run_id": run_id, "dag_run": dag_run,
        "params": resolve_params(dag, run.get("conf")), "var": Record(value=VariableAccessor(run.get("variables") or {})),
    }
    if logical is not None:
        ds = logical.strftime("%Y-%m-%d")
        context.update(logical_date=logical, ds=ds, ds_nodash=ds.replace("-", ""), ts=logical.isoformat(),
                       data_interval_start=start, data_interval_end=end)
    return context


def dependency_order(dag) -> list:
    """Task ids in dependency order (Kahn), ties in declaration order; fails on a cycle."""
    placed, order = set(), []
    while len(order) < len(dag.tasks):
        ready = [t for t in dag.tasks if t.task_id not in placed and all(u.task_id in placed for u in t.upstream)]
        if not ready:
            raise RenderError(f"DAG {dag.dag_id} has a cycle")
        placed.add(ready[0].task_id)
        order.append(ready[0].task_id)
    return order


def plain(value):
    """JSON form of what the DAG file declares."""
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, standin.Param):
        return {"default": value.value, "description": value.description, **value.schema}
    if isinstance(value, standin.CronDataIntervalTimetable):
        return {"timetable": "CronDataIntervalTimetable", "cron": value.cron, "timezone": value.timezone}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [plain(v) for v in value]
    if callable(value):
        return getattr(value, "__name__", repr(value))
    return value


def templated(task) -> dict:
    """The task's templated fields, as Airflow reads them: the attributes template_fields names."""
    missing = [f for f in task.template_fields if not hasattr(task, f)]
    if missing:
        raise RenderError(f"{task.dag.dag_id}.{task.task_id}: template_fields {missing} are not attributes of "
                          f"{type(task).__name__} (Airflow fails on that)")
    return {f: getattr(task, f) for f in task.template_fields if getattr(task, f) is not None}


def describe(dag) -> dict:
    settings = {k: plain(v) for k, v in dag.kwargs.items() if k != "user_defined_macros"}
    settings["user_defined_macros"] = sorted((dag.kwargs.get("user_defined_macros") or {}).keys())
    tasks = []
    for task in dag.tasks:
        for field, value in task.kwargs.items():
            if field not in task.template_fields and has_template(value):
                raise RenderError(f"{dag.dag_id}.{task.task_id}: {field} holds a template, but Airflow does not "
                                  f"render {field} (not in {type(task).__name__}.template_fields)")
        templated(task)
        tasks.append({
            "task_id": task.task_id,
            "operator": type(task).__name__,
            "classes": [c.__name__ for c in type(task).__mro__ if c.__name__ not in ("object",)],
            "upstream": [u.task_id for u in task.upstream],
            "downstream": [t.task_id for t in dag.tasks if task in t.upstream],
            "args": {k: plain(v) for k, v in task.kwargs.items()},
        })
    return {"dag_id": dag.dag_id, **settings, "order": dependency_order(dag), "tasks": tasks}


# ---- executing tasks -------------------------------------------------------------------------------

ALERT_HANDLER_ENV = "CUSTOMER_HEALTH_ALERT_HANDLER"


class Captured(logging.Handler):
    """Every log record, by logger name (the alerts the default handler logs, the errors callbacks log)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records: list = []

    def emit(self, record):
        self.records.append({"logger": record.name, "level": record.levelname, "message": record.getMessage()})


CAPTURED = Captured()


def standin_alerts_module():
    """standin_alerts: record(alert) keeps the alert, broken(alert) fails as a down alerting service would."""
    module = types.ModuleType("standin_alerts")
    module.received = []
    module.record = module.received.append

    def broken(alert):
        raise RuntimeError("the alerting service is down")

    module.broken = broken
    sys.modules["standin_alerts"] = module
    return module


ALERTS = standin_alerts_module()


def rendered_copy(task, context: dict, macros: dict, where: str):
    """A copy of the task with its templated fields rendered, as Airflow runs it; and those fields."""
    fields = {f: render(v, context, macros, f"{where}.{f}") for f, v in templated(task).items()}
    rendered = copy.copy(task)
    for field, value in fields.items():
        setattr(rendered, field, value)
    return rendered, fields


def run_task(task, context: dict, handler: str | None = "standin_alerts:record") -> dict:
    """Executes the (rendered) task as Airflow would and reports how it ended; a task that fails for
    good (failed fast, timed out, or on its last try) gets its on_failure_callback called."""
    ALERTS.received.clear()
    CAPTURED.records.clear()
    outcome: dict = {}
    error = None
    try:
        task.execute(context)
        outcome["state"] = "success"
    except AirflowSkipException as e:
        outcome.update(state="skipped", message=str(e))
    except AirflowRescheduleException:
        outcome.update(state="up_for_reschedule")
    except (AirflowFailException, AirflowSensorTimeout) as e:
        error = e
        outcome.update(state="failed", retried=False)
    except Exception as e:  # noqa: BLE001 - any other error is retried while tries remain, as in Airflow
        error = e
        retries = task.kwargs.get("retries", 0) or 0
        last_try = context["ti"].try_number > retries
        outcome.update(state="failed" if last_try else "up_for_retry", retried=not last_try)
    if error is not None:
        failure = getattr(error, "customer_health_failure", None)
        outcome.update(exception=type(error).__name__, message=str(error),
                       cause=type(error.__cause__).__name__ if error.__cause__ is not None else None,
                       exit_code=getattr(failure, "exit_code", None), source=getattr(failure, "source", None))
    if outcome["state"] == "failed":
        outcome.update(call_on_failure(task, dict(context, exception=error), handler))
    return outcome


def call_on_failure(task, context: dict, handler: str | None) -> dict:
    ALERTS.received.clear()
    CAPTURED.records.clear()
    callback = task.kwargs.get("on_failure_callback")
    if callback is None:
        return {"on_failure_callback": None}
    if handler:
        os.environ[ALERT_HANDLER_ENV] = handler
    else:
        os.environ.pop(ALERT_HANDLER_ENV, None)
    raised = None
    try:
        callback(context)
    except Exception as e:  # noqa: BLE001 - reported: a callback must not raise
        raised = f"{type(e).__name__}: {e}"
    return {"on_failure_callback": getattr(callback, "__name__", repr(callback)), "callback_raised": raised,
            "alerts": list(ALERTS.received), "logged": list(CAPTURED.records)}


def find_task(dags: dict, item: dict):
    dag = dags.get(item["dag_id"])
    if dag is None:
        raise RenderError(f"{item['name']}: no DAG {item['dag_id']}")
    task = next((t for t in dag.tasks if t.task_id == item["task_id"]), None)
    if task is None:
        raise RenderError(f"{item['name']}: no task {item['task_id']} in {dag.dag_id}")
    return dag, task


def situation_run(item: dict, replace: dict | None = None) -> dict:
    run = {"name": item["name"], "dag_id": item["dag_id"], **item["run"]}
    if replace and run.get("variables"):
        run["variables"] = {k: _replace(v, replace) for k, v in run["variables"].items()}
    return run


def _replace(value, replace: dict):
    if isinstance(value, str):
        for old, new in replace.items():
            value = value.replace(old, new)
        return value
    if isinstance(value, list):
        return [_replace(v, replace) for v in value]
    if isinstance(value, dict):
        return {k: _replace(v, replace) for k, v in value.items()}
    return value


def simulate_failure(dags: dict, item: dict) -> dict:
    dag, task = find_task(dags, item)
    run = situation_run(item)
    context = context_of(dag, task, run)
    rendered, _ = rendered_copy(task, context, dag.kwargs.get("user_defined_macros") or {}, item["name"])
    SparkSubmitHook.script = item["spark"]
    SparkSubmitHook.created.clear()
    outcome = run_task(rendered, context)
    hooks = SparkSubmitHook.created
    outcome["spark_submit"] = hooks[-1].command if hooks else None
    return {"name": item["name"], **outcome}


def simulate_sensor(dags: dict, item: dict) -> dict:
    dag, task = find_task(dags, item)
    with tempfile.TemporaryDirectory() as tmp:
        for name in item.get("files", []):
            path = Path(tmp) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch()
        run = situation_run(item, {"{tmp}": tmp})
        context = context_of(dag, task, run)
        rendered, fields = rendered_copy(task, context, dag.kwargs.get("user_defined_macros") or {}, item["name"])
        rendered.standin_elapsed = float(item.get("elapsed_seconds", 0))
        standin.BaseHook.connections = item.get("connections", {})
        standin.BaseHook.executed_sql.clear()
        standin.ObjectStoragePath.checked.clear()
        outcome = run_task(rendered, context)
        outcome.update(rendered=fields, executed_sql=list(standin.BaseHook.executed_sql),
                       checked_paths=list(standin.ObjectStoragePath.checked))
        return _replace({"name": item["name"], **outcome}, {tmp: "{tmp}"})


class _Raised(Exception):
    pass


def simulate_callback(dags: dict, item: dict) -> dict:
    dag, task = find_task(dags, item)
    context = context_of(dag, task, situation_run(item))
    spec = item.get("exception")
    error = None
    if spec is not None:
        kind = {"AirflowFailException": AirflowFailException, "AirflowSensorTimeout": AirflowSensorTimeout}.get(
            spec["type"], type(spec["type"], (_Raised,), {}))
        error = kind(spec["message"])
    outcome = call_on_failure(task, dict(context, exception=error), item.get("alert_handler", "standin_alerts:record"))
    return {"name": item["name"], **outcome}


def main(argv: list) -> int:
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    dag_file = Path(argv[1])
    request = json.loads(argv[2]) if len(argv) == 3 else EXAMPLE_RUNS
    if isinstance(request, list):
        request = {"runs": request}
    root = logging.getLogger()
    root.addHandler(CAPTURED)
    root.setLevel(logging.INFO)
    spec = importlib.util.spec_from_file_location("customer_health_dag_under_test", dag_file)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # as Airflow's DagBag does before running a DAG file
    spec.loader.exec_module(module)
    dags = {d.dag_id: d for d in standin.DAGS}
    try:
        out = {"dags": [describe(d) for d in dags.values()], "runs": []}
        for run in request.get("runs", []):
            dag = dags.get(run["dag_id"])
            if dag is None:
                raise RenderError(f"run {run['name']}: no DAG {run['dag_id']} in {dag_file}")
            macros = dag.kwargs.get("user_defined_macros") or {}
            rendered, executed = {}, {}
            for task in dag.tasks:
                context = context_of(dag, task, run)
                clash = set(macros) & set(context)
                if clash:
                    raise RenderError(f"{dag.dag_id}: user_defined_macros {sorted(clash)} shadow context variables")
                copy_, rendered[task.task_id] = rendered_copy(task, context, macros, f"{run['name']}: {dag.dag_id}.{task.task_id}")
                if isinstance(task, trigger_dagrun.TriggerDagRunOperator):
                    trigger_dagrun.TRIGGERED.clear()
                    executed[task.task_id] = {**run_task(copy_, context), "triggered": list(trigger_dagrun.TRIGGERED)}
            out["runs"].append({"name": run["name"], "dag_id": dag.dag_id, "tasks": rendered, "executed": executed})
        out["failures"] = [simulate_failure(dags, item) for item in request.get("failures", [])]
        out["sensors"] = [simulate_sensor(dags, item) for item in request.get("sensors", [])]
        out["callbacks"] = [simulate_callback(dags, item) for item in request.get("callbacks", [])]
    except RenderError as e:
        print(f"dag_tasks.py: {e}", file=sys.stderr)
        return 1
    out["jinja2"] = "checked" if jinja2 is not None else "not installed"
    json.dump(out, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
