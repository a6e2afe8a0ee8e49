"""Entry point of the analytics jobs: ``python -m analytics.jobs keyword-trends|efficiency``.

Also what ``spark-submit analytics/jobs.py keyword-trends`` runs (the command line is in
docs/analytics.md). Runs continuously by default; ``--available-now`` processes what is in Kafka
(and, for efficiency, every pending meeting, with its TF-IDF keywords) and exits.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

if not __package__:  # run as a file by spark-submit: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics.errors import SparkJarsMissing
from connectors.postgres import migrate
from connectors.settings import Settings, settings_or_exit

JOBS = ("keyword-trends", "efficiency")
log = logging.getLogger("analytics.jobs")


def run_job(job: str, settings: Settings, *, available_now: bool = False) -> int:
    """Run one job until it ends (``available_now``) or the process is stopped."""
    from analytics.efficiency import run_efficiency, trigger_interval_s
    from analytics.keyword_trends import start_keyword_trends
    from analytics.spark import build_session, kafka_jars

    if job not in JOBS:
        raise SystemExit(f"unknown job {job!r}; choose from {', '.join(JOBS)}")
    # Bad or missing settings fail here, before the database and Spark are touched.
    kafka_jars(settings)
    if job == "efficiency":
        trigger_interval_s(settings.analytics_trigger)
    migrate(settings.database_admin_url or settings.database_url)
    spark = build_session(settings, app_name=f"vori-{job}")
    try:
        if job == "keyword-trends":
            query, _ = start_keyword_trends(spark, settings, available_now=available_now)
            query.awaitTermination()
        else:
            # Also sweeps on a timer and computes the meetings' TF-IDF keywords.
            query = run_efficiency(spark, settings, available_now=available_now)
        exc = query.exception()
        if exc is not None:
            log.error("%s stopped: %s", job, exc)
            return 1
        return 0
    finally:
        spark.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analytics.jobs", description=__doc__)
    parser.add_argument("job", choices=JOBS)
    parser.add_argument("--available-now", action="store_true",
                        help="process what is available, then exit")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        return run_job(args.job, settings_or_exit("analytics"), available_now=args.available_now)
    except SparkJarsMissing as exc:
        print(f"analytics: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
