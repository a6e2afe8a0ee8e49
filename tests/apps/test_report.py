"""`vori report`: a meeting's minutes, tickets and figures as Markdown and HTML, from the real PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import psycopg
import pytest

from apps.cli import main as vori
from apps.report import (
    MeetingNotFound,
    MeetingOfSeveralTeams,
    ReportError,
    render_html,
    render_markdown,
)
from connectors.minutes_store import MinutesOut, write_minutes
from connectors.postgres import migrate
from domain.extraction import extract_minutes
from domain.minutes import Utterance

pytestmark = pytest.mark.timeout(60)

MONDAY = dt.date(2026, 11, 23)
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def said(*lines: tuple[str, str]) -> list[Utterance]:
    return [Utterance(who, text, i * 4000, i * 4000 + 3000) for i, (who, text) in enumerate(lines)]


PLANNING = said(
    ("Alice", "Let's plan the week."),
    ("Bob", "I will finish the database migration by Friday."),
    ("Alice", "Carol, can you write the release notes by Thursday?"),
    ("Carol", "Sure."),
    ("Alice", "We decided to drop Internet Explorer support."),
    ("Bob", "Should we also move the staging servers?"),
)
STANDUP = said(
    ("Bob", "I finished the database migration yesterday."),
    ("Carol", "I am still working on the release notes."),
)


def sql(dsn: str, query: str, *args: object) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(query, args)


def write(dsn: str, meeting_id: str, utterances: list[Utterance], kind: str = "final",
          team: str = "acme") -> None:
    minutes = extract_minutes(utterances, MONDAY)
    with psycopg.connect(dsn) as conn:
        write_minutes(conn, MinutesOut(team, meeting_id, kind, minutes, len(utterances)))


@pytest.fixture
def dsn(pg_database_dsn: str) -> str:
    migrate(pg_database_dsn)
    sql(pg_database_dsn,
        "INSERT INTO meetings (meeting_id, team, title, status, started_at, ended_at) VALUES "
        "('plan-1', 'acme', 'Sprint planning', 'closed', '2026-11-23 09:00Z', '2026-11-23 09:25Z'), "
        "('standup-2', 'acme', %s, 'live', '2026-11-26 09:00Z', NULL)", f"Stand-up {XSS}")
    write(pg_database_dsn, "plan-1", PLANNING)
    write(pg_database_dsn, "standup-2", STANDUP, kind="rolling")
    sql(pg_database_dsn,
        "INSERT INTO meeting_keywords (team, meeting_id, keyword, score) VALUES "
        "('acme', 'plan-1', 'migration', 3.0), ('acme', 'plan-1', 'release notes', 2.0), "
        "('acme', 'plan-1', %s, 1.0)", XSS)
    sql(pg_database_dsn,
        "INSERT INTO meeting_metrics (team, meeting_id, duration_s, words, wpm, speakers, "
        "speaker_balance, questions, decisions, action_items, action_items_per_hour, "
        "efficiency_score) VALUES ('acme', 'plan-1', 1500, 2100, 84.0, 3, 0.81, 1, 1, 2, 4.8, 0.72)")
    return pg_database_dsn


def section(markdown: str, name: str) -> str:
    match = re.search(rf"^## {name}\n\n(.*?)(?=\n## |\Z)", markdown, re.S | re.M)
    assert match, f"no section {name!r} in:\n{markdown}"
    return match.group(1)


def test_markdown_holds_every_section_of_a_final_meeting(dsn: str) -> None:
    md = render_markdown(dsn, "plan-1")
    assert md.splitlines()[0] == "# Sprint planning"
    assert "- Date: 2026-11-23" in md
    assert "- Duration: 25:00" in md  # from meeting_metrics
    assert "- Minutes: final, written by the offline writer" in md
    assert section(md, "Summary").strip()
    assert "Internet Explorer" in section(md, "Decisions")
    items = section(md, "Action items")
    assert re.search(r"database migration.*owner: Bob, due 2026-11-27", items), items
    assert re.search(r"release notes.*owner: Carol, due 2026-11-26", items), items
    changes = section(md, "Ticket changes")
    assert changes.count("- created ") == 2 and "(owner: Bob)" in changes
    assert "staging servers" in section(md, "Open questions")
    assert section(md, "Keywords").startswith("migration, release notes, ")
    metrics = section(md, "Metrics")
    assert "- words per minute: 84.00" in metrics and "- efficiency score: 0.72" in metrics


def test_a_later_meeting_shows_the_tickets_it_moved_and_its_rolling_minutes(dsn: str) -> None:
    md = render_markdown(dsn, "standup-2")
    assert "rolling (the meeting is still going)" in md
    assert "- Ended: not yet (live)" in md
    changes = section(md, "Ticket changes")
    assert "moved" in changes and "todo → done" in changes and "database migration" in changes
    assert "todo → in progress" in changes
    assert "created" not in changes  # the tickets were born in the planning meeting
    assert section(md, "Metrics").strip() == "Not computed yet."


def test_markup_is_escaped_in_markdown_and_html(dsn: str) -> None:
    md = render_markdown(dsn, "standup-2")
    assert "<script>" not in md
    assert re.search(r"(?<!\\)[<>]", md) is None  # every angle bracket is escaped
    assert md.splitlines()[0].startswith("# Stand-up \\<script\\>")

    page = render_html(dsn, "standup-2")
    assert page.startswith("<!doctype html>") and page.rstrip().endswith("</html>")
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "default-src 'none'" in page  # nothing loads or runs even if markup slipped through

    plan = render_html(dsn, "plan-1")
    assert "<h1>Sprint planning</h1>" in plan and "<h2>Action items</h2>" in plan
    assert "&lt;img src=x onerror=alert(1)&gt;" in plan  # the keyword with markup, as text
    assert "<img" not in plan


def test_an_unknown_meeting_is_a_clear_error(dsn: str) -> None:
    with pytest.raises(MeetingNotFound, match="no meeting 'nope'"):
        render_markdown(dsn, "nope")


def test_an_unreachable_database_is_a_report_error() -> None:
    with pytest.raises(ReportError, match="cannot connect"):
        render_markdown("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2", "plan-1")


def test_the_command_prints_markdown_writes_html_and_fails_with_1(
    dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VORI_DATABASE_URL", dsn)
    assert vori(["report", "plan-1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Sprint planning\n") and "## Ticket changes" in out

    target = tmp_path / "plan.html"
    assert vori(["report", "plan-1", "--html", "--out", str(target)]) == 0
    assert "<h1>Sprint planning</h1>" in target.read_text(encoding="utf-8")

    assert vori(["report", "no-such-meeting"]) == 1
    err = capsys.readouterr().err
    assert "no meeting 'no-such-meeting'" in err


def test_the_command_finds_the_stack_database_when_none_is_set(
    dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("VORI_DATABASE_URL", raising=False)
    monkeypatch.setenv("VORI_STATE_DIR", str(tmp_path))
    (tmp_path / "stack.env").write_text(f"VORI_DATABASE_URL={dsn}\nVORI_BOARD_URL=http://x\n")
    assert vori(["report", "plan-1"]) == 0
    assert capsys.readouterr().out.startswith("# Sprint planning")


def test_minutes_that_are_not_in_the_current_shape_still_render(dsn: str) -> None:
    # Hand-written or older rows: decisions as strings, items without dates.
    sql(dsn, "INSERT INTO meetings (meeting_id, team, title) VALUES ('old-1', 'acme', NULL)")
    sql(dsn, "INSERT INTO meeting_minutes (team, meeting_id, kind, summary, decisions, "
             "action_items) VALUES ('acme', 'old-1', 'final', 's', %s, %s)",
        json.dumps(["ship it"]), json.dumps([{"task": "write docs", "due_date": "someday"}, "call Bob"]))
    md = render_markdown(dsn, "old-1")
    assert md.startswith("# old-1\n")
    assert "- ship it" in md
    assert "- write docs — owner: unassigned" in md and "- call Bob — owner: unassigned" in md


def test_a_meeting_id_two_teams_use_needs_the_team(
    dsn: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sql(dsn, "INSERT INTO meetings (meeting_id, team, title, status) "
             "VALUES ('plan-1', 'globex', 'Globex planning', 'live')")
    write(dsn, "plan-1", STANDUP, kind="rolling", team="globex")
    with pytest.raises(MeetingOfSeveralTeams, match="acme, globex"):
        render_markdown(dsn, "plan-1")
    acme, globex = render_markdown(dsn, "plan-1", "acme"), render_markdown(dsn, "plan-1", "globex")
    assert acme.startswith("# Sprint planning\n") and "migration" in section(acme, "Keywords")
    # Nothing of acme's meeting (minutes, tickets, keywords, metrics) in globex's report.
    assert globex.startswith("# Globex planning\n")
    assert "Carol" in globex and "Sprint planning" not in globex
    assert "release notes" not in section(globex, "Keywords")
    assert section(globex, "Metrics").startswith("Not computed yet.")
    assert "Not computed yet." not in section(acme, "Metrics")
    with pytest.raises(MeetingNotFound, match="of team 'initech'"):
        render_markdown(dsn, "plan-1", "initech")

    monkeypatch.setenv("VORI_DATABASE_URL", dsn)
    assert vori(["report", "plan-1"]) == 1
    assert "--team" in capsys.readouterr().err
    assert vori(["report", "plan-1", "--team", "globex"]) == 0
    assert capsys.readouterr().out.startswith("# Globex planning\n")
