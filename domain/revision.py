"""The refined transcript: a source's audio read again in long windows, replacing the live text.

A refined window (a :class:`domain.records.RevisionRecord`) replaces every segment of its (team,
meeting, source) that starts within ``[start_ms, end_ms)``; the live transcript never replaces it
back (docs/contract.md section 2). Its segments keep the live segments' speaker labels: each
sentence takes the label of the live words it was read from, and a segment whose sentences came
from two voices is split there (:func:`carry_labels`). A window whose reading lost much of the live
text (:func:`live_coverage`) is not a better transcript: the refine flow reads it once more without
hotwords, and else keeps the live rows.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

from domain.transcript import SENTENCE_END, Segment


@dataclass(frozen=True)
class LiveLine:
    """A row a refined window replaces (live, or refined by an earlier reading of the same span,
    as on a replay): its span, the speaker label it was given, its text."""

    start_ms: int
    end_ms: int
    speaker: str | None
    text: str = ""


# Words to align the refined text with the live text: each Hangul syllable on its own (Korean
# words carry particles that two readings spell apart), other letters and digits as words.
_TOKEN = re.compile(r"[\uac00-\ud7a3]|[^\W_\uac00-\ud7a3]+(?:'[^\W_\uac00-\ud7a3]+)*")
# Fewer live words than this say too little to judge a reading by.
MIN_LIVE_WORDS = 8
# A reading that holds less of the live text than this lost speech (Whisper, prompted with a
# team's hotwords, skips whole sentences of a long window: on the 127 mixed-track eval meetings,
# tiny.en, half the meetings held less than 0.75 of it and their word error rate was 0.17 higher
# than the live text's; read without hotwords, 1 in 10, and no worse than live).
MIN_COVERAGE = 0.75
# The same for a reading by another model than the live one (Whisper base after tiny.en): its
# words differ from the live ones more without speech lost. On the same meetings, 0.75 kept 48
# windows live (refined WER 0.184), 0.6 kept 2 (0.167), 0.5 none but let skips through (0.175).
MIN_COVERAGE_OTHER_MODEL = 0.6


def _tokens(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text)]


def live_coverage(texts: Sequence[str], live: Sequence[LiveLine]) -> float | None:
    """The share of the live rows' words that ``texts`` (a window read again) holds in the same
    order; ``None`` when the live rows hold fewer than MIN_LIVE_WORDS words."""
    said = [t for line in sorted(live, key=lambda x: (x.start_ms, x.end_ms)) for t in _tokens(line.text)]
    if len(said) < MIN_LIVE_WORDS:
        return None
    got = [t for text in texts for t in _tokens(text)]
    blocks = SequenceMatcher(None, said, got, autojunk=False).get_matching_blocks()
    return sum(b.size for b in blocks) / len(said)


def carry_labels(segments: Sequence[Segment], live: Sequence[LiveLine]) -> list[Segment]:
    """The refined segments with the speaker labels of the live rows they replace, so the labels
    a diarized source already showed, and the names given to them, stay.

    With the live text: the refined words are aligned with the live words (a word read otherwise
    aligned with the one in its place), each sentence takes the label most of its aligned words
    had (a sentence with none, the label before it in its segment), and a segment whose sentences
    have two labels is split where the label changes
    (a question and its reply Whisper read as one segment in a long window); the parts share the
    segment's time by their length. Without it: each segment takes the label of the live row it
    overlaps most (else the nearest)."""
    labelled = [line for line in live if line.speaker is not None]
    if not labelled:
        return list(segments)
    overlapping = _by_overlap(segments, labelled)
    lines = sorted(labelled, key=lambda x: (x.start_ms, x.end_ms))
    said = [(t, line.speaker) for line in lines for t in _tokens(line.text)]
    if not said:
        return overlapping
    sentences = [[p for p in SENTENCE_END.split(seg.text.strip()) if p] for seg in segments]
    words = [[_tokens(p) for p in parts] for parts in sentences]
    got = [t for seg_words in words for ws in seg_words for t in ws]
    heard: list[str | None] = [None] * len(got)
    matcher = SequenceMatcher(None, [t for t, _ in said], got, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op in ("equal", "replace"):  # a word heard otherwise ("OK" for "Okay") is still its voice's
            for k in range(j1, j2):
                heard[k] = said[i1 + (k - j1) * (i2 - i1) // (j2 - j1)][1]
    out: list[Segment] = []
    at = 0
    for seg, default, parts, seg_words in zip(segments, overlapping, sentences, words, strict=True):
        runs: list[tuple[str | None, list[str]]] = []
        for part, ws in zip(parts, seg_words, strict=True):
            votes = Counter(x for x in heard[at : at + len(ws)] if x is not None)
            at += len(ws)
            label = votes.most_common(1)[0][0] if votes else (runs[-1][0] if runs else default.speaker)
            if runs and runs[-1][0] == label:
                runs[-1][1].append(part)
            else:
                runs.append((label, [part]))
        out.extend(_split(seg, [(label, " ".join(ps)) for label, ps in runs]) if runs else [default])
    return out


def _split(seg: Segment, runs: list[tuple[str | None, str]]) -> list[Segment]:
    """``seg`` as one part per run of sentences of one label, sharing its time by length."""
    if len(runs) == 1:
        return [replace(seg, speaker=runs[0][0])]
    total = sum(len(text) for _, text in runs)
    span = seg.end_ms - seg.start_ms
    starts: list[int] = []
    done = 0
    for _, text in runs:
        start = seg.start_ms + span * done // total
        starts.append(max(start, starts[-1] + 1) if starts else seg.start_ms)
        done += len(text)
    ends = [*starts[1:], max(seg.end_ms, starts[-1] + 1)]
    return [replace(seg, start_ms=a, end_ms=b, speaker=label, text=text)
            for (label, text), a, b in zip(runs, starts, ends, strict=True)]


def _by_overlap(segments: Sequence[Segment], labelled: Sequence[LiveLine]) -> list[Segment]:
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
