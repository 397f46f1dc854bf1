"""Stand-in for ``airflow.providers.apache.spark.hooks.spark_submit``: a SparkSubmitHook that runs no
process but plays a scripted spark-submit (its output lines, its return code, a standalone driver's
final state) through the same steps, attributes and messages as the provider's hook
(apache-airflow-providers-apache-spark: SparkSubmitHook.submit and _process_spark_submit_log, the same
in the releases for Airflow 2.9 and 3.x; newer releases append the last output lines to the message).
"""

from __future__ import annotations

import re

from airflow.exceptions import AirflowException


class _FinishedProcess:
    """What the hook keeps of the spark-submit process (subprocess.Popen): its return code."""

    def __init__(self, returncode: int):
        self.returncode = returncode

    def wait(self) -> int:
        return self.returncode


class SparkSubmitHook:
    # The spark-submit the next hook plays, set by the driver:
    # {"master": "yarn" | "k8s://https://..." | "spark://host:7077" | "local[2]", "deploy_mode": "client" | "cluster",
    #  "output": [lines], "returncode": int, "driver_status": "FINISHED" | "FAILED" (standalone cluster),
    #  "raise": "FileNotFoundError" (spark-submit is not on the PATH)}
    script: dict = {}
    # Every hook created, in order (the driver reads the last one).
    created: list = []

    def __init__(self, conf=None, conn_id="spark_default", java_class=None, name="default-name",
                 application_args=None, packages=None, deploy_mode=None, **kwargs):
        script = SparkSubmitHook.script
        self._conf = conf or {}
        self._conn_id = conn_id
        self._java_class = java_class
        self._name = name
        self._application_args = application_args
        self._packages = packages
        self._connection = {"master": script.get("master", "yarn"),
                            "deploy_mode": deploy_mode or script.get("deploy_mode"),
                            "queue": None, "spark_binary": "spark-submit", "namespace": None}
        self._is_yarn = "yarn" in self._connection["master"]
        self._is_kubernetes = "k8s" in self._connection["master"]
        self._should_track_driver_status = ("spark://" in self._connection["master"]
                                            and self._connection["deploy_mode"] == "cluster")
        self._submit_sp = None
        self._yarn_application_id = None
        self._kubernetes_driver_pod = None
        self._driver_id = None
        self._driver_status = None
        self._spark_exit_code = None
        self.logged: list = []
        self.command: list = []
        SparkSubmitHook.created.append(self)

    def _build_spark_submit_command(self, application: str) -> list:
        cmd = ["spark-submit", "--master", self._connection["master"]]
        for key, value in self._conf.items():
            cmd += ["--conf", f"{key}={value}"]
        if self._packages:
            cmd += ["--packages", self._packages]
        cmd += ["--name", self._name]
        if self._java_class:
            cmd += ["--class", self._java_class]
        if self._connection["deploy_mode"]:
            cmd += ["--deploy-mode", self._connection["deploy_mode"]]
        return cmd + [application] + list(self._application_args or [])

    def submit(self, application: str = "", **kwargs) -> None:
        script = SparkSubmitHook.script
        spark_submit_cmd = self.command = self._build_spark_submit_command(application)
        if script.get("raise") == "FileNotFoundError":
            raise FileNotFoundError(2, "No such file or directory", "spark-submit")
        self._submit_sp = _FinishedProcess(int(script.get("returncode", 0)))
        self._process_spark_submit_log(iter([line + "\n" for line in script.get("output", [])]))
        returncode = self._submit_sp.wait()
        # As the provider: a non-zero code, or on Kubernetes a non-zero driver pod exit code, fails.
        if returncode or (self._is_kubernetes and self._spark_exit_code != 0):
            if self._is_kubernetes:
                raise AirflowException(
                    f"Cannot execute: {' '.join(spark_submit_cmd)}. Error code is: {returncode}. "
                    f"Kubernetes spark exit code is: {self._spark_exit_code}")
            raise AirflowException(f"Cannot execute: {' '.join(spark_submit_cmd)}. Error code is: {returncode}.")
        if self._should_track_driver_status:
            if self._driver_id is None:
                raise AirflowException("No driver id is known: something went wrong when executing the spark submit command")
            self._driver_status = script.get("driver_status", "FINISHED")
            if self._driver_status != "FINISHED":
                raise AirflowException(f"ERROR : Driver {self._driver_id} badly exited with status {self._driver_status}")

    def _process_spark_submit_log(self, itr) -> None:
        for line in itr:
            line = line.strip()
            if self._is_yarn and self._connection["deploy_mode"] == "cluster":
                match = re.search("application[0-9_]+", line)
                if match:
                    self._yarn_application_id = match.group(0)
            elif self._is_kubernetes:
                match_driver_pod = re.search(r"\s*pod name: ((.+?)-([a-z0-9]+)-driver$)", line)
                if match_driver_pod:
                    self._kubernetes_driver_pod = match_driver_pod.group(1)
                if self._connection.get("deploy_mode") == "cluster":
                    match_exit_code = re.search(r"\s*[eE]xit code: (\d+)", line)
                    if match_exit_code:
                        self._spark_exit_code = int(match_exit_code.group(1))
                else:
                    self._spark_exit_code = 0
            elif self._should_track_driver_status and not self._driver_id:
                match_driver_id = re.search(r"driver-[0-9\-]+", line)
                if match_driver_id:
                    self._driver_id = match_driver_id.group(0)
            self.logged.append(line)

    def on_kill(self) -> None:
        pass
