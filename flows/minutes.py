"""The minutes branch of the flow: rolling minutes while a meeting is live, final ones at close.

State is kept per meeting, and a meeting is (team, meeting_id): two teams' meetings of the same id
are two states and two sets of minutes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Protocol, runtime_checkable

import bytewax.operators as op
from bytewax.dataflow import Stream
from bytewax.operators import StatefulBatchLogic

from connectors.minutes_store import MinutesOut
from connectors.tokens import UNASSIGNED_TEAM
from domain.extraction import extract_minutes
from domain.minutes import Minutes, Utterance
from domain.speakers import Relabel
from domain.timeline import MeetingClosed, MeetingSeen
from domain.transcript import Segment

MinutesWriter = Callable[[list[Utterance], date, str | None], Minutes]
# (team, meeting id, utterances) -> the utterances with diarization labels named (flows.team_context).
SpeakerNamer = Callable[[str | None, str, list[Utterance]], list[Utterance]]


@runtime_checkable
class UsageReportingWriter(Protocol):
    """A writer that also says what it spent (the LLM writer's token usage); stored with the minutes."""

    def write_with_usage(
        self, utterances: list[Utterance], meeting_date: date, language: str | None
    ) -> tuple[Minutes, dict[str, int] | None]: ...


def offline_writer(utterances: list[Utterance], meeting_date: date, language: str | None) -> Minutes:
    return extract_minutes(utterances, meeting_date, language)


@dataclass
class MinutesState:
    utterances: list[Utterance] = field(default_factory=list)
    meeting_date: date | None = None
    language: str | None = None
    since_written: int = 0
    last_written: float = 0.0
    meeting_id: str = ""
    team: str = UNASSIGNED_TEAM
    # When the final minutes were written. The utterances are kept a while after that: a track
    # that comes late reopens the meeting, and its final minutes must cover everything said.
    closed_at: float | None = None


MinutesIn = Segment | MeetingSeen | MeetingClosed | Relabel


class MinutesLogic(StatefulBatchLogic[MinutesIn, MinutesOut, MinutesState]):
    """Keeps a meeting's utterances (text only) and writes minutes every N segments or M seconds."""

    def __init__(
        self,
        every_segments: int,
        every_s: float,
        writer: MinutesWriter,
        clock: Callable[[], float],
        resume: MinutesState | None,
        keep_closed_s: float = 3600.0,
        namer: SpeakerNamer | None = None,
    ):
        self._every_segments = every_segments
        self._namer = namer
        self._every_s = every_s
        self._writer = writer
        self._clock = clock
        self._keep_closed_s = keep_closed_s
        self.state = resume or MinutesState()

    def _minutes(self, meeting_id: str, kind: str) -> MinutesOut:
        s = self.state
        when = s.meeting_date or datetime.now(UTC).date()
        usage: dict[str, int] | None = None
        # Per-speaker tracks arrive one after another but share one timeline: read them in the
        # order they were spoken.
        said = sorted(s.utterances, key=lambda u: u.start_ms)
        if self._namer is not None:
            # S1, S2… of a single-track meeting become people before the writer picks owners.
            said = self._namer(s.team, meeting_id, said)
        if isinstance(self._writer, UsageReportingWriter):
            minutes, usage = self._writer.write_with_usage(said, when, s.language)
        else:
            minutes = self._writer(said, when, s.language)
        s.since_written = 0
        s.last_written = self._clock()
        return MinutesOut(s.team, meeting_id, kind, minutes, len(s.utterances), usage)

    def on_batch(self, values: list[MinutesIn]) -> tuple[Iterable[MinutesOut], bool]:
        out: list[MinutesOut] = []
        s = self.state
        meeting_id = s.meeting_id = values[0].meeting_id
        s.team = values[0].team or UNASSIGNED_TEAM
        for v in values:
            if isinstance(v, Segment):
                s.utterances.append(Utterance(v.speaker, v.text, v.start_ms, v.end_ms))
                s.since_written += 1
                s.language = s.language or v.language
                if s.meeting_date is None:
                    s.meeting_date = datetime.fromtimestamp(v.posted_ms / 1000, UTC).date()
            elif isinstance(v, Relabel):
                # The speakers clustered again at close: the final minutes follow the new labels.
                s.utterances = [replace(u, speaker=v.new) if u.start_ms == v.start_ms and u.speaker == v.old
                                else u for u in s.utterances]
            elif isinstance(v, MeetingSeen):
                s.meeting_date = datetime.fromtimestamp(v.started_ms / 1000, UTC).date()
                s.closed_at = None  # seen again after its close: a late track reopened it
            else:
                out.append(self._minutes(meeting_id, "final"))
                s.closed_at = self._clock()
        if s.closed_at is not None:
            return out, StatefulBatchLogic.RETAIN
        if s.since_written >= self._every_segments or (
            s.since_written and self._clock() - s.last_written >= self._every_s
        ):
            out.append(self._minutes(meeting_id, "rolling"))
        return out, StatefulBatchLogic.RETAIN

    def on_notify(self) -> tuple[Iterable[MinutesOut], bool]:
        s = self.state
        if s.closed_at is not None:
            # Kept long enough after the final minutes: the meeting's state is freed.
            done = self._clock() >= s.closed_at + self._keep_closed_s
            return [], StatefulBatchLogic.DISCARD if done else StatefulBatchLogic.RETAIN
        if s.since_written:
            return [self._minutes(s.meeting_id, "rolling")], StatefulBatchLogic.RETAIN
        return [], StatefulBatchLogic.RETAIN

    def notify_at(self) -> datetime | None:
        s = self.state
        if s.closed_at is not None:
            return datetime.fromtimestamp(s.closed_at + self._keep_closed_s, UTC)
        if not s.since_written:
            return None
        return datetime.fromtimestamp(s.last_written + self._every_s, UTC)

    def snapshot(self) -> MinutesState:
        s = self.state
        return MinutesState(
            list(s.utterances), s.meeting_date, s.language, s.since_written, s.last_written, s.meeting_id,
            s.team, s.closed_at,
        )


def _minutes_input(x: object) -> MinutesIn | None:
    return x if isinstance(x, (Segment, MeetingSeen, MeetingClosed, Relabel)) else None


def meeting_key(team: str | None, meeting_id: str) -> str:
    """The flow's state key of a meeting: team names never hold a ``/``, so it is unambiguous."""
    return f"{team or UNASSIGNED_TEAM}/{meeting_id}"


def minutes_stream(
    outs: Stream[object],
    every_segments: int,
    every_s: float,
    writer: MinutesWriter = offline_writer,
    clock: Callable[[], float] = time.time,
    keep_closed_s: float = 3600.0,
    namer: SpeakerNamer | None = None,
) -> Stream[MinutesOut]:
    relevant: Stream[MinutesIn] = op.filter_map("minutes_inputs", outs, _minutes_input)
    keyed = op.key_on("minutes_by_meeting", relevant, lambda x: meeting_key(x.team, x.meeting_id))
    written = op.stateful_batch(
        "minutes",
        keyed,
        lambda resume: MinutesLogic(every_segments, every_s, writer, clock, resume, keep_closed_s, namer),
    )
    return op.map("minutes_unkey", written, lambda kv: kv[1])
