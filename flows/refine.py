"""The refine dataflow: ``audio.raw`` read again in long windows, replacing the live transcript.

Run it with ``python -m bytewax.run "flows.refine:main()"`` (``vori up`` starts it at the lowest
CPU priority, so live windows always get the CPU first; ``VORI_REFINE=false`` leaves it out).

Live windows are short for latency, and Whisper reads short windows worse than a whole file. This
flow consumes ``audio.raw`` on its own (its own recovery store), places each source's audio on the
same timeline as the live flow, but cuts only long windows (90–120 s, as an upload is read, the
unsettled tail read again with the next one), so a live source is refined once it is a long window
ahead of what was refined, and at its end. Each refined window:

- replaces the live rows of its span in PostgreSQL (``connectors/transcript_store.py``: refined
  text is never replaced back by live text, and applying it twice changes nothing);
- keeps the speaker labels the live rows had, for sources that name no speaker (diarized): by the
  words they share, sentence by sentence, a segment that holds two voices split between them
  (``domain.revision.carry_labels``);
- must hold what the live flow heard: a reading with less than 75 % of the live words of its span
  (60 % when it reads with another model than the live flow; Whisper, given a team's hotwords,
  can skip whole sentences of a long window) is read again
  without them, and if that is no better the live rows stay (``domain.revision.live_coverage``);
- is published to ``transcription.completed`` as a ``revision`` record; after a closed meeting's
  last window comes ``meeting_refined`` (docs/contract.md section 2).

The audio held is a long window's view per source (like the live flow's upload buffer), freed as
soon as it is refined: the audio itself stays in Kafka. Bad chunks are dead-lettered as the live
flow does, to the same topic, with ``vori.dlq.flow: refine``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import bytewax.operators as op
import numpy as np
from bytewax.connectors.kafka import KafkaSink, KafkaSinkMessage, KafkaSource
from bytewax.dataflow import Dataflow, Stream
from bytewax.operators import StatefulBatchLogic

from connectors import kafka as kafka_conf
from connectors.audio import pcm_to_float32
from connectors.dlq import DeadLetter
from connectors.postgres import Connection, connect, with_retries
from connectors.settings import Settings, settings_or_exit
from connectors.transcript_store import PostgresTranscriptSink, live_lines
from connectors.whisper import WhisperTranscriber
from domain.envelope import EnvelopeLimits
from domain.records import MeetingRefinedRecord, RevisionRecord
from domain.revision import MIN_COVERAGE, MIN_COVERAGE_OTHER_MODEL, LiveLine, carry_labels, live_coverage
from domain.timeline import (
    Intake,
    MeetingClosed,
    MeetingTimeline,
    Output,
    StreamFailed,
    TimelineConfig,
    Window,
)
from domain.transcript import Segment, place_spans
from domain.windowing import WindowPolicy
from flows import team_context
from flows.transcription import (
    Accepted,
    Consumed,
    Decoder,
    HeldAudio,
    IntakeClock,
    RawRecord,
    TranscriptionFailures,
    _accepted,
    _consumed_record,
    _consumer_error,
    _dead_letter,
    _decode,
    _LazyTranscriber,
    _stream_dead_letter,
    _StreamDecode,
    _window_dead_letter,
    accept,
    add_chunks,
    settle_window,
    timeline_config,
)

log = logging.getLogger("vori.refine")

# A live-edge cut that never comes: the refiner's timeline cuts only long windows (when a source
# is a long window ahead, or has ended), and whatever is left when a meeting closes idle.
_NO_LIVE_CUTS = WindowPolicy(min_samples=2**40, max_samples=2**40 + 1)
_FLOW_HEADER = ("vori.dlq.flow", b"refine")


RefineOut = RevisionRecord | MeetingRefinedRecord | DeadLetter
LabelReader = Callable[[str | None, str, str, int, int], list[LiveLine]]


def _no_labels(team: str | None, meeting_id: str, source: str, start_ms: int, end_ms: int) -> list[LiveLine]:
    return []


@dataclass
class RefineState:
    timeline: MeetingTimeline
    partition: int = 0  # of audio.raw: a meeting's chunks all come from one


class RefineLogic(StatefulBatchLogic[Accepted, RefineOut, RefineState]):
    """Per meeting: place chunks on the timeline, cut long windows, read them, replace the span."""

    def __init__(
        self,
        config: TimelineConfig,
        transcriber: Callable[[], WhisperTranscriber],
        clock: Callable[[], float],
        resume: RefineState | None,
        intake: IntakeClock,
        held: HeldAudio,
        failures: TranscriptionFailures,
        labels: LabelReader,
        min_coverage: float = MIN_COVERAGE,
    ):
        self._config = config
        self._min_coverage = min_coverage
        self._transcriber = transcriber
        self._clock = clock
        self._intake = intake
        self._held = held
        self._failures = failures
        self._labels = labels
        self.state = resume or RefineState(MeetingTimeline(""))

    def on_batch(self, values: list[Accepted]) -> tuple[Iterable[RefineOut], bool]:
        now = self._clock()
        out: list[RefineOut] = []
        tl = self.state.timeline
        if values:
            self.state.partition = values[-1].raw.partition or 0
        for placed in add_chunks(tl, values, now, self._config, self._held):
            out.extend([placed] if isinstance(placed, DeadLetter) else self._refine_all([placed]))
        out.extend(self._advance(now))
        return out, self._discard(now)

    def on_notify(self) -> tuple[Iterable[RefineOut], bool]:
        now = self._clock()
        return self._advance(now), self._discard(now)

    def on_eof(self) -> tuple[Iterable[RefineOut], bool]:
        now = self._clock()
        return self._advance(now, input_ended=True), self._discard(now)

    def notify_at(self) -> datetime | None:
        t = self.state.timeline.next_deadline(self._config)
        return None if t is None else datetime.fromtimestamp(t, UTC)

    def snapshot(self) -> RefineState:
        return RefineState(self.state.timeline.snapshot(), self.state.partition)

    def _advance(self, now: float, *, input_ended: bool = False) -> list[RefineOut]:
        out: list[RefineOut] = []
        while True:
            if input_ended:  # a batch run is over: every wait in Kafka time is over too
                intake = Intake(newest_posted_ms=2**62, idle_s=float("inf"))
            else:
                intake = self._intake.snapshot(self.state.partition)
            items = self.state.timeline.advance(now, self._config, intake=intake)
            out.extend(self._refine_all(items))
            # One long window at a time (each may hand its tail back): go on until less is held.
            if not any(isinstance(i, Window) and i.rereadable for i in items):
                return out

    def _discard(self, now: float) -> bool:
        tl = self.state.timeline
        discard = tl.expired(now, self._config)
        if tl.meeting_id:
            self._held.report(tl.team, tl.meeting_id, 0 if discard else tl.held_bytes())
        return discard

    def _refine_all(self, items: list[Output]) -> list[RefineOut]:
        out: list[RefineOut] = []
        for item in items:
            if isinstance(item, Window):
                out.extend(self._refine(item))
            elif isinstance(item, StreamFailed):
                out.append(_stream_dead_letter(item))
            elif isinstance(item, MeetingClosed):
                # Windows come before the close in advance()'s output: the meeting is refined.
                out.append(MeetingRefinedRecord(item.team, item.meeting_id))
            # Gaps and the meeting's own rows are the live flow's to record.
        return out

    def _refine(self, w: Window) -> list[RefineOut]:
        team = self.state.timeline.team
        pcm = np.frombuffer(w.pcm, dtype=np.int16)
        claimed_end_ms = w.end_ms
        segments: list[Segment] = []
        live: list[LiveLine] = []
        if w.speech:
            model = self._transcriber()
            audio = pcm_to_float32(pcm)
            # What the live flow heard in the window: the labels a diarized source keeps, and
            # what a reading of it must hold.
            live = self._labels(team, w.meeting_id, w.source, w.covers_from_ms, w.end_ms)
            try:
                # No prompt, as the live flow reads its long windows (a prompt made Whisper skip
                # whole sentences there).
                hints = team_context.recogniser_hints(team)
                spans, language = model.transcribe(audio, prompt=None, **hints)
                cover = live_coverage([s.text for s in spans], live)
                if cover is not None and cover < self._min_coverage and hints:
                    # The team's hotwords can make Whisper skip whole sentences of a long window.
                    again, said_in = model.transcribe(audio, prompt=None)
                    cover_again = live_coverage([s.text for s in again], live)
                    if cover_again is not None and cover_again > cover:
                        spans, language, cover = again, said_in, cover_again
            except Exception as exc:
                if self._failures.failed():
                    raise
                log.error("could not refine %s/%s %d-%d ms; dead-lettered: %r",
                          w.meeting_id, w.source, w.start_ms, w.end_ms, exc, exc_info=exc)
                return [_window_dead_letter(w, team, exc)]
            finally:
                self._intake.busy_until_now()
            self._failures.succeeded()
            if cover is not None and cover < self._min_coverage:
                # Read again, the window still lost much of what the live flow heard: its live
                # rows stay (no revision), rather than a transcript with sentences left out.
                log.warning("kept the live text of %s/%s %d-%d ms: its reading held %.0f%% of the live words",
                            w.meeting_id, w.source, w.start_ms, w.end_ms, 100 * cover)
                return []
            spans, claimed_end_ms = settle_window(w, team_context.corrected(team, spans), self.state.timeline)
            segments = place_spans(
                spans, meeting_id=w.meeting_id, source=w.source, speaker=w.speaker,
                window_start_ms=w.start_ms, window_end_ms=w.end_ms, language=language,
                model=model.model_name, posted_ms=w.posted_ms, team=team,
            )
        start_ms = w.covers_from_ms
        # A kept segment starts before the re-read tail; the ms rounding of the two never puts
        # one outside the span the revision claims.
        end_ms = max([claimed_end_ms, *(s.start_ms + 1 for s in segments)])
        if w.speaker is None and segments:
            segments = carry_labels(segments, [x for x in live if start_ms <= x.start_ms < end_ms])
        return [RevisionRecord(team, w.meeting_id, w.source, start_ms, end_ms, tuple(segments))]


def _record(x: RefineOut) -> KafkaSinkMessage[bytes, bytes] | None:
    # The records of docs/contract.md section 2, keyed by meeting id as the live flow's.
    if isinstance(x, RevisionRecord | MeetingRefinedRecord):
        return KafkaSinkMessage(x.meeting_id.encode(), x.to_record())
    return None


def _refined(x: RefineOut) -> RevisionRecord | None:
    return x if isinstance(x, RevisionRecord) else None


def _tagged(d: DeadLetter) -> DeadLetter:
    return replace(d, headers=(*d.headers, _FLOW_HEADER))


class PostgresLabels:
    """Reads the live rows' speaker labels that a refined window keeps (one connection, reopened
    when it fails; an unavailable database is retried, then stops the flow like a failed write)."""

    def __init__(self, dsn: str):
        self._dsn = dsn
        self._conn: Connection | None = None
        self._lock = threading.Lock()

    def _read(
        self, team: str | None, meeting_id: str, source: str, start_ms: int, end_ms: int
    ) -> list[LiveLine]:
        with self._lock:
            if self._conn is None or self._conn.closed:
                self._conn = connect(self._dsn, autocommit=True)
            try:
                return live_lines(self._conn, team, meeting_id, source, start_ms, end_ms)
            except Exception:
                self._conn.close()
                self._conn = None
                raise

    def __call__(
        self, team: str | None, meeting_id: str, source: str, start_ms: int, end_ms: int
    ) -> list[LiveLine]:
        return with_retries(lambda: self._read(team, meeting_id, source, start_ms, end_ms),
                            what="reading live speaker labels")


def refine_settings(settings: Settings) -> Settings:
    """What the refine flow reads with: ``VORI_REFINE_MODEL`` (``auto``: Whisper base when the live
    flow reads with tiny.en, else the live flow's model); a multilingual model reading after an
    English-only live one is told the language is English, unless ``VORI_LANGUAGE`` says another."""
    model = settings.refine_model.strip()
    if model in ("", "auto"):
        model = "base" if settings.whisper_model == "tiny.en" else settings.whisper_model
    language = settings.language
    if language is None and settings.whisper_model.endswith(".en") and not model.endswith(".en"):
        language = "en"
    return replace(settings, refine_model=model, whisper_model=model, language=language)


def min_coverage(settings: Settings) -> float:
    """How much of the live text a reading must hold (``domain.revision``): less when the refine
    flow reads with another model than the live flow's."""
    same = refine_settings(settings).whisper_model == settings.whisper_model
    return MIN_COVERAGE if same else MIN_COVERAGE_OTHER_MODEL


def refine_config(settings: Settings, decode_limit_s: float) -> TimelineConfig:
    return replace(timeline_config(settings), policy=_NO_LIVE_CUTS,
                   stream_decoder=_StreamDecode(decode_limit_s))


def refine_stream(
    settings: Settings,
    raw: Stream[RawRecord],
    labels: LabelReader,
    clock: Callable[[], float] = time.time,
    decode: Decoder = _decode,
) -> tuple[Stream[RefineOut], Stream[DeadLetter]]:
    """The refine steps, from raw records to refined windows, meeting_refined and dead letters."""
    limits = EnvelopeLimits(settings.max_audio_bytes, settings.max_chunk_seconds)
    intake = IntakeClock(clock)
    parsed = op.map("parse", raw, accept(limits, intake, decode))
    accepted = op.filter_map("accepted", parsed, _accepted)
    refused = op.filter_map("refused", parsed, _dead_letter)
    keyed = op.key_on("by_meeting", accepted, lambda a: a.key)
    config = refine_config(settings, limits.max_chunk_seconds)
    transcriber = _LazyTranscriber(refine_settings(settings))
    held = HeldAudio()
    failures = TranscriptionFailures()
    events = op.stateful_batch(
        "refine",
        keyed,
        lambda resume: RefineLogic(config, transcriber, clock, resume, intake, held, failures, labels,
                                   min_coverage(settings)),
    )
    outs = op.map("unkey", events, lambda kv: kv[1])
    late = op.filter_map("late_rejected", outs, _dead_letter)
    rejected = op.map("tag_rejected", op.merge("all_rejected", refused, late), _tagged)
    return outs, rejected


def build_flow(settings: Settings, decode: Decoder = _decode, labels: LabelReader | None = None) -> Dataflow:
    flow = Dataflow("vori_refine")
    brokers = [settings.kafka_bootstrap]
    source = KafkaSource(brokers, [settings.audio_topic], tail=settings.input_tail,
                         raise_on_errors=False, batch_size=64)
    consumed: Stream[Consumed] = op.input("audio_in", flow, source)
    errors = op.filter_map("consumer_errors", consumed, _consumer_error)
    records = op.filter_map("consumer_records", consumed, _consumed_record)
    op.inspect("log_consumer_errors", errors, lambda _s, e: log.warning("kafka: %s", e.err))
    team_context.configure(settings.database_url)
    outs, rejected = refine_stream(settings, records, labels or PostgresLabels(settings.database_url),
                                   decode=decode)
    refined = op.filter_map("refined_windows", outs, _refined)
    op.output("postgres_out", refined, PostgresTranscriptSink(settings.database_url))
    op.output("revisions_out", op.filter_map("revision_records", outs, _record),
              KafkaSink(brokers, settings.transcript_topic, add_config=kafka_conf.DURABLE_PRODUCER))
    dlq_records = op.map("dlq_records", rejected,
                         lambda d: KafkaSinkMessage(d.key, d.value, headers=d.kafka_headers()))
    op.output("dlq_out", dlq_records,
              KafkaSink(brokers, settings.dlq_topic, add_config=kafka_conf.DURABLE_PRODUCER))
    return flow


def main() -> Dataflow:
    """Entry point for ``python -m bytewax.run "flows.refine:main()"``."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = settings_or_exit("flows.refine")
    return build_flow(settings)

