"""Stand-in for ``airflow.providers.apache.spark.operators.spark_submit``."""

from __future__ import annotations

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
