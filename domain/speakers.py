"""Online speaker clustering for one meeting: stable labels S1, S2, ... from turn embeddings.

Each speech turn's embedding is compared (cosine) with the running centroid of every speaker
heard so far in the meeting. The closest speaker takes the turn when the similarity reaches the
threshold, and its centroid moves towards the turn; otherwise the turn opens a new speaker.
Labels are numbered in order of first appearance and never change once given, and the same
embeddings in the same order always give the same labels. Pure: numpy only, no I/O; the state
is an immutable value the caller keeps per meeting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.floating]

# Cosine similarity at or above which a turn joins an existing speaker. Tuned on espeak voices
# with the Resemblyzer encoder (bench/diarization.py): same voice 0.90-0.95, distinct voices
# mostly 0.55-0.85.
DEFAULT_THRESHOLD = 0.82


@dataclass(frozen=True)
class Speaker:
    label: str
    total: tuple[float, ...]  # sum of the unit embeddings assigned, times their weights
    weight: float

    def centroid(self) -> npt.NDArray[np.float64]:
        v = np.asarray(self.total, dtype=np.float64)
        n = float(np.linalg.norm(v))
        return v / n if n > 0 else v


@dataclass(frozen=True)
class SpeakerState:
    """The speakers of one meeting so far, in order of first appearance."""

    speakers: tuple[Speaker, ...] = field(default_factory=tuple)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(s.label for s in self.speakers)


@dataclass(frozen=True)
class SpeakerVoices:
    """A meeting's speakers as they stand: each label's voice centroid and the seconds of speech
    behind it, made by ``model`` (stored for naming labels by enrolled voices)."""

    meeting_id: str
    team: str | None
    model: str
    voices: tuple[tuple[str, tuple[float, ...], float], ...]  # (label, centroid, seconds)

    @classmethod
    def of(cls, meeting_id: str, team: str | None, model: str, state: SpeakerState) -> SpeakerVoices:
        return cls(meeting_id, team, model, tuple(
            (s.label, tuple(float(x) for x in s.centroid()), s.weight) for s in state.speakers))


@dataclass(frozen=True)
class Assignment:
    label: str
    similarity: float  # to the chosen speaker's centroid before the update; 1.0 for a new one
    new_speaker: bool


def _unit(embedding: Vector) -> npt.NDArray[np.float64]:
    v = np.asarray(embedding, dtype=np.float64).reshape(-1)
    if v.size == 0 or not np.all(np.isfinite(v)):
        raise ValueError("an embedding must be a non-empty finite vector")
    n = float(np.linalg.norm(v))
    if n == 0.0:
        raise ValueError("an embedding must not be the zero vector")
    return v / n


def assign(
    state: SpeakerState,
    embedding: Vector,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    weight: float = 1.0,
    max_speakers: int | None = None,
    may_open: bool = True,
) -> tuple[Assignment, SpeakerState]:
    """Label one turn and return the meeting's next state.

    ``weight`` (e.g. the turn's seconds of speech) sets how far the centroid moves.
    ``max_speakers`` caps the count: past it a turn goes to the closest speaker whatever the
    similarity. ``may_open=False`` (e.g. for a turn too short to trust) never opens a speaker
    unless there is none yet.
    """
    if weight <= 0:
        raise ValueError("weight must be positive")
    v = _unit(embedding)
    speakers = state.speakers
    if speakers and len(speakers[0].total) != v.size:
        raise ValueError(f"embedding has {v.size} dimensions, the meeting's have {len(speakers[0].total)}")
    best, best_sim = -1, -np.inf
    for i, s in enumerate(speakers):
        sim = float(np.dot(s.centroid(), v))
        if sim > best_sim:  # strict: ties go to the earlier speaker
            best, best_sim = i, sim
    full = max_speakers is not None and len(speakers) >= max_speakers
    if best >= 0 and (best_sim >= threshold or full or not may_open):
        old = speakers[best]
        updated = Speaker(old.label, tuple(np.asarray(old.total) + weight * v), old.weight + weight)
        new_state = SpeakerState((*speakers[:best], updated, *speakers[best + 1 :]))
        return Assignment(old.label, best_sim, False), new_state
    label = f"S{len(speakers) + 1}"
    new_state = SpeakerState((*speakers, Speaker(label, tuple(weight * v), weight)))
    return Assignment(label, 1.0, True), new_state


def label_turns(
    embeddings: list[Vector] | npt.NDArray[np.floating],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    seconds: list[float] | None = None,
    max_speakers: int | None = None,
    min_open_seconds: float = 0.0,
) -> list[str]:
    """Labels for a meeting's turns in order (the online rule applied one turn at a time).

    ``seconds`` (each turn's length) weights the centroids; a turn shorter than
    ``min_open_seconds`` joins the closest speaker rather than open one.
    """
    state = SpeakerState()
    out = []
    for i, e in enumerate(embeddings):
        w = 1.0 if seconds is None else seconds[i]
        a, state = assign(
            state, e, threshold=threshold, weight=w, max_speakers=max_speakers, may_open=w >= min_open_seconds
        )
        out.append(a.label)
    return out


# --- re-clustering at close ---------------------------------------------------------------------


@dataclass(frozen=True)
class Turn:
    """One labelled stretch of speech of a meeting, as the online clustering saw it.

    ``segment_ms`` is the start of the transcript segment it belongs to (with ``source``, the
    segment's key); ``start_ms``/``end_ms`` are where the speech is, pauses of a turn change left
    out. ``embedding`` is the unit embedding quantised to int8 (None: too short to embed), so a
    meeting's turns stay small in the flow's snapshots.
    """

    source: str
    segment_ms: int
    start_ms: int
    end_ms: int
    label: str
    seconds: float
    embedding: bytes | None = None
    segment_label: str | None = None  # the label its segment was given

    def vector(self) -> npt.NDArray[np.float64] | None:
        if self.embedding is None:
            return None
        return np.frombuffer(self.embedding, dtype=np.int8).astype(np.float64) / 127.0


def quantised(embedding: Vector) -> bytes:
    """A unit embedding as int8 bytes (cosine similarity changes by well under 0.01)."""
    v = _unit(embedding)
    return bytes(np.clip(np.round(v / max(float(np.abs(v).max()), 1e-12) * 127), -127, 127).astype(np.int8))


@dataclass(frozen=True)
class Relabel:
    """A transcript segment whose speaker label changed when the meeting's turns were clustered
    again at its close: ``(source, start_ms)`` is the segment, ``old`` the label it was given,
    ``end_ms`` where its speech ends (None in records from before it was sent). When refined text
    has replaced the segment (a long meeting's windows before its last are refined while it goes
    on), the refined segments read from it follow instead: see :func:`follows_relabel`."""

    meeting_id: str
    team: str | None
    source: str
    start_ms: int
    old: str
    new: str
    end_ms: int | None = None


def follows_relabel(relabel: Relabel, start_ms: int, end_ms: int, speaker: str | None) -> bool:
    """Whether a refined segment ``[start_ms, end_ms)`` labelled ``speaker`` takes the relabel of
    the live segment it was read from: it still has the old label, and at least half of its time
    lies in that segment's speech (so it follows one relabel at most: a refined sentence read
    about evenly from two live segments keeps its label). The store's SQL says the same."""
    if relabel.end_ms is None or speaker != relabel.old:
        return False
    shared = min(end_ms, relabel.end_ms) - max(start_ms, relabel.start_ms)
    return shared > 0 and 2 * shared >= end_ms - start_ms


def cluster_offline(
    embeddings: npt.NDArray[np.floating],
    weights: npt.NDArray[np.floating],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    max_speakers: int | None = None,
    min_seconds: float = 2.0,
) -> list[int]:
    """Cluster ids (0, 1, … in order of first turn) for all of a meeting's turns at once.

    Agglomerative, centroid linkage on cosine similarity of the speech-weighted mean embeddings:
    the most similar pair of clusters merges while their similarity reaches ``threshold`` (and
    past it while there are more than ``max_speakers``). A cluster with less than
    ``min_seconds`` of speech then joins its closest one (as a short turn never opens a speaker
    online). Unlike the online rule, a turn heard early is judged against everything heard
    later. Deterministic: ties go to the lowest indices.
    """
    n = len(embeddings)
    if n == 0:
        return []
    units = np.stack([_unit(e) for e in embeddings])
    w = np.asarray(weights, dtype=np.float64).reshape(-1)
    if w.shape != (n,) or np.any(w <= 0):
        raise ValueError("one positive weight per embedding")
    sums = units * w[:, None]
    alive = np.ones(n, dtype=bool)
    members: list[list[int]] = [[i] for i in range(n)]
    mass = w.copy()

    def centroids() -> npt.NDArray[np.float64]:
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        return np.asarray(sums / np.maximum(norms, 1e-12), dtype=np.float64)

    c = centroids()
    sim = c @ c.T
    np.fill_diagonal(sim, -np.inf)

    def merge(i: int, j: int) -> None:  # j into i
        sums[i] += sums[j]
        mass[i] += mass[j]
        members[i] += members[j]
        members[j] = []
        alive[j] = False
        sim[j, :] = -np.inf
        sim[:, j] = -np.inf
        ci = sums[i] / max(float(np.linalg.norm(sums[i])), 1e-12)
        row = np.where(alive, centroids() @ ci, -np.inf)
        row[i] = -np.inf
        sim[i, :] = row
        sim[:, i] = row

    while alive.sum() > 1:
        k = int(np.argmax(sim))
        i, j = divmod(k, n)
        i, j = min(i, j), max(i, j)
        if sim[i, j] < threshold and (max_speakers is None or alive.sum() <= max_speakers):
            break
        merge(i, j)
    while alive.sum() > 1:
        small = [int(x) for x in np.flatnonzero(alive) if mass[x] < min_seconds]
        if not small:
            break
        s = min(small, key=lambda x: (mass[x], x))
        t = int(np.argmax(sim[s]))
        merge(min(s, t), max(s, t))
    # Online only a turn of at least min_seconds opens a speaker. A cluster made of shorter
    # turns alone (the noisiest embeddings: two voices' short turns can look alike) is no
    # speaker: each of its turns joins the speaker closest to it, one by one.
    opened = [int(x) for x in np.flatnonzero(alive) if w[members[x]].max() >= min_seconds]
    if opened:
        keep = np.asarray(opened)
        for x in [int(x) for x in np.flatnonzero(alive) if int(x) not in opened]:
            cents = centroids()[keep]
            for i in members[x]:
                members[int(keep[int(np.argmax(cents @ units[i]))])].append(i)
            members[x] = []
            alive[x] = False
    order = sorted((min(members[x]), int(x)) for x in np.flatnonzero(alive))
    ids = np.zeros(n, dtype=int)
    for cid, (_, x) in enumerate(order):
        ids[members[x]] = cid
    return [int(x) for x in ids]


def _label_number(label: str) -> int:
    return int(label[1:]) if label[:1] == "S" and label[1:].isdigit() else 0


def recluster_turns(
    turns: Sequence[Turn],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    max_speakers: int | None = None,
    min_seconds: float = 2.0,
    taken: Sequence[str] = (),
) -> list[str]:
    """New labels for ``turns`` from clustering them all at once, in the old labels' names.

    Each new cluster takes the old label it shares most speech with (one-to-one, the largest
    overlap first), so labels a meeting already showed stay where the clustering agrees; a
    cluster left over gets the next number unused by the turns and ``taken`` (labels of the
    meeting that no kept turn holds). A turn without an embedding takes the label of its
    source's embedded turn nearest in time (none: it keeps its label).
    """
    embedded = [i for i, t in enumerate(turns) if t.embedding is not None]
    new = [t.label for t in turns]
    if not embedded:
        return new
    vectors = np.stack([turns[i].vector() for i in embedded])  # type: ignore[misc]
    ids = cluster_offline(vectors, np.array([turns[i].seconds for i in embedded]), threshold=threshold,
                          max_speakers=max_speakers, min_seconds=min_seconds)
    overlap: dict[tuple[int, str], float] = {}
    for i, cid in zip(embedded, ids, strict=True):
        key = (cid, turns[i].label)
        overlap[key] = overlap.get(key, 0.0) + turns[i].seconds
    names: dict[int, str] = {}
    used: set[str] = set()
    for (cid, old), _ in sorted(overlap.items(), key=lambda kv: (-kv[1], kv[0][0], _label_number(kv[0][1]))):
        if cid not in names and old not in used:
            names[cid] = old
            used.add(old)
    top = max([_label_number(t.label) for t in turns] + [_label_number(x) for x in taken] + [0])
    for cid in sorted(set(ids)):
        if cid not in names:
            top += 1
            names[cid] = f"S{top}"
    for i, cid in zip(embedded, ids, strict=True):
        new[i] = names[cid]
    # A turn too short to embed was given the label heard before it; with the whole meeting
    # known, it goes with the embedded turn of its source nearest in time, before or after
    # (a reply's first word often is its own short turn).
    for i, t in enumerate(turns):
        if t.embedding is not None:
            continue
        near = [(max(0, t.start_ms - turns[j].end_ms, turns[j].start_ms - t.end_ms), turns[j].start_ms, j)
                for j in embedded if turns[j].source == t.source]
        if near:
            new[i] = new[min(near)[2]]
    return new
