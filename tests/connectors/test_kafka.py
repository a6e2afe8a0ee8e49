"""Topic creation against a real broker: existing topics are accepted as they are, other refusals raise."""

from __future__ import annotations

import time
import uuid

import pytest

from connectors.kafka import TOPIC_CONFIG, KafkaAdapterError, admin, ensure_topics


def _partitions(bootstrap: str, topic: str, timeout: float = 10.0) -> int:
    deadline = time.monotonic() + timeout
    while True:
        meta = admin(bootstrap).list_topics(topic, timeout=5).topics.get(topic)
        if meta is not None and meta.error is None and meta.partitions:
            return len(meta.partitions)
        if time.monotonic() > deadline:
            raise AssertionError(f"topic {topic} did not appear")
        time.sleep(0.1)


def test_existing_topics_are_accepted_and_left_unchanged(kafka_bootstrap, topic_factory):
    existing = topic_factory(partitions=2)
    fresh = f"{existing}.fresh"

    ensure_topics(kafka_bootstrap, {existing: 3, fresh: 1}, TOPIC_CONFIG)
    ensure_topics(kafka_bootstrap, {fresh: 4}, TOPIC_CONFIG)  # a second start of the stack

    assert _partitions(kafka_bootstrap, existing) == 2
    assert _partitions(kafka_bootstrap, fresh) == 1


@pytest.mark.parametrize(
    ("name", "partitions", "why"),
    [
        ("bad name!", 1, "invalid"),
        (f"test.no_partitions.{uuid.uuid4().hex[:8]}", 0, "partitions"),
    ],
    ids=["invalid_name", "no_partitions"],
)
def test_other_refusals_raise(kafka_bootstrap, name, partitions, why):
    with pytest.raises(KafkaAdapterError, match=f"cannot create topic {name}.*{why}"):
        ensure_topics(kafka_bootstrap, {name: partitions})
