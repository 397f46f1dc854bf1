"""Stand-in for ``airflow.providers.standard.operators.trigger_dagrun`` (Airflow 3; Airflow 2.9 has the same
operator in ``airflow.operators.trigger_dagrun``)."""

from __future__ import annotations

from airflow.sdk import BaseOperator

# What execute() would have asked Airflow to trigger, in order (the driver reads it).
TRIGGERED: list = []


class TriggerDagRunOperator(BaseOperator):
    # As in apache-airflow-providers-standard.
    template_fields = ("trigger_dag_id", "trigger_run_id", "logical_date", "conf", "wait_for_completion",
                       "skip_when_already_exists")
    # Arguments of Airflow 2.9's operator, plus those the standard provider added since.
    operator_args = {
        "trigger_dag_id", "trigger_run_id", "conf", "logical_date", "reset_dag_run", "wait_for_completion",
        "poke_interval", "allowed_states", "failed_states", "deferrable", "skip_when_already_exists",
        "fail_when_dag_is_paused",
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if "trigger_dag_id" not in kwargs:
            raise TypeError(f"TriggerDagRunOperator {self.task_id}: trigger_dag_id is required")
        for field in self.template_fields:
            setattr(self, field, kwargs.get(field))
        self.reset_dag_run = kwargs.get("reset_dag_run", False)

    def execute(self, context):
        """Records the DAG run it would create (Airflow 3 hands this to the task runner; Airflow 2 creates it)."""
        TRIGGERED.append({"trigger_dag_id": self.trigger_dag_id, "run_id": self.trigger_run_id, "conf": self.conf,
                          "reset_dag_run": self.reset_dag_run, "wait_for_completion": self.wait_for_completion})
