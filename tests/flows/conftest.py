from __future__ import annotations

from collections.abc import Callable

import pytest

from connectors.postgres import migrate
from connectors.settings import Settings


@pytest.fixture(autouse=True)
def no_team_context_left_over(monkeypatch: pytest.MonkeyPatch) -> None:
    """A flow configures the team rosters it reads (hotwords, names) process-wide: each test starts
    without the one a test before it left behind."""
    from flows import team_context

    monkeypatch.setattr(team_context, "_CONTEXTS", None)


@pytest.fixture
def migrated_dsn(pg_database_dsn: str) -> str:
    migrate(pg_database_dsn)
    return pg_database_dsn


@pytest.fixture
def flow_settings(kafka_bootstrap: str, migrated_dsn: str, topic_factory: Callable[..., str], tmp_path) -> Settings:
    """Settings pointing the flow at this test's own topics and database; stops at end of input."""
    return Settings(
        kafka_bootstrap=kafka_bootstrap,
        database_url=migrated_dsn,
        audio_topic=topic_factory(2, "audio"),
        dlq_topic=topic_factory(1, "dlq"),
        transcript_topic=topic_factory(2, "transcripts"),
        input_tail=False,
        gap_timeout_s=2.0,
        model_cache_dir=tmp_path / "models",
    )
