#!/usr/bin/env python3
"""Imports the Airflow DAG file against the stand-in Airflow (airflow_standin/) and prints, as JSON,
what Airflow would run: each DAG's settings, its tasks in dependency order, and every templated
field of every task rendered for the given DAG runs.

    python3 src/test/python/dag_tasks.py jobs/airflow/customer_health_dag.py [RUNS_JSON]

RUNS_JSON is a JSON list of DAG runs to render (default: a few examples), each
    {"name": "...", "dag_id": "...", "run_type": "scheduled" | "manual" | "backfill",
     "logical_date": ISO or null, "data_interval_start": ISO or null, "data_interval_end": ISO or null,
     "run_after": ISO, "start_date": ISO (when the DAG run started), "try_number": 1,
     "conf": {trigger params}, "variables": {Airflow Variables}, "run_id": optional}
A run with logical_date null is an Airflow 3 manual run without a logical date: as in Airflow 3, its
context has no logical_date, ds, ts or data interval, so a template that uses them fails here too.

Templates are rendered with Python alone: each {{ expression }} must be an expression that Jinja and
Python read alike (names, attributes, calls, literals, and/or/not, comparisons, arithmetic, x if c
else y; no filters, tests or {% %} blocks), which is checked on its syntax tree, then evaluated with
eval(). When jinja2 is importable every template is also rendered by Jinja (sandboxed, strict
undefined, as Airflow does) and both results must agree.

Output: {"dags": [...], "runs": [...], "jinja2": "checked" | "not installed"}; timedeltas are seconds.
Exit 1 with the reason on stderr when the DAG file fails to import or a template fails to render.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import sys
from datetime import datetime, timedelta
from pathlib import Path

STANDIN = Path(__file__).resolve().parent / "airflow_standin"
sys.path.insert(0, str(STANDIN))

import airflow  # noqa: E402  (the stand-in, never a real Airflow)
import airflow.sdk as standin  # noqa: E402

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
    {"name": "monthly scheduled", "dag_id": "customer_health_monthly", "run_type": "scheduled",
     "logical_date": "2026-09-01T00:00:00+00:00", "data_interval_start": "2026-09-01T00:00:00+00:00",
     "data_interval_end": "2026-10-01T00:00:00+00:00", "run_after": "2026-10-01T00:00:00+00:00",
     "start_date": "2026-10-01T00:00:03+00:00"},
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


def describe(dag) -> dict:
    settings = {k: plain(v) for k, v in dag.kwargs.items() if k != "user_defined_macros"}
    settings["user_defined_macros"] = sorted((dag.kwargs.get("user_defined_macros") or {}).keys())
    tasks = []
    for task in dag.tasks:
        for field, value in task.kwargs.items():
            if field not in task.template_fields and has_template(value):
                raise RenderError(f"{dag.dag_id}.{task.task_id}: {field} holds a template, but Airflow does not "
                                  f"render {field} (not in {type(task).__name__}.template_fields)")
        tasks.append({
            "task_id": task.task_id,
            "operator": type(task).__name__,
            "upstream": [u.task_id for u in task.upstream],
            "downstream": [t.task_id for t in dag.tasks if task in t.upstream],
            "args": {k: plain(v) for k, v in task.kwargs.items()},
        })
    return {"dag_id": dag.dag_id, **settings, "order": dependency_order(dag), "tasks": tasks}


def main(argv: list) -> int:
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    dag_file = Path(argv[1])
    runs = json.loads(argv[2]) if len(argv) == 3 else EXAMPLE_RUNS
    spec = importlib.util.spec_from_file_location("customer_health_dag_under_test", dag_file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    dags = {d.dag_id: d for d in standin.DAGS}
    try:
        out = {"dags": [describe(d) for d in dags.values()], "runs": []}
        for run in runs:
            dag = dags.get(run["dag_id"])
            if dag is None:
                raise RenderError(f"run {run['name']}: no DAG {run['dag_id']} in {dag_file}")
            macros = dag.kwargs.get("user_defined_macros") or {}
            rendered = {}
            for task in dag.tasks:
                context = context_of(dag, task, run)
                clash = set(macros) & set(context)
                if clash:
                    raise RenderError(f"{dag.dag_id}: user_defined_macros {sorted(clash)} shadow context variables")
                rendered[task.task_id] = {
                    field: render(task.kwargs[field], context, macros, f"{run['name']}: {dag.dag_id}.{task.task_id}.{field}")
                    for field in task.template_fields if field in task.kwargs
                }
            out["runs"].append({"name": run["name"], "dag_id": dag.dag_id, "tasks": rendered})
    except RenderError as e:
        print(f"dag_tasks.py: {e}", file=sys.stderr)
        return 1
    out["jinja2"] = "checked" if jinja2 is not None else "not installed"
    json.dump(out, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
