"""A meeting's transcript as the minutes see it (live segments, then refined revisions), and rolling
minutes built incrementally from what changed plus the previous minutes.

Pure: no I/O. :class:`MeetingTranscript` applies ``transcription.completed`` records per the
contract (docs/contract.md section 2): a revision replaces every segment of its source starting in
its span, applying it twice changes nothing, and a live segment that arrives later for a span
already refined is ignored. Each change marks the time from which the minutes must be read again
(:attr:`MeetingTranscript.dirty_from_ms`).

:func:`merge_minutes` folds the minutes of the changed stretch (read with a short context tail
before it) into the previous minutes, so a rolling update costs what changed, not the whole
meeting. The final minutes are one full pass.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from domain.extraction import MAX_KEYWORDS
from domain.extraction_words import key_words
from domain.minutes import ActionItem, Decision, Minutes, StatusUpdate, Utterance
from domain.records import RevisionRecord
from domain.speakers import Relabel, follows_relabel
from domain.transcript import Segment

# Utterances read before the changed stretch, so a request answered in the new lines ("Bob, can
# you…?" / "Sure, by Friday") and back references resolve as in a full pass.
CONTEXT_UTTERANCES = 12
# Notes the offline writer adds about the stretch it read, which say nothing of the whole meeting.
_STRETCH_NOTES = ("empty meeting", "no decisions, action items or status updates were found")


@dataclass
class _Source:
    # start_ms -> utterance, and the sorted starts (bisect for spans).
    said: dict[int, Utterance] = field(default_factory=dict)
    starts: list[int] = field(default_factory=list)
    # Refined spans [start, end), sorted, disjoint after merging: live text there is ignored.
    refined: list[tuple[int, int]] = field(default_factory=list)

    def put(self, u: Utterance) -> None:
        if u.start_ms not in self.said:
            bisect.insort(self.starts, u.start_ms)
        self.said[u.start_ms] = u

    def drop_span(self, start_ms: int, end_ms: int) -> bool:
        lo = bisect.bisect_left(self.starts, start_ms)
        hi = bisect.bisect_left(self.starts, end_ms)
        gone = self.starts[lo:hi]
        for s in gone:
            del self.said[s]
        del self.starts[lo:hi]
        return bool(gone)

    def is_refined(self, start_ms: int) -> bool:
        i = bisect.bisect_right(self.refined, (start_ms, float("inf"))) - 1
        return i >= 0 and self.refined[i][0] <= start_ms < self.refined[i][1]

    def mark_refined(self, start_ms: int, end_ms: int) -> None:
        spans = sorted([*self.refined, (start_ms, end_ms)])
        merged: list[tuple[int, int]] = []
        for s, e in spans:
            if merged and s <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], e))
            else:
                merged.append((s, e))
        self.refined = merged


def utterance_of(seg: Segment) -> Utterance:
    return Utterance(seg.speaker, seg.text, seg.start_ms, seg.end_ms)


@dataclass
class MeetingTranscript:
    """The current text of one meeting, per source; what changed since the minutes last read it."""

    sources: dict[str, _Source] = field(default_factory=dict)
    # Applied revisions by (source, start, end) -> their text, so a replayed one is a no-op.
    applied: dict[tuple[str, int, int], tuple[tuple[int, str], ...]] = field(default_factory=dict)
    dirty_from_ms: int | None = None
    changes: int = 0  # transcript records that changed the text (monotone)

    def _dirty(self, start_ms: int) -> None:
        self.changes += 1
        self.dirty_from_ms = start_ms if self.dirty_from_ms is None else min(self.dirty_from_ms, start_ms)

    def add_live(self, seg: Segment) -> bool:
        """Apply a live segment; False when it changes nothing (a replay, or a refined span)."""
        src = self.sources.setdefault(seg.source, _Source())
        if src.is_refined(seg.start_ms):
            return False  # refined text wins over live text, never the other way
        u = utterance_of(seg)
        if src.said.get(seg.start_ms) == u:
            return False
        src.put(u)
        self._dirty(seg.start_ms)
        return True

    def apply_revision(self, rev: RevisionRecord) -> bool:
        """Replace the source's segments starting in the span; False when it was applied before."""
        key = (rev.source, rev.start_ms, rev.end_ms)
        text = tuple((s.start_ms, s.text) for s in rev.segments)
        if self.applied.get(key) == text:
            return False
        src = self.sources.setdefault(rev.source, _Source())
        src.drop_span(rev.start_ms, rev.end_ms)
        for seg in rev.segments:
            src.put(utterance_of(seg))
        src.mark_refined(rev.start_ms, rev.end_ms)
        self.applied[key] = text
        self._dirty(rev.start_ms)
        return True

    def relabel(self, rec: Relabel) -> bool:
        """The speakers were clustered again at the close; False when the segment is not (or no
        longer) labelled ``old`` (a replay). When refined text replaced the segment, the refined
        utterances read from it follow (:func:`domain.speakers.follows_relabel`)."""
        src = self.sources.get(rec.source)
        if src is None:
            return False
        u = src.said.get(rec.start_ms)
        if u is not None and not src.is_refined(rec.start_ms):
            if u.speaker != rec.old:
                return False
            src.put(replace(u, speaker=rec.new))
            self._dirty(rec.start_ms)
            return True
        moved = [v for v in src.said.values()
                 if src.is_refined(v.start_ms) and follows_relabel(rec, v.start_ms, v.end_ms, v.speaker)]
        for v in moved:
            src.put(replace(v, speaker=rec.new))
        if moved:
            self._dirty(min(v.start_ms for v in moved))
        return bool(moved)

    def __len__(self) -> int:
        return sum(len(s.said) for s in self.sources.values())

    def utterances(self) -> list[Utterance]:
        """Everything said, in the order it was said (tracks share one timeline)."""
        return sorted((u for s in self.sources.values() for u in s.said.values()),
                      key=lambda u: (u.start_ms, u.end_ms))

    def stretch(
        self, from_ms: int, context: int = CONTEXT_UTTERANCES
    ) -> tuple[list[Utterance], list[Utterance]]:
        """``(context, changed)``: the utterances from ``from_ms`` on, and up to ``context`` before.

        Costs what is read: each source is cut by bisection, never walked from the start.
        """
        changed: list[Utterance] = []
        before: list[Utterance] = []
        for src in self.sources.values():
            i = bisect.bisect_left(src.starts, from_ms)
            changed.extend(src.said[s] for s in src.starts[i:])
            before.extend(src.said[s] for s in src.starts[max(0, i - context):i])
        order = lambda u: (u.start_ms, u.end_ms)  # noqa: E731
        before.sort(key=order)
        changed.sort(key=order)
        return before[-context:] if context else [], changed

    def take_dirty(self) -> int | None:
        d, self.dirty_from_ms = self.dirty_from_ms, None
        return d


def _task_key(item: ActionItem) -> tuple[str | None, frozenset[str]]:
    return (item.assignee, frozenset(key_words(item.task)))


def _dedupe(items: Iterable[ActionItem]) -> list[ActionItem]:
    # As the offline writer does within one pass: the same task said twice is one item, and a
    # later mention may bring the due date.
    out: list[ActionItem] = []
    index: dict[tuple[str | None, frozenset[str]], int] = {}
    for item in items:
        key = _task_key(item)
        if key in index:
            prev = out[index[key]]
            if prev.due_date is None and item.due_date is not None:
                out[index[key]] = replace(prev, due_date=item.due_date)
            continue
        index[key] = len(out)
        out.append(item)
    return out


def _keep_identity(new: Sequence[StatusUpdate], old: Sequence[StatusUpdate]) -> list[StatusUpdate]:
    """A status remark read again (refined text, more context) keeps the quote and time it was
    first recorded with: the ticket writer knows a remark by them and applies it once, so the
    re-reading can never move a ticket a person has moved since."""
    out = []
    for u in new:
        twin = next((o for o in old if o.status == u.status and abs(o.start_ms - u.start_ms) <= 2_000
                     and (o.speaker == u.speaker or o.speaker is None or u.speaker is None)), None)
        out.append(replace(u, quote=twin.quote, start_ms=twin.start_ms) if twin is not None else u)
    return out


# The first lines of a full context tail were read without what was said before them ("Went
# well." without the question it answers): their new reading is poorer, not better.
CONTEXT_EDGE = 3


def context_edge(context: Sequence[Utterance], wanted: int = CONTEXT_UTTERANCES) -> int | None:
    """Where the lines of ``context`` start to have enough before them, when the tail was cut
    at ``wanted`` lines (None: it reaches the meeting's start, every line read in full)."""
    if len(context) < wanted or len(context) <= CONTEXT_EDGE:
        return None
    return context[CONTEXT_EDGE].start_ms


def merge_minutes(previous: Minutes | None, partial: Minutes, from_ms: int,
                  settled_before_ms: int | None = None) -> Minutes:
    """``previous`` with everything said from ``from_ms`` on read again as ``partial`` says.

    ``partial`` is the writer's reading of the changed stretch and its context tail. Items of
    ``previous`` from ``from_ms`` on are replaced by the partial's; items of the context tail
    replace the previous reading of the same line (it now has more context) or are added (a
    request answered in the new lines), except lines before ``settled_before_ms``
    (:func:`context_edge`), which the partial read with less context than before.
    """
    if previous is None:
        return replace(partial, notes=tuple(partial.notes))
    if settled_before_ms is not None:
        edge = settled_before_ms
        partial = replace(
            partial,
            action_items=tuple(a for a in partial.action_items if a.start_ms >= edge),
            decisions=tuple(d for d in partial.decisions if d.start_ms >= edge),
            status_updates=tuple(x for x in partial.status_updates if x.start_ms >= edge),
        )
    p_lines = {i.start_ms for i in partial.action_items}
    actions = _dedupe([
        *(a for a in previous.action_items if a.start_ms < from_ms and a.start_ms not in p_lines),
        *partial.action_items,
    ])
    actions.sort(key=lambda a: a.start_ms)
    d_lines = {d.start_ms for d in partial.decisions}
    decisions: list[Decision] = sorted(
        [*(d for d in previous.decisions if d.start_ms < from_ms and d.start_ms not in d_lines),
         *partial.decisions], key=lambda d: d.start_ms)
    old_status = [s for s in previous.status_updates if s.start_ms >= from_ms - 2_000]
    reread = _keep_identity(partial.status_updates, old_status)
    s_lines = {s.start_ms for s in reread}
    statuses = sorted(
        [*(s for s in previous.status_updates if s.start_ms < from_ms and s.start_ms not in s_lines),
         *reread], key=lambda s: s.start_ms)
    questions = tuple(dict.fromkeys([*previous.questions, *partial.questions]))
    # Keywords: the previous ranking, with the stretch's own words voted in by rank.
    score: Counter[str] = Counter()
    for ranked in (previous.keywords, partial.keywords):
        for rank, k in enumerate(ranked):
            score[k] += MAX_KEYWORDS - rank
    keywords = tuple(k for k, _ in sorted(score.items(), key=lambda kv: -kv[1])[:MAX_KEYWORDS])
    found = bool(actions or decisions or statuses)
    notes = tuple(dict.fromkeys(
        n for n in (*previous.notes, *partial.notes)
        if not (found and n.startswith(_STRETCH_NOTES)) and not n.startswith(_STRETCH_NOTES[0])
    ))
    return Minutes(
        # The summary of what is being discussed now; the final minutes summarise the whole.
        summary=partial.summary or previous.summary,
        decisions=tuple(decisions),
        action_items=tuple(actions),
        status_updates=tuple(statuses),
        questions=questions,
        keywords=keywords,
        language=previous.language if previous.language not in ("", "und") else partial.language,
        writer=partial.writer,
        notes=notes,
    )
