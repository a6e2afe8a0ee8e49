"""Kafka adapter: client configuration, topic creation, and readiness checks."""

from __future__ import annotations

import time
from collections.abc import Mapping

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]

from connectors.settings import Settings

# Producers that must not lose or duplicate what they write (the flow's sinks, the gateway).
DURABLE_PRODUCER: dict[str, str] = {
    "enable.idempotence": "true",
    "acks": "all",
    "linger.ms": "5",
    "message.max.bytes": "4194304",
}

# Room for a full 1 MiB chunk plus base64 and JSON overhead.
CONSUMER: dict[str, str] = {
    "fetch.message.max.bytes": "4194304",
}


class KafkaAdapterError(Exception):
    """Kafka cannot be reached or refused an administrative request."""


def admin(bootstrap: str) -> AdminClient:
    return AdminClient({"bootstrap.servers": bootstrap})


def wait_ready(bootstrap: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    client = admin(bootstrap)
    while time.monotonic() < deadline:
        try:
            client.list_topics(timeout=2)
            return
        except KafkaException as exc:
            last = exc
            time.sleep(0.2)
    raise KafkaAdapterError(f"Kafka at {bootstrap} not ready after {timeout:.0f}s: {last}")


def ensure_topics(
    bootstrap: str, topics: Mapping[str, int], config: Mapping[str, str] | None = None
) -> None:
    """Create the topics that do not exist yet (idempotent); existing ones are left as they are.

    Raises :class:`KafkaAdapterError` for any other refusal (an invalid name, no partitions...).
    """
    if not topics:
        return
    wanted = [
        NewTopic(name, num_partitions=parts, replication_factor=1, config=dict(config or {}))
        for name, parts in topics.items()
    ]
    client = admin(bootstrap)  # held until every answer is in: a collected client fails them
    # Kafka's answer per topic says which exist, also one another process made a moment ago;
    # a topic list taken beforehand would be a second, racy answer.
    for name, fut in client.create_topics(wanted, operation_timeout=30).items():
        try:
            fut.result()
        except KafkaException as exc:
            error = exc.args[0] if exc.args else None
            if isinstance(error, KafkaError) and error.code() == KafkaError.TOPIC_ALREADY_EXISTS:
                continue
            raise KafkaAdapterError(f"cannot create topic {name}: {exc}") from exc


def pipeline_topics(settings: Settings) -> dict[str, int]:
    return {
        settings.audio_topic: settings.audio_partitions,
        settings.dlq_topic: 1,
        settings.transcript_topic: settings.audio_partitions,
    }


TOPIC_CONFIG = {"max.message.bytes": "4194304"}
