"""The transcription dataflow: ``audio.raw`` to transcript rows and ``transcription.completed``.

Run it with ``python -m bytewax.run "flows.transcription:main()"`` (add ``-w``, ``-r/-s/-b``).

A meeting is (team, meeting_id): the gateway stamps the producer's team in the ``vori-team``
header, and per-meeting state is keyed by both, so two teams' meetings of the same id never
share a timeline, a transcript or minutes. A record without the header (written to Kafka without
the gateway, by someone with access to the broker) belongs to team ``unassigned``, which no token
can speak for; one whose header is not a team name is dead-lettered.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import bytewax.operators as op
import numpy as np
from bytewax.connectors.kafka import KafkaError, KafkaSink, KafkaSinkMessage, KafkaSource
from bytewax.connectors.kafka import KafkaSourceMessage as Msg
from bytewax.dataflow import Dataflow, Stream
from bytewax.operators import StatefulBatchLogic

from connectors import kafka as kafka_conf
from connectors.audio import AudioDecodeError, decode_chunk, decode_stream, pcm_to_float32
from connectors.dlq import DeadLetter, header
from connectors.settings import Settings, settings_or_exit
from connectors.tokens import UNASSIGNED_TEAM, valid_team
from connectors.transcript_store import PostgresTranscriptSink, StoreItem
from connectors.voiceprint import VOICE_MODEL
from connectors.whisper import WhisperTranscriber, WindowRequest
from domain.envelope import AudioChunk, EnvelopeError, EnvelopeLimits, parse_record
from domain.records import to_record as transcript_record
from domain.speakers import Relabel, SpeakerVoices
from domain.stream import StreamState
from domain.timeline import (
    Gap,
    Intake,
    MeetingClosed,
    MeetingSeen,
    MeetingTimeline,
    Output,
    QuotaExceeded,
    StreamFailed,
    StreamFailedEarlier,
    TimelineConfig,
    TimelineError,
    Window,
)
from domain.transcript import (
    RecognizedSpan,
    Segment,
    TranscribedWindow,
    place_spans,
    prompt_tail,
    settled_spans,
)
from domain.windowing import RATE, WindowPolicy, speech_seconds_after
from flows import team_context
from flows.batching import Batcher, InlineBatcher, ModelUnavailable, Result, Ticket, shared_batcher
from flows.minutes import meeting_key
from flows.speakers import NO_SPEAKERS, Diarizer, MeetingSpeakers

log = logging.getLogger("vori.flow")


@dataclass(frozen=True)
class Accepted:
    """A chunk of ``team``'s that passed validation and decoding; ``pcm`` is 16 kHz mono int16."""

    chunk: AudioChunk
    pcm: bytes
    posted_ms: int
    team: str
    raw: Msg[bytes | None, bytes | None] = field(repr=False)

    @property
    def key(self) -> str:
        return meeting_key(self.team, self.chunk.meeting_id)


def _dead(msg: Msg[bytes | None, bytes | None], reason: str, stage: str) -> DeadLetter:
    return DeadLetter(
        key=msg.key,
        value=msg.value,
        reason=reason,
        stage=stage,
        topic=msg.topic,
        partition=msg.partition,
        offset=msg.offset,
        headers=tuple(msg.headers or ()),
    )


class IntakeClock:
    """What this worker process has read from ``audio.raw`` lately (shared by its meetings).

    The timeline uses it to tell an upload whose sender went quiet from a flow that is behind.
    """

    def __init__(self, clock: Callable[[], float] = time.time):
        self._clock = clock
        # Per partition: partitions are read at different paces, and a meeting lives in one.
        self._newest_posted_ms: dict[int, int] = {}
        self._last_read = float("-inf")
        self._last_busy = float("-inf")

    def observe(self, partition: int, posted_ms: int) -> None:
        self._newest_posted_ms[partition] = max(self._newest_posted_ms.get(partition, 0), posted_ms)
        self._last_read = self._clock()

    def busy_until_now(self) -> None:
        """The worker was transcribing and read nothing meanwhile: that quiet spell says nothing
        about the senders, so it does not count as time without input."""
        self._last_busy = self._clock()

    def snapshot(self, partition: int) -> Intake:
        quiet_since = max(self._last_read, self._last_busy)
        return Intake(self._newest_posted_ms.get(partition, 0), self._clock() - quiet_since)


def _unexpected(msg: Msg[bytes | None, bytes | None], exc: Exception, stage: str) -> DeadLetter:
    """A record whose handling raised what no rule foresaw (a decoder bug, MemoryError): it is
    dead-lettered, so one record never stops the flow, and recovery never replays a crash."""
    log.error(
        "dead-lettering %s[%s]@%s at %s: %r",
        msg.topic, msg.partition, msg.offset, stage, exc, exc_info=exc,
    )
    return _dead(msg, f"{stage} failed: {type(exc).__name__}: {exc}"[:500], stage)


Decoder = Callable[[AudioChunk, float], np.ndarray]


def _decode(chunk: AudioChunk, max_seconds: float) -> np.ndarray:
    return decode_chunk(chunk, max_seconds=max_seconds)


def accept(
    limits: EnvelopeLimits, intake: IntakeClock | None = None, decode: Decoder = _decode
) -> Callable[[Msg[bytes | None, bytes | None]], Accepted | DeadLetter]:
    def parse_and_decode(msg: Msg[bytes | None, bytes | None]) -> Accepted | DeadLetter:
        team_raw = header(msg.headers, "vori-team")
        team = UNASSIGNED_TEAM
        if team_raw is not None:
            try:
                team = team_raw.decode("utf-8")
            except UnicodeDecodeError:
                team = ""
            if not valid_team(team):
                return _dead(msg, "the vori-team header is not a team name", "parse")
        try:
            chunk = parse_record(msg.key, msg.value, limits)
        except EnvelopeError as exc:
            return _dead(msg, exc.reason, "parse")
        except Exception as exc:
            return _unexpected(msg, exc, "parse")
        try:
            # A stream's byte range is decoded by its meeting's timeline, in seq order.
            pcm = np.zeros(0, dtype=np.int16) if chunk.stream else decode(chunk, limits.max_chunk_seconds)
        except AudioDecodeError as exc:
            return _dead(msg, str(exc), "decode")
        except Exception as exc:
            return _unexpected(msg, exc, "decode")
        try:
            pcm_bytes = pcm.tobytes()
        except Exception as exc:
            return _unexpected(msg, exc, "decode")
        posted_ms = msg.timestamp[1] if msg.timestamp and msg.timestamp[1] > 0 else int(time.time() * 1000)
        if intake is not None:
            intake.observe(msg.partition or 0, posted_ms)
        return Accepted(chunk, pcm_bytes, posted_ms, team, msg)

    return parse_and_decode


class HeldAudio:
    """Untranscribed audio held by this process's meetings, per team (for the team quota).

    Shared by the process's workers (threads); each meeting reports what it holds after every
    step. A flow of several processes applies the team quota in each.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_team: dict[str | None, dict[str, int]] = {}

    def report(self, team: str | None, meeting_id: str, held_bytes: int) -> None:
        with self._lock:
            meetings = self._by_team.setdefault(team, {})
            if held_bytes > 0:
                meetings[meeting_id] = held_bytes
            else:
                meetings.pop(meeting_id, None)
                if not meetings:
                    del self._by_team[team]

    def elsewhere(self, team: str | None, meeting_id: str) -> int:
        """What ``team`` holds in its meetings other than ``meeting_id``."""
        with self._lock:
            meetings = self._by_team.get(team, {})
            return sum(b for m, b in meetings.items() if m != meeting_id)

    def total(self) -> int:
        with self._lock:
            return sum(sum(m.values()) for m in self._by_team.values())


class TranscriptionFailures:
    """Tells one window the recogniser cannot read from a recogniser that is broken.

    A window whose transcription raises is dead-lettered (see ``MeetingLogic._transcribe``), but
    only while other windows succeed: ``limit`` failures in a row, across the process's meetings,
    mean the fault is not the audio's (no model, no memory, a dead GPU), and the flow stops so
    that nothing more is thrown away; recovery then resumes it once the fault is fixed.
    """

    def __init__(self, limit: int = 3):
        self._limit = limit
        self._in_a_row = 0
        self._lock = threading.Lock()

    def succeeded(self) -> None:
        with self._lock:
            self._in_a_row = 0

    def failed(self) -> bool:
        """Count a failure; True when the flow should stop rather than go on."""
        with self._lock:
            self._in_a_row += 1
            return self._in_a_row >= self._limit


def _window_dead_letter(w: Window, team: str | None, exc: Exception) -> DeadLetter:
    """A window that could not be transcribed, made visible in the DLQ: its meeting, source and
    span (the raw records are still in ``audio.raw`` for its retention, to be sent again)."""
    reason = f"transcription failed: {type(exc).__name__}: {exc}"[:500]
    body = {
        "team": team, "meeting_id": w.meeting_id, "source": w.source, "speaker": w.speaker,
        "start_ms": w.start_ms, "end_ms": w.end_ms, "posted_ms": w.posted_ms, "reason": reason,
    }
    return DeadLetter(
        key=w.meeting_id.encode(),
        value=json.dumps(body).encode(),
        reason=reason,
        stage="transcribe",
        headers=(("vori.dlq.window", f"{w.source}:{w.start_ms}-{w.end_ms}".encode()),),
    )


def _stream_dead_letter(failed: StreamFailed) -> DeadLetter:
    """The byte range a stream failed at (or a later one of it), dead-lettered byte for byte."""
    if isinstance(failed.tag, Msg):
        return _dead(failed.tag, failed.reason, "decode")
    return DeadLetter(key=failed.meeting_id.encode(), value=None, reason=failed.reason, stage="decode")


class _StreamDecode:
    """PyAV's stream decoder with the flow's per-chunk duration limit."""

    def __init__(self, max_seconds: float) -> None:
        self._max_seconds = max_seconds

    def __call__(
        self, state: StreamState | None, codec: str, data: bytes, *, final: bool
    ) -> tuple[StreamState, bytes]:
        return decode_stream(state, codec, data, final=final, max_seconds=self._max_seconds)


@dataclass
class MeetingState:
    timeline: MeetingTimeline
    prompts: dict[str, str] = field(default_factory=dict)
    language: str | None = None
    partition: int = 0  # of audio.raw: a meeting's chunks all come from one
    speakers: MeetingSpeakers = NO_SPEAKERS  # labels for sources that name no speaker
    # What the timeline gave out but the flow has not passed on yet: windows submitted for
    # transcription (read again after a resume from the recovery store) and all that follows
    # them, in order. A tuple with a default, so snapshots from before it still load.
    queued: tuple[Output, ...] = ()


class _Slot:
    """A queued output; a window's ticket once it is submitted (not snapshotted)."""

    __slots__ = ("item", "ticket")

    def __init__(self, item: Output):
        self.item = item
        self.ticket: Ticket | None = None


FlowOut = (
    Segment | TranscribedWindow | MeetingSeen | MeetingClosed | Gap | SpeakerVoices | Relabel | DeadLetter
)
RawRecord = Msg[bytes | None, bytes | None]
Consumed = RawRecord | KafkaError[bytes | None, bytes | None]


def add_chunks(
    tl: MeetingTimeline, values: list[Accepted], now: float, config: TimelineConfig, held: HeldAudio
) -> list[Output | DeadLetter]:
    """Place a batch of a meeting's chunks on its timeline (the live and the refine flow both):
    what the timeline gives out, and a dead letter for each chunk it refuses."""
    if not tl.meeting_id and values:
        tl.meeting_id = values[0].chunk.meeting_id
        tl.team = values[0].team
    out: list[Output | DeadLetter] = []
    for item in values:
        team = tl.team if tl.team is not None else item.team
        try:
            out.extend(tl.add(
                item.chunk, item.pcm, item.posted_ms, now, config, item.team,
                team_held_bytes=held.elsewhere(team, tl.meeting_id), tag=item.raw,
            ))
        except StreamFailedEarlier as exc:
            out.append(_dead(item.raw, str(exc), "decode"))
        except QuotaExceeded as exc:
            out.append(_dead(item.raw, str(exc), "quota"))
        except TimelineError as exc:
            out.append(_dead(item.raw, str(exc), "timeline"))
        except Exception as exc:
            out.append(_unexpected(item.raw, exc, "timeline"))
    return out


def settle_window(
    w: Window, spans: list[RecognizedSpan], tl: MeetingTimeline
) -> tuple[list[RecognizedSpan], int]:
    """A long (rereadable) window's settled spans and the end of the span it claims: an unsettled
    tail goes back to the timeline, to be read with the next window, which claims it."""
    if not w.rereadable:
        return spans, w.end_ms
    pcm = np.frombuffer(w.pcm, dtype=np.int16)
    spans, reread_from = settled_spans(
        spans, len(pcm) / RATE, cut_short=w.cut_short,
        speech_after=lambda t: speech_seconds_after(pcm, t),
    )
    if reread_from is None:
        return spans, w.end_ms
    tail = w.pcm[int(reread_from * RATE) * 2 :]
    tl.unread(w.source, tail)
    return spans, w.end_ms - len(tail) // 2 * 1000 // RATE


class MeetingLogic(StatefulBatchLogic[Accepted, FlowOut, MeetingState]):
    """Per meeting: place chunks on the timeline, cut windows at pauses, transcribe them.

    Windows go to the process's batcher (flows/batching.py), which reads windows of several
    meetings together; their results are passed on in the order the timeline gave the windows
    out. What an advance gives out waits in a queue, a window holding back all behind it (a
    MeetingClosed never overtakes a meeting's text) until its result is in. While windows are
    queued the timeline takes chunks but is not advanced: each source's next window is cut after
    the previous one is read, as when windows were read inline, because its prompt is that
    window's text and a long window may give its unsettled tail back (timeline.unread) to be read
    again at the start of the next. Other meetings go on meanwhile: the worker looks at a
    meeting's tickets again only when notify_at says its front window should be done.

    The state holds only untranscribed audio (bounded by the window policy and the seq
    look-ahead) and the queued outputs; a closed meeting keeps a small tombstone for
    ``closed_meeting_ttl_s`` to drop late duplicates, then is discarded, so per-key state never
    grows without bound.
    """

    def __init__(
        self,
        meeting_id: str,
        config: TimelineConfig,
        transcriber: Callable[[], WhisperTranscriber],
        clock: Callable[[], float],
        resume: MeetingState | None,
        intake: IntakeClock | None = None,
        held: HeldAudio | None = None,
        failures: TranscriptionFailures | None = None,
        diarizer: Diarizer | None = None,
        batcher: Batcher | None = None,
    ):
        self._diarizer = diarizer
        self._intake = intake
        self._config = config
        self._transcriber = transcriber
        self._batcher: Batcher = batcher or InlineBatcher(transcriber)
        self._clock = clock
        self._held = held or HeldAudio()
        self._failures = failures or TranscriptionFailures()
        self.state = resume or MeetingState(MeetingTimeline(meeting_id))
        # Windows queued at the snapshot were not passed on: after a resume they are read again.
        self._slots: deque[_Slot] = deque(_Slot(item) for item in self.state.queued)
        self.state.queued = ()
        # An advance is due (input came, a deadline passed), held back while windows are queued.
        self._owe_advance = bool(self._slots)
        self._input_ended = False
        self._report_held(discarding=False)

    @property
    def queued(self) -> int:
        """How many outputs wait for a window's result (0: everything was passed on)."""
        return len(self._slots)

    def _report_held(self, *, discarding: bool) -> None:
        tl = self.state.timeline
        if tl.meeting_id:
            self._held.report(tl.team, tl.meeting_id, 0 if discarding else tl.held_bytes())

    def _advance_once(self, now: float) -> list[Output]:
        if self._input_ended:
            # A bounded input (a batch run) is over: nothing more can arrive in this run, so
            # every wait measured in Kafka time (the close grace, a quiet upload) is over too.
            intake: Intake | None = Intake(newest_posted_ms=2**62, idle_s=float("inf"))
        else:
            intake = None if self._intake is None else self._intake.snapshot(self.state.partition)
        return self.state.timeline.advance(now, self._config, intake=intake)

    def _pump(self, now: float, *, block: bool = False) -> list[FlowOut]:
        """Pass on what is ready, submit what may be read now, advance once nothing is queued.

        ``block``: wait for the model until the queue is empty and nothing is left to advance
        (the end of a bounded input, after which the step can output nothing more)."""
        out: list[FlowOut] = []
        while True:
            out.extend(self._drain())
            if self._slots:
                self._submit_ready()
                front = self._slots[0].ticket
                if front is not None and front.done:
                    continue
                if not block or front is None:
                    return out
                self._batcher.wait(front)
                continue
            if not self._owe_advance:
                return out
            items = self._advance_once(now)
            # An upload's windows come one at a time (each may hand its tail back): advance
            # again once they are read, until the buffer holds less than a window.
            self._owe_advance = any(isinstance(i, Window) and i.rereadable for i in items)
            self._slots.extend(_Slot(i) for i in items)

    def _drain(self) -> list[FlowOut]:
        """Pass on the queue's head up to the first window whose result is not in yet."""
        out: list[FlowOut] = []
        while self._slots:
            slot = self._slots[0]
            item = slot.item
            if isinstance(item, Window):
                if item.speech:
                    if slot.ticket is None or slot.ticket.result is None:
                        break
                    out.extend(self._finish(item, slot.ticket.result))
            elif isinstance(item, StreamFailed):
                out.append(_stream_dead_letter(item))
            elif isinstance(item, MeetingClosed):
                # Relabels and split segments go out before the close, so the final minutes are
                # written with them.
                out.extend(self._close_speakers())
                out.append(item)
                self.state.prompts.clear()
            else:
                out.append(item)
            self._slots.popleft()
        return out

    def _submit_ready(self) -> None:
        """Submit each queued window that no earlier queued window of its source (whose text is
        its prompt, whose tail may come back) nor a MeetingClosed (which clears prompts) holds
        back."""
        waiting: set[str] = set()
        for slot in self._slots:
            item = slot.item
            if isinstance(item, MeetingClosed):
                return
            if not isinstance(item, Window) or not item.speech:
                continue
            if slot.ticket is None and item.source not in waiting:
                slot.ticket = self._batcher.submit(self._request(item))
            waiting.add(item.source)

    def on_batch(self, values: list[Accepted]) -> tuple[Iterable[FlowOut], bool]:
        now = self._clock()
        out: list[FlowOut] = []
        tl = self.state.timeline
        if not tl.meeting_id and values:
            # In a cluster (-i/-a) a meeting is transcribed by the worker its key hashes to: this
            # line in a process's log says which meetings it holds.
            log.info("meeting %s: transcribed here (first chunk from partition %s)",
                     values[0].key, values[0].raw.partition)
        if values:
            self.state.partition = values[-1].raw.partition or 0
        for placed in add_chunks(tl, values, now, self._config, self._held):
            if isinstance(placed, DeadLetter):
                out.append(placed)
            else:
                # Behind any queued window, so a MeetingSeen never overtakes earlier text.
                self._slots.append(_Slot(placed))
        # Windows are cut once per batch: with a backlog the batch is large and windows long
        # (throughput); live, each chunk ends a batch and windows end at the latest pause (latency).
        self._owe_advance = True
        out.extend(self._pump(now))
        return out, self._discard(now)

    def on_notify(self) -> tuple[Iterable[FlowOut], bool]:
        # Woken for the timeline's deadline or to look at the tickets: only the former advances
        # (with a little slack for notify_at's microsecond rounding).
        now = self._clock()
        deadline = self.state.timeline.next_deadline(self._config)
        if deadline is not None and deadline <= now + 0.001:
            self._owe_advance = True
        out = self._pump(now)
        return out, self._discard(now)

    def on_eof(self) -> tuple[Iterable[FlowOut], bool]:
        # The step outputs nothing after this call: every queued window is read here.
        now = self._clock()
        self._input_ended = True
        self._owe_advance = True
        out = self._pump(now, block=True)
        # Timers as short as a missing chunk's wait (or a new source's probe) run out here, as
        # they would in a tailing flow: reading windows inline used to give them time to,
        # by chance; the end of the input must not depend on how fast the model was.
        passed = float("-inf")
        while (deadline := self.state.timeline.next_deadline(self._config)) is not None:
            if deadline > now + self._config.gap_timeout_s or deadline <= passed:
                break
            passed = deadline
            time.sleep(max(0.0, deadline - self._clock()))
            now = max(self._clock(), deadline)
            self._owe_advance = True
            out.extend(self._pump(now, block=True))
        return out, self._discard(now)

    def notify_at(self) -> datetime | None:
        if self._slots:
            # The timeline's deadlines wait for the queue: it is not advanced before it is empty.
            front = self._slots[0].ticket
            due = self._clock() + (0.0 if front is None else self._batcher.due_in(front))
            return datetime.fromtimestamp(due, UTC)
        t = self.state.timeline.next_deadline(self._config)
        return None if t is None else datetime.fromtimestamp(t, UTC)

    def snapshot(self) -> MeetingState:
        s = self.state
        return MeetingState(s.timeline.snapshot(), dict(s.prompts), s.language, s.partition, s.speakers,
                            tuple(slot.item for slot in self._slots))

    def _discard(self, now: float) -> bool:
        discard = not self._slots and self.state.timeline.expired(now, self._config)
        self._report_held(discarding=discard)
        return discard

    def _close_speakers(self) -> list[FlowOut]:
        """The meeting's speaker turns clustered again at close (flows/speakers.py): relabels, and
        segments split where their turns' speakers change."""
        if self._diarizer is None or not self.state.speakers.turns:
            return []
        tl = self.state.timeline
        before = self.state.speakers.clusters
        changes, self.state.speakers = self._diarizer.close(self.state.speakers, tl.meeting_id, tl.team)
        out: list[FlowOut] = []
        for change in changes:
            # A split segment goes out as its parts, as a window's segments do: the first keeps the
            # segment's key and replaces it (the minutes), the window replaces its rows (the store).
            out += [*change.segments, change] if isinstance(change, TranscribedWindow) else [change]
        if self.state.speakers.clusters != before:
            out.append(SpeakerVoices.of(tl.meeting_id, tl.team, VOICE_MODEL, self.state.speakers.clusters))
        return out

    def _request(self, w: Window) -> WindowRequest:
        # Loading the model is no window's fault: if it fails, the flow stops here (see
        # TranscriptionFailures) rather than dead-letter every window.
        self._transcriber()
        audio = pcm_to_float32(np.frombuffer(w.pcm, dtype=np.int16))
        # Long windows go without a prompt: the tail of earlier text made Whisper skip whole
        # sentences there (measured); short live windows read better with it.
        prompt = None if w.rereadable else self.state.prompts.get(w.source)
        hints = team_context.recogniser_hints(self.state.timeline.team)
        return WindowRequest(audio, prompt=prompt, hotwords=hints.get("hotwords"))

    def _finish(self, w: Window, result: Result) -> list[FlowOut]:
        """The window's segments (for the minutes and ``transcription.completed``), then the
        window as one :class:`TranscribedWindow` (for the store, which replaces what the source
        had in the window's span); a window that cannot be read becomes a dead letter."""
        if self._intake is not None:
            self._intake.busy_until_now()
        if isinstance(result, ModelUnavailable):
            raise result
        if isinstance(result, Exception):
            if self._failures.failed():
                raise result
            log.error(
                "could not transcribe %s/%s %d-%d ms; dead-lettered: %r",
                w.meeting_id, w.source, w.start_ms, w.end_ms, result, exc_info=result,
            )
            return [_window_dead_letter(w, self.state.timeline.team, result)]
        self._failures.succeeded()
        spans, language = result
        team = self.state.timeline.team
        spans, claimed_end_ms = settle_window(w, team_context.corrected(team, spans), self.state.timeline)
        segments = place_spans(
            spans,
            meeting_id=w.meeting_id,
            source=w.source,
            speaker=w.speaker,
            window_start_ms=w.start_ms,
            window_end_ms=w.end_ms,
            language=language,
            model=self._transcriber().model_name,
            posted_ms=w.posted_ms,
            team=self.state.timeline.team,
        )
        voices: list[FlowOut] = []
        if w.speaker is None and self._diarizer is not None:
            before = self.state.speakers.clusters
            audio = pcm_to_float32(np.frombuffer(w.pcm, dtype=np.int16))
            segments, self.state.speakers = self._diarizer.label(
                self.state.speakers, segments, audio, w.start_ms
            )
            if self.state.speakers.clusters != before:
                # For naming labels by enrolled voices (flows/team_context.py reads them back).
                voices.append(SpeakerVoices.of(w.meeting_id, self.state.timeline.team, VOICE_MODEL,
                                               self.state.speakers.clusters))
        if segments:
            text = " ".join(s.text for s in segments)
            self.state.prompts[w.source] = prompt_tail(self.state.prompts.get(w.source, ""), text)
        whole = TranscribedWindow(w.meeting_id, w.source, w.covers_from_ms, claimed_end_ms,
                                  tuple(segments), self.state.timeline.team)
        return [*segments, whole, *voices]

def timeline_config(settings: Settings) -> TimelineConfig:
    return TimelineConfig(
        gap_timeout_s=settings.gap_timeout_s,
        idle_timeout_s=settings.idle_timeout_s,
        max_seq_ahead=settings.max_seq_ahead,
        closed_ttl_s=settings.closed_meeting_ttl_s,
        close_grace_s=settings.close_grace_s,
        max_meeting_s=settings.max_meeting_s,
        policy=WindowPolicy.from_seconds(settings.min_window_s, settings.max_window_s),
        max_sources=settings.flow_max_sources_per_meeting,
        max_held_source_s=settings.flow_max_pending_source_s,
        max_held_meeting_s=settings.flow_max_pending_meeting_s,
        max_held_team_s=settings.flow_max_pending_team_s,
    )


class _LazyTranscriber:
    """Loads the model on first use in the worker process, not when the flow is built."""

    def __init__(self, settings: Settings):
        self._settings = settings
        self._model: WhisperTranscriber | None = None

    def __call__(self) -> WhisperTranscriber:
        if self._model is None:
            self._model = WhisperTranscriber(self._settings)
        return self._model


def _accepted(x: Accepted | DeadLetter) -> Accepted | None:
    return x if isinstance(x, Accepted) else None


def _dead_letter(x: object) -> DeadLetter | None:
    return x if isinstance(x, DeadLetter) else None


def _store_item(x: FlowOut) -> StoreItem | None:
    # Segments are stored with their window (a TranscribedWindow), which replaces what a replay
    # cut differently wrote before.
    return None if isinstance(x, (DeadLetter, Segment)) else x


def _consumer_error(m: Consumed) -> KafkaError[bytes | None, bytes | None] | None:
    return m if isinstance(m, KafkaError) else None


def _consumed_record(m: Consumed) -> RawRecord | None:
    return None if isinstance(m, KafkaError) else m


def _segment_record(x: FlowOut) -> KafkaSinkMessage[bytes, bytes] | None:
    """``transcription.completed``: segments and the meeting's lifecycle, in the order the meeting's
    state emitted them (one key, one partition), for the minutes flow and other consumers."""
    if isinstance(x, (Segment, MeetingSeen, MeetingClosed, Relabel)):
        return KafkaSinkMessage(x.meeting_id.encode(), transcript_record(x))
    return None


def transcribe_stream(
    settings: Settings,
    raw: Stream[RawRecord],
    clock: Callable[[], float] = time.time,
    decode: Decoder = _decode,
    batcher: Batcher | None = None,
) -> tuple[Stream[FlowOut], Stream[DeadLetter]]:
    """The transcription steps, from raw records to flow outputs and dead letters.

    ``batcher``: reads the windows; default the process's (``whisper_max_batch`` > 1), else each
    window inline."""
    limits = EnvelopeLimits(settings.max_audio_bytes, settings.max_chunk_seconds)
    intake = IntakeClock(clock)
    parsed = op.map("parse", raw, accept(limits, intake, decode))
    accepted = op.filter_map("accepted", parsed, _accepted)
    refused = op.filter_map("refused", parsed, _dead_letter)
    keyed = op.key_on("by_meeting", accepted, lambda a: a.key)
    config = replace(timeline_config(settings), stream_decoder=_StreamDecode(limits.max_chunk_seconds))
    transcriber = _LazyTranscriber(settings)
    batcher = batcher or shared_batcher(settings, transcriber)
    held = HeldAudio()
    failures = TranscriptionFailures()
    diarizer = Diarizer.from_settings(settings)
    events = op.stateful_batch(
        "timeline",
        keyed,
        # The builder does not get the key: MeetingLogic takes the team and id from its first chunk.
        lambda resume: MeetingLogic("", config, transcriber, clock, resume, intake, held, failures, diarizer,
                                    batcher),
    )
    outs = op.map("unkey", events, lambda kv: kv[1])
    late = op.filter_map("late_rejected", outs, _dead_letter)
    rejected = op.merge("all_rejected", refused, late)
    return outs, rejected


def build_flow(settings: Settings, decode: Decoder = _decode, batcher: Batcher | None = None) -> Dataflow:
    flow = Dataflow("vori_transcription")
    brokers = [settings.kafka_bootstrap]
    source = KafkaSource(
        brokers,
        [settings.audio_topic],
        tail=settings.input_tail,
        raise_on_errors=False,
        batch_size=64,
    )
    consumed = op.input("audio_in", flow, source)
    errors = op.filter_map("consumer_errors", consumed, _consumer_error)
    records = op.filter_map("consumer_records", consumed, _consumed_record)
    # librdkafka retries transport errors itself; these are reported, never dead-lettered.
    op.inspect("log_consumer_errors", errors, lambda _s, e: log.warning("kafka: %s", e.err))
    outs, rejected = transcribe_stream(settings, records, decode=decode, batcher=batcher)

    # Built before the Kafka output: a worker runs its steps in the order they were built, so a
    # meeting's voices (SpeakerVoices) are stored before its records reach the minutes flow,
    # which reads them back to name speakers.
    stored: Stream[StoreItem] = op.filter_map("store_items", outs, _store_item)
    op.output("postgres_out", stored, PostgresTranscriptSink(settings.database_url))

    # Minutes are their own flow (flows/minutes.py), reading what is published below: a slow LLM
    # never holds up transcription.
    team_context.configure(settings.database_url)

    seg_records = op.filter_map("segment_records", outs, _segment_record)
    op.output(
        "transcripts_out",
        seg_records,
        KafkaSink(brokers, settings.transcript_topic, add_config=kafka_conf.DURABLE_PRODUCER),
    )
    dlq_records = op.map(
        "dlq_records",
        rejected,
        lambda d: KafkaSinkMessage(d.key, d.value, headers=d.kafka_headers()),
    )
    op.output(
        "dlq_out", dlq_records, KafkaSink(brokers, settings.dlq_topic, add_config=kafka_conf.DURABLE_PRODUCER)
    )
    return flow


def _preload(settings: Settings) -> None:
    """Load the model (and the VAD) while the flow starts, so the first meeting does not wait;
    then say so in ``settings.flow_ready_file`` (``vori up`` returns once it is there)."""
    state = "ready"
    try:
        WhisperTranscriber(settings).warm_up()
    except Exception as exc:  # the first window loads it again and reports the error there
        log.warning("could not preload the whisper model: %s", exc)
        state = f"model not loaded: {exc}"
    try:
        settings.flow_ready_file.parent.mkdir(parents=True, exist_ok=True)
        settings.flow_ready_file.write_text(f"{os.getpid()} {state}\n")
    except OSError as exc:
        log.warning("could not write %s: %s", settings.flow_ready_file, exc)


def main() -> Dataflow:
    """Entry point for ``python -m bytewax.run "flows.transcription:main()"``."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = settings_or_exit("flows.transcription")
    # One model per process, shared by its workers (WhisperTranscriber caches it under a lock).
    # Not a daemon: a flow with nothing to read can end while the warm-up is still inside
    # CTranslate2, and a process that exits under a running C++ thread aborts ("terminate called
    # without an active exception"). Python waits for it instead, a second at most.
    threading.Thread(target=_preload, args=(settings,), name="whisper-preload").start()
    return build_flow(settings)

