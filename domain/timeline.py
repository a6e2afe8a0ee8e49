"""A meeting's timeline: per-source reordering by seq, dedupe, bounded gap waits, windows, close.

Pure and deterministic for a given input order and clock readings (``now`` is passed in). State
holds only audio that is not transcribed yet, so it stays bounded: per source, a long window's
view (about two minutes) plus what one read brought in, and at most ``max_seq_ahead`` early chunks.

Two ways of cutting windows: at the live edge, at the latest pause of each chunk (latency); ahead
of it (an upload, a source whose end is known, a backlog), long windows that the recogniser reads
as it reads a whole file (accuracy). Which one depends on how the audio arrives; where the long
windows are cut depends on the audio alone.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from domain.envelope import AudioChunk
from domain.errors import DomainError
from domain.stream import StreamDecoder, StreamError, StreamState, after_gap
from domain.windowing import RATE, WindowPolicy, find_cut, has_speech, leading_silence


@dataclass(frozen=True)
class Intake:
    """What the flow has read lately: the newest Kafka post time, and seconds since any read."""

    newest_posted_ms: int = 0
    idle_s: float = float("inf")


# A live source may run this far ahead of the wall clock (its first chunk, network bursts).
_UPLOAD_SLACK_MS = 6_000


class TimelineError(DomainError):
    """A chunk cannot be placed on its meeting's timeline (bad input: dead-letter it)."""


class StreamFailedEarlier(TimelineError):
    """A chunk of a streamed source whose stream was refused earlier (dead-letter it)."""


class QuotaExceeded(TimelineError):
    """A chunk would make its source, meeting or team hold more untranscribed audio than allowed."""


# Decoded audio is 16 kHz mono int16: a second of it is this many bytes of flow state.
BYTES_PER_SECOND = RATE * 2


@dataclass(frozen=True)
class TimelineConfig:
    gap_timeout_s: float = 10.0
    idle_timeout_s: float = 300.0
    max_seq_ahead: int = 120
    closed_ttl_s: float = 3600.0
    policy: WindowPolicy = field(default_factory=WindowPolicy)
    # Ahead of the live edge: long windows (Whisper reads them with its own 30 s seek, each
    # sentence with its neighbours) whose unsettled tail the transcriber may hand back (unread).
    upload_policy: WindowPolicy = field(default_factory=lambda: WindowPolicy(RATE * 90, RATE * 120))
    upload_quiet_s: float = 2.0
    # A new source's first chunk waits this long for a second one before it is cut live: an
    # upload's chunks follow each other within milliseconds, a live mic's after seconds.
    probe_s: float = 0.15
    # Once every known source is final, the meeting stays open this long (by Kafka time) for a
    # track sent right after another; one that comes later still reopens it.
    close_grace_s: float = 5.0
    # A meeting whose timeline passes this much audio closes at the next pause and goes on as a
    # new part (see MeetingTimeline.part_id), so a room mic that never falls idle still gets
    # final minutes and its state is not kept forever. 0 turns it off.
    max_meeting_s: float = 4 * 3600.0
    # Quotas: what one producer may make the flow hold (state that every snapshot copies). Held
    # audio is what is not transcribed yet: a source's buffer plus its chunks parked behind a
    # missing seq (chunks that follow on in seq order are released by the next advance, so they
    # do not count). Honest meetings stay far below: a buffer holds at most a long window's view.
    max_sources: int = 32
    max_held_source_s: float = 600.0
    max_held_meeting_s: float = 1800.0
    max_held_team_s: float = 7200.0
    # Decodes streamed sources (``"stream": true``) as their byte ranges are released in seq
    # order; the flow passes PyAV's (connectors.audio.decode_stream).
    stream_decoder: StreamDecoder | None = field(default=None, compare=False)

    @property
    def view_samples(self) -> int:
        """How much audio a long window's cut looks at: the same whatever has arrived beyond it,
        so an upload is cut the same way however its chunks were batched."""
        return self.upload_policy.max_samples + 2 * RATE


@dataclass(frozen=True)
class Window:
    """Audio ready to transcribe: ``pcm`` is 16 kHz mono int16 bytes starting at ``start_ms``."""

    meeting_id: str
    source: str
    speaker: str | None
    start_ms: int
    pcm: bytes
    posted_ms: int  # when the newest chunk that fed it reached Kafka (ms since the epoch)
    speech: bool
    # A long window read ahead of the live edge: what the transcriber did not settle (a last
    # sentence cut short, speech it skipped) may be given back with MeetingTimeline.unread.
    rereadable: bool = False
    cut_short: bool = False  # more audio follows: the last sentence may go on in the next window
    # Where the audio the window took off its source begins, the quiet dropped before
    # ``start_ms`` included: a source's windows cover its timeline from here to ``end_ms``.
    span_start_ms: int | None = None

    @property
    def end_ms(self) -> int:
        return self.start_ms + len(self.pcm) // 2 * 1000 // RATE

    @property
    def covers_from_ms(self) -> int:
        return self.start_ms if self.span_start_ms is None else min(self.span_start_ms, self.start_ms)


@dataclass(frozen=True)
class Gap:
    meeting_id: str
    source: str
    first_seq: int
    last_seq: int
    at_ms: int
    team: str | None = None  # a meeting is (team, meeting_id)


@dataclass(frozen=True)
class MeetingSeen:
    """The meeting is live; ``title`` when a chunk carried one.

    A later part of a long meeting (``part`` > 1) names the meeting id its senders use in
    ``part_of``; its id is ``<part_of>~<part>`` (see :attr:`MeetingTimeline.part_id`).
    """

    meeting_id: str
    team: str | None
    title: str | None
    started_ms: int
    sources: dict[str, str | None]
    part_of: str | None = None
    part: int = 1


@dataclass(frozen=True)
class MeetingClosed:
    meeting_id: str
    # "max_length": the meeting passed TimelineConfig.max_meeting_s and goes on as a new part.
    reason: Literal["final", "idle", "max_length"]
    duration_ms: int
    team: str | None = None  # a meeting is (team, meeting_id)


@dataclass(frozen=True)
class StreamFailed:
    """Chunk ``seq`` of a streamed source could not be decoded: the source stops there.

    ``tag`` is what the caller gave :meth:`MeetingTimeline.add` with the chunk (the flow's raw
    record, to dead-letter byte for byte).
    """

    meeting_id: str
    source: str
    seq: int
    reason: str
    tag: object = field(default=None, compare=False)


Output = Window | Gap | MeetingSeen | MeetingClosed | StreamFailed


@dataclass
class _Pending:
    pcm: bytes
    final: bool
    posted_ms: int
    speaker: str | None
    offset_ms: int = 0
    stream: bool = False  # ``pcm`` holds the stream's raw bytes, decoded when released
    tag: object = None


@dataclass
class SourceState:
    next_seq: int = 0
    pending: dict[int, _Pending] = field(default_factory=dict)
    buffer: bytes = b""
    buffer_start_ms: int = 0
    buffer_posted_ms: int = 0
    speaker: str | None = None
    offset_ms: int | None = None  # where seq 0 of this source sits on the meeting timeline
    chunk_ms_total: int = 0
    first_posted_ms: int | None = None
    first_read_at: float | None = None  # wall time its first chunk arrived
    chunks: int = 0
    blocked_since: float | None = None
    final_seq: int | None = None
    final_posted_ms: int | None = None  # when its final chunk reached Kafka
    # A streamed source: its codec and decoder state, and why it stopped if it failed.
    stream_codec: str | None = None
    stream: StreamState | None = None
    failed: str | None = None

    @property
    def uploading(self) -> bool:
        """Audio is arriving much faster than it is spoken: a file upload, not a live mic.

        Nobody waits on each sentence then, so windows can be long and carry more context.
        """
        if self.first_posted_ms is None:
            return False
        span = self.buffer_posted_ms - self.first_posted_ms
        return self.chunk_ms_total > 1.5 * span + _UPLOAD_SLACK_MS

    def probing(self, now: float, config: TimelineConfig) -> bool:
        """Too early to tell a live source from an upload: one short chunk, just arrived."""
        return (
            self.first_read_at is not None
            and self.final_seq is None
            and self.chunk_ms_total <= _UPLOAD_SLACK_MS
            and now - self.first_read_at < config.probe_s
        )

    @property
    def done(self) -> bool:
        if self.failed is not None and not self.pending:
            return True
        return self.final_seq is not None and self.next_seq > self.final_seq

    def held_bytes(self, extra_seq: int | None = None, extra_bytes: int = 0) -> int:
        """Untranscribed audio this source holds (buffer + chunks parked behind a missing seq),
        had it also received chunk ``extra_seq`` of ``extra_bytes``."""
        seq = self.next_seq
        while seq in self.pending or seq == extra_seq:
            seq += 1  # follows on: released into the buffer and cut by the next advance
        parked = sum(len(p.pcm) for s, p in self.pending.items() if s > seq)
        if extra_seq is not None and extra_seq > seq:
            parked += extra_bytes
        return len(self.buffer) + parked

    @property
    def end_ms(self) -> int:
        return self.buffer_start_ms + len(self.buffer) // 2 * 1000 // RATE


@dataclass
class MeetingTimeline:
    """Everything the flow remembers about one meeting between chunks."""

    meeting_id: str
    sources: dict[str, SourceState] = field(default_factory=dict)
    first_posted_ms: int | None = None
    last_activity: float = 0.0
    closed_at: float | None = None
    title: str | None = None
    team: str | None = None
    last_advanced: float = 0.0
    # A long meeting is recorded in parts (see part_id): where the current part begins on the
    # meeting's timeline, and when (Kafka time) it began.
    part: int = 1
    part_start_ms: int = 0
    part_started_posted_ms: int | None = None
    _intake: Intake = field(default_factory=Intake, repr=False, compare=False)

    def snapshot(self) -> MeetingTimeline:
        return copy.deepcopy(self)

    @property
    def part_id(self) -> str:
        """The meeting id the current part is recorded under: the senders' id for the first part,
        ``<id>~2``, ``<id>~3``… after that (``~`` is not allowed in a sender's meeting id, so a
        part never collides with a meeting of its own). Windows, gaps and the meeting's rows
        carry it, with times relative to the part's start: each part is a meeting of its own."""
        return self.meeting_id if self.part == 1 else f"{self.meeting_id}~{self.part}"

    def _seen(self, fallback_posted_ms: int) -> MeetingSeen:
        started = self.part_started_posted_ms if self.part > 1 else self.first_posted_ms
        return MeetingSeen(
            self.part_id,
            self.team,
            self.title,
            started or fallback_posted_ms,
            {name: s.speaker for name, s in sorted(self.sources.items())
             if self.part == 1 or not s.done or s.end_ms > self.part_start_ms},
            self.meeting_id if self.part > 1 else None,
            self.part,
        )

    # -- input -------------------------------------------------------------------------------

    def add(
        self,
        chunk: AudioChunk,
        pcm: bytes,
        posted_ms: int,
        now: float,
        config: TimelineConfig,
        team: str | None = None,
        team_held_bytes: int = 0,
        tag: object = None,
    ) -> list[Output]:
        """Take one decoded chunk; raise :class:`TimelineError` for a chunk to dead-letter.

        ``team_held_bytes``: untranscribed audio the meeting's team holds in its other meetings,
        for the team quota (:class:`QuotaExceeded`). A streamed chunk (``chunk.stream``) is
        kept as bytes and decoded when released in seq order; ``pcm`` is then unused, and
        ``tag`` comes back with a :class:`StreamFailed` if it cannot be decoded.
        """
        src = self.sources.get(chunk.source)
        if src is not None and src.failed is not None and chunk.seq >= src.next_seq:
            raise StreamFailedEarlier(
                f"stream {chunk.source!r} of meeting {self.meeting_id} failed earlier: {src.failed}"
            )
        if chunk.stream:
            pcm = chunk.audio
        if src is None and len(self.sources) >= config.max_sources:
            raise QuotaExceeded(
                f"meeting {self.meeting_id} already has {len(self.sources)} sources "
                f"(at most {config.max_sources}); source {chunk.source!r} is refused"
            )
        reopening = False
        if self.closed_at is not None:
            if src is not None and chunk.seq < src.next_seq:
                return []  # a late duplicate of something already transcribed
            if src is not None and src.final_seq is not None:
                raise TimelineError(
                    f"seq {chunk.seq} comes after the final chunk ({src.final_seq}) "
                    f"of source {chunk.source!r}; meeting {self.meeting_id} is closed"
                )
            # A track sent after the others ended, or a source that paused past the idle
            # timeout: sent in good faith, so the meeting opens again and closes once more later.
            self.closed_at = None
            reopening = True
        if src is None:
            src = self.sources[chunk.source] = SourceState(speaker=chunk.speaker, first_read_at=now)
        if chunk.seq < src.next_seq or chunk.seq in src.pending:
            return []  # duplicate: contract says ignore
        if chunk.seq >= src.next_seq + config.max_seq_ahead:
            raise TimelineError(
                f"seq {chunk.seq} of source {chunk.source!r} is too far ahead: "
                f"expected {src.next_seq} (at most {config.max_seq_ahead - 1} ahead)"
            )
        if src.final_seq is not None and chunk.seq > src.final_seq:
            raise TimelineError(
                f"seq {chunk.seq} comes after the final chunk ({src.final_seq}) "
                f"of source {chunk.source!r}"
            )
        if chunk.final and any(s > chunk.seq for s in src.pending):
            raise TimelineError(f"final chunk {chunk.seq} comes before chunks already received")
        self._check_quota(chunk, src, len(pcm), config, team_held_bytes)
        if chunk.final:
            src.final_seq = chunk.seq
            src.final_posted_ms = posted_ms
        if chunk.stream and src.stream_codec is None:
            src.stream_codec = chunk.codec
        src.pending[chunk.seq] = _Pending(
            pcm, chunk.final, posted_ms, chunk.speaker, chunk.offset_ms or 0, chunk.stream, tag
        )
        self.last_activity = now
        if self.first_posted_ms is None:
            self.first_posted_ms = posted_ms
        if self.team is None:
            self.team = team
        out: list[Output] = []
        title_changed = chunk.title is not None and chunk.title != self.title
        new_source = len(src.pending) == 1 and src.chunks == 0 and chunk.seq == 0
        if chunk.title is not None:
            self.title = chunk.title
        if title_changed or new_source or reopening:
            out.append(self._seen(posted_ms))
        return out

    def held_bytes(self) -> int:
        """Untranscribed audio the meeting holds (what its quotas limit)."""
        return sum(s.held_bytes() for s in self.sources.values())

    def _check_quota(
        self, chunk: AudioChunk, src: SourceState, size: int, config: TimelineConfig, team_held: int
    ) -> None:
        source_after = src.held_bytes(chunk.seq, size)
        meeting_after = source_after + sum(
            s.held_bytes() for name, s in self.sources.items() if name != chunk.source
        )
        for what, held, limit_s in (
            (f"source {chunk.source!r}", source_after, config.max_held_source_s),
            (f"meeting {self.meeting_id}", meeting_after, config.max_held_meeting_s),
            ("the team", team_held + meeting_after, config.max_held_team_s),
        ):
            if held > limit_s * BYTES_PER_SECOND:
                raise QuotaExceeded(
                    f"seq {chunk.seq} of source {chunk.source!r} would make {what} hold "
                    f"{held / BYTES_PER_SECOND:.0f} s ({held / 1e6:.1f} MB) of untranscribed audio, "
                    f"over its limit of {limit_s:g} s"
                )

    def advance(self, now: float, config: TimelineConfig, *, intake: Intake | None = None) -> list[Output]:
        """Release what can be released, cut windows, give up on old gaps, close if due.

        ``intake`` says what the flow has read lately, to tell a sender that went quiet from a
        flow that is merely behind (see :class:`Intake`).
        """
        self._intake = intake or Intake()
        self.last_advanced = max(self.last_advanced, now)
        # Idle for too long: close now, cutting whatever is left (gaps are not waited for).
        idle_for = now - self.last_activity
        idle = self.closed_at is None and bool(self.sources) and idle_for >= config.idle_timeout_s
        out: list[Output] = []
        for name in sorted(self.sources):
            out.extend(self._advance_source(name, self.sources[name], now, config, idle))
        # A window that may still give its tail back (unread) keeps the meeting open until the
        # next advance, after the transcriber has had its say.
        settling = any(isinstance(o, Window) and o.rereadable for o in out)
        if self.closed_at is None and not settling:
            last_final_ms = self._last_final_posted_ms()
            all_done = self._all_done() and self._quiet_since(last_final_ms, now, config.close_grace_s)
            if all_done or idle:
                self.closed_at = now
                duration = max((s.end_ms for s in self.sources.values()), default=0) - self.part_start_ms
                for s in self.sources.values():
                    s.pending.clear()
                    s.buffer = b""
                out.append(MeetingClosed(self.part_id, "final" if all_done else "idle", max(0, duration),
                                         self.team))
            elif self._too_long(config):
                out.extend(self._next_part())
        return out

    def _too_long(self, config: TimelineConfig) -> bool:
        if config.max_meeting_s <= 0 or not self.sources:
            return False
        end_ms = max(s.end_ms for s in self.sources.values())
        return end_ms - self.part_start_ms >= config.max_meeting_s * 1000

    def _next_part(self) -> list[Output]:
        """Close the current part and go on as the next one.

        The cut is where each source's windows so far end: windows end at pauses (the settling
        check in advance() has given back any unread tail), so the part ends at a pause, and
        what is still buffered or parked goes to the next part unchanged: nothing is lost or read
        twice. The next part's timeline starts at the earliest point a source still has to give.
        """
        windowed_ms = max(s.buffer_start_ms for s in self.sources.values())
        length_ms = max(0, windowed_ms - self.part_start_ms)
        closed = MeetingClosed(self.part_id, "max_length", length_ms, self.team)
        # Sources that still hold audio (a source that stopped sending without a final chunk
        # must not hold the next part's start back).
        holding = [s for s in self.sources.values()
                   if s.offset_ms is not None and (s.buffer or s.pending)]
        self.part_start_ms = max(self.part_start_ms,
                                 min((s.buffer_start_ms for s in holding), default=windowed_ms))
        newest_posted = max((s.buffer_posted_ms for s in self.sources.values()), default=0)
        # Kafka time of the part's start: live audio is posted as it is spoken; an upload's parts
        # all start when it was posted.
        begun = (self.first_posted_ms or newest_posted) + self.part_start_ms
        self.part_started_posted_ms = min(begun, newest_posted) if newest_posted else begun
        self.part += 1
        return [closed, self._seen(self.part_started_posted_ms)]

    def _advance_source(
        self, name: str, src: SourceState, now: float, config: TimelineConfig, closing: bool
    ) -> list[Output]:
        out: list[Output] = []
        while True:
            while src.next_seq in src.pending:
                p = src.pending.pop(src.next_seq)
                if src.offset_ms is None:
                    src.offset_ms = self._offset_for(p)
                    src.buffer_start_ms = src.offset_ms
                if p.speaker is not None:
                    src.speaker = p.speaker
                pcm = p.pcm
                if p.stream:
                    failed, pcm = self._decode_stream(name, src, src.next_seq, p, config)
                    if failed is not None:
                        out.append(failed)
                src.buffer += pcm
                src.buffer_posted_ms = max(src.buffer_posted_ms, p.posted_ms)
                if src.first_posted_ms is None:
                    src.first_posted_ms = p.posted_ms
                src.chunk_ms_total += len(p.pcm) // 2 * 1000 // RATE
                src.chunks += 1
                src.next_seq += 1
            blocked = bool(src.pending)
            if not blocked:
                src.blocked_since = None
                break
            if src.blocked_since is None:
                src.blocked_since = now
            if not closing and now - src.blocked_since < config.gap_timeout_s:
                break
            # Stop waiting: the missing chunks are recorded as a gap and the timeline moves on
            # by their estimated length so later speech keeps its place.
            first_missing = src.next_seq
            resume = min(src.pending)
            out.extend(self._cut(name, src, config, flush=True))
            avg = src.chunk_ms_total // src.chunks if src.chunks else 0
            gap_at = src.end_ms if src.offset_ms is not None else 0
            out.append(Gap(self.part_id, name, first_missing, resume - 1,
                           max(0, gap_at - self.part_start_ms), self.team))
            if src.offset_ms is None:
                src.offset_ms = self._offset_for(src.pending[resume])
                src.buffer_start_ms = src.offset_ms
            src.buffer_start_ms = src.end_ms + avg * (resume - first_missing)
            src.next_seq = resume
            if src.stream_codec is not None:  # decoding resumes at the next cluster or page
                src.stream = after_gap(src.stream, src.stream_codec)
            src.blocked_since = None
        if closing:  # the meeting closes now: cut all that is left, nothing can be read again
            return out + self._cut(name, src, config, flush=True)
        if src.probing(now, config):
            return out
        # Read like a file (long windows, see _cut_long) whatever lies ahead of the live edge: a
        # source whose end is known, a backlog of more than a long window, or an upload. An upload
        # that stops sending (a paused sender) is read live again after a short quiet spell
        # rather than waiting for a long window that may never fill.
        ahead = len(src.buffer) // 2 >= config.view_samples
        if src.done or ahead or (src.uploading and not self._sender_quiet(src, now, config)):
            return out + self._cut_long(name, src, config, flush=src.done)
        return out + self._cut(name, src, config, flush=False)

    def _decode_stream(
        self, name: str, src: SourceState, seq: int, p: _Pending, config: TimelineConfig
    ) -> tuple[StreamFailed | None, bytes]:
        """The PCM a released byte range adds to its stream, or why the stream stops."""
        if src.failed is not None:
            reason = f"stream {name!r} of meeting {self.meeting_id} failed earlier: {src.failed}"
            return StreamFailed(self.part_id, name, seq, reason, p.tag), b""
        codec = src.stream_codec or ""
        try:
            if config.stream_decoder is None:
                raise StreamError("this timeline has no stream decoder")
            src.stream, pcm = config.stream_decoder(src.stream, codec, p.pcm, final=p.final)
        except StreamError as exc:
            src.failed = f"seq {seq}: {exc}"[:400]
            src.stream = None
            return StreamFailed(self.part_id, name, seq, f"{codec} stream {name!r}: {exc}", p.tag), b""
        return None, pcm

    def _sender_quiet(self, src: SourceState, now: float, config: TimelineConfig) -> bool:
        return self._quiet_since(src.buffer_posted_ms, now, config.upload_quiet_s)

    def _quiet_since(self, posted_ms: int, now: float, seconds: float) -> bool:
        """Nothing came for ``seconds`` after audio posted at ``posted_ms``, by Kafka time."""
        if seconds <= 0:
            return True
        # Kafka time: other senders' audio posted well after it. This holds however far behind
        # the flow is, so a backlog is never mistaken for senders gone quiet.
        if self._intake.newest_posted_ms - posted_ms >= seconds * 1000:
            return True
        # Nothing read at all for a while: the flow is caught up and the senders really stopped.
        return self._intake.idle_s >= seconds and now - self.last_activity >= seconds

    def _all_done(self) -> bool:
        return bool(self.sources) and all(s.done and not s.buffer for s in self.sources.values())

    def _last_final_posted_ms(self) -> int:
        return max((s.final_posted_ms or 0 for s in self.sources.values()), default=0)

    def _offset_for(self, first: _Pending) -> int:
        # Sources share the meeting's timeline from its start; a source that joins late says
        # where it begins with offset_ms on its first chunk.
        return first.offset_ms

    def _cut(self, name: str, src: SourceState, config: TimelineConfig, *, flush: bool) -> list[Output]:
        """Live: windows end at the latest pause, so each sentence is read as soon as it ends."""
        out: list[Output] = []
        while src.buffer:
            pcm = np.frombuffer(src.buffer, dtype=np.int16)
            cut = find_cut(pcm, config.policy, flush=flush)
            if cut is None:
                break
            out.append(self._window(name, src, pcm[: min(cut, len(pcm))], rereadable=False, cut_short=False))
        return out

    def _cut_long(self, name: str, src: SourceState, config: TimelineConfig, *, flush: bool) -> list[Output]:
        """Ahead of the live edge: one long window at a time, as Whisper reads a whole file.

        The cut looks at a fixed stretch (``view_samples``), so the windows depend on the audio
        alone, not on how its chunks arrived. The transcriber may give the window's tail back
        (unread) to be read again at the start of the next one, so only one is cut per call.
        """
        pcm = np.frombuffer(src.buffer, dtype=np.int16)
        if not len(pcm):
            return []
        view = pcm[: config.view_samples]
        if flush and len(pcm) <= config.upload_policy.max_samples:
            cut = len(pcm)  # the rest fits one window
        elif len(view) == config.view_samples or flush:
            cut = find_cut(view, config.upload_policy) or len(view)
        else:
            return []  # wait until a whole view has arrived
        return [self._window(name, src, pcm[:cut], rereadable=True, cut_short=cut < len(pcm) or not flush)]

    def _window(
        self, name: str, src: SourceState, piece: np.ndarray, *, rereadable: bool, cut_short: bool
    ) -> Window:
        """Take ``piece`` (the head of the buffer) off the source as a window."""
        cut = len(piece)
        # Whisper places a window's first words at its start: drop quiet before the speech
        # so the segment's time is when the words were said.
        speech = has_speech(piece)
        lead = leading_silence(piece) if speech else 0
        # A later part's times count from its own start (a source that says it joined before
        # the part began is placed at the part's start).
        start_ms = max(0, src.buffer_start_ms - self.part_start_ms)
        window = Window(
            meeting_id=self.part_id,
            source=name,
            speaker=src.speaker,
            start_ms=start_ms + lead * 1000 // RATE,
            pcm=piece[lead:].tobytes(),
            posted_ms=src.buffer_posted_ms,
            speech=speech,
            rereadable=rereadable,
            cut_short=cut_short,
            span_start_ms=start_ms,
        )
        src.buffer = src.buffer[cut * 2 :]
        src.buffer_start_ms += cut * 1000 // RATE
        return window

    def unread(self, source: str, pcm: bytes) -> None:
        """Put the unfinished tail of the last rereadable window back in front of its source."""
        src = self.sources[source]
        src.buffer = pcm + src.buffer
        src.buffer_start_ms -= len(pcm) // 2 * 1000 // RATE

    def next_deadline(self, config: TimelineConfig) -> float | None:
        """Wall time at which :meth:`advance` has something to do without new input."""
        if self.closed_at is not None:
            return self.closed_at + config.closed_ttl_s
        times = [self.last_activity + config.idle_timeout_s] if self.sources else []
        # When a waiting upload's sender may count as quiet: its own last chunk, and the flow's
        # last read or transcription, both far enough back (see _sender_quiet). Not again once
        # the last advance found it quiet.
        quiet = config.upload_quiet_s
        quiet_at = max(self.last_activity + quiet, self.last_advanced + max(0.0, quiet - self._intake.idle_s))
        if quiet_at > self.last_advanced and any(s.buffer and s.uploading for s in self.sources.values()):
            times.append(quiet_at)
        if self._all_done():  # the close grace, measured the same way
            grace = config.close_grace_s
            times.append(max(self.last_activity + grace,
                             self.last_advanced + max(0.0, grace - self._intake.idle_s)))
        for s in self.sources.values():
            if s.buffer and s.first_read_at is not None and s.probing(self.last_advanced, config):
                times.append(s.first_read_at + config.probe_s)
            if s.blocked_since is not None:
                times.append(s.blocked_since + config.gap_timeout_s)
        return min(times) if times else None

    def expired(self, now: float, config: TimelineConfig) -> bool:
        """A closed meeting is remembered for a while (to drop late duplicates), then freed."""
        return self.closed_at is not None and now >= self.closed_at + config.closed_ttl_s
