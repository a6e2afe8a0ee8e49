"""``vori analytics keyword-trends|efficiency [--available-now]``: run a Spark analytics job."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from connectors.settings import Settings


def with_spark_jars(settings: Settings) -> Settings:
    """``settings`` with the Kafka connector jars: ``VORI_SPARK_JARS`` if set, else the ones
    ``infra.maven`` resolves into the state directory's cache (downloaded once, by mvn)."""
    if settings.spark_jars:
        return settings
    from infra.maven import ensure_spark_kafka_jars

    jars = ensure_spark_kafka_jars(settings.state_dir / "cache" / "maven")
    return settings.with_(spark_jars=",".join(str(p) for p in jars))


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from analytics.errors import SparkJarsMissing
    from analytics.jobs import run_job
    from infra.errors import InfraError

    try:
        settings = with_spark_jars(settings)
    except InfraError as exc:
        print(f"vori analytics: cannot resolve the Spark Kafka jars: {exc}", file=sys.stderr)
        return 2
    try:
        return run_job(args.job, settings, available_now=args.available_now)
    except SparkJarsMissing as exc:
        print(f"vori analytics: {exc}", file=sys.stderr)
        return 2


def add_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    analytics = subparsers.add_parser("analytics", help="run a PySpark analytics job")
    jobs = analytics.add_subparsers(dest="analytics_job", required=True)
    for job, text in (
        ("keyword-trends", "keyword counts and trend scores per team, hour and day"),
        ("efficiency", "meeting-efficiency metrics of closed meetings"),
    ):
        p = jobs.add_parser(job, help=text)
        p.add_argument("--available-now", action="store_true",
                       help="process what is available, then exit (default: run continuously)")
        p.set_defaults(handler=_run, job=job)
