"""The local stack itself: Kafka and PostgreSQL work, Kafka survives a crash, `down` is clean."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from confluent_kafka import Consumer, KafkaError, Producer

from infra.kafka import MAX_MESSAGE_BYTES, LocalKafka
from infra.procs import process_alive
from infra.stack import LocalStack, read_env


def _produce(bootstrap: str, topic: str, records: list[tuple[bytes, bytes]]) -> None:
    producer = Producer(
        {"bootstrap.servers": bootstrap, "acks": "all", "message.max.bytes": MAX_MESSAGE_BYTES}
    )
    failures: list[KafkaError] = []

    def on_delivery(err: KafkaError | None, _msg: object) -> None:
        if err is not None:
            failures.append(err)

    for key, value in records:
        producer.produce(topic, key=key, value=value, on_delivery=on_delivery)
    assert producer.flush(30) == 0
    assert failures == []


def _consume(
    bootstrap: str, topic: str, group: str, count: int, timeout: float = 30.0
) -> list[tuple[bytes, bytes]]:
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": group,
            "auto.offset.reset": "earliest",
            "fetch.max.bytes": MAX_MESSAGE_BYTES * 2,
        }
    )
    consumer.subscribe([topic])
    got: list[tuple[bytes, bytes]] = []
    deadline = time.monotonic() + timeout
    try:
        while len(got) < count and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            assert msg.error() is None, msg.error()
            key, value = msg.key(), msg.value()
            assert key is not None and value is not None
            got.append((key, value))
    finally:
        consumer.close()
    return got


def test_produce_and_consume_roundtrip(
    kafka: LocalKafka, unique_topic: str, unique_group: str
) -> None:
    # A 3 MiB value: larger than Kafka's 1 MB default, within the broker's configured 4 MiB.
    records = [(b"m-1", b"hello"), (b"m-1", os.urandom(3 * 1024 * 1024))]
    _produce(kafka.bootstrap, unique_topic, records)
    assert _consume(kafka.bootstrap, unique_topic, unique_group, len(records)) == records


def test_killed_broker_restarts_with_its_data(
    kafka: LocalKafka, topic_factory: Callable[..., str], unique_group: str
) -> None:
    topic = topic_factory(partitions=2)
    records = [(f"k{i}".encode(), f"v{i}".encode()) for i in range(20)]
    _produce(kafka.bootstrap, topic, records)
    bootstrap, pid = kafka.bootstrap, kafka.pid
    assert pid is not None

    kafka.kill()
    assert not process_alive(pid)
    kafka.start()

    assert kafka.bootstrap == bootstrap  # same port: clients configured before the crash reconnect
    got = _consume(kafka.bootstrap, topic, unique_group, len(records))
    assert sorted(got) == sorted(records)


def test_postgres_query(postgres_dsn: str, pg_database_dsn: str) -> None:
    with psycopg.connect(postgres_dsn) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == ("vori",)
    with psycopg.connect(pg_database_dsn) as conn:
        conn.execute("CREATE TABLE t (id int PRIMARY KEY, note text)")
        conn.execute(
            "INSERT INTO t VALUES (1, 'a') ON CONFLICT (id) DO UPDATE SET note = excluded.note"
        )
        assert conn.execute("SELECT note FROM t").fetchall() == [("a",)]


@pytest.fixture
def stack_dir() -> Iterator[Path]:
    # Outside pytest's 0700 tmp root, which the `postgres` server user cannot traverse.
    path = Path(tempfile.mkdtemp(prefix="vori-test-stack-"))
    path.chmod(0o711)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_stack_down_leaves_no_process(stack_dir: Path, maven_cache: Path) -> None:
    stack = LocalStack(stack_dir, cache_dir=maven_cache)
    try:
        env = stack.up()
        assert read_env(stack.env_path) == env
        assert env["VORI_KAFKA_BOOTSTRAP"] == stack.kafka.bootstrap
        # A later-added service goes through the same bookkeeping.
        helper = stack.start_process("sleeper", ["sh", "-c", "sleep 300 & sleep 300"])
        with psycopg.connect(env["VORI_DATABASE_URL"]) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
        pids = [helper.pid, stack.kafka.pid, stack.postgres.pid]
        assert all(pid is not None and process_alive(pid) for pid in pids)
        assert all(LocalStack(stack_dir, cache_dir=maven_cache).status().values())
    finally:
        # A second object, as `make down` runs in another process than `make up`.
        LocalStack(stack_dir, cache_dir=maven_cache).stop_all()

    assert not any(process_alive(pid) for pid in pids if pid is not None)
    # The sleeper's own child was in its process group and must be gone too.
    leftovers = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _pgrp(p) == helper.pid]
    assert leftovers == []
    assert not stack.env_path.exists()
    assert stack.status() == {"postgres": False}


def _pgrp(proc: Path) -> int | None:
    try:
        raw = (proc / "stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    return int(fields[2]) if fields[0] != "Z" else None
