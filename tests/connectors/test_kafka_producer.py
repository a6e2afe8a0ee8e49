"""The durable producer against a real broker: it resolves on delivery, or raises a typed error."""

from __future__ import annotations

import asyncio
import time

import pytest

from connectors.kafka_producer import (
    Delivered,
    DurableProducer,
    KafkaRecordRejected,
    KafkaUnavailable,
)
from infra.procs import free_ports
from tests.apps.gateway_helpers import read_all


def test_produce_resolves_with_partition_and_offset_once_stored(kafka_bootstrap, unique_topic):
    producer = DurableProducer(kafka_bootstrap)

    async def go():
        first = await producer.produce(unique_topic, b"m1", b'{"n":0}', [("vori-team", b"alpha")])
        rest = await asyncio.gather(*(
            producer.produce(unique_topic, b"m1", f'{{"n":{i}}}'.encode()) for i in range(1, 200)
        ))
        return [first, *rest]

    try:
        delivered = asyncio.run(go())
    finally:
        assert producer.close() == 0
    assert all(isinstance(d, Delivered) for d in delivered)
    assert sorted(d.offset for d in delivered) == list(range(200))
    records = read_all(kafka_bootstrap, unique_topic)
    assert len(records) == 200
    assert records[0].headers() == [("vori-team", b"alpha")]
    assert abs(delivered[0].timestamp_ms - time.time() * 1000) < 60_000


def test_unreachable_broker_raises_unavailable_within_the_timeout():
    producer = DurableProducer(f"127.0.0.1:{free_ports(1)[0]}", delivery_timeout_s=1.0)
    started = time.monotonic()
    try:
        with pytest.raises(KafkaUnavailable) as err:
            asyncio.run(producer.produce("audio.raw", b"k", b"v"))
    finally:
        producer.close(flush_timeout_s=0)
    assert time.monotonic() - started < 5
    assert err.value.retry_after_s > 0


def test_record_over_the_size_limit_is_rejected(kafka_bootstrap, unique_topic):
    producer = DurableProducer(kafka_bootstrap, max_message_bytes=10_000)
    try:
        with pytest.raises(KafkaRecordRejected):
            asyncio.run(producer.produce(unique_topic, b"k", b"x" * 20_000))
    finally:
        producer.close()
    assert read_all(kafka_bootstrap, unique_topic) == []


def test_closed_producer_refuses(kafka_bootstrap, unique_topic):
    producer = DurableProducer(kafka_bootstrap)
    producer.close()
    with pytest.raises(KafkaUnavailable):
        asyncio.run(producer.produce(unique_topic, b"k", b"v"))
