"""Entry point of the analytics jobs: ``python -m analytics.jobs keyword-trends|efficiency``.

Also what ``spark-submit analytics/jobs.py keyword-trends`` runs (the session builder then adds
nothing ``spark-submit`` already set). Runs continuously by default; ``--available-now``
processes what is in Kafka (and, for efficiency, every pending meeting) and exits.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

if not __package__:  # run as a file by spark-submit: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from connectors.postgres import migrate
from connectors.settings import Settings, SettingsError

JOBS = ("keyword-trends", "efficiency")
log = logging.getLogger("analytics.jobs")


def _interval_s(trigger: str) -> float:
    number, _, unit = trigger.strip().partition(" ")
    scale = {"second": 1, "seconds": 1, "minute": 60, "minutes": 60}.get(unit.strip() or "seconds")
    if scale is None:
        raise SettingsError(f"VORI_ANALYTICS_TRIGGER={trigger!r}: use e.g. '10 seconds'")
    return float(number) * scale


def run_job(job: str, settings: Settings, *, available_now: bool = False) -> int:
    """Run one job until it ends (``available_now``) or the process is stopped."""
    from analytics.efficiency import start_efficiency
    from analytics.keyword_trends import start_keyword_trends
    from analytics.spark import build_session

    if job not in JOBS:
        raise SystemExit(f"unknown job {job!r}; choose from {', '.join(JOBS)}")
    migrate(settings.database_url)
    spark = build_session(settings, app_name=f"vori-{job}")
    try:
        if job == "keyword-trends":
            query, _ = start_keyword_trends(spark, settings, available_now=available_now)
            query.awaitTermination()
        else:
            query, sweep = start_efficiency(spark, settings, available_now=available_now)
            if available_now:
                query.awaitTermination()
                sweep.sweep(spark)
            else:
                # A meeting closes when its last source says so or goes idle, possibly long after
                # its last segment: sweep on a timer too, not only on new records.
                interval = _interval_s(settings.analytics_trigger)
                while not query.awaitTermination(interval):
                    sweep.sweep(spark)
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
    return run_job(args.job, Settings.from_env(), available_now=args.available_now)


if __name__ == "__main__":
    sys.exit(main())
