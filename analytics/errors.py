"""The analytics package's exception tree."""

from __future__ import annotations


class AnalyticsError(Exception):
    """Base of the analytics jobs' errors (infrastructure faults: the job stops and restarts)."""


class SinkError(AnalyticsError):
    """Writing a micro-batch to PostgreSQL failed; Spark retries the batch from its checkpoint."""


class SparkJarsMissing(AnalyticsError):
    """No Kafka connector jars were handed in (``Settings.spark_jars``), or one does not exist."""
