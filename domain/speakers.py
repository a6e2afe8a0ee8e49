"""Online speaker clustering for one meeting: stable labels S1, S2, ... from turn embeddings.

Each speech turn's embedding is compared (cosine) with the running centroid of every speaker
heard so far in the meeting. The closest speaker takes the turn when the similarity reaches the
threshold, and its centroid moves towards the turn; otherwise the turn opens a new speaker.
Labels are numbered in order of first appearance and never change once given, and the same
embeddings in the same order always give the same labels. Pure: numpy only, no I/O; the state
is an immutable value the caller keeps per meeting.
"""

from __future__ import annotations

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
