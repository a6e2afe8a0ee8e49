"""A meeting's transcript under revisions, and rolling minutes built from what changed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from domain.extraction import extract_minutes
from domain.minutes import Utterance
from domain.records import RevisionRecord
from domain.rolling_minutes import MeetingTranscript, context_edge, merge_minutes
from domain.speakers import Relabel
from domain.transcript import Segment

EVAL = Path(__file__).resolve().parents[2] / "eval" / "minutes"
DAY = dt.date(2026, 11, 23)


def seg(start: int, text: str, *, source: str = "main", speaker: str | None = "Bob") -> Segment:
    return Segment("m1", source, speaker, start, start + 900, text, "en", "tiny.en", 0, team="acme")


def texts(t: MeetingTranscript) -> list[str]:
    return [u.text for u in t.utterances()]


def test_a_revision_replaces_its_span_of_its_source_only():
    t = MeetingTranscript()
    for s in (seg(0, "we ship fryday"), seg(1000, "bob will fix the bilings page"), seg(5000, "later")):
        t.add_live(s)
    t.add_live(seg(1500, "other track", source="b"))
    rev = RevisionRecord("acme", "m1", "main", 0, 4000, (seg(0, "We ship Friday. Bob will fix the billing page."),))
    assert t.apply_revision(rev)
    assert texts(t) == ["We ship Friday. Bob will fix the billing page.", "other track", "later"]


def test_applying_a_revision_twice_changes_nothing():
    t = MeetingTranscript()
    t.add_live(seg(0, "live"))
    rev = RevisionRecord("acme", "m1", "main", 0, 4000, (seg(0, "refined"),))
    assert t.apply_revision(rev)
    changes, dirty = t.changes, t.take_dirty()
    assert not t.apply_revision(rev)
    assert (t.changes, t.take_dirty(), texts(t)) == (changes, None, ["refined"])
    assert dirty == 0


def test_a_live_segment_arriving_after_its_span_was_refined_is_ignored():
    t = MeetingTranscript()
    t.apply_revision(RevisionRecord("acme", "m1", "main", 0, 10_000, (seg(0, "refined text"),)))
    assert not t.add_live(seg(2000, "late live text"))
    assert t.add_live(seg(10_000, "after the span"))  # past the span: live text is welcome
    assert t.add_live(seg(2000, "another track", source="b"))  # another source's span is not refined
    assert texts(t) == ["refined text", "another track", "after the span"]


def test_a_replayed_live_segment_changes_nothing():
    t = MeetingTranscript()
    assert t.add_live(seg(0, "hello there"))
    t.take_dirty()
    assert not t.add_live(seg(0, "hello there"))
    assert t.take_dirty() is None and len(t) == 1


def test_the_stretch_is_what_changed_plus_a_bounded_context_tail():
    t = MeetingTranscript()
    for i in range(100):
        t.add_live(seg(i * 1000, f"line {i}"))
    t.take_dirty()
    t.add_live(seg(100_000, "new line"))
    context, changed = t.stretch(t.take_dirty() or 0, context=3)
    assert [u.text for u in context] == ["line 97", "line 98", "line 99"]
    assert [u.text for u in changed] == ["new line"]


def eval_meetings() -> list[Path]:
    return sorted(EVAL.glob("*.json"))


@pytest.mark.parametrize("path", eval_meetings(), ids=lambda p: p.stem)
def test_rolling_minutes_two_lines_at_a_time_find_what_one_full_pass_finds(path: Path):
    d = json.loads(path.read_text())
    day = dt.date.fromisoformat(d["date"])
    said = [Utterance(u["speaker"], u["text"], u["start_ms"], u["end_ms"]) for u in d["utterances"]]
    full = extract_minutes(said, day, d["language"])
    t = MeetingTranscript()
    rolling = None
    for i, u in enumerate(said):
        t.add_live(Segment(d["meeting_id"], "main", u.speaker, u.start_ms, u.end_ms, u.text, d["language"], "m", 0))
        if i % 2 or i == len(said) - 1:
            from_ms = t.take_dirty()
            assert from_ms is not None
            context, changed = t.stretch(from_ms)
            rolling = merge_minutes(rolling, extract_minutes([*context, *changed], day, d["language"]), from_ms,
                                    context_edge(context))
    assert rolling is not None
    assert rolling.action_items == full.action_items
    assert rolling.status_updates == full.status_updates
    assert {x.start_ms for x in rolling.decisions} == {x.start_ms for x in full.decisions}


def test_refined_text_rederives_items_of_its_span_and_keeps_the_others():
    t = MeetingTranscript()
    t.add_live(seg(0, "Alice will update the budget report by Friday.", speaker="Alice"))
    t.add_live(seg(5000, "I will fix the bilings paige tomorrow.", speaker="Bob"))
    from_ms = t.take_dirty() or 0
    context, changed = t.stretch(from_ms)
    first = merge_minutes(None, extract_minutes([*context, *changed], DAY, "en"), from_ms)
    assert len(first.action_items) == 2
    rev = RevisionRecord("acme", "m1", "main", 4000, 9000,
                         (seg(5000, "I will fix the billing page tomorrow.", speaker="Bob"),))
    t.apply_revision(rev)
    from_ms = t.take_dirty()
    assert from_ms == 4000
    context, changed = t.stretch(from_ms)
    second = merge_minutes(first, extract_minutes([*context, *changed], DAY, "en"), from_ms)
    tasks = sorted(a.task for a in second.action_items)
    assert len(tasks) == 2 and "fix the billing page" in tasks, tasks
    assert second.action_items[0] == first.action_items[0]  # outside the span: untouched


def test_a_relabel_at_close_renames_its_segment_once_and_refined_text_only_from_its_speech():
    t = MeetingTranscript()
    t.add_live(seg(0, "I'll fix the login page.", source="room", speaker="S3"))
    t.add_live(seg(5000, "Thanks.", source="room", speaker="S1"))
    assert t.relabel(Relabel("m1", "acme", "room", 0, "S3", "S1", 3000))
    assert [u.speaker for u in t.utterances()] == ["S1", "S1"]
    assert not t.relabel(Relabel("m1", "acme", "room", 0, "S3", "S1", 3000))  # replayed: no longer the old label
    # A span refined since: a relabel without the segment's end (an older record) leaves it.
    t.apply_revision(RevisionRecord("acme", "m1", "room", 5000, 20000, (
        seg(5100, "Thanks!", source="room", speaker="S1"),
        seg(9000, "Next, the export.", source="room", speaker="S1"),
        seg(14000, "I'll take it.", source="room", speaker="S2"),
    )))
    assert not t.relabel(Relabel("m1", "acme", "room", 5000, "S1", "S2"))
    # With it, the refined utterances read from the live segment's speech follow, once.
    assert t.relabel(Relabel("m1", "acme", "room", 5000, "S1", "S4", 8000))
    assert [u.speaker for u in t.utterances()] == ["S1", "S4", "S1", "S2"]
    assert not t.relabel(Relabel("m1", "acme", "room", 5000, "S1", "S4", 8000))
