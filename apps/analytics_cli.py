"""``vori analytics keyword-trends|efficiency [--available-now]``: run a Spark analytics job."""

from __future__ import annotations

import argparse
from typing import Any

from connectors.settings import Settings


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from analytics.jobs import run_job

    return run_job(args.job, settings, available_now=args.available_now)


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
