"""Who speaks, for sources that do not say (one room microphone, a mixed call recording).

Each transcribed segment of such a source is embedded (``connectors.diarization``) and labelled
with the meeting's online clustering (``domain.speakers``): S1, S2, … in order of first
appearance. The clustering state (centroids and weights, a few KB) lives in the meeting's flow
state and so in the recovery snapshots: labels stay the same across windows, and a replay of the
same audio from a snapshot gives the same labels. A source whose envelope names its speaker (a
per-participant track) never comes here: that name stays authoritative.

Each turn is also kept (its speech span, label and a quantised embedding; the latest
``max_turns``): the turns are the diarization's honest account of who speaks when (pauses left
out, unlike a segment's span), and at the meeting's close :func:`recluster` clusters them all at
once, which fixes labels the online rule gave before it had heard everyone; segments whose label
changes come out as ``Relabel`` items. A segment whose turns the clustering at close gives to two
speakers or more (a question and its short reply read as one segment) is split where they change,
at a sentence end, as the live labelling splits one (:func:`split_segment`); each part has its own
label, and the split comes out as a ``TranscribedWindow`` of the parts.
"""

from __future__ import annotations

import ctypes
import itertools
import logging
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

from connectors.diarization import VoiceEncoder
from connectors.settings import Settings
from domain.speakers import (
    DEFAULT_THRESHOLD,
    Relabel,
    Speaker,
    SpeakerState,
    Turn,
    assign,
    quantised,
    recluster_turns,
)
from domain.transcript import SENTENCE_END, Segment, TranscribedWindow

log = logging.getLogger("vori.speakers")

RATE = 16_000
FRAME = 160  # 10 ms
F32 = npt.NDArray[np.float32]
Embed = Callable[[F32], F32]
# A stretch of speech's partial embeddings (one about every 0.77 s) and each one's sample range.
Partials = Callable[[F32], tuple[F32, list[tuple[int, int]]]]


_NOBODY = SpeakerState()


@dataclass(frozen=True)
class MeetingSpeakers:
    """A meeting's speakers so far, as kept in its flow state."""

    clusters: SpeakerState = _NOBODY
    last: str | None = None  # the latest label given: a turn too short to embed keeps it
    # The meeting's latest turns (at most ``DiarizationConfig.max_turns``): where speech is and
    # who it was given to, for the clustering again at close. A state from before they were kept
    # has none, and its close changes nothing.
    turns: tuple[Turn, ...] = ()
    # The segments the close may split: those with two turns or more and a sentence end inside
    # their text, only while their turns are kept (so bounded as ``turns`` are). Just these keep
    # their text: the close needs it to cut. A state from before has none (whole relabels only).
    splittable: tuple[Segment, ...] = ()

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
    min_open_s: float = 2.0  # a shorter turn joins the closest speaker rather than open one
    quiet_db: float = -40.0  # under the segment's loudest 10 ms by this much: not speech
    bridge_s: float = 0.2  # quiet this short inside speech is kept (pauses within words)
    turn_pause_s: float = 0.55  # a pause at least this long may be a hand-over to another voice
    # Speech without such a pause is cut where its two sides' partial embeddings are less alike
    # than this. Lower than ``threshold``: each side is a second or two of speech, not a turn
    # against a speaker's whole centroid; within one voice's speech the least alike sides were
    # 0.72-0.91, across a change of voice mostly 0.43-0.75 (bench/diarization_candidates.md).
    change_threshold: float = 0.70
    # Turns kept for the clustering at close: about 320 bytes each in the snapshots; a longer
    # meeting re-clusters its latest turns and leaves the labels of earlier ones as they are.
    max_turns: int = 1000
    recluster: bool = True

    @classmethod
    def from_settings(cls, settings: Settings) -> DiarizationConfig:
        return cls(settings.speaker_threshold, settings.max_speakers, settings.speaker_weights)


def _active(pcm: F32, quiet_db: float, bridge_s: float) -> npt.NDArray[np.bool_]:
    """Which 10 ms frames are speech: within ``quiet_db`` of the loudest (and above -60 dBFS),
    gaps shorter than ``bridge_s`` filled."""
    n = len(pcm) // FRAME
    if n == 0:
        return np.zeros(0, dtype=bool)
    frames = np.asarray(pcm[: n * FRAME], dtype=np.float64).reshape(n, FRAME)
    rms = np.sqrt((frames**2).mean(axis=1))
    active: npt.NDArray[np.bool_] = np.asarray(rms >= max(float(rms.max()) * 10 ** (quiet_db / 20), 1e-3))
    bridge = round(bridge_s * 100)
    for a, b in itertools.pairwise(np.flatnonzero(active)):
        if 1 < b - a <= bridge + 1:
            active[a:b] = True
    return active


def _speech_frames(pcm: F32, quiet_db: float, bridge_s: float) -> npt.NDArray[np.intp]:
    return np.flatnonzero(_active(pcm, quiet_db, bridge_s))


def voiced(pcm: F32, quiet_db: float = -40.0, bridge_s: float = 0.2) -> F32:
    """The speech of a stretch of audio with its pauses taken out.

    The encoder's embedding is the LSTM's state at the end of the audio, so trailing or inner
    silence (Whisper's segment bounds are loose) would pull it away from the voice.
    """
    active = _active(pcm, quiet_db, bridge_s)
    frames = np.asarray(pcm[: len(active) * FRAME], dtype=np.float32).reshape(len(active), FRAME)
    return np.asarray(frames[active].reshape(-1), dtype=np.float32)


def _runs(pcm: F32, config: DiarizationConfig) -> list[tuple[int, int]]:
    """Sample ranges of speech separated by pauses of at least ``turn_pause_s``: where one
    speaker may hand over to another."""
    active = _active(pcm, config.quiet_db, config.turn_pause_s)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], active.astype(np.int8), [0]])))
    return [(int(a) * FRAME, int(b) * FRAME) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _turns(speech: F32, max_turn_s: float) -> list[F32]:
    return [speech[a:b] for a, b in _even(0, len(speech), max_turn_s)]


def _even(a: int, b: int, max_turn_s: float) -> list[tuple[int, int]]:
    size = int(max_turn_s * RATE)
    parts = max(1, int(np.ceil((b - a) / size)))
    edges = np.linspace(a, b, parts + 1).astype(int)
    return list(itertools.pairwise(int(x) for x in edges))


def _unit_mean(vectors: F32) -> npt.NDArray[np.float64]:
    mean = np.asarray(vectors, dtype=np.float64).mean(axis=0)
    return np.asarray(mean / max(float(np.linalg.norm(mean)), 1e-12))


def _changes(vectors: F32, spans: Sequence[tuple[int, int]], threshold: float) -> list[int]:
    """Where the voice changes in a stretch of speech without a pause (one voice barging in on
    another, or a segment bound in the middle of a voice), in samples: binary segmentation of
    its partial embeddings. At each end of a partial, the partials before it and those after it
    (not overlapping it) are compared; at the least similar such point, if the two sides are
    less alike than ``threshold`` (the bar for opening a speaker), the speech is cut, and each
    side is searched again. Deterministic: ties go to the earliest point."""
    tol = 10 * FRAME  # partials overlapping by less than 0.1 s count as apart

    def search(lo: int, hi: int) -> list[int]:
        best: tuple[float, int, int, int] | None = None
        for k in range(lo, hi):
            cut = spans[k][1]
            left = [i for i in range(lo, hi) if spans[i][1] <= cut]
            right = [i for i in range(lo, hi) if spans[i][0] >= cut - tol]
            if not left or not right:
                continue
            sim = float(_unit_mean(vectors[left]) @ _unit_mean(vectors[right]))
            if best is None or sim < best[0]:
                best = (sim, cut, left[-1] + 1, right[0])
        if best is None or best[0] >= threshold:
            return []
        _, cut, left_end, right_start = best
        return [*search(lo, left_end), cut, *search(right_start, hi)]

    return search(0, len(vectors))


def _pieces(
    speech: F32, config: DiarizationConfig, embed: Embed, partials: Partials | None
) -> list[tuple[int, int, Callable[[], F32] | None]]:
    """A run's speech cut into turns: where its voice changes (with ``partials``), and then into
    parts of at most ``max_turn_s``; each with a way to get its embedding (None: too short)."""
    shortest = config.min_embed_s * RATE

    def own(a: int, b: int) -> Callable[[], F32]:
        return lambda: embed(speech[a:b])

    if partials is None or len(speech) < shortest:
        return [(a, b, own(a, b) if b - a >= shortest else None)
                for a, b in _even(0, len(speech), config.max_turn_s)]
    vectors, spans = partials(speech)

    def mean_of(inside: list[int]) -> Callable[[], F32]:
        return lambda: np.asarray(_unit_mean(vectors[inside]), dtype=np.float32)

    cuts = _changes(vectors, spans, config.change_threshold)
    out: list[tuple[int, int, Callable[[], F32] | None]] = []
    for c0, c1 in itertools.pairwise([0, *cuts, len(speech)]):
        for a, b in _even(c0, c1, config.max_turn_s):
            inside = [i for i, (x, y) in enumerate(spans) if x >= a - 10 * FRAME and y <= b + 10 * FRAME]
            if b - a < shortest:
                out.append((a, b, None))
            elif inside and spans[inside[-1]][1] - spans[inside[0]][0] >= (b - a) * 0.8:
                out.append((a, b, mean_of(inside)))  # the partials already computed cover the turn
            else:
                out.append((a, b, own(a, b)))
    return out




def _split_text(text: str, fractions: list[float], slack: float = 0.2) -> list[str] | None:
    """``text`` cut at sentence ends nearest to each fraction of its words (speech is taken to
    run at an even pace through a segment); None when a cut has no sentence end near it."""
    sentences = SENTENCE_END.split(text)
    words = [len(x.split()) for x in sentences]
    total = sum(words)
    ends = list(itertools.accumulate(words))[:-1]  # words before each possible cut
    cuts: list[int] = []
    for f in fractions:
        later = [i for i, _ in enumerate(ends) if not cuts or i > cuts[-1]]
        options = [i for i in later if abs(ends[i] / total - f) <= slack]
        if not options:
            return None
        cuts.append(min(options, key=lambda i: abs(ends[i] / total - f)))
    bounds = [0, *(c + 1 for c in cuts), len(sentences)]
    return [" ".join(sentences[a:b]) for a, b in itertools.pairwise(bounds)]


def split_segment(seg: Segment, turns: Sequence[Turn]) -> list[tuple[Segment, tuple[Turn, ...]]] | None:
    """``seg`` cut where the labels of its turns change, each part with its turns; None when its
    turns have one label, or its text has no sentence end near a change (it stays whole).

    Consecutive turns of one label make a part; its text is cut at the share of the turns' speech
    before each change (``_split_text``), its span at the middle of the pause between the turns.
    Only embedded turns say who speaks: one too short to embed goes with the embedded turn of the
    segment nearest to it (the close gave it its neighbour's label, often the other side of a
    hand-over: a breath before "Great, thanks" would otherwise cut the thanks off as the reply).
    """
    ordered = sorted(turns, key=lambda t: (t.start_ms, t.end_ms))
    heard = [t for t in ordered if t.embedding is not None]
    total = sum(t.seconds for t in ordered)
    if len({t.label for t in heard}) < 2 or total <= 0:
        return None

    def who(t: Turn) -> str:
        if t.embedding is not None:
            return t.label
        gap = {id(h): max(0, h.start_ms - t.end_ms, t.start_ms - h.end_ms) for h in heard}
        return min(heard, key=lambda h: (gap[id(h)], h.start_ms)).label

    groups: list[tuple[str, list[Turn]]] = []
    for t in ordered:
        if groups and groups[-1][0] == who(t):
            groups[-1][1].append(t)
        else:
            groups.append((who(t), [t]))
    shares = list(itertools.accumulate(sum(t.seconds for t in g) / total for _, g in groups[:-1]))
    texts = _split_text(seg.text, shares)
    if texts is None:
        return None
    starts = [seg.start_ms, *((g[-1].end_ms + h[0].start_ms) // 2
                              for (_, g), (_, h) in itertools.pairwise(groups))]
    ends = [*starts[1:], seg.end_ms]
    if any(a >= b for a, b in zip(starts, ends, strict=True)):
        return None  # a part with no time of its own: keys must stay unique
    return [(replace(seg, speaker=label, text=text, start_ms=a, end_ms=b), tuple(g))
            for (label, g), text, a, b in zip(groups, texts, starts, ends, strict=True)]


def _splittable(segments: Sequence[Segment], turns: Sequence[Turn]) -> tuple[Segment, ...]:
    """Of ``segments`` (later ones replace earlier of the same key), those the close may split."""
    count = Counter((t.source, t.segment_ms) for t in turns)
    latest = {(s.source, s.start_ms): s for s in segments}
    return tuple(s for key, s in latest.items() if count[key] >= 2 and SENTENCE_END.search(s.text.strip()))


def label_segments(
    state: MeetingSpeakers,
    segments: Sequence[Segment],
    audio: F32,
    audio_start_ms: int,
    embed: Embed,
    config: DiarizationConfig,
    partials: Partials | None = None,
) -> tuple[list[Segment], MeetingSpeakers]:
    """Each segment with its speaker label, and the meeting's next state.

    ``audio`` is the window the segments were read from (16 kHz float32, starting at
    ``audio_start_ms`` on the meeting's timeline). A segment's speech is cut at pauses into
    runs, and each run's speech into turns of at most ``max_turn_s``, labelled in order. Whisper
    often reads a hand-over without a break ("… be right back. Sure, I'll …"): when runs of one
    segment get different labels and its text has sentence ends where the voices change, the
    segment is split there, each part with its speaker; otherwise the segment takes the label
    with most of its speech. A segment with too little speech to embed keeps the latest label.
    Every turn is kept in the state (``MeetingSpeakers.turns``) with the span of its speech.
    Deterministic: the same state, segments and audio give the same labels and state.
    """
    clusters, last = state.clusters, state.last
    out: list[Segment] = []
    kept: list[Turn] = list(state.turns)

    def ms(sample: int) -> int:
        return audio_start_ms + sample * 1000 // RATE

    for seg in segments:
        a = max(0, (seg.start_ms - audio_start_ms) * RATE // 1000)
        b = min(len(audio), (seg.end_ms - audio_start_ms) * RATE // 1000)
        part = audio[a:b]
        pieces: list[tuple[int, int, str | None, float]] = []  # run start, end, label, seconds
        # Each turn: (start, end) samples within ``part``, its run's piece, seconds, embedding.
        heard: list[tuple[int, int, int, float, bytes | None, str | None]] = []
        for ra, rb in _runs(part, config):
            said: dict[str, float] = {}
            frames = _speech_frames(part[ra:rb], config.quiet_db, config.bridge_s)
            speech = voiced(part[ra:rb], config.quiet_db, config.bridge_s)
            for start, end, embedding in _pieces(speech, config, embed, partials) if len(speech) else []:
                seconds = (end - start) / RATE
                first, stop = start // FRAME, (end - 1) // FRAME
                span = (ra + int(frames[first]) * FRAME, ra + (int(frames[stop]) + 1) * FRAME)
                if embedding is None:
                    heard.append((*span, len(pieces), seconds, None, None))
                    continue
                vector = embedding()
                got, clusters = assign(
                    clusters,
                    vector,
                    threshold=config.threshold,
                    weight=seconds,
                    max_speakers=config.max_speakers,
                    may_open=seconds >= config.min_open_s,
                )
                heard.append((*span, len(pieces), seconds, quantised(vector), got.label))
                said[got.label] = said.get(got.label, 0.0) + seconds
            label = max(said, key=lambda k: said[k]) if said else None
            if pieces and (label is None or label == pieces[-1][2]):
                s0, _, l0, sec = pieces[-1]
                pieces[-1] = (s0, rb, l0, sec + sum(said.values()))
                heard = [(*h[:2], len(pieces) - 1 if h[2] == len(pieces) else h[2], *h[3:]) for h in heard]
            elif pieces and pieces[-1][2] is None:
                pieces[-1] = (pieces[-1][0], rb, label, sum(said.values()))
                heard = [(*h[:2], len(pieces) - 1 if h[2] == len(pieces) else h[2], *h[3:]) for h in heard]
            else:
                pieces.append((ra, rb, label, sum(said.values())))
        labelled = [p for p in pieces if p[2] is not None]
        if not labelled:
            seg_out = replace(seg, speaker=last) if last is not None else seg
            out.append(seg_out)
            if last is not None:
                kept += [Turn(seg.source, seg.start_ms, ms(a + x), ms(a + y), last, sec, None, last)
                         for x, y, _, sec, _, _ in heard]
            continue
        texts = None
        if len(labelled) > 1:
            # A voice changes halfway through the pause between two runs. Words come with speech,
            # not with the segment's quiet edges: the text is cut at the share of speech before.
            changes = [(p[1] + q[0]) // 2 for p, q in itertools.pairwise(labelled)]
            speech = np.cumsum(_active(part, config.quiet_db, config.bridge_s))
            total = max(1, int(speech[-1])) if len(speech) else 1
            texts = _split_text(seg.text, [int(speech[min(len(speech) - 1, c // FRAME)]) / total
                                           if len(speech) else 0.5 for c in changes])
        if texts is None:
            spoken: dict[str, float] = {}
            for p in labelled:
                spoken[str(p[2])] = spoken.get(str(p[2]), 0.0) + p[3]
            # Ties go to the speaker heard first in the segment (dicts keep insertion order).
            last = max(spoken, key=lambda k: spoken[k])
            out.append(replace(seg, speaker=last))
            kept += [Turn(seg.source, seg.start_ms, ms(a + x), ms(a + y), own or str(pieces[i][2] or last),
                          sec, e, last) for x, y, i, sec, e, own in heard]
            continue
        starts = [seg.start_ms] + [seg.start_ms + c * 1000 // RATE for c in changes]
        ends = [*starts[1:], seg.end_ms]
        parts = [replace(seg, speaker=p[2], text=text, start_ms=s0, end_ms=e0)
                 for p, text, s0, e0 in zip(labelled, texts, starts, ends, strict=True)]
        out += parts
        for x, y, i, sec, e, own in heard:
            at = ms(a + (x + y) // 2)
            owner = max((p for p in parts if p.start_ms <= at), key=lambda p: p.start_ms, default=parts[0])
            kept.append(Turn(seg.source, owner.start_ms, ms(a + x), ms(a + y),
                             own or str(pieces[i][2] or owner.speaker), sec, e, owner.speaker))
        last = labelled[-1][2]
    turns = tuple(kept[-config.max_turns :])
    splittable = _splittable([*state.splittable, *out], turns)
    if len(kept) > len(turns):  # the oldest kept segment may have lost turns: its shares would be wrong
        oldest = (turns[0].source, turns[0].segment_ms)
        splittable = tuple(s for s in splittable if (s.source, s.start_ms) != oldest)
    return out, MeetingSpeakers(clusters, last, turns, splittable)


def recluster(
    state: MeetingSpeakers, meeting_id: str, team: str | None, config: DiarizationConfig
) -> tuple[list[Relabel | TranscribedWindow], MeetingSpeakers]:
    """The meeting's kept turns clustered again all at once (at its close), and what that changes
    in the transcript, in time order: a segment whose turns now have two labels or more and whose
    text has sentence ends there is split (a ``TranscribedWindow`` of its parts, from its start to
    just past its last part's, so a segment that follows is never touched); any other segment
    whose label changes is relabelled: its speaker becomes the label with most of its turns'
    speech. The state's speakers are rebuilt from the turns, labels as they are now, and its
    turns and segments follow the parts. Deterministic: the same state gives the same output.
    """
    turns = state.turns
    if not turns or not config.recluster:
        return [], state
    labels = recluster_turns(turns, threshold=config.threshold, max_speakers=config.max_speakers,
                             min_seconds=config.min_open_s, taken=state.clusters.labels)
    now = tuple(replace(t, label=new) for t, new in zip(turns, labels, strict=True))
    votes: dict[tuple[str, int], dict[str, float]] = {}
    was: dict[tuple[str, int], str] = {}
    of: dict[tuple[str, int], list[Turn]] = {}
    for t in now:
        key = (t.source, t.segment_ms)
        tally = votes.setdefault(key, {})
        tally[t.label] = tally.get(t.label, 0.0) + t.seconds
        of.setdefault(key, []).append(t)
        if t.segment_label is not None:
            was[key] = t.segment_label
    splittable = {(s.source, s.start_ms): s for s in state.splittable}
    changes: list[Relabel | TranscribedWindow] = []
    settled: dict[tuple[str, int], str] = {}
    part_of: dict[int, Segment] = {}  # id of a turn of a split segment -> its part
    parts: list[Segment] = []
    for key, tally in votes.items():
        seg = splittable.get(key)
        split = None if seg is None else split_segment(seg, of[key])
        if seg is not None and split is not None:
            pieces = tuple(p for p, _ in split)
            changes.append(TranscribedWindow(meeting_id, seg.source, seg.start_ms, pieces[-1].start_ms + 1,
                                             pieces, team))
            # Refined text read from the segment (a long meeting's windows before its last) follows
            # its parts: a relabel per part of another speaker, which no live row matches.
            changes += [Relabel(meeting_id, team, p.source, p.start_ms, seg.speaker, p.speaker, p.end_ms)
                        for p in pieces if seg.speaker and p.speaker and p.speaker != seg.speaker]
            part_of.update((id(t), p) for p, group in split for t in group)
            parts += pieces
            continue
        old = was.get(key)
        best = max(tally.values())
        top = sorted((k for k, v in tally.items() if v == best), key=_label_key)
        new = old if old in top else top[0]
        settled[key] = new
        if old is not None and new != old:
            changes.append(Relabel(meeting_id, team, key[0], key[1], old, new,
                                   max(t.end_ms for t in of[key])))
    now = tuple(replace(t, segment_ms=part_of[id(t)].start_ms, segment_label=part_of[id(t)].speaker)
                if id(t) in part_of else replace(t, segment_label=settled[(t.source, t.segment_ms)])
                for t in now)
    sums: dict[str, tuple[npt.NDArray[np.float64], float]] = {}
    for t in now:
        v = t.vector()
        if v is None:
            continue
        total, weight = sums.get(t.label, (np.zeros(v.size), 0.0))
        sums[t.label] = (total + t.seconds * v / max(float(np.linalg.norm(v)), 1e-12), weight + t.seconds)
    # Speakers whose turns all fell out of the kept window stay as they were.
    others = [s for s in state.clusters.speakers if s.label not in sums]
    rebuilt = [Speaker(k, tuple(float(x) for x in v), w) for k, (v, w) in sums.items()]
    speakers = tuple(sorted([*others, *rebuilt], key=lambda s: _label_key(s.label)))
    last = now[-1].segment_label or now[-1].label
    return changes, MeetingSpeakers(SpeakerState(speakers), last, now,
                                    _splittable([*state.splittable, *parts], now))


def _label_key(label: str) -> tuple[int, str]:
    return (int(label[1:]) if label[1:].isdigit() else 1 << 30, label)


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
        self._partials: Partials | None = None  # the default encoder's: voice changes are looked for
        self._failed = False
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> Diarizer | None:
        return cls(DiarizationConfig.from_settings(settings)) if settings.diarization else None

    def _default_encoder(self) -> Embed:
        encoder = VoiceEncoder(self.config.weights)
        _one_blas_thread()
        self._partials = encoder.partials
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
            return label_segments(state, segments, audio, audio_start_ms, embed, self.config, self._partials)
        except Exception as exc:
            log.error("could not label the speakers of %d segments: %r", len(segments), exc, exc_info=exc)
            return list(segments), state

    def close(
        self, state: MeetingSpeakers, meeting_id: str, team: str | None
    ) -> tuple[list[Relabel | TranscribedWindow], MeetingSpeakers]:
        """At a meeting's close: ``recluster`` its turns; nothing changes when that fails."""
        try:
            return recluster(state, meeting_id, team, self.config)
        except Exception as exc:
            log.error("could not re-cluster the speakers of %s: %r", meeting_id, exc, exc_info=exc)
            return [], state
