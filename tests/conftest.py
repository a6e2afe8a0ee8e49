"""Session-wide real services for the test suite: one Kafka broker and one PostgreSQL cluster.

Both start on free loopback ports in temporary directories the first time a test asks for them
and stop at the end of the session. If one cannot start, every test that needs it errors: a
missing service fails the run, it never skips it. Isolation between tests comes from unique
topic names, consumer groups and databases, not from restarting services.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from infra.kafka import LocalKafka, create_topics
from infra.maven import ensure_kafka_jars
from infra.postgres import LocalPostgres

# Property tests assert behaviour, not speed: on a loaded 2-core machine an example can take longer
# than hypothesis's default 200 ms deadline, which would fail a correct test.
hypothesis_settings.register_profile("vori", deadline=None)
hypothesis_settings.load_profile("vori")

REPO_ROOT = Path(__file__).resolve().parent.parent


def _slug(request: pytest.FixtureRequest, limit: int = 40) -> str:
    """The test's name made safe for topic, group and database names (lowercase, [a-z0-9_])."""
    return re.sub(r"[^a-z0-9]+", "_", request.node.name.lower()).strip("_")[:limit]


@pytest.fixture(scope="session")
def maven_cache() -> Path:
    """The repo's jar cache, shared with `make up`, so jars are downloaded once per machine."""
    return REPO_ROOT / ".vori" / "cache" / "maven"


@pytest.fixture(scope="session")
def kafka(tmp_path_factory: pytest.TempPathFactory, maven_cache: Path) -> Iterator[LocalKafka]:
    """A single-node Kafka 4 broker for the whole session; ``.bootstrap`` is its address.

    Tests may ``kill()`` and ``start()`` it again (same ports, same data); it must be running
    when such a test ends, because later tests share it.
    """
    broker = LocalKafka(
        tmp_path_factory.mktemp("kafka"), ensure_kafka_jars(maven_cache), die_with_parent=True
    )
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture(scope="session")
def kafka_bootstrap(kafka: LocalKafka) -> str:
    return kafka.bootstrap


@pytest.fixture
def topic_factory(kafka: LocalKafka, request: pytest.FixtureRequest) -> Callable[..., str]:
    """``make(partitions=1, suffix="")`` creates a topic named after the test, unique per call."""

    def make(partitions: int = 1, suffix: str = "") -> str:
        name = f"test.{_slug(request)}.{suffix + '.' if suffix else ''}{uuid.uuid4().hex[:8]}"
        create_topics(kafka.bootstrap, {name: partitions})
        return name

    return make


@pytest.fixture
def unique_topic(topic_factory: Callable[..., str]) -> str:
    """A fresh single-partition topic for this test."""
    return topic_factory()


@pytest.fixture
def unique_group(request: pytest.FixtureRequest) -> str:
    """A consumer group id no other test uses."""
    return f"test.{_slug(request)}.{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def postgres() -> Iterator[LocalPostgres]:
    """A PostgreSQL cluster for the whole session, with fsync off (speed over crash safety)."""
    # Not under pytest's tmp root: that folder is 0700 root-owned and the server runs as `postgres`.
    root = Path(tempfile.mkdtemp(prefix="vori-test-pg-"))
    root.chmod(0o711)
    cluster = LocalPostgres(root / "data", fsync=False)
    try:
        cluster.start()
        yield cluster
    finally:
        try:
            cluster.stop()
        finally:
            shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_dsn(postgres: LocalPostgres) -> str:
    """DSN of the session cluster's ``vori`` database, as superuser (admin DSN)."""
    return postgres.dsn()


@pytest.fixture
def pg_database_dsn(postgres: LocalPostgres, request: pytest.FixtureRequest) -> Iterator[str]:
    """DSN of an empty database made for this test and dropped after it (no migrations applied)."""
    name = f"test_{_slug(request, 30)}_{uuid.uuid4().hex[:8]}"
    postgres.create_database(name)
    try:
        yield postgres.dsn(name)
    finally:
        postgres.drop_database(name)
