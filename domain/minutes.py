"""The minutes of a meeting as plain values, and their JSON form (jsonb rows, LLM answers).

Both writers (the offline rules in :mod:`domain.extraction` and the LLM writer in ``connectors``)
produce a :class:`Minutes`; ``Minutes.from_json`` is the one place a foreign dict becomes one, so an
LLM answer and a row read back from PostgreSQL are validated by the same rules.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

from domain.errors import DomainError

Status = Literal["in_progress", "blocked", "done"]
STATUSES: tuple[Status, ...] = ("in_progress", "blocked", "done")
Writer = Literal["offline", "llm"]
WRITERS: tuple[Writer, ...] = ("offline", "llm")


class MinutesFormatError(DomainError):
    """A dict is not valid minutes JSON; ``path`` names the field (``action_items[2].due_date``)."""

    def __init__(self, reason: str, path: str = "") -> None:
        super().__init__(f"{path}: {reason}" if path else reason)
        self.reason = reason
        self.path = path


@dataclass(frozen=True)
class Utterance:
    """One transcript segment: who spoke (``None`` in a mixed stream), what, and when.

    ``diarized``: the speaker is the name a diarization label (S1, S2, …) was given, not a
    per-person track's: like the label, one segment of it may hold another voice too (Whisper
    reads a question and the next speaker's "Sure." as one segment).
    """

    speaker: str | None
    text: str
    start_ms: int
    end_ms: int
    diarized: bool = False


@dataclass(frozen=True)
class ActionItem:
    """A commitment someone made: ``quote`` and ``start_ms`` point back at where it was said."""

    assignee: str | None
    task: str
    due_date: datetime.date | None
    quote: str
    start_ms: int


@dataclass(frozen=True)
class Decision:
    text: str
    quote: str
    start_ms: int


@dataclass(frozen=True)
class StatusUpdate:
    """Someone reporting progress on a piece of work (``subject``), which may move its ticket."""

    speaker: str | None
    subject: str
    status: Status
    reason: str | None
    quote: str
    start_ms: int


@dataclass(frozen=True)
class Minutes:
    summary: str
    decisions: tuple[Decision, ...]
    action_items: tuple[ActionItem, ...]
    status_updates: tuple[StatusUpdate, ...]
    questions: tuple[str, ...]
    keywords: tuple[str, ...]
    language: str
    writer: Writer
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """A plain dict (str/int/None/list only; dates as ISO strings), ready for ``json.dumps``."""
        return {
            "summary": self.summary,
            "decisions": [{"text": d.text, "quote": d.quote, "start_ms": d.start_ms} for d in self.decisions],
            "action_items": [
                {
                    "assignee": a.assignee,
                    "task": a.task,
                    "due_date": a.due_date.isoformat() if a.due_date else None,
                    "quote": a.quote,
                    "start_ms": a.start_ms,
                }
                for a in self.action_items
            ],
            "status_updates": [
                {
                    "speaker": s.speaker,
                    "subject": s.subject,
                    "status": s.status,
                    "reason": s.reason,
                    "quote": s.quote,
                    "start_ms": s.start_ms,
                }
                for s in self.status_updates
            ],
            "questions": list(self.questions),
            "keywords": list(self.keywords),
            "language": self.language,
            "writer": self.writer,
            "notes": list(self.notes),
        }

    @classmethod
    def from_json(cls, data: object) -> Minutes:
        """Validate and convert; raises :class:`MinutesFormatError` naming the first bad field.

        ``quote``/``start_ms``/``reason``/``notes`` may be missing (an LLM need not echo them);
        everything else is required. Unknown keys are ignored so later versions can add fields.
        """
        obj = _mapping(data, "")
        return cls(
            summary=_str(obj, "summary", ""),
            decisions=tuple(
                Decision(
                    text=_str(d, "text", p),
                    quote=_str(d, "quote", p, default=""),
                    start_ms=_int(d, "start_ms", p),
                )
                for p, d in _items(obj, "decisions")
            ),
            action_items=tuple(
                ActionItem(
                    assignee=_opt_str(a, "assignee", p),
                    task=_str(a, "task", p),
                    due_date=_opt_date(a, "due_date", p),
                    quote=_str(a, "quote", p, default=""),
                    start_ms=_int(a, "start_ms", p),
                )
                for p, a in _items(obj, "action_items")
            ),
            status_updates=tuple(
                StatusUpdate(
                    speaker=_opt_str(s, "speaker", p),
                    subject=_str(s, "subject", p),
                    status=_status(s, p),
                    reason=_opt_str(s, "reason", p),
                    quote=_str(s, "quote", p, default=""),
                    start_ms=_int(s, "start_ms", p),
                )
                for p, s in _items(obj, "status_updates")
            ),
            questions=_str_list(obj, "questions"),
            keywords=_str_list(obj, "keywords"),
            language=_str(obj, "language", ""),
            writer=_writer(obj),
            notes=_str_list(obj, "notes", required=False),
        )


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _mapping(value: object, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise MinutesFormatError(f"expected an object, got {type(value).__name__}", path)
    return cast(Mapping[str, Any], value)


def _items(obj: Mapping[str, Any], key: str) -> list[tuple[str, Mapping[str, Any]]]:
    raw = obj.get(key)
    if not isinstance(raw, list):
        raise MinutesFormatError("expected a list", key)
    return [(f"{key}[{i}]", _mapping(v, f"{key}[{i}]")) for i, v in enumerate(raw)]


_MISSING = object()


def _str(obj: Mapping[str, Any], key: str, path: str, default: object = _MISSING) -> str:
    value = obj.get(key, default)
    if value is _MISSING:
        raise MinutesFormatError("required", _join(path, key))
    if not isinstance(value, str):
        raise MinutesFormatError("expected a string", _join(path, key))
    return value


def _opt_str(obj: Mapping[str, Any], key: str, path: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise MinutesFormatError("expected a string or null", _join(path, key))
    # An LLM may say "" or "unknown" for nobody; both mean no one was named.
    stripped = value.strip()
    return stripped if stripped and stripped.casefold() not in {"unknown", "none", "n/a"} else None


def _int(obj: Mapping[str, Any], key: str, path: str) -> int:
    value = obj.get(key, 0)
    # bool is an int subclass; True as a timestamp is a bug upstream, not a value.
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise MinutesFormatError("expected a non-negative integer", _join(path, key))
    return value


def _opt_date(obj: Mapping[str, Any], key: str, path: str) -> datetime.date | None:
    value = obj.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise MinutesFormatError("expected an ISO date string or null", _join(path, key))
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        raise MinutesFormatError(f"not an ISO date: {value!r}", _join(path, key)) from None


def _status(obj: Mapping[str, Any], path: str) -> Status:
    value = obj.get("status")
    for status in STATUSES:
        if value == status:
            return status
    raise MinutesFormatError(f"expected one of {', '.join(STATUSES)}", _join(path, "status"))


def _writer(obj: Mapping[str, Any]) -> Writer:
    value = obj.get("writer")
    for writer in WRITERS:
        if value == writer:
            return writer
    raise MinutesFormatError(f"expected one of {', '.join(WRITERS)}", "writer")


def _str_list(obj: Mapping[str, Any], key: str, *, required: bool = True) -> tuple[str, ...]:
    value = obj.get(key, _MISSING)
    if value is _MISSING and not required:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise MinutesFormatError("expected a list of strings", key)
    return tuple(cast(Sequence[str], value))
