"""sql/0007_team_keyed_meetings.sql on a database holding rows written before it (real
PostgreSQL): every row keeps its data and gets its meeting's team, keys and views follow."""

from __future__ import annotations

import shutil
from pathlib import Path

import psycopg
import pytest

from connectors.postgres import SQL_DIR, migrate


def _before_0007(tmp_path: Path) -> Path:
    old = tmp_path / "sql"
    old.mkdir()
    for path in sorted(SQL_DIR.glob("*.sql")):
        if int(path.name[:4]) < 7:
            shutil.copy(path, old / path.name)
    return old


OLD_ROWS = """
INSERT INTO meetings (meeting_id, team, title, status, started_at)
VALUES ('plan-1', 'acme', 'Planning', 'closed', '2026-11-23 09:00Z'),
       ('sync-1', 'globex', 'Sync', 'live', '2026-11-24 09:00Z');
INSERT INTO transcript_segments (meeting_id, source, start_ms, end_ms, text)
VALUES ('plan-1', 'main', 0, 1000, 'acme words'), ('sync-1', 'main', 0, 900, 'globex words'),
       ('orphan-1', 'main', 0, 500, 'no meeting row');
INSERT INTO audio_gaps (meeting_id, source, first_seq, last_seq, at_ms) VALUES ('plan-1', 'main', 2, 3, 4000);
INSERT INTO meeting_minutes (meeting_id, kind, summary) VALUES ('plan-1', 'final', 'acme minutes');
INSERT INTO tickets (ticket_id, team, meeting_id, title) VALUES ('t1', 'acme', 'plan-1', 'ship');
INSERT INTO meeting_metrics (meeting_id, duration_s, words, wpm, speakers, speaker_balance,
    questions, decisions, action_items, action_items_per_hour, efficiency_score)
VALUES ('plan-1', 3600, 100, 50, 2, 0.9, 1, 2, 3, 3, 0.8);
INSERT INTO meeting_keywords (meeting_id, keyword, score) VALUES ('plan-1', 'ship', 1.5);
INSERT INTO keyword_segment_counts (meeting_id, source, start_ms, keyword, team, hour_start,
    day_start, mentions)
VALUES ('plan-1', 'main', 0, 'ship', 'acme', '2026-11-23 09:00Z', '2026-11-23', 1);
"""


@pytest.fixture
def dsn(pg_database_dsn: str, tmp_path: Path) -> str:
    migrate(pg_database_dsn, _before_0007(tmp_path))
    with psycopg.connect(pg_database_dsn) as conn:
        conn.execute(OLD_ROWS)
    return pg_database_dsn


def test_old_rows_get_their_meetings_team_and_the_board_is_not_told_again(dsn):
    with psycopg.connect(dsn) as conn:
        events_before = conn.execute("SELECT count(*) FROM events").fetchone()
    applied = migrate(dsn)  # 0007, and every later migration on top of the migrated rows
    assert applied[0].version == 7 and len(applied) == len({m.version for m in applied})
    with psycopg.connect(dsn) as conn:
        q = conn.execute
        assert q("SELECT team, meeting_id, text FROM transcript_segments ORDER BY text").fetchall() == [
            ("acme", "plan-1", "acme words"), ("globex", "sync-1", "globex words"),
            ("unassigned", "orphan-1", "no meeting row")]
        assert q("SELECT team, meeting_id, first_seq FROM audio_gaps").fetchall() == [
            ("acme", "plan-1", 2)]
        assert q("SELECT team, meeting_id, summary FROM meeting_minutes").fetchall() == [
            ("acme", "plan-1", "acme minutes")]
        assert q("SELECT team, meeting_id, duration_s FROM meeting_metrics").fetchall() == [
            ("acme", "plan-1", 3600.0)]
        assert q("SELECT team, meeting_id, keyword FROM meeting_keywords").fetchall() == [
            ("acme", "plan-1", "ship")]
        # Rewriting the old rows announced nothing to the boards.
        assert q("SELECT count(*) FROM events").fetchone() == events_before
        assert q("SELECT team, meetings, hours FROM team_efficiency_weekly").fetchall() == [
            ("acme", 1, 1)]


def test_after_it_another_team_may_use_every_old_id(dsn):
    migrate(dsn)
    with psycopg.connect(dsn, autocommit=True) as conn:
        q = conn.execute
        (last_event,) = q("SELECT max(id) FROM events").fetchone()
        q("INSERT INTO meetings (meeting_id, team, title, started_at) "
          "VALUES ('plan-1', 'globex', 'Globex planning', '2026-11-23 10:00Z')")
        q("INSERT INTO transcript_segments (team, meeting_id, source, start_ms, end_ms, text) "
          "VALUES ('globex', 'plan-1', 'main', 0, 700, 'globex planning words')")
        q("INSERT INTO meeting_minutes (team, meeting_id, kind, summary) "
          "VALUES ('globex', 'plan-1', 'final', 'globex minutes')")
        q("INSERT INTO meeting_metrics (team, meeting_id, duration_s, words, wpm, speakers, "
          "speaker_balance, questions, decisions, action_items, action_items_per_hour, "
          "efficiency_score) VALUES ('globex', 'plan-1', 1800, 1, 1, 1, 1, 0, 0, 0, 0, 0.1)")
        # The same team cannot have the id twice.
        with pytest.raises(psycopg.errors.UniqueViolation):
            q("INSERT INTO meetings (meeting_id, team) VALUES ('plan-1', 'acme')")
        q("INSERT INTO transcript_segments (team, meeting_id, source, start_ms, end_ms, text) "
          "VALUES ('globex', 'plan-1', 'main', 1000, 1700, 'more')")
        segment_teams = q("SELECT team, meeting_id, payload->>'text' FROM events "
                          "WHERE type = 'segment' AND id > %s ORDER BY id", (last_event,)).fetchall()
        weekly = q("SELECT team, meetings, hours FROM team_efficiency_weekly "
                   "ORDER BY team").fetchall()
    assert segment_teams == [("globex", "plan-1", "globex planning words"),
                             ("globex", "plan-1", "more")]
    # Each team's metrics joined to its own meeting only.
    assert weekly == [("acme", 1, 1), ("globex", 1, 0.5)]
