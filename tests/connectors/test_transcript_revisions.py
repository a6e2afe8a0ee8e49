"""Refined windows replace the live transcript of their span, and live text never comes back
(real PostgreSQL)."""

from __future__ import annotations

import psycopg
import pytest

from connectors.postgres import connect, migrate
from connectors.transcript_store import live_lines, write_items
from domain.records import RevisionRecord
from domain.revision import LiveLine, carry_labels
from domain.timeline import MeetingSeen
from domain.transcript import Segment, TranscribedWindow

M, TEAM = "m-rev", "team-a"

# Live: three short windows cut at pauses, with the mistakes short windows make.
LIVE = [
    (0, 4000, [(300, 1900, "Good morning every one."), (2100, 3900, "Bob will finish the my gration")]),
    (4000, 8000, [(4050, 7800, "by fry day. Alice agreed to review")]),
    (8000, 12000, [(8100, 11500, "the budget report next week.")]),
]
# Refined: one long window over the same audio.
REFINED = (0, 12000, [(280, 1880, "Good morning everyone."),
                      (2080, 5960, "Bob will finish the migration by Friday."),
                      (6020, 11480, "Alice agreed to review the budget report next week.")])
SPOKEN = ("Good morning everyone. Bob will finish the migration by Friday. "
          "Alice agreed to review the budget report next week.")


def seg(s: int, e: int, text: str, source: str = "main", speaker: str | None = None) -> Segment:
    return Segment(M, source, speaker, s, e, text, "en", "tiny.en", 1_700_000_000_000, team=TEAM)


def live(cuts=LIVE, source: str = "main", speaker: str | None = None) -> list[TranscribedWindow]:
    return [TranscribedWindow(M, source, a, b, tuple(seg(s, e, t, source, speaker) for s, e, t in segs), TEAM)
            for a, b, segs in cuts]


def refined(cut=REFINED, source: str = "main", speaker: str | None = None) -> RevisionRecord:
    a, b, segs = cut
    return RevisionRecord(TEAM, M, source, a, b, tuple(seg(s, e, t, source, speaker) for s, e, t in segs))


@pytest.fixture
def dsn(pg_database_dsn: str) -> str:
    migrate(pg_database_dsn)
    write(pg_database_dsn, [MeetingSeen(M, TEAM, None, 1_700_000_000_000, {"main": None})])
    return pg_database_dsn


def write(dsn: str, items) -> None:
    with connect(dsn) as conn:
        write_items(conn, items)


def table(dsn: str) -> list[tuple]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(
            "SELECT source, start_ms, end_ms, speaker, text, revision FROM transcript_segments "
            "WHERE team = %s AND meeting_id = %s ORDER BY source, start_ms", (TEAM, M)).fetchall()


def text_of(dsn: str) -> str:
    return " ".join(r[4] for r in table(dsn))


def board_events(dsn: str) -> list[tuple[str, dict]]:
    with psycopg.connect(dsn) as conn:
        return conn.execute("SELECT type, payload FROM events WHERE type LIKE 'segment%%' ORDER BY id").fetchall()


def test_refined_rows_replace_the_live_rows_of_their_span(dsn):
    write(dsn, live())
    assert "my gration" in text_of(dsn)
    write(dsn, [refined()])
    assert text_of(dsn) == SPOKEN
    assert {r[5] for r in table(dsn)} == {"refined"}


def test_applying_the_same_revision_twice_changes_no_row_and_tells_the_board_nothing(dsn):
    write(dsn, live())
    write(dsn, [refined()])
    first, events_before = table(dsn), board_events(dsn)
    write(dsn, [refined()])
    assert table(dsn) == first
    assert board_events(dsn) == events_before


def test_a_live_window_written_after_the_refined_one_brings_no_live_text_back(dsn):
    write(dsn, [refined()])
    # A live flow behind the refiner (a backlog): its windows of that span come afterwards.
    write(dsn, live())
    assert text_of(dsn) == SPOKEN
    assert {r[5] for r in table(dsn)} == {"refined"}


def test_live_text_after_the_refined_span_is_kept_and_replaced_by_the_next_revision(dsn):
    write(dsn, [refined()])
    later = [(12000, 16000, [(12100, 15000, "Any questions from anyone")])]
    write(dsn, live(later))
    assert text_of(dsn) == SPOKEN + " Any questions from anyone"
    assert [r[5] for r in table(dsn)] == ["refined"] * 3 + ["live"]
    write(dsn, [refined((12000, 24000, [(12080, 15020, "Any questions? Anyone?")]))])
    assert text_of(dsn) == SPOKEN + " Any questions? Anyone?"


def test_a_live_window_straddling_a_refined_span_keeps_only_what_starts_after_it(dsn):
    write(dsn, [refined()])
    straddling = [(10000, 14000, [(10100, 11400, "report next week"), (12050, 13900, "Thanks all.")])]
    write(dsn, live(straddling))
    assert text_of(dsn) == SPOKEN + " Thanks all."


def test_a_refined_window_with_no_words_still_wins_over_live_text_in_its_span(dsn):
    write(dsn, [refined((0, 12000, []))])  # the long read found only noise there
    write(dsn, live())
    assert table(dsn) == []


def test_the_board_gets_one_replacement_message_per_refined_window(dsn):
    write(dsn, live() + live(source="mic-2"))
    before = len(board_events(dsn))
    write(dsn, [refined()])
    after = board_events(dsn)[before:]
    assert [t for t, _ in after] == ["segments.revised"]
    payload = after[0][1]
    assert (payload["meeting_id"], payload["source"], payload["start_ms"], payload["end_ms"]) == (M, "main", 0, 12000)
    assert payload["revision"] == "refined"
    assert " ".join(s["text"] for s in payload["segments"]) == SPOKEN
    # The other source's lines are untouched; a live write afterwards is announced as before.
    assert [r[1] for r in table(dsn) if r[0] == "mic-2"] == [300, 2100, 4050, 8100]
    write(dsn, live([(12000, 16000, [(12100, 15000, "Any questions")])]))
    assert [t for t, _ in board_events(dsn)[before + 1:]] == ["segment"]


def test_refined_segments_keep_the_speaker_labels_of_the_live_lines_they_replace(dsn):
    diarized = [
        (0, 4000, [(300, 1900, "Good morning every one.")]),
        (4000, 12000, [(4050, 7800, "Bob will finish the my gration by Friday.")]),
    ]
    windows = live(diarized)
    labelled = [
        TranscribedWindow(w.meeting_id, w.source, w.start_ms, w.end_ms,
                          tuple(Segment(**{**s.__dict__, "speaker": label}) for s in w.segments), w.team)
        for w, label in zip(windows, ["Speaker 1", "Speaker 2"], strict=True)
    ]
    write(dsn, labelled)
    with connect(dsn) as conn:
        lines = live_lines(conn, TEAM, M, "main", 0, 12000)
    assert lines == [LiveLine(300, 1900, "Speaker 1", "Good morning every one."),
                     LiveLine(4050, 7800, "Speaker 2", "Bob will finish the my gration by Friday.")]
    relabelled = carry_labels(refined().segments, lines)
    assert [s.speaker for s in relabelled] == ["Speaker 1", "Speaker 2", "Speaker 2"]
    write(dsn, [RevisionRecord(TEAM, M, "main", 0, 12000, tuple(relabelled))])
    assert [(r[3], r[5]) for r in table(dsn)] == [("Speaker 1", "refined"), ("Speaker 2", "refined"),
                                                  ("Speaker 2", "refined")]



def test_a_segment_split_at_close_replaces_its_live_row_and_never_refined_text(dsn):
    asked = seg(300, 3900, "Can you fix the export? Sure.", speaker="S1")
    after = seg(4050, 7800, "Next item.", speaker="S1")
    window = TranscribedWindow(M, "main", 0, 8000, (asked, after), TEAM)
    # The close's split: the parts, over the segment's start up to just past its last part's.
    parts = (seg(300, 2800, "Can you fix the export?", speaker="S1"), seg(2800, 3900, "Sure.", speaker="S2"))
    split = TranscribedWindow(M, "main", 300, 2801, parts, TEAM)
    write(dsn, [window, split])
    rows = [("main", 300, 2800, "S1", "Can you fix the export?", "live"),
            ("main", 2800, 3900, "S2", "Sure.", "live"),
            ("main", 4050, 7800, "S1", "Next item.", "live")]
    assert table(dsn) == rows
    # A replay (the live window and then the close again) leaves the same rows.
    write(dsn, [window])
    assert [r[1] for r in table(dsn)] == [300, 4050]
    write(dsn, [split])
    assert table(dsn) == rows
    # Refined text wins, whichever comes first.
    write(dsn, [RevisionRecord(TEAM, M, "main", 0, 8000, (seg(280, 7700, "Can you fix the export? Sure. Next."),))])
    write(dsn, [split])
    assert table(dsn) == [("main", 280, 7700, None, "Can you fix the export? Sure. Next.", "refined")]


def test_a_relabel_at_close_reaches_the_refined_rows_read_from_its_segment_once(dsn):
    from domain.speakers import Relabel

    # A long meeting's window refined before its close, its labels carried over from the live rows.
    write(dsn, live(speaker="S1"))
    write(dsn, [RevisionRecord(TEAM, M, "main", 0, 12000, (
        seg(280, 1880, "Good morning everyone.", speaker="S1"),
        seg(2080, 3880, "Bob will finish the migration", speaker="S2"),
        seg(3900, 7700, "by Friday. Alice agreed to review", speaker="S2"),
        seg(7800, 11480, "the budget report next week.", speaker="S2"),
    ))])
    # The close clusters again: the live segment at 2100 (speech to 3900) was S2 and is S3 now; the
    # one at 8100 (to 11500) is S4. A refined row follows the one that holds half its time or more.
    relabels = [Relabel(M, TEAM, "main", 2100, "S2", "S3", 3900), Relabel(M, TEAM, "main", 8100, "S2", "S4", 11500)]
    write(dsn, relabels)
    want = [(280, "S1"), (2080, "S3"), (3900, "S2"), (7800, "S4")]
    assert [(r[1], r[3]) for r in table(dsn)] == want
    write(dsn, relabels)  # a replayed epoch changes nothing
    assert [(r[1], r[3]) for r in table(dsn)] == want
    # Without the segment's end (a record from before it was sent), refined rows keep their labels.
    write(dsn, [Relabel(M, TEAM, "main", 300, "S1", "S5")])
    assert [(r[1], r[3]) for r in table(dsn)] == want
