"""Keyword trends from a real Kafka topic into a real PostgreSQL database: exact rows, restarts."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

from pyspark.sql import SparkSession
from vori_testing import produce

from analytics.keyword_trends import (
    KeywordTrendsSink,
    parse_transcripts,
    segment_keywords,
    start_keyword_trends,
    window_counts,
)
from connectors.settings import Settings

H10 = datetime(2026, 1, 5, 10, tzinfo=UTC)
H11 = datetime(2026, 1, 5, 11, tzinfo=UTC)
DAY = datetime(2026, 1, 5, tzinfo=UTC)

TRENDS = """SELECT team, granularity, window_start, keyword, mentions, meetings, trend_score
            FROM keyword_trends ORDER BY team, granularity, window_start, keyword"""


def _records(vt: SimpleNamespace) -> list[tuple[bytes | None, bytes]]:
    return [
        vt.transcript("m1", 0, "Kafka migration plan. Kafka lag is high?", "2026-01-05T10:15:00"),
        vt.transcript("m2", 0, "The Kafka cluster migration", "2026-01-05T10:40:00"),
        vt.transcript("m3", 0, "배포 일정을 공유했습니다", "2026-01-05T10:20:00"),
        (b"m1", b"not json at all"),
        (b"m1", json.dumps({"meeting_id": "m1", "speaker": "a"}).encode()),
        vt.transcript("nobody", 0, "orphan words here", "2026-01-05T10:20:00"),
        vt.transcript("m1", 50_000, "Kafka done", "2026-01-05T11:05:00"),
    ]


def _expected() -> list[tuple[object, ...]]:
    hour10 = {"cluster": (1, 1), "high": (1, 1), "kafka": (3, 2), "lag": (1, 1),
              "migration": (2, 2), "plan": (1, 1)}
    day = {**hour10, "kafka": (4, 2), "done": (1, 1)}
    rows: list[tuple[object, ...]] = []
    for kw, (m, n) in sorted(day.items()):
        rows.append(("a", "day", DAY, kw, m, n, float(m + 1)))
    for kw, (m, n) in sorted(hour10.items()):
        rows.append(("a", "hour", H10, kw, m, n, float(m + 1)))
    # kafka at 11:00: (1 + 1) / (mean of [0, 0, 0, 0, 0, 3] + 1) = 2 / 1.5
    rows.append(("a", "hour", H11, "done", 1, 1, 2.0))
    rows.append(("a", "hour", H11, "kafka", 1, 1, 1.333333))
    for gran, ws in (("day", DAY), ("hour", H10)):
        for kw in ("공유", "배포", "일정"):
            rows.append(("b", gran, ws, kw, 1, 1, 2.0))
    return sorted(rows, key=lambda r: (r[0], r[1], r[2], r[3]))  # type: ignore[arg-type, return-value]


def _run(spark: SparkSession, settings: Settings, checkpoint: Path) -> KeywordTrendsSink:
    query, sink = start_keyword_trends(
        spark, settings, available_now=True, checkpoint=str(checkpoint)
    )
    query.awaitTermination(120)
    assert query.exception() is None
    return sink


def test_fixed_records_give_exact_rows_and_restarts_never_double_count(
    spark: SparkSession, analytics_settings: Settings, vt: SimpleNamespace, tmp_path: Path
) -> None:
    dsn = analytics_settings.database_url
    vt.add_meetings(dsn, {"m1": "a", "m2": "a", "m3": "b"})
    produce(analytics_settings.kafka_bootstrap, analytics_settings.transcript_topic, _records(vt))

    sink = _run(spark, analytics_settings, tmp_path / "ckpt")
    assert vt.query(dsn, TRENDS) == _expected()
    # Malformed and orphan records are skipped, kept with their reason, and counted.
    assert sink.rejected == 3
    reasons = sorted(r[0] for r in vt.query(dsn, "SELECT reason FROM analytics_rejects"))
    assert reasons == ["missing start_ms,text", "not JSON", "unknown meeting"]

    # Restart from the checkpoint with nothing new: no batch re-counts anything.
    _run(spark, analytics_settings, tmp_path / "ckpt")
    assert vt.query(dsn, TRENDS) == _expected()

    # A redelivered segment (the flow replayed it) plus a new one, after the restart.
    produce(
        analytics_settings.kafka_bootstrap,
        analytics_settings.transcript_topic,
        [
            vt.transcript("m2", 0, "The Kafka cluster migration", "2026-01-05T10:40:00"),
            vt.transcript("m2", 9_000, "cluster upgrade", "2026-01-05T11:30:00"),
        ],
    )
    _run(spark, analytics_settings, tmp_path / "ckpt")
    rows = {(r[0], r[1], r[2], r[3]): r[4:] for r in vt.query(dsn, TRENDS)}
    assert rows[("a", "hour", H10, "kafka")] == (3, 2, 4.0)
    assert rows[("a", "day", DAY, "kafka")] == (4, 2, 5.0)
    assert rows[("a", "day", DAY, "cluster")] == (2, 1, 3.0)
    assert rows[("a", "hour", H11, "cluster")] == (1, 1, 1.714286)  # 2 / (1/6 + 1)

    # Losing the checkpoint replays the whole topic: the upserts leave the same rows.
    before = vt.query(dsn, TRENDS)
    _run(spark, analytics_settings, tmp_path / "fresh-ckpt")
    assert vt.query(dsn, TRENDS) == before
    assert vt.query(dsn, "SELECT count(*) FROM analytics_rejects") == [(3,)]


def test_transforms_on_a_static_frame(spark: SparkSession, vt: SimpleNamespace) -> None:
    kafka_like = spark.createDataFrame(
        [
            ("t", 0, i, value, datetime(2026, 1, 5, 12, tzinfo=UTC))
            for i, (_, value) in enumerate(
                [
                    vt.transcript("m1", 0, "Deploy deploy the API", "2026-01-05T10:15:00"),
                    vt.transcript("m2", 0, "API 문서를 정리", "2026-01-05T23:59:00"),
                    (None, b"[1, 2]"),
                    # A lifecycle record is not a segment, and not an error either.
                    (None, b'{"kind": "meeting_closed", "team": "t", "meeting_id": "m1", "reason": "final",'
                           b' "duration_ms": 4000}'),
                ]
            )
        ],
        "topic string, partition int, offset long, value binary, timestamp timestamp",
    )
    parsed = parse_transcripts(kafka_like)
    assert [r["error"] for r in parsed.orderBy("offset").collect()] == [
        None, None, "missing meeting_id,start_ms,text"
    ]
    ok = parsed.where("error IS NULL").withColumn(
        "team", parsed["meeting_id"].substr(1, 0)
    ).fillna({"team": "t"})
    counts = window_counts(segment_keywords(ok))
    got = sorted(
        (r["granularity"], r["keyword"], r["mentions"], r["meetings"]) for r in counts.collect()
    )
    assert got == [
        ("day", "api", 2, 2), ("day", "deploy", 2, 1), ("day", "문서", 1, 1), ("day", "정리", 1, 1),
        ("hour", "api", 1, 1), ("hour", "api", 1, 1), ("hour", "deploy", 2, 1),
        ("hour", "문서", 1, 1), ("hour", "정리", 1, 1),
    ]
