"""A meeting's report (minutes, action items, ticket changes, keywords, metrics) as Markdown or HTML.

``vori report MEETING [--team TEAM] [--html] [--out FILE]`` (``--team`` only when several teams
use the id: a meeting is (team, meeting_id)); the board serves the Markdown at
``GET /api/meetings/{id}/report.md`` with :func:`build_report` and :func:`to_markdown`, over rows
it reads through its own store. Text from meetings is data:
Markdown escapes every character that could become markup, HTML escapes everything.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connectors.board_store import AmbiguousMeeting, ReportRows, load_report_rows
from connectors.postgres import PostgresError
from connectors.settings import Settings

__all__ = [
    "MeetingNotFound",
    "MeetingOfSeveralTeams",
    "Report",
    "ReportError",
    "add_parser",
    "build_report",
    "load_report",
    "render_html",
    "render_markdown",
    "to_html",
    "to_markdown",
]

METRICS = (
    ("duration_s", "duration (s)"),
    ("words", "words"),
    ("wpm", "words per minute"),
    ("speakers", "speakers"),
    ("speaker_balance", "speaker balance"),
    ("questions", "questions"),
    ("decisions", "decisions"),
    ("action_items", "action items"),
    ("action_items_per_hour", "action items per hour"),
    ("efficiency_score", "efficiency score"),
)
MAX_KEYWORDS = 15


class ReportError(Exception):
    """The report cannot be made; the message says why, for a person."""


class MeetingNotFound(ReportError):
    def __init__(self, meeting_id: str, team: str | None = None) -> None:
        where = "in the database" if team is None else f"of team {team!r} in the database"
        super().__init__(f"no meeting {meeting_id!r} {where}")
        self.meeting_id = meeting_id


class MeetingOfSeveralTeams(ReportError):
    """Several teams have a meeting of this id: ``--team`` says which."""

    def __init__(self, meeting_id: str, teams: list[str]) -> None:
        super().__init__(f"meeting {meeting_id!r} exists in teams {', '.join(teams)}; "
                         f"say which with --team")
        self.meeting_id = meeting_id
        self.teams = teams


@dataclass(frozen=True)
class Item:
    """One action item: who, what, by when (``status`` when it is a ticket)."""

    task: str
    owner: str | None
    due: dt.date | None
    status: str | None = None


@dataclass(frozen=True)
class TicketChange:
    ticket_id: str
    title: str
    owner: str | None
    event: str  # 'created', 'status', …
    old_status: str | None
    new_status: str | None
    quote: str | None


@dataclass(frozen=True)
class Report:
    meeting_id: str
    title: str
    team: str
    status: str
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    duration_s: float | None
    minutes_kind: str | None  # 'final', 'rolling' or None (no minutes yet)
    writer: str | None
    summary: str
    decisions: tuple[str, ...]
    action_items: tuple[Item, ...]
    progress: tuple[str, ...]
    questions: tuple[str, ...]
    ticket_changes: tuple[TicketChange, ...]
    keywords: tuple[str, ...]
    metrics: tuple[tuple[str, str], ...]  # (label, shown value)
    notes: tuple[str, ...]


# -- reading ----------------------------------------------------------------------------------


def load_report(dsn: str, meeting_id: str, team: str | None = None) -> Report:
    """Everything the report shows, read in one transaction; :class:`MeetingNotFound` if absent.

    A meeting is (team, meeting_id); without ``team`` the one team that has the id is meant, and
    :class:`MeetingOfSeveralTeams` says when several have.
    """
    try:
        rows = load_report_rows(dsn, meeting_id, team=team, max_keywords=MAX_KEYWORDS)
    except PostgresError as exc:
        raise ReportError(str(exc)) from exc
    except AmbiguousMeeting as exc:
        raise MeetingOfSeveralTeams(meeting_id, exc.teams) from exc
    if rows is None:
        raise MeetingNotFound(meeting_id, team)
    return build_report(rows)


def build_report(rows: ReportRows) -> Report:
    """The report of a meeting's rows (the board reads them through its own pool)."""
    meeting, minutes, born, metrics = rows.meeting, rows.minutes, rows.born, rows.metrics
    meeting_id = meeting["meeting_id"]
    m: Mapping[str, Any] = minutes or {}
    changes = [
        TicketChange(str(t["ticket_id"]), str(t["title"]), t["assignee"], "created", None,
                     str(t["status"]), None)
        for t in born
    ] + [
        TicketChange(str(e["ticket_id"]), str(e["title"]), e["assignee"], str(e["event"]),
                     e["old_status"], e["new_status"], e["quote"])
        for e in rows.changes
    ]
    items = tuple(_action_item(a) for a in _list(m.get("action_items")))
    if not items and minutes is None:
        # No minutes yet: the tickets born here are the best list of what was promised.
        items = tuple(Item(str(t["title"]), t["assignee"], t["due_date"], str(t["status"])) for t in born)
    shown_metrics: Mapping[str, Any] = metrics or {}
    return Report(
        meeting_id=meeting_id,
        title=str(meeting["title"] or meeting_id),
        team=str(meeting["team"]),
        status=str(meeting["status"]),
        started_at=meeting["started_at"],
        ended_at=meeting["ended_at"],
        duration_s=_duration(rows),
        minutes_kind=None if minutes is None else str(minutes["kind"]),
        writer=None if minutes is None else str(minutes.get("writer") or ""),
        summary=str(m.get("summary") or ""),
        decisions=tuple(_decision(d) for d in _list(m.get("decisions"))),
        action_items=items,
        progress=tuple(_progress(s) for s in _list(m.get("status_updates"))),
        questions=tuple(str(q) for q in _list(m.get("questions"))),
        ticket_changes=tuple(changes),
        keywords=tuple(rows.keywords or [str(k) for k in _list(m.get("keywords"))][:MAX_KEYWORDS]),
        metrics=tuple((label, _number(shown_metrics[key])) for key, label in METRICS
                      if shown_metrics.get(key) is not None),
        notes=tuple(str(n) for n in _list(m.get("notes"))),
    )


def _list(value: object) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _duration(rows: ReportRows) -> float | None:
    meeting, metrics = rows.meeting, rows.metrics
    if metrics is not None and metrics.get("duration_s") is not None:
        return float(metrics["duration_s"])
    if meeting["started_at"] is not None and meeting["ended_at"] is not None:
        span = meeting["ended_at"] - meeting["started_at"]
        return max(0.0, span.total_seconds())
    if rows.last_end_ms is not None:
        return rows.last_end_ms / 1000
    return None


def _decision(value: object) -> str:
    if isinstance(value, Mapping):
        return str(value.get("text") or value.get("quote") or "")
    return str(value)


def _action_item(value: object) -> Item:
    if not isinstance(value, Mapping):
        return Item(str(value), None, None)
    due: dt.date | None = None
    raw = value.get("due_date")
    if isinstance(raw, str) and raw:
        try:
            due = dt.date.fromisoformat(raw[:10])
        except ValueError:
            due = None
    owner = value.get("assignee")
    return Item(str(value.get("task") or value.get("quote") or ""), str(owner) if owner else None, due)


def _progress(value: object) -> str:
    if not isinstance(value, Mapping):
        return str(value)
    who = f"{value['speaker']}: " if value.get("speaker") else ""
    status = str(value.get("status") or "").replace("_", " ")
    reason = f" ({value['reason']})" if value.get("reason") else ""
    return f"{who}{value.get('subject') or ''} — {status}{reason}"


def _number(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _clock(seconds: float) -> str:
    total = round(seconds)
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _when(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if value else "unknown"


def _item_line(item: Item) -> tuple[str, str]:
    """(task, details) of an action item; details name the owner, due date and ticket status."""
    parts = [f"owner: {item.owner or 'unassigned'}"]
    if item.due:
        parts.append(f"due {item.due.isoformat()}")
    if item.status:
        parts.append(item.status.replace("_", " "))
    return item.task, ", ".join(parts)


def _change_line(c: TicketChange) -> str:
    who = f" (owner: {c.owner})" if c.owner else ""
    if c.event == "created":
        return f"created {c.ticket_id}: {c.title}{who}"
    if c.event == "status":
        moved = f"{(c.old_status or '?').replace('_', ' ')} → {(c.new_status or '?').replace('_', ' ')}"
        said = f" — “{c.quote}”" if c.quote else ""
        return f"moved {c.ticket_id}: {c.title}{who}: {moved}{said}"
    return f"{c.event} {c.ticket_id}: {c.title}{who}"


def _minutes_state(r: Report) -> str:
    if r.minutes_kind is None:
        return "no minutes yet"
    kind = "final" if r.minutes_kind == "final" else "rolling (the meeting is still going)"
    return f"{kind}, written by the {r.writer or 'offline'} writer"


def _facts(r: Report) -> list[tuple[str, str]]:
    return [
        ("Meeting", r.meeting_id),
        ("Team", r.team),
        ("Date", r.started_at.astimezone(dt.UTC).date().isoformat() if r.started_at else "unknown"),
        ("Started", _when(r.started_at)),
        ("Ended", _when(r.ended_at) if r.ended_at else f"not yet ({r.status})"),
        ("Duration", _clock(r.duration_s) if r.duration_s is not None else "unknown"),
        ("Minutes", _minutes_state(r)),
    ]


# -- Markdown ---------------------------------------------------------------------------------

_MD_SPECIAL = "\\`*_[]<>#|!~&"


def _md(text: object) -> str:
    """One line of plain text that Markdown shows as it is (no headings, links, HTML, emphasis)."""
    out = " ".join(str(text).split())
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in out)


def to_markdown(r: Report) -> str:
    lines = [f"# {_md(r.title)}", ""]
    lines += [f"- {label}: {_md(value)}" for label, value in _facts(r)]

    def section(name: str, body: Sequence[str], empty: str) -> None:
        lines.extend(["", f"## {name}", ""])
        lines.extend([f"- {_md(b)}" for b in body] or [empty])

    lines += ["", "## Summary", "", _md(r.summary) if r.summary else "No summary yet."]
    section("Decisions", r.decisions, "None recorded.")
    section("Action items", [f"{task} — {details}" for task, details in map(_item_line, r.action_items)],
            "None recorded.")
    section("Ticket changes", [_change_line(c) for c in r.ticket_changes],
            "No ticket changed in this meeting.")
    if r.progress:
        section("Progress reported", r.progress, "")
    section("Open questions", r.questions, "None.")
    lines += ["", "## Keywords", "", ", ".join(_md(k) for k in r.keywords) or "None yet."]
    section("Metrics", [f"{label}: {value}" for label, value in r.metrics], "Not computed yet.")
    if r.notes:
        section("Notes", r.notes, "")
    return "\n".join(lines) + "\n"


# -- HTML -------------------------------------------------------------------------------------

_CSS = """
body{font:15px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1d232a}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:1.8rem;border-bottom:1px solid #dde}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem}dt{color:#667}dd{margin:0}
.muted{color:#778}.owner{color:#345;font-size:.92em}.quote{color:#556;font-style:italic}
ul.kw{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.4rem}
ul.kw li{background:#eef2f7;border-radius:1rem;padding:.05rem .6rem}
table{border-collapse:collapse}td{padding:.1rem 1rem .1rem 0}
""".strip()


def _h(text: object) -> str:
    return html.escape(str(text), quote=True)


def _ul(items: Sequence[str], empty: str, cls: str = "") -> str:
    if not items:
        return f'<p class="muted">{_h(empty)}</p>'
    attr = f' class="{cls}"' if cls else ""
    return f"<ul{attr}>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


def to_html(r: Report) -> str:
    facts = "".join(f"<dt>{_h(k)}</dt><dd>{_h(v)}</dd>" for k, v in _facts(r))
    items = [
        f'{_h(task)} <span class="owner">({_h(details)})</span>'
        for task, details in map(_item_line, r.action_items)
    ]
    metrics = (
        "<table>" + "".join(f"<tr><td>{_h(k)}</td><td>{_h(v)}</td></tr>" for k, v in r.metrics) + "</table>"
        if r.metrics else '<p class="muted">Not computed yet.</p>'
    )
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        # Nothing may load or run: the page is text and one inline style sheet.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_h(r.title)} — minutes</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{_h(r.title)}</h1>",
        f"<dl>{facts}</dl>",
        "<h2>Summary</h2>",
        f"<p>{_h(r.summary)}</p>" if r.summary else '<p class="muted">No summary yet.</p>',
        "<h2>Decisions</h2>",
        _ul([_h(d) for d in r.decisions], "None recorded."),
        "<h2>Action items</h2>",
        _ul(items, "None recorded."),
        "<h2>Ticket changes</h2>",
        _ul([_h(_change_line(c)) for c in r.ticket_changes], "No ticket changed in this meeting."),
    ]
    if r.progress:
        parts += ["<h2>Progress reported</h2>", _ul([_h(p) for p in r.progress], "")]
    parts += [
        "<h2>Open questions</h2>",
        _ul([_h(q) for q in r.questions], "None."),
        "<h2>Keywords</h2>",
        _ul([_h(k) for k in r.keywords], "None yet.", "kw"),
        "<h2>Metrics</h2>",
        metrics,
    ]
    if r.notes:
        parts += ["<h2>Notes</h2>", _ul([_h(n) for n in r.notes], "")]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def render_markdown(dsn: str, meeting_id: str, team: str | None = None) -> str:
    """The report as Markdown (the board's ``report.md``); raises :class:`ReportError`."""
    return to_markdown(load_report(dsn, meeting_id, team))


def render_html(dsn: str, meeting_id: str, team: str | None = None) -> str:
    """The report as one self-contained HTML page; raises :class:`ReportError`."""
    return to_html(load_report(dsn, meeting_id, team))


# -- command line -----------------------------------------------------------------------------


def _cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    dsn = settings.database_url  # VORI_DATABASE_URL, else the stack's stack.env (Settings.from_env)
    try:
        render = render_html if args.html else render_markdown
        text = render(dsn, args.meeting, args.team)
    except ReportError as exc:
        print(f"vori report: {exc}", file=sys.stderr)
        return 1
    if args.out:
        try:
            Path(args.out).write_text(text, encoding="utf-8")
        except OSError as exc:
            print(f"vori report: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def add_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    p = subparsers.add_parser("report", help="print a meeting's minutes as Markdown (or HTML)")
    p.add_argument("meeting", metavar="MEETING", help="the meeting id")
    p.add_argument("--team", metavar="TEAM",
                   help="the meeting's team (needed only when several teams use the id)")
    p.add_argument("--html", action="store_true", help="a self-contained HTML page instead of Markdown")
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(handler=_cmd_report)
