"""Transcript segments on a meeting's timeline, and the ``transcription.completed`` record."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

_SPACE = re.compile(r"\s+")
_PROMPT_CHARS = 200
# Speech the recogniser skipped at the end of a long window: this much of it, this far past the
# last span, and a re-read that moves at least this far into the window.
_SKIPPED_SPEECH_S = 0.8
_SKIP_MARGIN_S = 0.5
_MIN_REREAD_PROGRESS_S = 2.0

# Where one sentence of a transcript segment ends and the next begins (Whisper's punctuation).
SENTENCE_END = re.compile(r"(?<=[.?!。？！])\s+")


@dataclass(frozen=True)
class RecognizedSpan:
    """What the recogniser said about part of a window, times relative to the window."""

    start_s: float
    end_s: float
    text: str
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float


@dataclass(frozen=True)
class Segment:
    meeting_id: str
    source: str
    speaker: str | None
    start_ms: int
    end_ms: int
    text: str
    language: str | None
    model: str
    posted_ms: int
    avg_logprob: float | None = None
    no_speech_prob: float | None = None
    team: str | None = None  # the team that owns the meeting, so consumers need no lookup

    def to_record(self, transcribed_at: datetime | None = None) -> bytes:
        """The ``transcription.completed`` value (docs/contract.md section 2)."""
        at = transcribed_at or datetime.now(UTC)
        body: dict[str, Any] = {
            k: v for k, v in asdict(self).items() if k not in {"avg_logprob", "no_speech_prob"}
        }
        body["transcribed_at"] = at.isoformat()
        return json.dumps(body, ensure_ascii=False).encode("utf-8")


@dataclass(frozen=True)
class TranscribedWindow:
    """A window's transcript as one unit: its segments replace whatever its source has that
    starts within ``[start_ms, end_ms)``, so reading the same audio again, cut into other
    windows (a replay without a recovery store), leaves one copy of the text.

    Consecutive windows of a source claim spans that do not overlap: a window whose tail is
    read again with the next one claims only up to where that tail begins.
    """

    meeting_id: str
    source: str
    start_ms: int
    end_ms: int
    segments: tuple[Segment, ...]
    team: str | None = None  # a meeting is (team, meeting_id)


def normalize_text(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def place_spans(
    spans: Sequence[RecognizedSpan],
    *,
    meeting_id: str,
    source: str,
    speaker: str | None,
    window_start_ms: int,
    window_end_ms: int,
    language: str | None,
    model: str,
    posted_ms: int,
    team: str | None = None,
    max_no_speech_prob: float = 0.6,
    min_avg_logprob: float = -1.0,
    max_compression_ratio: float = 2.4,
) -> list[Segment]:
    """Turn recognised spans into segments with absolute, unique, in-window start times.

    Spans the recogniser itself doubts (likely silence read as words, or a repetition loop)
    are dropped rather than written as transcript.
    """
    out: list[Segment] = []
    last_start = window_start_ms - 1
    for span in spans:
        text = normalize_text(span.text)
        if not text:
            continue
        if span.no_speech_prob > max_no_speech_prob and span.avg_logprob < min_avg_logprob:
            continue
        if span.compression_ratio > max_compression_ratio:
            continue
        start = window_start_ms + round(span.start_s * 1000)
        # Strictly inside the window: a segment belongs to the window it starts in (the span a
        # TranscribedWindow replaces), never to the next one, which may begin at window_end_ms.
        start = min(max(start, last_start + 1), max(window_start_ms, window_end_ms - 1))
        end = min(max(window_start_ms + round(span.end_s * 1000), start), window_end_ms)
        out.append(
            Segment(
                meeting_id=meeting_id,
                source=source,
                speaker=speaker,
                start_ms=start,
                end_ms=end,
                text=text,
                language=language,
                model=model,
                posted_ms=posted_ms,
                avg_logprob=span.avg_logprob,
                no_speech_prob=span.no_speech_prob,
                team=team,
            )
        )
        last_start = start
    return out


def settled_spans(
    spans: Sequence[RecognizedSpan],
    window_s: float,
    *,
    cut_short: bool,
    speech_after: Callable[[float], float],
) -> tuple[list[RecognizedSpan], float | None]:
    """Split a long window's spans into those to keep and where to read again from.

    As Whisper's own 30 s seek does, two things are read again at the start of the next window:

    - the last span of a window cut by its length (``cut_short``): it may be a sentence cut off;
    - speech after the last span that the recogniser skipped (it sometimes stops early in a long
      window): ``speech_after(t)`` says how many seconds of speech the window holds after ``t``.

    Returns ``(kept, reread_from_s)``; ``None`` when everything is settled. A re-read always moves
    forward by a good stretch, so reading a source ends.
    """
    if not spans:
        return [], None
    last = spans[-1]
    if cut_short and len(spans) >= 2 and last.start_s > 0.25 * window_s:
        return list(spans[:-1]), last.start_s
    skipped = speech_after(last.end_s + _SKIP_MARGIN_S)
    if last.end_s >= _MIN_REREAD_PROGRESS_S and skipped >= _SKIPPED_SPEECH_S:
        return list(spans), last.end_s
    return list(spans), None


def prompt_tail(previous: str, new_text: str) -> str:
    """A short tail of earlier text to prime the next window (never the running output loop)."""
    joined = normalize_text(f"{previous} {new_text}")
    if len(joined) <= _PROMPT_CHARS:
        return joined
    tail = joined[-_PROMPT_CHARS:]
    cut = tail.find(" ")
    return tail[cut + 1 :] if cut >= 0 else tail
