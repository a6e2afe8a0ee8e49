"""Who speaks, for sources that do not say (one room microphone, a mixed call recording).

Each transcribed segment of such a source is embedded (``connectors.diarization``) and labelled
with the meeting's online clustering (``domain.speakers``): S1, S2, … in order of first
appearance. The clustering state (centroids and weights, a few KB) lives in the meeting's flow
state and so in the recovery snapshots: labels stay the same across windows, and a replay of the
same audio from a snapshot gives the same labels. A source whose envelope names its speaker (a
per-participant track) never comes here: that name stays authoritative.
"""

from __future__ import annotations

import ctypes
import itertools
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

from connectors.diarization import VoiceEncoder
from connectors.settings import Settings
from domain.speakers import DEFAULT_THRESHOLD, SpeakerState, assign
from domain.transcript import Segment

log = logging.getLogger("vori.speakers")

RATE = 16_000
FRAME = 160  # 10 ms
F32 = npt.NDArray[np.float32]
Embed = Callable[[F32], F32]


_NOBODY = SpeakerState()


@dataclass(frozen=True)
class MeetingSpeakers:
    """A meeting's speakers so far, as kept in its flow state."""

    clusters: SpeakerState = _NOBODY
    last: str | None = None  # the latest label given: a turn too short to embed keeps it

    @property
    def labels(self) -> tuple[str, ...]:
        return self.clusters.labels


# A flow state's default (a class attribute, so snapshots taken before diarization load too).
NO_SPEAKERS = MeetingSpeakers()


@dataclass(frozen=True)
class DiarizationConfig:
    threshold: float = DEFAULT_THRESHOLD
    max_speakers: int | None = None
    weights: Path | None = None
    # A segment's speech is embedded in turns of at most this long: one embedding of a long
    # stretch blurs two voices, and shorter ones are noisier (bench/diarization_candidates.md).
    max_turn_s: float = 6.0
    min_embed_s: float = 0.5  # less speech than this: no embedding at all
    min_open_s: float = 1.0  # a shorter turn joins the closest speaker rather than open one
    quiet_db: float = -40.0  # under the segment's loudest 10 ms by this much: not speech
    bridge_s: float = 0.2  # quiet this short inside speech is kept (pauses within words)

    @classmethod
    def from_settings(cls, settings: Settings) -> DiarizationConfig:
        return cls(settings.speaker_threshold, settings.max_speakers, settings.speaker_weights)


def voiced(pcm: F32, quiet_db: float = -40.0, bridge_s: float = 0.2) -> F32:
    """The speech of a stretch of audio with its pauses taken out: 10 ms frames within
    ``quiet_db`` of the loudest (and above -60 dBFS), gaps shorter than ``bridge_s`` kept.

    The encoder's embedding is the LSTM's state at the end of the audio, so trailing or inner
    silence (Whisper's segment bounds are loose) would pull it away from the voice.
    """
    n = len(pcm) // FRAME
    if n == 0:
        return np.zeros(0, dtype=np.float32)
    frames = np.asarray(pcm[: n * FRAME], dtype=np.float32).reshape(n, FRAME)
    rms = np.sqrt((frames.astype(np.float64) ** 2).mean(axis=1))
    floor = max(float(rms.max()) * 10 ** (quiet_db / 20), 1e-3)
    active = rms >= floor
    idx = np.flatnonzero(active)
    if len(idx) == 0:
        return np.zeros(0, dtype=np.float32)
    bridge = int(bridge_s * 1000 / 10)
    for a, b in itertools.pairwise(idx):
        if 1 < b - a <= bridge + 1:
            active[a:b] = True
    return np.asarray(frames[active].reshape(-1), dtype=np.float32)


def _turns(speech: F32, max_turn_s: float) -> list[F32]:
    size = int(max_turn_s * RATE)
    parts = max(1, int(np.ceil(len(speech) / size)))
    edges = np.linspace(0, len(speech), parts + 1).astype(int)
    return [speech[a:b] for a, b in itertools.pairwise(edges)]


def label_segments(
    state: MeetingSpeakers,
    segments: Sequence[Segment],
    audio: F32,
    audio_start_ms: int,
    embed: Embed,
    config: DiarizationConfig,
) -> tuple[list[Segment], MeetingSpeakers]:
    """Each segment with its speaker label, and the meeting's next state.

    ``audio`` is the window the segments were read from (16 kHz float32, starting at
    ``audio_start_ms`` on the meeting's timeline). A segment's speech is cut into turns of at
    most ``max_turn_s``; each turn is labelled in order, and the segment takes the label that
    has most of its speech. A segment with too little speech to embed keeps the latest label.
    Deterministic: the same state, segments and audio give the same labels and state.
    """
    clusters, last = state.clusters, state.last
    out: list[Segment] = []
    for seg in segments:
        a = max(0, (seg.start_ms - audio_start_ms) * RATE // 1000)
        b = min(len(audio), (seg.end_ms - audio_start_ms) * RATE // 1000)
        speech = voiced(audio[a:b], config.quiet_db, config.bridge_s)
        said: dict[str, float] = {}
        for turn in _turns(speech, config.max_turn_s) if len(speech) else []:
            seconds = len(turn) / RATE
            if seconds < config.min_embed_s:
                continue
            got, clusters = assign(
                clusters,
                embed(turn),
                threshold=config.threshold,
                weight=seconds,
                max_speakers=config.max_speakers,
                may_open=seconds >= config.min_open_s,
            )
            said[got.label] = said.get(got.label, 0.0) + seconds
        if said:
            # Ties go to the speaker heard first in the segment (dicts keep insertion order).
            last = max(said, key=lambda k: said[k])
        out.append(replace(seg, speaker=last) if last is not None else seg)
    return out, MeetingSpeakers(clusters, last)


def _one_blas_thread() -> None:
    """Run numpy's BLAS on one thread in this process: the encoder's small matrices gain nothing
    from a second thread, and Whisper (CTranslate2, its own pool) wants the other core
    (bench/diarization_candidates.md). Nothing else in the flow uses numpy's BLAS much."""
    libs = Path(np.__file__).resolve().parent.parent / "numpy.libs"
    for path in sorted(libs.glob("*openblas*.so*")):
        try:
            lib = ctypes.CDLL(str(path))
        except OSError:
            continue
        for name in ("scipy_openblas_set_num_threads64_", "openblas_set_num_threads"):
            setter = getattr(lib, name, None)
            if setter is not None:
                setter.argtypes = [ctypes.c_int]
                setter(1)
                return
    log.info("numpy's BLAS not found in %s; the speaker encoder uses its default threads", libs)


class Diarizer:
    """Labels the segments of sources without a speaker; one per flow process, shared by its
    workers. The encoder loads on first use; if its weights cannot be read, diarization is off
    for the process (said once in the log) and transcription goes on without speakers."""

    def __init__(self, config: DiarizationConfig, encoder: Callable[[], Embed] | None = None) -> None:
        self.config = config
        self._load = encoder or self._default_encoder
        self._embed: Embed | None = None
        self._failed = False
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> Diarizer | None:
        return cls(DiarizationConfig.from_settings(settings)) if settings.diarization else None

    def _default_encoder(self) -> Embed:
        encoder = VoiceEncoder(self.config.weights)
        _one_blas_thread()
        return encoder.embed

    def _encoder(self) -> Embed | None:
        with self._lock:
            if self._embed is None and not self._failed:
                try:
                    self._embed = self._load()
                except Exception as exc:
                    self._failed = True
                    log.warning("speaker diarization is off: %s", exc)
            return self._embed

    def label(
        self, state: MeetingSpeakers, segments: Sequence[Segment], audio: F32, audio_start_ms: int
    ) -> tuple[list[Segment], MeetingSpeakers]:
        """``label_segments`` with this process's encoder; the segments as they are when there is
        none, or when embedding fails (a speaker label is never worth losing a transcript)."""
        embed = self._encoder() if segments else None
        if embed is None:
            return list(segments), state
        try:
            return label_segments(state, segments, audio, audio_start_ms, embed, self.config)
        except Exception as exc:
            log.error("could not label the speakers of %d segments: %r", len(segments), exc, exc_info=exc)
            return list(segments), state
