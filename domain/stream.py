"""A streamed source's decoder state: what a meeting's timeline keeps between byte ranges.

A source with ``"stream": true`` sends consecutive byte ranges of one WebM, Ogg or MP3 stream,
split anywhere (docs/contract.md, "Streams"). The timeline releases them in seq order to a
:class:`StreamDecoder` (PyAV, in ``connectors.audio``) and keeps only this small state: plain
bytes and integers, so it is pickled with the timeline in every recovery snapshot and a replay
from a snapshot decodes exactly as the first run did.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

from domain.errors import DomainError


class StreamError(DomainError):
    """A stream is not what it claims (undecodable, out of bounds): its source stops here."""


@dataclass(frozen=True)
class StreamState:
    """Where a stream's decoding stands.

    ``header`` is the container's header (WebM up to its first Cluster, Ogg's ID and comment
    pages; empty for MP3), None until the first audio packet was found. ``tail`` is the bytes
    from the last resumable boundary (a Cluster, a page, a frame) that are decoded again with
    the next bytes. Positions are 16 kHz samples on the stream's own axis: ``origin`` is where
    the tail's first packet starts, ``emitted`` how far PCM was handed out.
    """

    codec: str
    header: bytes | None = None
    tail: bytes = b""
    origin: int = 0
    emitted: int = 0
    resync: bool = False  # after a gap: skip to the next boundary in the bytes that follow


def after_gap(state: StreamState | None, codec: str) -> StreamState:
    """Some byte ranges never came: what is left of the tail cannot be continued."""
    base = state or StreamState(codec)
    return replace(base, tail=b"", resync=True)


class StreamDecoder(Protocol):
    """Decodes the next byte range of a stream to 16 kHz mono s16le PCM, newly emitted only.

    Raises :class:`StreamError` with the reason when the bytes are not what the codec claims.
    """

    def __call__(
        self, state: StreamState | None, codec: str, data: bytes, *, final: bool
    ) -> tuple[StreamState, bytes]: ...
