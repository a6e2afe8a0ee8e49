"""Dead letters for ``audio.raw.dlq``: the rejected record byte for byte, the reason in headers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass(frozen=True)
class DeadLetter:
    """A record the pipeline refused, with why and where it came from."""

    key: bytes | None
    value: bytes | None
    reason: str
    stage: str  # which step refused it: parse, decode, timeline
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    headers: tuple[tuple[str, bytes], ...] = field(default_factory=tuple)
    rejected_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def kafka_headers(self) -> list[tuple[str, bytes]]:
        """Original headers first, then ours, so nothing of the original is lost."""
        ours = [
            ("vori.dlq.reason", self.reason.encode("utf-8")),
            ("vori.dlq.stage", self.stage.encode()),
            ("vori.dlq.source.topic", (self.topic or "").encode()),
            ("vori.dlq.source.partition", str(self.partition).encode()),
            ("vori.dlq.source.offset", str(self.offset).encode()),
            ("vori.dlq.rejected_at", self.rejected_at.isoformat().encode()),
        ]
        return [*self.headers, *ours]


def header(headers: list[tuple[str, bytes]] | None, name: str) -> bytes | None:
    for k, v in headers or []:
        if k == name:
            return v
    return None
