"""Meeting efficiency: when a meeting closes, compute ``domain.metrics`` per meeting in Spark and
upsert ``meeting_metrics``.

``meeting_metrics(segments)`` is the pure transform (``applyInArrow`` over each meeting's segments,
calling ``domain.metrics.compute_metrics``: the one definition of every metric). ``EfficiencySweep``
finds closed meetings without metrics, or whose meeting row or tickets changed since, and writes
them, together with the TF-IDF keywords of their teams (``analytics.tfidf``); the streaming job
runs a sweep on every micro-batch of ``transcription.completed`` and, when idle, every trigger
interval (a meeting may close long after its last segment): ``run_efficiency``.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming.query import StreamingQuery

from analytics.errors import SinkError
from analytics.keyword_trends import parse_transcripts, read_transcripts
from analytics.spark import start_foreach_batch
from analytics.tfidf import MeetingKeywords
from connectors.analytics_store import (
    MeetingMetricsRow,
    lock_efficiency_sweep,
    meeting_segments,
    sink_transaction,
    stale_meetings,
    ticket_timings,
    upsert_meeting_metrics,
)
from connectors.postgres import PostgresError
from connectors.settings import Settings, SettingsError
from domain.metrics import FOLLOW_THROUGH_DAYS, SpokenSegment, TicketOutcome, compute_metrics

__all__ = [
    "JOB_NAME",
    "METRICS_SCHEMA",
    "EfficiencySweep",
    "meeting_metrics",
    "run_efficiency",
    "start_efficiency",
    "trigger_interval_s",
]

log = logging.getLogger(__name__)

JOB_NAME = "efficiency"
METRICS_SCHEMA = (
    "team string, meeting_id string, duration_s double, words int, wpm double, speakers int, "
    "speaker_balance double, talk_share string, longest_monologue_s double, questions int, "
    "decisions int, action_items int, action_items_per_hour double, follow_through double, "
    "efficiency_score double"
)
SEGMENTS_SCHEMA = pa.schema(
    [
        ("team", pa.string()), ("meeting_id", pa.string()), ("start_ms", pa.int64()), ("end_ms", pa.int64()),
        ("speaker", pa.string()), ("text", pa.string()), ("decisions", pa.int32()),
        ("action_items", pa.int32()),
        ("tickets", pa.list_(pa.struct([("created_s", pa.float64()), ("done_s", pa.float64())]))),
    ]
)
_ARROW_TYPES = {"string": pa.string(), "double": pa.float64(), "int": pa.int32()}
_OUT_SCHEMA = pa.schema(
    [(c.split()[0], _ARROW_TYPES[c.split()[1]]) for c in METRICS_SCHEMA.split(", ")]
)


def _ts(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def metrics_of_meeting(table: pa.Table) -> pa.Table:
    """One meeting's segments (Arrow) -> its one metrics row (Arrow). Runs in the Python workers."""
    rows = table.to_pylist()
    first = rows[0]
    tickets = [
        TicketOutcome(created_at=_ts(t["created_s"]) or datetime.min.replace(tzinfo=UTC),
                      done_at=_ts(t["done_s"]))
        for t in first["tickets"] or []
    ]
    m = compute_metrics(
        (SpokenSegment(r["start_ms"], r["end_ms"], r["speaker"], r["text"]) for r in rows),
        decisions=first["decisions"] or 0,
        action_items=first["action_items"] or 0,
        tickets=tickets,
    )
    out: dict[str, Any] = {"team": first["team"], "meeting_id": first["meeting_id"], **m.as_dict()}
    out["talk_share"] = json.dumps(m.talk_share, sort_keys=True, ensure_ascii=False)
    return pa.Table.from_pylist([out], schema=_OUT_SCHEMA)


def meeting_metrics(segments: DataFrame) -> DataFrame:
    """Segments with per-meeting ``decisions``, ``action_items``, ``tickets`` -> a row per meeting."""
    return segments.groupBy("team", "meeting_id").applyInArrow(
        # A lambda: PySpark 4 would read a function's type hints as the UDF's eval type.
        lambda t: metrics_of_meeting(t), METRICS_SCHEMA
    )


@dataclass
class EfficiencySweep:
    """Computes and upserts the metrics of closed meetings that lack them or changed since.

    Upsert on (``team``, ``meeting_id``): running a sweep twice, or after a crash, rewrites the same row.
    A closed meeting with no segments gets no row (nothing to measure). The TF-IDF keywords of
    the teams of the meetings it measures are refreshed in the same transaction (``keywords``).

    As ``foreachBatch`` target it only uses a micro-batch as a signal (the metrics come from the
    stored segments): a malformed record is counted in ``skipped`` and logged, never fatal
    (``keyword-trends`` keeps its raw bytes in ``analytics_rejects``).
    """

    dsn: str
    batch_limit: int = 200
    keywords: MeetingKeywords | None = field(default_factory=MeetingKeywords)
    computed: int = 0
    batches: int = 0
    skipped: int = 0

    def __call__(self, batch: DataFrame, batch_id: int) -> None:
        bad = batch.where(F.col("error").isNotNull()).count()
        if bad:
            self.skipped += bad
            log.warning("%s: batch %d has %d malformed record(s), skipped", JOB_NAME, batch_id, bad)
        self.sweep(batch.sparkSession)
        self.batches += 1

    def sweep(self, spark: SparkSession) -> int:
        try:
            with sink_transaction(self.dsn, f"{JOB_NAME}: sweep") as conn:
                lock_efficiency_sweep(conn)
                stale = stale_meetings(
                    conn, ticket_window_days=FOLLOW_THROUGH_DAYS + 1, limit=self.batch_limit
                )
                if not stale:
                    return 0
                segments = meeting_segments(conn, stale)
                tickets: dict[tuple[str, str], list[dict[str, float | None]]] = {}
                for t in ticket_timings(conn, stale):
                    tickets.setdefault((t.team, t.meeting_id), []).append(
                        {"created_s": t.created_s, "done_s": t.done_s}
                    )
                if not segments:
                    return 0
                table = pa.Table.from_pylist(
                    [
                        {**s._asdict(), "tickets": tickets.get((s.team, s.meeting_id), [])}
                        for s in segments
                    ],
                    schema=SEGMENTS_SCHEMA,
                )
                rows = [
                    _metrics_row(r.asDict())
                    for r in meeting_metrics(spark.createDataFrame(table)).collect()
                ]
                upsert_meeting_metrics(conn, rows)
                if self.keywords is not None:
                    self.keywords.refresh(spark, conn, {r.team for r in rows})
        except PostgresError as exc:
            raise SinkError(f"{JOB_NAME}: sweep failed: {exc}") from exc
        self.computed += len(rows)
        log.info("%s: metrics written for %d meeting(s)", JOB_NAME, len(rows))
        return len(rows)


def _metrics_row(row: dict[str, Any]) -> MeetingMetricsRow:
    row["talk_share"] = json.loads(row["talk_share"])
    return MeetingMetricsRow(**row)


def start_efficiency(
    spark: SparkSession,
    settings: Settings,
    *,
    available_now: bool = False,
    checkpoint: str | None = None,
    sweep: EfficiencySweep | None = None,
) -> tuple[StreamingQuery, EfficiencySweep]:
    """Start the query that sweeps on every micro-batch of ``transcription.completed``."""
    sweep = sweep or EfficiencySweep(settings.database_url)
    batches = parse_transcripts(read_transcripts(spark, settings)).select("partition", "offset", "error")
    return start_foreach_batch(batches, JOB_NAME, sweep, settings, available_now, checkpoint), sweep


def trigger_interval_s(trigger: str) -> float:
    """``VORI_ANALYTICS_TRIGGER`` ("10 seconds", "1 minute") in seconds."""
    number, _, unit = trigger.strip().partition(" ")
    scale = {"second": 1, "seconds": 1, "minute": 60, "minutes": 60}.get(unit.strip() or "seconds")
    try:
        value = float(number)
    except ValueError:
        value = -1.0
    if scale is None or value <= 0:
        raise SettingsError(f"VORI_ANALYTICS_TRIGGER={trigger!r}: use e.g. '10 seconds'")
    return value * scale


def run_efficiency(
    spark: SparkSession,
    settings: Settings,
    *,
    available_now: bool = False,
    checkpoint: str | None = None,
    sweep: EfficiencySweep | None = None,
    stop: threading.Event | None = None,
) -> StreamingQuery:
    """Run the efficiency job until it ends (``available_now``), ``stop`` is set or the query fails.

    Besides the sweep on each micro-batch, a sweep runs every trigger interval: a meeting closes
    when its last source says so or goes idle, possibly long after its last segment, and then no
    record arrives to trigger a batch.
    """
    query, sweep = start_efficiency(
        spark, settings, available_now=available_now, checkpoint=checkpoint, sweep=sweep
    )
    if available_now:
        query.awaitTermination()
        if query.exception() is None:
            sweep.sweep(spark)
        return query
    interval = trigger_interval_s(settings.analytics_trigger)
    # PySpark annotates the timeout as int but takes float seconds (it sends milliseconds).
    while not query.awaitTermination(interval):  # type: ignore[arg-type]
        if stop is not None and stop.is_set():
            query.stop()
            break
        sweep.sweep(spark)
    return query
