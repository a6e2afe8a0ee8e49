"""The SparkSession of every VORI job and test: the Kafka connector jars the caller hands in
(``Settings.spark_jars``), small and local by default."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.streaming.query import StreamingQuery

from analytics.errors import SparkJarsMissing
from connectors.settings import REPO_ROOT, Settings


def kafka_jars(settings: Settings) -> list[str]:
    """The Kafka connector jars of ``settings.spark_jars`` (comma separated), each checked to exist.

    The caller resolves them (``vori analytics …`` and ``vori up`` do, with ``infra.maven``):
    analytics never downloads anything itself.
    """
    jars = [j.strip() for j in settings.spark_jars.split(",") if j.strip()]
    if not jars:
        raise SparkJarsMissing(
            "no Spark Kafka connector jars: run the job with `vori analytics keyword-trends|efficiency`"
            " (it resolves them), or set VORI_SPARK_JARS to their comma-separated paths"
            " (`python -m infra jars` prints them as VORI_SPARK_KAFKA_JARS)"
        )
    # A URL (hdfs://, https://) is Spark's to fetch; only local paths can be checked here.
    missing = [j for j in jars if "://" not in j and not Path(j).is_file()]
    if missing:
        raise SparkJarsMissing(
            f"VORI_SPARK_JARS names jars that do not exist: {', '.join(missing)};"
            " `python -m infra jars` prints the right paths"
        )
    return jars


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
