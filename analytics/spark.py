"""The SparkSession of every VORI job and test: Kafka connector jars, small and local by default."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.streaming import StreamingQuery

from connectors.settings import REPO_ROOT, Settings


def kafka_jars(settings: Settings) -> list[str]:
    """``settings.spark_jars`` (comma separated) if set, else the jars ``infra.maven`` resolves."""
    if settings.spark_jars:
        return [j for j in settings.spark_jars.split(",") if j]
    from infra.maven import ensure_spark_kafka_jars

    return [str(p) for p in ensure_spark_kafka_jars(settings.state_dir / "cache" / "maven")]


def build_session(settings: Settings, app_name: str = "vori-analytics") -> SparkSession:
    """A session sized for a laptop: 2 shuffle partitions, 1 GiB driver, quiet logs, UTC.

    ``PYSPARK_PYTHON`` is pinned to the running interpreter, otherwise Python workers may start
    another Python that lacks our packages and never connect back.
    """
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    # Everything is local; binding to loopback avoids a hostname lookup and its warning.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # Workers import domain/ and analytics/ from the repository.
    root = str(REPO_ROOT)
    path = os.environ.get("PYTHONPATH", "")
    if root not in path.split(os.pathsep):
        os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (root, path) if p)
    builder = (
        SparkSession.builder.master(settings.spark_master)
        .appName(app_name)
        .config("spark.jars", ",".join(kafka_jars(settings)))
        .config("spark.driver.memory", "1g")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.streaming.stateStore.stateSchemaCheck", "true")
        .config("spark.driver.extraJavaOptions", "-Dlog4j2.level=warn")
    )
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark


def start_foreach_batch(
    frame: DataFrame,
    name: str,
    handler: Callable[[DataFrame, int], Any],
    settings: Settings,
    available_now: bool,
    checkpoint: str | None = None,
) -> StreamingQuery:
    """Start a checkpointed ``foreachBatch`` query: ``availableNow`` (drain and stop) or the
    configured processing-time trigger (run continuously)."""
    writer = (
        frame.writeStream.queryName(name)
        .foreachBatch(handler)
        .option("checkpointLocation", checkpoint or str(settings.analytics_checkpoint_dir / name))
    )
    if available_now:
        writer = writer.trigger(availableNow=True)
    else:
        writer = writer.trigger(processingTime=settings.analytics_trigger)
    return writer.start()
