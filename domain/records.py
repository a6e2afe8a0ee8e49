"""The records of ``transcription.completed`` (docs/contract.md section 2), one type per ``kind``.

The topic carries a meeting's transcript and its lifecycle in order: segments (``live`` from the
live flow), ``meeting_seen`` / ``meeting_closed`` from the live flow, and ``revision`` /
``meeting_refined`` from the refine flow. A value without ``kind`` is a segment (producers that
predate the field). Every type has ``to_record()`` (the Kafka value, UTF-8 JSON) and
``from_record()``; :func:`parse_record` reads any of them. Bad input raises :class:`RecordError`
with a message fit for a dead letter's reason.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal, cast

from domain.errors import DomainError
from domain.speakers import Relabel
from domain.timeline import MeetingClosed, MeetingSeen
from domain.transcript import Segment

Revision = Literal["live", "refined"]
REVISIONS: tuple[Revision, ...] = ("live", "refined")
CLOSE_REASONS = ("final", "idle", "max_length")


class RecordError(DomainError):
    """A ``transcription.completed`` value that is not a record of the contract (dead-letter it)."""


def _field(body: Mapping[str, Any], name: str, kind: str) -> Any:
    if name not in body:
        raise RecordError(f"{kind} record: '{name}' is missing")
    return body[name]


def _str(body: Mapping[str, Any], name: str, kind: str, *, optional: bool = False) -> str | None:
    if optional and body.get(name) is None:
        return None
    v = _field(body, name, kind)
    if not isinstance(v, str) or (not optional and not v):
        raise RecordError(f"{kind} record: '{name}' must be a non-empty string, got {v!r}")
    return v


def _req_str(body: Mapping[str, Any], name: str, kind: str) -> str:
    v = _str(body, name, kind)
    assert v is not None
    return v


def _int(body: Mapping[str, Any], name: str, kind: str, *, minimum: int = 0) -> int:
    v = _field(body, name, kind)
    # bool is an int in Python; a JSON true is not a time.
    if isinstance(v, bool) or not isinstance(v, int):
        raise RecordError(f"{kind} record: '{name}' must be an integer, got {v!r}")
    if v < minimum:
        raise RecordError(f"{kind} record: '{name}' must be >= {minimum}, got {v}")
    return v


def _opt_float(body: Mapping[str, Any], name: str, kind: str) -> float | None:
    v = body.get(name)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise RecordError(f"{kind} record: '{name}' must be a number, got {v!r}")
    return float(v)


def _revision(body: Mapping[str, Any], kind: str, default: Revision | None) -> Revision:
    v = body.get("revision", default)
    if v not in REVISIONS:
        raise RecordError(f"{kind} record: 'revision' must be one of {list(REVISIONS)}, got {v!r}")
    return cast(Revision, v)


def _dump(body: Mapping[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def _load(value: bytes | str | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(value, Mapping):
        return value
    try:
        body = json.loads(value)
    except (UnicodeDecodeError, ValueError) as exc:
        raise RecordError(f"not a JSON record: {exc}") from exc
    if not isinstance(body, dict):
        raise RecordError(f"a record must be a JSON object, got {type(body).__name__}")
    return body


def _expect_kind(body: Mapping[str, Any], kind: str) -> None:
    got = body.get("kind", "segment")
    if got != kind:
        raise RecordError(f"expected a {kind} record, got kind {got!r}")


def _segment(body: Mapping[str, Any], kind: str = "segment") -> Segment:
    if not isinstance(body, Mapping):
        raise RecordError(f"{kind} record: a segment must be a JSON object, got {body!r}")
    start = _int(body, "start_ms", kind)
    end = _int(body, "end_ms", kind)
    if end < start:
        raise RecordError(f"{kind} record: 'end_ms' {end} is before 'start_ms' {start}")
    text = _field(body, "text", kind)
    if not isinstance(text, str):
        raise RecordError(f"{kind} record: 'text' must be a string, got {text!r}")
    return Segment(
        meeting_id=_req_str(body, "meeting_id", kind),
        source=_req_str(body, "source", kind),
        speaker=_str(body, "speaker", kind, optional=True),
        start_ms=start,
        end_ms=end,
        text=text,
        language=_str(body, "language", kind, optional=True),
        model=_str(body, "model", kind, optional=True) or "",
        posted_ms=_int(body, "posted_ms", kind) if "posted_ms" in body else 0,
        avg_logprob=_opt_float(body, "avg_logprob", kind),
        no_speech_prob=_opt_float(body, "no_speech_prob", kind),
        team=_str(body, "team", kind, optional=True),
    )


def _segment_body(seg: Segment, revision: Revision, transcribed_at: str) -> dict[str, Any]:
    return {
        "kind": "segment",
        "revision": revision,
        "meeting_id": seg.meeting_id,
        "source": seg.source,
        "speaker": seg.speaker,
        "start_ms": seg.start_ms,
        "end_ms": seg.end_ms,
        "text": seg.text,
        "language": seg.language,
        "model": seg.model,
        "posted_ms": seg.posted_ms,
        "team": seg.team,
        "transcribed_at": transcribed_at,
    }


@dataclass(frozen=True)
class SegmentRecord:
    """A transcript segment: ``live`` from the live flow, ``refined`` inside a revision."""

    KIND: ClassVar[str] = "segment"
    segment: Segment
    revision: Revision = "live"
    # ISO 8601; set when the record is written (``to_record``) if not given.
    transcribed_at: str | None = None

    @property
    def team(self) -> str | None:
        return self.segment.team

    @property
    def meeting_id(self) -> str:
        return self.segment.meeting_id

    def to_dict(self) -> dict[str, Any]:
        at = self.transcribed_at or datetime.now(UTC).isoformat()
        return _segment_body(self.segment, self.revision, at)

    def to_record(self) -> bytes:
        return _dump(self.to_dict())

    @classmethod
    def from_record(cls, value: bytes | str | Mapping[str, Any]) -> SegmentRecord:
        body = _load(value)
        _expect_kind(body, cls.KIND)
        at = body.get("transcribed_at")
        return cls(_segment(body), _revision(body, cls.KIND, "live"), at if isinstance(at, str) else None)


@dataclass(frozen=True)
class MeetingSeenRecord:
    """The meeting is live (again): its title, start and sources so far."""

    KIND: ClassVar[str] = "meeting_seen"
    team: str | None
    meeting_id: str
    title: str | None
    started_ms: int
    sources: Mapping[str, str | None]
    part_of: str | None = None
    part: int = 1

    @classmethod
    def of(cls, seen: MeetingSeen) -> MeetingSeenRecord:
        return cls(seen.team, seen.meeting_id, seen.title, seen.started_ms, dict(seen.sources),
                   seen.part_of, seen.part)

    def event(self) -> MeetingSeen:
        return MeetingSeen(self.meeting_id, self.team, self.title, self.started_ms, dict(self.sources),
                           self.part_of, self.part)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.KIND, "team": self.team, "meeting_id": self.meeting_id, "title": self.title,
            "started_ms": self.started_ms, "sources": dict(self.sources), "part_of": self.part_of,
            "part": self.part,
        }

    def to_record(self) -> bytes:
        return _dump(self.to_dict())

    @classmethod
    def from_record(cls, value: bytes | str | Mapping[str, Any]) -> MeetingSeenRecord:
        body = _load(value)
        _expect_kind(body, cls.KIND)
        k = cls.KIND
        sources = _field(body, "sources", k)
        if not isinstance(sources, dict) or not all(
            isinstance(s, str) and (p is None or isinstance(p, str)) for s, p in sources.items()
        ):
            raise RecordError(f"{k} record: 'sources' must map source names to a speaker or null")
        part = _int(body, "part", k, minimum=1) if "part" in body else 1
        return cls(
            _str(body, "team", k, optional=True), _req_str(body, "meeting_id", k),
            _str(body, "title", k, optional=True), _int(body, "started_ms", k), dict(sources),
            _str(body, "part_of", k, optional=True), part,
        )


@dataclass(frozen=True)
class MeetingClosedRecord:
    """The live flow closed the meeting: no more live segments follow unless it reopens."""

    KIND: ClassVar[str] = "meeting_closed"
    team: str | None
    meeting_id: str
    reason: Literal["final", "idle", "max_length"]
    duration_ms: int

    @classmethod
    def of(cls, closed: MeetingClosed) -> MeetingClosedRecord:
        return cls(closed.team, closed.meeting_id, closed.reason, closed.duration_ms)

    def event(self) -> MeetingClosed:
        return MeetingClosed(self.meeting_id, self.reason, self.duration_ms, self.team)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.KIND, "team": self.team, "meeting_id": self.meeting_id, "reason": self.reason,
                "duration_ms": self.duration_ms}

    def to_record(self) -> bytes:
        return _dump(self.to_dict())

    @classmethod
    def from_record(cls, value: bytes | str | Mapping[str, Any]) -> MeetingClosedRecord:
        body = _load(value)
        _expect_kind(body, cls.KIND)
        k = cls.KIND
        reason = _field(body, "reason", k)
        if reason not in CLOSE_REASONS:
            raise RecordError(f"{k} record: 'reason' must be one of {list(CLOSE_REASONS)}, got {reason!r}")
        return cls(_str(body, "team", k, optional=True), _req_str(body, "meeting_id", k),
                   cast(Literal["final", "idle", "max_length"], reason), _int(body, "duration_ms", k))


@dataclass(frozen=True)
class RevisionRecord:
    """Refined text for ``[start_ms, end_ms)`` of one source: it replaces every segment of that
    (team, meeting_id, source) starting in the span. Applying it twice changes nothing."""

    KIND: ClassVar[str] = "revision"
    team: str | None
    meeting_id: str
    source: str
    start_ms: int
    end_ms: int
    segments: tuple[Segment, ...]
    revision: Revision = "refined"

    def __post_init__(self) -> None:
        if self.end_ms < self.start_ms:
            raise RecordError(f"revision record: 'end_ms' {self.end_ms} is before 'start_ms' {self.start_ms}")
        for seg in self.segments:
            if (seg.meeting_id, seg.source) != (self.meeting_id, self.source):
                raise RecordError(
                    f"revision record: a segment of {seg.meeting_id!r}/{seg.source!r} in a revision of "
                    f"{self.meeting_id!r}/{self.source!r}"
                )
            if seg.team is not None and self.team is not None and seg.team != self.team:
                raise RecordError(f"revision record: a segment of team {seg.team!r} in team {self.team!r}'s")
            if not self.covers(seg.start_ms):
                raise RecordError(
                    f"revision record: segment at {seg.start_ms} ms is outside"
                    f" [{self.start_ms}, {self.end_ms})"
                )

    def covers(self, start_ms: int) -> bool:
        return self.start_ms <= start_ms < self.end_ms

    def to_dict(self, transcribed_at: str | None = None) -> dict[str, Any]:
        at = transcribed_at or datetime.now(UTC).isoformat()
        return {
            "kind": self.KIND, "team": self.team, "meeting_id": self.meeting_id, "source": self.source,
            "start_ms": self.start_ms, "end_ms": self.end_ms, "revision": self.revision,
            "segments": [_segment_body(s, self.revision, at) for s in self.segments],
        }

    def to_record(self) -> bytes:
        return _dump(self.to_dict())

    @classmethod
    def from_record(cls, value: bytes | str | Mapping[str, Any]) -> RevisionRecord:
        body = _load(value)
        _expect_kind(body, cls.KIND)
        k = cls.KIND
        raw = _field(body, "segments", k)
        if not isinstance(raw, list):
            raise RecordError(f"{k} record: 'segments' must be a list")
        revision = _revision(body, k, None)
        if revision != "refined":
            raise RecordError(f"{k} record: 'revision' must be 'refined', got {revision!r}")
        team = _str(body, "team", k, optional=True)
        segments = []
        for s in raw:
            seg = _segment(s, k)
            if isinstance(s, Mapping) and s.get("revision", "refined") != "refined":
                raise RecordError(f"{k} record: its segments must have revision 'refined'")
            # A segment inside a revision is its meeting's: the team is the record's.
            segments.append(seg if seg.team is not None else replace(seg, team=team))
        return cls(team, _req_str(body, "meeting_id", k), _req_str(body, "source", k),
                   _int(body, "start_ms", k), _int(body, "end_ms", k), tuple(segments), revision)


@dataclass(frozen=True)
class MeetingRefinedRecord:
    """Every source of a closed meeting is refined up to its end: final minutes are written again."""

    KIND: ClassVar[str] = "meeting_refined"
    team: str | None
    meeting_id: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.KIND, "team": self.team, "meeting_id": self.meeting_id}

    def to_record(self) -> bytes:
        return _dump(self.to_dict())

    @classmethod
    def from_record(cls, value: bytes | str | Mapping[str, Any]) -> MeetingRefinedRecord:
        body = _load(value)
        _expect_kind(body, cls.KIND)
        return cls(_str(body, "team", cls.KIND, optional=True), _req_str(body, "meeting_id", cls.KIND))


@dataclass(frozen=True)
class RelabelRecord:
    """The live flow clustered a meeting's speakers again at its close: the segment of ``source``
    starting at ``start_ms`` that was labelled ``old`` is ``new`` now (published before the
    meeting's ``meeting_closed``; applying it twice, or to a segment relabelled since, changes nothing).
    ``end_ms`` (optional) is where the segment's speech ends: refined segments read from it follow."""

    KIND: ClassVar[str] = "relabel"
    team: str | None
    meeting_id: str
    source: str
    start_ms: int
    old: str
    new: str
    end_ms: int | None = None

    @classmethod
    def of(cls, r: Relabel) -> RelabelRecord:
        return cls(r.team, r.meeting_id, r.source, r.start_ms, r.old, r.new, r.end_ms)

    def event(self) -> Relabel:
        return Relabel(self.meeting_id, self.team, self.source, self.start_ms, self.old, self.new,
                       self.end_ms)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.KIND, "team": self.team, "meeting_id": self.meeting_id, "source": self.source,
                "start_ms": self.start_ms, "old": self.old, "new": self.new,
                **({"end_ms": self.end_ms} if self.end_ms is not None else {})}

    def to_record(self) -> bytes:
        return _dump(self.to_dict())

    @classmethod
    def from_record(cls, value: bytes | str | Mapping[str, Any]) -> RelabelRecord:
        body = _load(value)
        _expect_kind(body, cls.KIND)
        k = cls.KIND
        return cls(_str(body, "team", k, optional=True), _req_str(body, "meeting_id", k),
                   _req_str(body, "source", k), _int(body, "start_ms", k),
                   _req_str(body, "old", k), _req_str(body, "new", k),
                   _int(body, "end_ms", k) if body.get("end_ms") is not None else None)


TranscriptRecord = (
    SegmentRecord | MeetingSeenRecord | MeetingClosedRecord | RevisionRecord | MeetingRefinedRecord
    | RelabelRecord
)

_KINDS: dict[str, type[TranscriptRecord]] = {
    c.KIND: c
    for c in (
        SegmentRecord, MeetingSeenRecord, MeetingClosedRecord, RevisionRecord, MeetingRefinedRecord,
        RelabelRecord,
    )
}
KINDS: tuple[str, ...] = tuple(_KINDS)


def parse_record(value: bytes | str | None, key: bytes | None = None) -> TranscriptRecord:
    """Any ``transcription.completed`` value. ``key`` (the meeting id), when given, must match."""
    if value is None:
        raise RecordError("a record without a value")
    body = _load(value)
    kind = body.get("kind", "segment")
    cls = _KINDS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise RecordError(f"unknown record kind {kind!r} (known: {', '.join(KINDS)})")
    rec = cls.from_record(body)
    if key is not None:
        try:
            k = key.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RecordError("the record key is not UTF-8") from exc
        if k != rec.meeting_id:
            raise RecordError(f"the record key {k!r} is not its meeting_id {rec.meeting_id!r}")
    return rec


def to_record(item: Segment | MeetingSeen | MeetingClosed | Relabel | TranscriptRecord) -> bytes:
    """The Kafka value of a live-flow output or of a record."""
    if isinstance(item, Segment):
        return SegmentRecord(item).to_record()
    if isinstance(item, MeetingSeen):
        return MeetingSeenRecord.of(item).to_record()
    if isinstance(item, MeetingClosed):
        return MeetingClosedRecord.of(item).to_record()
    if isinstance(item, Relabel):
        return RelabelRecord.of(item).to_record()
    return item.to_record()
