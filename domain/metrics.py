"""Meeting-efficiency metrics, each defined once here and used by the Spark job and by reports.

Pure functions over a meeting's transcript segments (ms on the meeting's timeline). The meaning of
every metric and the efficiency-score formula are written out in ``docs/analytics.md``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

__all__ = [
    "FOLLOW_THROUGH_DAYS",
    "UNKNOWN_SPEAKER",
    "MeetingMetrics",
    "SpokenSegment",
    "TicketOutcome",
    "action_items_per_hour",
    "compute_metrics",
    "duration_s",
    "efficiency_score",
    "follow_through",
    "longest_monologue_s",
    "questions",
    "speaker_balance",
    "speakers",
    "talk_share",
    "word_count",
    "words",
    "wpm",
]

UNKNOWN_SPEAKER = "unknown"
FOLLOW_THROUGH_DAYS = 7
_WORD = re.compile(r"\w", re.UNICODE)
_QUESTION = re.compile(r"[?？]+")


@dataclass(frozen=True)
class SpokenSegment:
    start_ms: int
    end_ms: int
    speaker: str | None
    text: str


@dataclass(frozen=True)
class TicketOutcome:
    """A ticket born in the meeting: when it was created and when it reached ``done``, if ever."""

    created_at: datetime
    done_at: datetime | None


@dataclass(frozen=True)
class MeetingMetrics:
    duration_s: float
    words: int
    wpm: float
    speakers: int
    speaker_balance: float
    talk_share: dict[str, float] = field(default_factory=dict)
    longest_monologue_s: float = 0.0
    questions: int = 0
    decisions: int = 0
    action_items: int = 0
    action_items_per_hour: float = 0.0
    follow_through: float | None = None
    efficiency_score: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _ordered(segments: Iterable[SpokenSegment]) -> list[SpokenSegment]:
    return sorted(segments, key=lambda s: (s.start_ms, s.end_ms))


def _speaker(seg: SpokenSegment) -> str:
    return seg.speaker or UNKNOWN_SPEAKER


def duration_s(segments: Sequence[SpokenSegment]) -> float:
    """Seconds from the first word to the last: max(end_ms) - min(start_ms); 0 with no segments."""
    if not segments:
        return 0.0
    return (max(s.end_ms for s in segments) - min(s.start_ms for s in segments)) / 1000.0


def word_count(text: str) -> int:
    """Whitespace-separated tokens holding a letter or digit (a Korean eojeol counts as one)."""
    return sum(1 for tok in text.split() if _WORD.search(tok))


def words(segments: Sequence[SpokenSegment]) -> int:
    return sum(word_count(s.text) for s in segments)


def wpm(segments: Sequence[SpokenSegment]) -> float:
    """Words per minute of the meeting's duration; 0 when the duration is 0."""
    d = duration_s(segments)
    return round(words(segments) / (d / 60.0), 3) if d > 0 else 0.0


def speakers(segments: Sequence[SpokenSegment]) -> int:
    """Distinct speakers; segments without a speaker count as one ``unknown`` speaker."""
    return len({_speaker(s) for s in segments})


def talk_share(segments: Sequence[SpokenSegment]) -> dict[str, float]:
    """Each speaker's share of the spoken time (sum of their segments' lengths), summing to 1."""
    spoken: dict[str, int] = {}
    for s in segments:
        spoken[_speaker(s)] = spoken.get(_speaker(s), 0) + max(0, s.end_ms - s.start_ms)
    total = sum(spoken.values())
    if total == 0:
        n = len(spoken)
        return {k: round(1.0 / n, 6) for k in sorted(spoken)}
    return {k: round(v / total, 6) for k, v in sorted(spoken.items())}


def speaker_balance(segments: Sequence[SpokenSegment]) -> float:
    """Normalised entropy of the talk shares: 1 = everyone spoke equally, 0 = one voice.

    ``-sum(p * ln p) / ln(n)`` over the ``n`` speakers; 0 for a meeting with fewer than two.
    """
    shares = [p for p in talk_share(segments).values() if p > 0]
    if len(shares) < 2:
        return 0.0
    entropy = -sum(p * math.log(p) for p in shares)
    return round(entropy / math.log(len(shares)), 6)


def longest_monologue_s(segments: Sequence[SpokenSegment]) -> float:
    """Longest stretch in which one speaker's consecutive segments follow each other unbroken."""
    best = 0
    run_speaker: str | None = None
    run_start = run_end = 0
    for s in _ordered(segments):
        if _speaker(s) != run_speaker:
            run_speaker, run_start = _speaker(s), s.start_ms
        run_end = s.end_ms
        best = max(best, run_end - run_start)
    return best / 1000.0


def questions(segments: Sequence[SpokenSegment]) -> int:
    """Question marks in the transcript (a run of ``??`` is one question)."""
    return sum(len(_QUESTION.findall(s.text)) for s in segments)


def action_items_per_hour(action_items: int, duration: float) -> float:
    return round(action_items / (duration / 3600.0), 3) if duration > 0 else 0.0


def follow_through(
    tickets: Sequence[TicketOutcome], days: int = FOLLOW_THROUGH_DAYS
) -> float | None:
    """Share of the meeting's tickets done within ``days`` of creation; None if it has none."""
    if not tickets:
        return None
    limit = timedelta(days=days)
    done = sum(1 for t in tickets if t.done_at is not None and t.done_at - t.created_at <= limit)
    return round(done / len(tickets), 6)


def efficiency_score(
    *,
    duration: float,
    decisions: int,
    action_items: int,
    balance: float,
    pace_wpm: float,
    follow: float | None,
) -> float:
    """0-100: ``100 * (0.4*outcome + 0.2*balance + 0.2*pace + 0.2*follow)``.

    - outcome = min(1, (decisions + action_items) per hour / 6): one every 10 minutes is full;
    - balance = speaker balance (normalised entropy);
    - pace = max(0, 1 - |wpm - 140| / 140): conversational speed is best;
    - follow = follow-through, 0.5 (neutral) until the meeting has tickets.
    """
    if duration <= 0:
        return 0.0
    outcome = min(1.0, (decisions + action_items) / (duration / 3600.0) / 6.0)
    pace = max(0.0, 1.0 - abs(pace_wpm - 140.0) / 140.0)
    follow_part = 0.5 if follow is None else follow
    return round(100.0 * (0.4 * outcome + 0.2 * balance + 0.2 * pace + 0.2 * follow_part), 2)


def compute_metrics(
    segments: Iterable[SpokenSegment],
    *,
    decisions: int = 0,
    action_items: int = 0,
    tickets: Sequence[TicketOutcome] = (),
) -> MeetingMetrics:
    """Every metric of one meeting."""
    segs = _ordered(segments)
    d = duration_s(segs)
    pace = wpm(segs)
    balance = speaker_balance(segs)
    follow = follow_through(tickets)
    return MeetingMetrics(
        duration_s=d,
        words=words(segs),
        wpm=pace,
        speakers=speakers(segs),
        speaker_balance=balance,
        talk_share=talk_share(segs),
        longest_monologue_s=longest_monologue_s(segs),
        questions=questions(segs),
        decisions=decisions,
        action_items=action_items,
        action_items_per_hour=action_items_per_hour(action_items, d),
        follow_through=follow,
        efficiency_score=efficiency_score(
            duration=d,
            decisions=decisions,
            action_items=action_items,
            balance=balance,
            pace_wpm=pace,
            follow=follow,
        ),
    )
