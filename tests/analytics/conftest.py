"""One SparkSession for every analytics test (each start costs seconds), plus per-test settings."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import psycopg
import pytest
from pyspark.sql import SparkSession

from analytics.spark import build_session
from connectors.postgres import migrate
from connectors.settings import Settings
from infra.maven import ensure_spark_kafka_jars


@pytest.fixture(scope="session")
def spark_jars(maven_cache: Path) -> str:
    """The Kafka connector jars, resolved as ``vori analytics`` does and handed in through Settings."""
    return ",".join(str(p) for p in ensure_spark_kafka_jars(maven_cache))


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory, spark_jars: str) -> Iterator[SparkSession]:
    settings = Settings(
        spark_master="local[2]", spark_jars=spark_jars, state_dir=tmp_path_factory.mktemp("spark")
    )
    session = build_session(settings, app_name="vori-tests")
    try:
        yield session
    finally:
        session.stop()


@pytest.fixture
def analytics_settings(
    kafka_bootstrap: str,
    pg_database_dsn: str,
    topic_factory: Callable[..., str],
    tmp_path: Path,
    spark_jars: str,
) -> Settings:
    migrate(pg_database_dsn)
    return Settings(
        kafka_bootstrap=kafka_bootstrap,
        database_url=pg_database_dsn,
        spark_jars=spark_jars,
        transcript_topic=topic_factory(2, "transcripts"),
        analytics_checkpoint_dir=tmp_path / "checkpoints",
        state_dir=tmp_path,
    )


def ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso).replace(tzinfo=UTC).timestamp() * 1000)


def transcript(
    meeting_id: str, start_ms: int, text: str, posted: str, *, speaker: str = "a", end_ms: int = 0
) -> tuple[bytes, bytes]:
    value = {
        "meeting_id": meeting_id, "source": "main", "speaker": speaker, "start_ms": start_ms,
        "end_ms": end_ms or start_ms + 4000, "text": text, "language": "en", "model": "tiny.en",
        "posted_ms": ms(posted), "transcribed_at": posted + "+00:00",
    }
    return meeting_id.encode(), json.dumps(value).encode()


def add_meetings(dsn: str, meetings: dict[str, str], status: str = "live") -> None:
    with psycopg.connect(dsn) as conn:
        conn.cursor().executemany(
            "INSERT INTO meetings (meeting_id, team, status) VALUES (%s, %s, %s)",
            [(m, t, status) for m, t in meetings.items()],
        )


def query(dsn: str, text: str) -> list[tuple[object, ...]]:
    with psycopg.connect(dsn) as conn:
        return [tuple(r) for r in conn.execute(text).fetchall()]  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def vt() -> SimpleNamespace:
    """The helpers above, for test modules (conftest modules cannot be imported by name)."""
    return SimpleNamespace(ms=ms, transcript=transcript, add_meetings=add_meetings, query=query)
