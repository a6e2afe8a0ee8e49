"""Gateway fixtures: a migrated database with team tokens, the gateway app on a unique topic,
and the same gateway behind a real uvicorn server on a free port."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from confluent_kafka import Message
from fastapi.testclient import TestClient
from vori_testing import serve

from apps.gateway import create_app
from connectors.postgres import migrate
from connectors.settings import Settings
from connectors.tokens import create_token
from tests.apps.gateway_helpers import Tokens, read_all


@pytest.fixture
def gateway_db(pg_database_dsn: str) -> str:
    migrate(pg_database_dsn)
    return pg_database_dsn


@pytest.fixture
def tokens(gateway_db: str) -> Tokens:
    return Tokens(
        alpha=create_token(gateway_db, team="alpha", role="producer"),
        beta=create_token(gateway_db, team="beta", role="producer"),
        board=create_token(gateway_db, team="alpha", role="board"),
    )


@pytest.fixture
def gateway_settings(kafka_bootstrap: str, gateway_db: str, unique_topic: str) -> Settings:
    return Settings(
        kafka_bootstrap=kafka_bootstrap,
        database_url=gateway_db,
        audio_topic=unique_topic,
        max_body_bytes=400_000,
        max_audio_bytes=200_000,
        gateway_delivery_timeout_s=2.0,
        cluster_id="test-cluster",
    )


@pytest.fixture
def gw(gateway_settings: Settings, tokens: Tokens) -> Iterator[TestClient]:
    """The gateway app in-process (lifespan run), for most tests."""
    with TestClient(create_app(gateway_settings)) as test_client:
        yield test_client


@pytest.fixture
def live_gateway(gateway_settings: Settings, tokens: Tokens) -> Iterator[str]:
    """The gateway behind a real uvicorn server (uvloop + httptools); yields its base URL."""
    with serve(create_app(gateway_settings), loop="uvloop", http="httptools") as url:
        yield url


@pytest.fixture
def read_topic(kafka_bootstrap: str) -> Callable[[str], list[Message]]:
    """``read_topic(topic)``: every record the topic holds now (none missed, none waited for)."""
    return lambda topic: read_all(kafka_bootstrap, topic)
