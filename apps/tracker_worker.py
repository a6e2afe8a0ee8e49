"""The tracker worker: delivers the outbox of ticket changes to each team's GitHub, Jira or Linear
(docs/trackers.md). Run it with ``python -m apps.tracker_worker``; ``make up`` starts it.

Each push sends the ticket as it is now. A ticket with no external issue yet is first looked up
by its VORI marker, so a create whose answer was lost (this process died, the connection was
cut) is found instead of made twice. 429 and 5xx answers, timeouts and cut connections are
retried with exponential backoff, or after the ``Retry-After`` the tracker asked for; 401, 403,
404 and 422 park the row with the tracker's message (``vori tracker list --outbox``). Secrets
are read from the environment variables the connection names, at each push, and never logged.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Mapping
from types import FrameType

import httpx

from connectors.postgres import PostgresError, migrate
from connectors.settings import Settings
from connectors.tracker_store import TrackerStore
from connectors.trackers import TrackerError, make_adapter

log = logging.getLogger("vori.tracker")

# A create is looked up among issues changed since the ticket was born, less this much for
# clocks that disagree.
CLOCK_SLACK_S = 600.0


def backoff(attempts: int, retry_after_s: float | None, *, base_s: float, max_s: float) -> float:
    """Seconds until the next try: what the tracker asked for, else doubling from ``base_s``."""
    if retry_after_s is not None:
        return min(max(retry_after_s, 0.0), max_s)
    return min(base_s * 2.0 ** attempts, max_s)


def deliver_once(store: TrackerStore, env: Mapping[str, str], client: httpx.Client, *,
                 base_delay_s: float = 2.0, max_delay_s: float = 600.0) -> bool:
    """Deliver the next due push; False when nothing is due."""
    with store.claim() as job:
        if job is None:
            return False
        ticket = job.ticket
        try:
            adapter = make_adapter(job.connection, env, client)
            if job.link is not None:
                adapter.update(job.link, ticket, job.fields)
                job.done()
                outcome = f"updated {job.link.external_key} ({', '.join(sorted(job.fields))})"
            else:
                issue = adapter.find(ticket, job.ticket_created_epoch - CLOCK_SLACK_S)
                if issue is None:
                    issue = adapter.create(ticket)
                    outcome = f"created {issue.external_key}"
                else:
                    # An earlier create went through but its answer was lost: bring it up to date.
                    adapter.update(issue, ticket, job.fields)
                    outcome = f"found {issue.external_key} by its marker"
                job.done(issue)
            log.info("%s %s: %s", job.connection.team, ticket.ticket_id, outcome)
        except TrackerError as exc:
            if exc.retryable:
                delay = backoff(job.attempts, exc.retry_after_s, base_s=base_delay_s, max_s=max_delay_s)
                job.retry(str(exc), delay)
                log.warning("%s %s: %s; retry in %.1fs", job.connection.team, ticket.ticket_id, exc, delay)
            else:
                job.fail(str(exc))
                log.error("%s %s: %s; not retried", job.connection.team, ticket.ticket_id, exc)
    return True


def run(store: TrackerStore, stop: threading.Event, *, env: Mapping[str, str] | None = None,
        poll_s: float = 1.0, timeout_s: float = 10.0) -> None:
    """Deliver until ``stop`` is set; a database outage is waited out."""
    with httpx.Client(timeout=timeout_s) as client:
        while not stop.is_set():
            try:
                if deliver_once(store, os.environ if env is None else env, client):
                    continue
            except PostgresError as exc:
                log.warning("outbox unavailable: %s", exc)
            stop.wait(poll_s)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = Settings.from_env()
    migrate(settings.database_admin_url or settings.database_url)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    poll_s = float(os.environ.get("VORI_TRACKER_POLL_S", "1.0"))
    timeout_s = float(os.environ.get("VORI_TRACKER_TIMEOUT_S", "10.0"))
    with TrackerStore(settings.database_url) as store:
        log.info("tracker worker started")
        run(store, stop, poll_s=poll_s, timeout_s=timeout_s)
    log.info("tracker worker stopped")


if __name__ == "__main__":
    main()
