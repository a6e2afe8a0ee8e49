"""The minutes dataflow: ``transcription.completed`` to rolling and final minutes and tickets.

Run it with ``python -m bytewax.run "flows.minutes:main()"`` (add ``-w``, ``-r/-s/-b``; ``vori up``
starts it with its own recovery store, which holds its Kafka offsets and per-meeting state).

State is kept per meeting, and a meeting is (team, meeting_id): two teams' meetings of the same id
are two states and two sets of minutes. Records are applied as docs/contract.md section 2 says
(domain.rolling_minutes): revisions replace a source's span, idempotently, and refined text is
never replaced by live text. Rolling minutes read only what changed (plus a short context tail)
and fold it into the previous minutes; final minutes, at ``meeting_closed`` and again at
``meeting_refined``, are one full pass. Minutes and tickets go through
:class:`connectors.minutes_store.PostgresMinutesSink`, the one ticket writer. Records that are not
of the contract go to the dead-letter topic with the reason.

With an LLM endpoint, writing runs on a pool of ``VORI_LLM_CONCURRENCY`` threads: a meeting waits
for its own request (at most one in flight per meeting), never for another meeting's.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Literal, Protocol, runtime_checkable

import bytewax.operators as op
from bytewax.connectors.kafka import KafkaError, KafkaSink, KafkaSinkMessage, KafkaSource
from bytewax.connectors.kafka import KafkaSourceMessage as Msg
from bytewax.dataflow import Dataflow, Stream
from bytewax.operators import StatefulBatchLogic

from connectors import kafka as kafka_conf
from connectors.dlq import DeadLetter
from connectors.minutes_store import MinutesOut, PostgresMinutesSink
from connectors.settings import Settings, settings_or_exit
from connectors.tokens import UNASSIGNED_TEAM
from domain.extraction import extract_minutes
from domain.minutes import Minutes, Utterance
from domain.records import (
    MeetingClosedRecord,
    MeetingSeenRecord,
    RecordError,
    RelabelRecord,
    RevisionRecord,
    SegmentRecord,
    TranscriptRecord,
    parse_record,
)
from domain.rolling_minutes import CONTEXT_UTTERANCES, MeetingTranscript, context_edge, merge_minutes
from domain.speakers import Relabel
from domain.timeline import MeetingClosed, MeetingSeen
from domain.transcript import Segment

log = logging.getLogger("vori.minutes")

MinutesWriter = Callable[[list[Utterance], date, str | None], Minutes]
# (team, meeting id, utterances) -> the utterances with diarization labels named (flows.team_context).
SpeakerNamer = Callable[[str | None, str, list[Utterance]], list[Utterance]]
Usage = dict[str, int]
# While a request is in flight, how often its meeting looks whether the answer came.
POLL_S = 0.2


@runtime_checkable
class UsageReportingWriter(Protocol):
    """A writer that also says what it spent (the LLM writer's token usage); stored with the minutes."""

    def write_with_usage(
        self, utterances: list[Utterance], meeting_date: date, language: str | None
    ) -> tuple[Minutes, dict[str, int] | None]: ...


@runtime_checkable
class RollingWriter(Protocol):
    """A writer that updates minutes itself from the previous ones and what changed (the LLM
    writer: it is sent the previous minutes and the new lines, never the whole transcript)."""

    def write_rolling(
        self, previous: Minutes | None, context: Sequence[Utterance], changed: Sequence[Utterance],
        meeting_date: date, language: str | None,
    ) -> tuple[Minutes, dict[str, int] | None]: ...


def offline_writer(utterances: list[Utterance], meeting_date: date, language: str | None) -> Minutes:
    return extract_minutes(utterances, meeting_date, language)


@dataclass(frozen=True)
class Job:
    """One minutes write, with everything it reads (the writer may run on another thread while
    the meeting takes more records); kept in the state, so a restart submits it again."""

    kind: Literal["rolling", "final"]
    version: int  # MeetingTranscript.changes when it was taken: the row's segments_seen
    meeting_date: date
    language: str | None
    previous: Minutes | None = None
    from_ms: int = 0
    context: tuple[Utterance, ...] = ()
    changed: tuple[Utterance, ...] = ()  # a final job: the whole transcript


@dataclass
class MinutesState:
    meeting_id: str = ""
    team: str = UNASSIGNED_TEAM
    transcript: MeetingTranscript = field(default_factory=MeetingTranscript)
    meeting_date: date | None = None
    language: str | None = None
    minutes: Minutes | None = None  # the last minutes written: what rolling updates build on
    since_written: int = 0
    last_written: float = 0.0
    # When the final minutes were asked for. The transcript is kept a while after that: a track
    # that comes late reopens the meeting, and refined text may still come.
    closed_at: float | None = None
    final_due: bool = False
    job: Job | None = None  # taken but not written yet


MinutesIn = TranscriptRecord | Segment | MeetingSeen | MeetingClosed | Relabel


def _as_record(v: MinutesIn) -> TranscriptRecord:
    # The domain events of the live flow are accepted as they are (tests and tools feed them).
    if isinstance(v, Segment):
        return SegmentRecord(v)
    if isinstance(v, MeetingSeen):
        return MeetingSeenRecord.of(v)
    if isinstance(v, MeetingClosed):
        return MeetingClosedRecord.of(v)
    if isinstance(v, Relabel):
        return RelabelRecord.of(v)
    return v


class MinutesLogic(StatefulBatchLogic[MinutesIn, MinutesOut, MinutesState]):
    """A meeting's transcript, and its minutes every N changed segments or M seconds, at close and
    after refinement. With ``calls`` (an executor), the writer runs there and this meeting's
    minutes come when it answers; without, they are written inline."""

    def __init__(
        self,
        every_segments: int,
        every_s: float,
        writer: MinutesWriter,
        clock: Callable[[], float],
        resume: MinutesState | None,
        keep_closed_s: float = 3600.0,
        namer: SpeakerNamer | None = None,
        calls: Executor | None = None,
    ):
        self._every_segments = every_segments
        self._namer = namer
        self._every_s = every_s
        self._writer = writer
        self._clock = clock
        self._keep_closed_s = keep_closed_s
        self._calls = calls
        self._future: Future[tuple[Minutes, Usage | None]] | None = None
        self.state = resume or MinutesState()

    # -- applying records ----------------------------------------------------------------------

    def _apply(self, rec: TranscriptRecord) -> None:
        s = self.state
        t = s.transcript
        if isinstance(rec, SegmentRecord):
            seg = rec.segment
            # A refined segment outside a revision record replaces what its source has at its start.
            if t.add_live(seg) if rec.revision == "live" else t.apply_revision(
                RevisionRecord(rec.team, seg.meeting_id, seg.source, seg.start_ms, seg.start_ms + 1, (seg,))
            ):
                s.since_written += 1
            s.language = s.language or seg.language
            if s.meeting_date is None and seg.posted_ms:
                s.meeting_date = datetime.fromtimestamp(seg.posted_ms / 1000, UTC).date()
        elif isinstance(rec, RevisionRecord):
            if t.apply_revision(rec):
                s.since_written += max(1, len(rec.segments))
                for seg in rec.segments:
                    s.language = s.language or seg.language
        elif isinstance(rec, RelabelRecord):
            # Before the meeting's close: the final minutes follow the new labels.
            if t.relabel(rec.event()):
                s.since_written += 1
        elif isinstance(rec, MeetingSeenRecord):
            s.meeting_date = datetime.fromtimestamp(rec.started_ms / 1000, UTC).date()
            s.closed_at = None  # seen again after its close: a late track reopened it
        elif isinstance(rec, MeetingClosedRecord):
            s.closed_at = self._clock()
            s.final_due = True
        else:  # meeting_refined: the refined text is complete; the final minutes are read again
            s.closed_at = s.closed_at if s.closed_at is not None else self._clock()
            s.final_due = True

    # -- writing ---------------------------------------------------------------------------------

    def _rolling_due(self) -> bool:
        s = self.state
        if s.closed_at is not None or not s.since_written:
            return False
        return s.since_written >= self._every_segments or self._clock() - s.last_written >= self._every_s

    def _take(self) -> Job | None:
        s = self.state
        t = s.transcript
        when = s.meeting_date or datetime.now(UTC).date()
        if s.final_due:
            s.final_due = False
            t.take_dirty()  # the final pass reads everything
            s.since_written = 0
            return Job("final", t.changes, when, s.language, s.minutes, changed=tuple(t.utterances()))
        if not self._rolling_due():
            return None
        from_ms = t.take_dirty()
        s.since_written = 0
        if from_ms is None:
            return None
        context, changed = t.stretch(from_ms, CONTEXT_UTTERANCES)
        return Job("rolling", t.changes, when, s.language, s.minutes, from_ms, tuple(context), tuple(changed))

    def _named(self, said: list[Utterance]) -> list[Utterance]:
        # S1, S2… of a single-track meeting become people before the writer picks owners.
        return self._namer(self.state.team, self.state.meeting_id, said) if self._namer else said

    def _write(self, job: Job) -> tuple[Minutes, Usage | None]:
        """Runs inline or on the executor: reads the job only."""
        w = self._writer
        when, lang = job.meeting_date, job.language
        if job.kind == "final":
            said = self._named(list(job.changed))
            if isinstance(w, UsageReportingWriter):
                return w.write_with_usage(said, when, lang)
            return w(said, when, lang), None
        named = self._named([*job.context, *job.changed])
        context, changed = named[: len(job.context)], named[len(job.context):]
        if isinstance(w, RollingWriter):
            return w.write_rolling(job.previous, context, changed, when, lang)
        if isinstance(w, UsageReportingWriter):
            partial, usage = w.write_with_usage([*context, *changed], when, lang)
        else:
            partial, usage = w([*context, *changed], when, lang), None
        return merge_minutes(job.previous, partial, job.from_ms, context_edge(job.context)), usage

    def _done(self, job: Job, minutes: Minutes, usage: Usage | None) -> MinutesOut:
        s = self.state
        s.job = None
        s.minutes = minutes
        s.last_written = self._clock()
        return MinutesOut(s.team, s.meeting_id, job.kind, minutes, job.version, usage)

    def _run(self, *, wait: bool = False) -> list[MinutesOut]:
        """Collect the answer in flight, then take and start (or run) the next jobs."""
        out: list[MinutesOut] = []
        s = self.state
        while True:
            if s.job is not None:
                if self._calls is None:
                    out.append(self._done(s.job, *self._write(s.job)))
                else:
                    if self._future is None:  # taken before a restart: ask again
                        self._future = self._calls.submit(self._write, s.job)
                    if not (wait or self._future.done()):
                        return out
                    fut, self._future = self._future, None
                    try:
                        minutes, usage = fut.result()
                    except Exception:
                        # The LLM writer falls back by itself; this is a bug or the database.
                        log.exception("meeting %s: minutes could not be written", s.meeting_id)
                        s.job = None
                        continue
                    out.append(self._done(s.job, minutes, usage))
            s.job = self._take()
            if s.job is None:
                return out

    def on_batch(self, values: list[MinutesIn]) -> tuple[Iterable[MinutesOut], bool]:
        s = self.state
        recs = [_as_record(v) for v in values]
        s.meeting_id = recs[0].meeting_id
        s.team = recs[0].team or UNASSIGNED_TEAM
        for rec in recs:
            self._apply(rec)
        return self._run(), StatefulBatchLogic.RETAIN

    def on_notify(self) -> tuple[Iterable[MinutesOut], bool]:
        s = self.state
        out = self._run()
        if s.job is None and not s.final_due and s.closed_at is not None:
            # Kept long enough after the final minutes: the meeting's state is freed.
            if self._clock() >= s.closed_at + self._keep_closed_s:
                return out, StatefulBatchLogic.DISCARD
            return out, StatefulBatchLogic.RETAIN
        return out, StatefulBatchLogic.RETAIN

    def on_eof(self) -> tuple[Iterable[MinutesOut], bool]:
        # The input ended (a batch run): what was asked for is written before the flow stops.
        return self._run(wait=True), StatefulBatchLogic.RETAIN

    def notify_at(self) -> datetime | None:
        s = self.state
        if s.job is not None:
            return datetime.now(UTC) + timedelta(seconds=POLL_S)
        if s.closed_at is not None:
            return datetime.fromtimestamp(s.closed_at + self._keep_closed_s, UTC)
        if not s.since_written:
            return None
        return datetime.fromtimestamp(s.last_written + self._every_s, UTC)

    def snapshot(self) -> MinutesState:
        import copy

        return copy.deepcopy(self.state)


def meeting_key(team: str | None, meeting_id: str) -> str:
    """The flow's state key of a meeting: team names never hold a ``/``, so it is unambiguous."""
    return f"{team or UNASSIGNED_TEAM}/{meeting_id}"


def minutes_stream(
    records: Stream[MinutesIn],
    every_segments: int,
    every_s: float,
    writer: MinutesWriter = offline_writer,
    clock: Callable[[], float] = time.time,
    keep_closed_s: float = 3600.0,
    namer: SpeakerNamer | None = None,
    calls: Executor | None = None,
) -> Stream[MinutesOut]:
    keyed = op.key_on("minutes_by_meeting", records, lambda x: meeting_key(x.team, x.meeting_id))
    written = op.stateful_batch(
        "minutes",
        keyed,
        lambda resume: MinutesLogic(every_segments, every_s, writer, clock, resume, keep_closed_s, namer,
                                    calls),
    )
    return op.map("minutes_unkey", written, lambda kv: kv[1])


# -- the dataflow --------------------------------------------------------------------------------

Consumed = Msg[bytes | None, bytes | None] | KafkaError[bytes | None, bytes | None]


def parse(msg: Msg[bytes | None, bytes | None]) -> TranscriptRecord | DeadLetter:
    """A consumed record as a contract record, or a dead letter saying what is wrong with it."""
    try:
        return parse_record(msg.value, msg.key)
    except RecordError as exc:
        return DeadLetter(msg.key, msg.value, f"transcription.completed: {exc}", "parse", msg.topic,
                          msg.partition, msg.offset, tuple(msg.headers or ()))


def _record(x: TranscriptRecord | DeadLetter) -> MinutesIn | None:
    return None if isinstance(x, DeadLetter) else x


def _dead(x: TranscriptRecord | DeadLetter) -> DeadLetter | None:
    return x if isinstance(x, DeadLetter) else None


def _consumer_error(m: Consumed) -> KafkaError[bytes | None, bytes | None] | None:
    return m if isinstance(m, KafkaError) else None


def _consumed(m: Consumed) -> Msg[bytes | None, bytes | None] | None:
    return None if isinstance(m, KafkaError) else m


def build_flow(
    settings: Settings, *, writer: MinutesWriter | None = None, calls: Executor | None = None,
    namer: SpeakerNamer | None = None,
) -> Dataflow:
    """``transcription.completed`` -> minutes and tickets (PostgreSQL), bad records -> the DLQ.

    ``writer`` defaults to the LLM writer when ``settings.llm_base_url`` is set (run on a pool of
    ``settings.llm_concurrency`` threads), else to the offline rules (inline).
    """
    from connectors.llm import LLMCalls, OpenAIMinutesWriter
    from flows import team_context

    flow = Dataflow("vori_minutes")
    brokers = [settings.kafka_bootstrap]
    source = KafkaSource(brokers, [settings.transcript_topic], tail=settings.input_tail,
                         raise_on_errors=False, batch_size=256)
    consumed = op.input("transcripts_in", flow, source)
    errors = op.filter_map("consumer_errors", consumed, _consumer_error)
    op.inspect("log_consumer_errors", errors, lambda _s, e: log.warning("kafka: %s", e.err))
    msgs = op.filter_map("consumer_records", consumed, _consumed)
    parsed = op.map("parse", msgs, parse)
    records: Stream[MinutesIn] = op.filter_map("records", parsed, _record)
    rejected = op.filter_map("rejected", parsed, _dead)

    if writer is None and settings.llm_base_url:
        writer = OpenAIMinutesWriter(settings)
        calls = calls or LLMCalls(settings.llm_concurrency)
    if namer is None:
        team_context.configure(settings.database_url)
        namer = team_context.speaker_namer()
    minutes = minutes_stream(records, settings.minutes_every_segments, settings.minutes_every_s,
                             writer or offline_writer, keep_closed_s=settings.closed_meeting_ttl_s,
                             namer=namer, calls=calls)
    op.output("minutes_out", minutes, PostgresMinutesSink(settings.database_url))
    dlq = op.map("dlq_records", rejected,
                 lambda d: KafkaSinkMessage(d.key, d.value, headers=d.kafka_headers()))
    op.output("dlq_out", dlq, KafkaSink(brokers, settings.dlq_topic, add_config=kafka_conf.DURABLE_PRODUCER))
    return flow


def main() -> Dataflow:
    """Entry point for ``python -m bytewax.run "flows.minutes:main()"``."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return build_flow(settings_or_exit("flows.minutes"))
