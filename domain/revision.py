"""The refined transcript: a source's audio read again in long windows, replacing the live text.

A refined window (a :class:`domain.records.RevisionRecord`) replaces every segment of its (team,
meeting, source) that starts within ``[start_ms, end_ms)``; the live transcript never replaces it
back (docs/contract.md section 2). Its segments keep the live segments' speaker labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from domain.transcript import Segment


@dataclass(frozen=True)
class LiveLine:
    """A live row a refined window replaces: its span and the speaker label it was given."""

    start_ms: int
    end_ms: int
    speaker: str | None


def carry_labels(segments: Sequence[Segment], live: Sequence[LiveLine]) -> list[Segment]:
    """Give each refined segment the label of the live line it overlaps most (else the nearest),
    so the speaker labels a diarized source already showed, and the names given to them, stay."""
    labelled = [line for line in live if line.speaker is not None]
    if not labelled:
        return list(segments)
    out: list[Segment] = []
    for seg in segments:
        def overlap(line: LiveLine, seg: Segment = seg) -> int:
            return min(seg.end_ms, line.end_ms) - max(seg.start_ms, line.start_ms)

        def distance(line: LiveLine, seg: Segment = seg) -> int:
            return max(line.start_ms - seg.end_ms, seg.start_ms - line.end_ms, 0)

        best = max(labelled, key=overlap)
        if overlap(best) <= 0:
            best = min(labelled, key=distance)
        out.append(replace(seg, speaker=best.speaker))
    return out
