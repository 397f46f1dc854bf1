"""A stand-in for the few Airflow classes jobs/airflow/customer_health_dag.py imports.

Airflow cannot be installed where the tests run, so src/test/python/dag_tasks.py imports the DAG file
against this package instead. It records what the DAG file declares (DAG settings, operator arguments,
dependencies) and refuses arguments the real classes do not take, so a typo fails here as it would
in Airflow. It runs nothing.
"""
