"""Stand-in for ``airflow.providers.apache.spark.operators.spark_submit``."""

from __future__ import annotations

from airflow.providers.apache.spark.hooks.spark_submit import SparkSubmitHook
from airflow.sdk import BaseOperator


class SparkSubmitOperator(BaseOperator):
    # As in apache-airflow-providers-apache-spark: only these arguments are rendered as templates.
    template_fields = (
        "application", "conf", "files", "py_files", "jars", "driver_class_path", "packages", "exclude_packages",
        "keytab", "principal", "proxy_user", "name", "application_args", "env_vars", "post_submit_commands",
        "properties_file",
    )
    operator_args = {
        "application", "conf", "conn_id", "files", "py_files", "archives", "driver_class_path", "jars",
        "java_class", "packages", "exclude_packages", "repositories", "total_executor_cores", "executor_cores",
        "executor_memory", "driver_memory", "keytab", "principal", "proxy_user", "name", "num_executors",
        "status_poll_interval", "application_args", "env_vars", "verbose", "spark_binary", "properties_file",
        "yarn_queue", "deploy_mode", "use_krb5ccache", "post_submit_commands", "track_driver_via_k8s_api",
        "yarn_track_via_rm_api", "yarn_rm_auth", "openlineage_inject_parent_job_info",
        "openlineage_inject_transport_info", "reconnect_on_retry", "durable",
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # As the provider: each templated argument is an attribute of the same name (Airflow renders those).
        for field in self.template_fields:
            setattr(self, field, kwargs.get(field))
        self.name = kwargs.get("name", "arrow-spark")
        self._conn_id = kwargs.get("conn_id", "spark_default")
        self._java_class = kwargs.get("java_class")
        self._deploy_mode = kwargs.get("deploy_mode")
        self._hook = None

    def execute(self, context) -> None:
        """As the provider (client mode, and cluster mode without its optional API tracking)."""
        if self._hook is None:
            self._hook = self._get_hook()
        self._hook.submit(self.application)

    def _get_hook(self) -> SparkSubmitHook:
        return SparkSubmitHook(conf=self.conf, conn_id=self._conn_id, java_class=self._java_class, name=self.name,
                               application_args=self.application_args, packages=self.packages,
                               deploy_mode=self._deploy_mode)

    def on_kill(self) -> None:
        if self._hook is not None:
            self._hook.on_kill()
