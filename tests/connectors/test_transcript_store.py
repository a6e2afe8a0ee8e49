"""A transcribed window replaces its source's rows in its span (real PostgreSQL)."""

from __future__ import annotations

import psycopg
import pytest

from connectors.postgres import connect, migrate
from connectors.transcript_store import write_items
from domain.timeline import Gap, MeetingClosed, MeetingSeen
from domain.transcript import Segment, TranscribedWindow

# The same 12 s of speech, read twice: once live (three short windows cut at pauses), once as a
# backlog (one long window, Whisper placing its segments elsewhere).
LIVE = [
    (0, 4000, [(300, 1900, "Good morning everyone."), (2100, 3900, "Bob will finish the migration")]),
    (4000, 8000, [(4050, 7800, "by Friday. Alice agreed to review")]),
    (8000, 12000, [(8100, 11500, "the budget report next week.")]),
]
BACKLOG = [
    (0, 12000, [(280, 1880, "Good morning everyone."),
                (2080, 5960, "Bob will finish the migration by Friday."),
                (6020, 11480, "Alice agreed to review the budget report next week.")]),
]


def windows(cuts, meeting="m-replay", source="main", team="team-a") -> list[TranscribedWindow]:
    return [
        TranscribedWindow(meeting, source, start, end, tuple(
            Segment(meeting, source, "Bob", s, e, text, "en", "tiny.en", 1_700_000_000_000,
                    team=team)
            for s, e, text in segs
        ), team)
        for start, end, segs in cuts
    ]


@pytest.fixture
def dsn(pg_database_dsn: str) -> str:
    migrate(pg_database_dsn)
    with connect(pg_database_dsn) as conn:
        write_items(conn, [MeetingSeen("m-replay", "team-a", None, 1_700_000_000_000, {"main": "Bob"})])
    return pg_database_dsn


def text_of(dsn: str, meeting: str = "m-replay", team: str = "team-a") -> str:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT text FROM transcript_segments WHERE team = %s AND meeting_id = %s "
            "ORDER BY start_ms", (team, meeting),
        ).fetchall()
    return " ".join(r[0] for r in rows)


def events(dsn: str) -> list[tuple[str, int]]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT type, (payload->>'start_ms')::bigint FROM events "
            "WHERE type LIKE 'segment%%' ORDER BY id"
        ).fetchall()
    return [(t, s) for t, s in rows]


def write(dsn: str, items) -> None:
    with connect(dsn) as conn:
        write_items(conn, items)


SPOKEN = ("Good morning everyone. Bob will finish the migration by Friday. "
          "Alice agreed to review the budget report next week.")


@pytest.mark.parametrize("first, second", [(LIVE, BACKLOG), (BACKLOG, LIVE)], ids=["live-then-backlog",
                                                                                  "backlog-then-live"])
def test_the_same_audio_cut_into_other_windows_leaves_one_copy_of_the_text(dsn, first, second):
    write(dsn, windows(first))
    write(dsn, windows(second))
    assert text_of(dsn) == SPOKEN
    with psycopg.connect(dsn) as conn:
        starts = [r[0] for r in conn.execute(
            "SELECT start_ms FROM transcript_segments ORDER BY start_ms").fetchall()]
    assert starts == [s for w in windows(second) for s in (seg.start_ms for seg in w.segments)]


def test_a_board_is_told_which_lines_went_before_the_lines_that_replace_them(dsn):
    write(dsn, windows(LIVE))
    before = len(events(dsn))
    write(dsn, windows(BACKLOG))
    after = events(dsn)[before:]
    removed = [s for t, s in after if t == "segment.removed"]
    added = [s for t, s in after if t == "segment"]
    # The first line starts at 300 live and 280 in the backlog: every live line goes.
    assert sorted(removed) == [300, 2100, 4050, 8100]
    assert added == [280, 2080, 6020]
    assert [t for t, _ in after] == ["segment.removed"] * 4 + ["segment"] * 3
    # What a page that applied these events in order shows: exactly the table.
    shown: dict[int, bool] = {}
    for t, s in events(dsn):
        if t == "segment":
            shown[s] = True
        else:
            shown.pop(s, None)
    with psycopg.connect(dsn) as conn:
        table = [r[0] for r in conn.execute("SELECT start_ms FROM transcript_segments ORDER BY 1").fetchall()]
    assert sorted(shown) == table


def test_replaying_a_window_cut_the_same_way_changes_nothing_and_says_nothing(dsn):
    write(dsn, windows(LIVE))
    before = events(dsn)
    write(dsn, windows(LIVE))
    assert events(dsn) == before
    assert text_of(dsn) == SPOKEN


def test_a_window_replaces_only_its_own_source_and_span(dsn):
    write(dsn, windows(LIVE) + windows(LIVE, source="mic-2"))
    # A window whose tail is read again with the next one claims only up to that tail.
    write(dsn, [TranscribedWindow("m-replay", "main", 4000, 6000, (
        Segment("m-replay", "main", "Bob", 4060, 5900, "by Friday.", "en", "tiny.en", 1,
                team="team-a"),
    ), "team-a")])
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT source, start_ms, text FROM transcript_segments ORDER BY 1, 2").fetchall()
    main = [(s, t) for src, s, t in rows if src == "main"]
    assert main == [(300, "Good morning everyone."), (2100, "Bob will finish the migration"),
                    (4060, "by Friday."), (8100, "the budget report next week.")]
    assert len([r for r in rows if r[0] == "mic-2"]) == 4


def test_a_window_with_no_text_clears_what_an_earlier_reading_put_in_its_span(dsn):
    write(dsn, windows(LIVE))
    write(dsn, [TranscribedWindow("m-replay", "main", 8000, 12000, (), "team-a")])
    assert text_of(dsn) == "Good morning everyone. Bob will finish the migration by Friday. Alice agreed to review"


def test_two_teams_meetings_of_the_same_id_are_two_meetings(dsn):
    write(dsn, [MeetingSeen("m-replay", "team-b", "B's title", 1_700_000_000_000, {"main": "Eve"})])
    write(dsn, windows(LIVE) + windows(LIVE, team="team-b"))
    # Team b's replay, cut otherwise, replaces b's rows only; a's stay as they were.
    write(dsn, windows(BACKLOG, team="team-b"))
    write(dsn, [Gap("m-replay", "main", 3, 4, 9000, "team-b"),
                MeetingClosed("m-replay", "idle", 12000, "team-b")])
    assert text_of(dsn, team="team-a") == SPOKEN and text_of(dsn, team="team-b") == SPOKEN
    with psycopg.connect(dsn) as conn:
        starts = conn.execute(
            "SELECT team, array_agg(start_ms ORDER BY start_ms) FROM transcript_segments "
            "GROUP BY team ORDER BY team").fetchall()
        meetings = conn.execute(
            "SELECT team, title, status FROM meetings WHERE meeting_id = 'm-replay' ORDER BY team"
        ).fetchall()
        gaps = conn.execute("SELECT team, first_seq FROM audio_gaps").fetchall()
        removed = conn.execute(
            "SELECT DISTINCT team FROM events WHERE type = 'segment.removed'").fetchall()
    assert starts == [("team-a", [300, 2100, 4050, 8100]), ("team-b", [280, 2080, 6020])]
    assert meetings == [("team-a", None, "live"), ("team-b", "B's title", "closed")]
    assert gaps == [("team-b", 3)]
    # The board of each team hears of its own rows only.
    assert removed == [("team-b",)]


def test_a_long_meetings_parts_are_linked_and_each_closes(dsn):
    write(dsn, [MeetingClosed("m-replay", "max_length", 14_400_000, "team-a"),
                MeetingSeen("m-replay~2", "team-a", None, 1_700_014_400_000, {"main": "Bob"}, "m-replay", 2)])
    write(dsn, windows(LIVE, meeting="m-replay~2"))
    # A replay of part 2's first sighting changes nothing about its link.
    write(dsn, [MeetingSeen("m-replay~2", "team-a", "Standup", 1_700_014_400_000, {"main": "Bob"}, "m-replay", 2)])
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT meeting_id, part_of, part, status, close_reason FROM meetings "
            "WHERE team = 'team-a' ORDER BY part").fetchall()
    assert rows == [("m-replay", None, 1, "closed", "max_length"), ("m-replay~2", "m-replay", 2, "live", None)]
    assert text_of(dsn, meeting="m-replay~2") == SPOKEN


def test_a_relabel_at_close_moves_one_segments_speaker_and_a_replay_of_it_changes_nothing(dsn):
    from domain.speakers import Relabel

    with connect(dsn) as conn:
        write_items(conn, windows(LIVE))
        write_items(conn, [Relabel("m-replay", "team-a", "main", 2100, "Bob", "S2"),
                           Relabel("m-replay", "team-a", "main", 4050, "S9", "S3")])  # not its label: kept
        # The same relabel again, as a replayed epoch sends it.
        write_items(conn, [Relabel("m-replay", "team-a", "main", 2100, "Bob", "S2")])
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT start_ms, speaker FROM transcript_segments WHERE meeting_id = 'm-replay' "
                            "ORDER BY start_ms").fetchall()
    assert rows == [(300, "Bob"), (2100, "S2"), (4050, "Bob"), (8100, "Bob")]
