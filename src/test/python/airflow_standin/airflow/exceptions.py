"""Stand-in for ``airflow.exceptions`` (Airflow 2.9+ and 3.0/3.1 keep these classes there)."""


class AirflowException(Exception):
    """Base class of Airflow's errors."""


class AirflowNotFoundException(AirflowException):
    """A connection, variable ... that does not exist."""


class AirflowFailException(AirflowException):
    """Raised by a task to fail without using its retries."""


class AirflowSkipException(AirflowException):
    """Raised by a task to end as skipped."""


class AirflowSensorTimeout(AirflowException):
    """A sensor's timeout ran out: the task fails without using its retries."""


class AirflowRescheduleException(AirflowException):
    """A sensor in reschedule mode gives its slot back until reschedule_date."""

    def __init__(self, reschedule_date):
        super().__init__()
        self.reschedule_date = reschedule_date
