"""Builders shared by the gateway and `vori send` tests."""

from __future__ import annotations

import base64
import time
import uuid
from dataclasses import dataclass
from typing import Any

from confluent_kafka import Consumer, Message, TopicPartition

V2_JSON = "application/vnd.kafka.json.v2+json"
V2_BINARY = "application/vnd.kafka.binary.v2+json"


def pcm(seconds: float = 0.5, rate: int = 16000, value: int = 1) -> bytes:
    """``seconds`` of mono s16le samples; ``value`` makes chunks differ."""
    return value.to_bytes(2, "little", signed=True) * int(seconds * rate)


def envelope(meeting: str, seq: int = 0, **over: Any) -> dict[str, Any]:
    env: dict[str, Any] = {
        "meeting_id": meeting,
        "seq": seq,
        "source": "main",
        "speaker": None,
        "codec": "pcm_s16le",
        "sample_rate": 16000,
        "channels": 1,
        "audio": base64.b64encode(pcm(value=seq + 1 if isinstance(seq, int) else 1)).decode(),
        "final": False,
        "title": "Sprint planning",
    }
    env.update(over)
    return env


def v2_body(*envs: dict[str, Any]) -> dict[str, Any]:
    return {"records": [{"key": e.get("meeting_id"), "value": e} for e in envs]}


def new_meeting() -> str:
    return f"m-{uuid.uuid4().hex[:12]}"


@dataclass(frozen=True)
class Tokens:
    alpha: str  # producer, team alpha
    beta: str  # producer, team beta
    board: str  # board token of team alpha: valid, but may not produce

    def auth(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.alpha}"}


def read_all(bootstrap: str, topic: str, timeout_s: float = 30.0) -> list[Message]:
    """Every record of ``topic`` now: read each partition up to its high watermark."""
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": f"test.read.{uuid.uuid4().hex[:8]}",
        "enable.auto.commit": False,
    })
    try:
        partitions = consumer.list_topics(topic, timeout=timeout_s).topics[topic].partitions
        ends: dict[int, int] = {}
        assign = []
        for p in partitions:
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=timeout_s)
            if high > low:
                ends[p] = high
                assign.append(TopicPartition(topic, p, low))
        out: list[Message] = []
        if not assign:
            return out
        consumer.assign(assign)
        deadline = time.monotonic() + timeout_s
        while ends and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            assert msg.error() is None, msg.error()
            out.append(msg)
            if (msg.offset() or 0) + 1 >= ends.get(msg.partition() or 0, 0):
                ends.pop(msg.partition() or 0, None)
        assert not ends, f"timed out reading {topic}"
        return out
    finally:
        consumer.close()
