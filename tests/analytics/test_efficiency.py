"""Meeting-efficiency metrics computed in Spark from the domain definitions, into PostgreSQL."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import psycopg
from pyspark.sql import SparkSession
from vori_testing import produce

from analytics.efficiency import EfficiencySweep, run_efficiency, start_efficiency
from connectors.settings import Settings
from domain.metrics import SpokenSegment, TicketOutcome, compute_metrics

SEGMENTS = [
    ("ann", 0, 30_000, "We should ship the Kafka upgrade. Who owns the rollout?"),
    ("bob", 30_000, 50_000, "I will do it by Friday."),
    ("bob", 50_000, 60_000, "Any questions? Okay."),
    ("ann", 60_000, 120_000, "Decided: we ship on Friday and Bob writes the runbook."),
]
COLUMNS = """SELECT meeting_id, duration_s, words, speakers, talk_share, longest_monologue_s,
                    questions, decisions, action_items, action_items_per_hour, follow_through,
                    efficiency_score, wpm, speaker_balance
             FROM meeting_metrics ORDER BY meeting_id"""


def _seed(dsn: str) -> None:
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "INSERT INTO meetings (meeting_id, team, status) VALUES "
            "('m1', 'a', 'closed'), ('live', 'a', 'live'), ('empty', 'a', 'closed')"
        )
        cur = conn.cursor()
        for mid in ("m1", "live"):
            cur.executemany(
                "INSERT INTO transcript_segments (team, meeting_id, speaker, start_ms, end_ms, text) "
                "VALUES ('a', %s, %s, %s, %s, %s)",
                [(mid, *s) for s in SEGMENTS],
            )
        conn.execute(
            "INSERT INTO meeting_minutes (team, meeting_id, kind, decisions, action_items) VALUES "
            "('a', 'm1', 'final', '[\"ship friday\"]', '[\"runbook\", \"rollout\"]')"
        )
        conn.execute(
            "INSERT INTO tickets (ticket_id, team, meeting_id, title, status, created_at) VALUES "
            "('t1', 'a', 'm1', 'runbook', 'done', '2026-01-05 10:00+00'), "
            "('t2', 'a', 'm1', 'rollout', 'todo', '2026-01-05 10:00+00')"
        )
        conn.execute(
            "INSERT INTO ticket_events (ticket_id, event, new_status, at) VALUES "
            "('t1', 'status', 'done', '2026-01-07 09:00+00')"
        )


def test_closed_meetings_get_exact_metrics_once(
    spark: SparkSession, analytics_settings: Settings, vt: SimpleNamespace, tmp_path: Path
) -> None:
    dsn = analytics_settings.database_url
    _seed(dsn)
    query, sweep = start_efficiency(
        spark, analytics_settings, available_now=True, checkpoint=str(tmp_path / "eff")
    )
    query.awaitTermination(120)
    assert query.exception() is None
    sweep.sweep(spark)  # no record in the topic yet: the sweep alone finds the closed meeting

    rows = vt.query(dsn, COLUMNS)
    assert [r[0] for r in rows] == ["m1"]  # not the live one, not the one without segments
    (_, duration, words, speakers, share, monologue, questions, decisions, actions, aph,
     follow, score, wpm, balance) = rows[0]
    assert (duration, words, speakers) == (120.0, 29, 2)
    assert share == {"ann": 0.75, "bob": 0.25}
    assert (monologue, questions, decisions, actions) == (60.0, 2, 1, 2)
    assert aph == 60.0
    assert follow == 0.5  # one of two tickets done within 7 days
    # The score Spark stored is the domain's definition, computed from the same inputs.
    expected = compute_metrics(
        [SpokenSegment(s, e, who, text) for who, s, e, text in SEGMENTS],
        decisions=1,
        action_items=2,
        tickets=[
            TicketOutcome(datetime(2026, 1, 5, 10, tzinfo=UTC), datetime(2026, 1, 7, 9, tzinfo=UTC)),
            TicketOutcome(datetime(2026, 1, 5, 10, tzinfo=UTC), None),
        ],
    )
    assert (score, wpm, balance) == (
        expected.efficiency_score, expected.wpm, expected.speaker_balance
    )

    # Nothing changed: a second sweep computes nothing and leaves the same row.
    assert sweep.sweep(spark) == 0
    assert vt.query(dsn, COLUMNS) == rows


def _wait_for(condition: Callable[[], bool], job: Future[Any], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if job.done():
            job.result()  # the job ended early: raise its error
            raise AssertionError("the job stopped before the condition held")
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_continuous_job_skips_malformed_records_and_sweeps_on_its_timer(
    spark: SparkSession, analytics_settings: Settings, vt: SimpleNamespace, tmp_path: Path
) -> None:
    dsn = analytics_settings.database_url
    settings = dataclasses.replace(analytics_settings, analytics_trigger="1 second")
    with psycopg.connect(dsn) as conn:
        conn.execute("INSERT INTO meetings (meeting_id, team, status) VALUES ('late', 'a', 'live')")
        conn.cursor().executemany(
            "INSERT INTO transcript_segments (team, meeting_id, speaker, start_ms, end_ms, text) "
            "VALUES ('a', 'late', %s, %s, %s, %s)",
            SEGMENTS,
        )
    # The meeting's last segment, then two malformed records, all before the job starts.
    produce(
        settings.kafka_bootstrap,
        settings.transcript_topic,
        [
            vt.transcript("late", 60_000, SEGMENTS[-1][3], "2026-01-05T10:02:00"),
            (b"late", b"not json at all"),
            (b"late", b'{"meeting_id": "late", "speaker": "a"}'),
        ],
    )
    sweep = EfficiencySweep(dsn)
    stop = threading.Event()
    with ThreadPoolExecutor(1) as pool:
        job = pool.submit(
            run_efficiency, spark, settings, checkpoint=str(tmp_path / "eff"), sweep=sweep, stop=stop
        )
        try:
            _wait_for(lambda: sweep.batches >= 1, job)
            # Skipped and counted; the job goes on. The meeting is live: nothing to measure yet.
            assert sweep.skipped == 2
            assert vt.query(dsn, "SELECT count(*) FROM meeting_metrics") == [(0,)]

            # It closes (idle timeout) long after its last segment; no record will follow.
            batches = sweep.batches
            with psycopg.connect(dsn) as conn:
                conn.execute(
                    "UPDATE meetings SET status = 'closed', close_reason = 'idle', "
                    "ended_at = now(), updated_at = now() WHERE meeting_id = 'late'"
                )
            _wait_for(
                lambda: vt.query(dsn, "SELECT meeting_id, words FROM meeting_metrics")
                == [("late", 29)],
                job,
            )
            assert sweep.batches == batches  # the timer's sweep, not a micro-batch, did it
        finally:
            stop.set()
        query = job.result(timeout=60)
    assert query.exception() is None
    assert not query.isActive
