"""Team rosters, glossaries and who the speaker labels of a meeting are, in PostgreSQL
(``sql/0010_roster.sql``).

- ``team_members``: a team's people, their aliases and, once enrolled, a voiceprint with the id of
  the model that made it;
- ``team_glossary``: the team's own words, hinted to the recogniser and used to correct it;
- ``meeting_speakers``: label → name per meeting, with confidence and how it was found. What a
  person set on the board (``how = 'person'``) is never overwritten by inference;
- ``meeting_voices``: each label's voice (diarization centroid), for naming by voiceprint;
- ``learned_voices`` (``sql/0013_learned_voices.sql``): a label's voice kept as a member's once a
  person named the label (:func:`rename_speaker`) or the conversation named it with high
  confidence (:func:`learn_voices`); later meetings of the team are named by it, an enrolled
  voiceprint always winning. :func:`forget_learned` drops them.

A person's renaming (:func:`rename_speaker`) carries through: the meeting's tickets change owner
through the one ticket writer (``connectors.minutes_store.change_ticket``, one ``ticket_events``
row each), the stored minutes are re-labelled, ``meeting_metrics.talk_share`` is re-keyed, and the
meeting row is touched so the efficiency job recomputes the meeting's metrics.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from connectors.minutes_store import change_ticket
from connectors.postgres import Connection, sync_pool, translated
from domain.naming import HOWS, LearnedVoice, Member, SpeakerName

__all__ = [
    "RenameResult",
    "RosterInputError",
    "RosterStore",
    "SpeakerRow",
    "TeamMember",
    "add_member",
    "add_terms",
    "forget_learned",
    "label_voices",
    "learn_voices",
    "learned_voices",
    "list_members",
    "list_terms",
    "meeting_speakers",
    "remove_member",
    "remove_terms",
    "rename_speaker",
    "save_inferred_speakers",
    "save_label_voices",
    "team_roster",
]

_TEAM_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MAX_NAME_CHARS = 200
MAX_TERM_CHARS = 100


class RosterInputError(ValueError):
    """A team, name, alias, term or label that cannot be stored (the user's input)."""


@dataclass(frozen=True)
class TeamMember:
    team: str
    name: str
    aliases: tuple[str, ...] = ()
    tracker_usernames: Mapping[str, str] = field(default_factory=dict)
    voiceprint: tuple[float, ...] | None = None
    voice_model: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    learned: tuple[tuple[str, LearnedVoice], ...] = ()  # (voice model, voice) learned from meetings

    def as_member(self, voice_model: str | None = None) -> Member:
        """The member for naming; learned voices only of ``voice_model`` (none without one)."""
        return Member(self.name, self.aliases, self.voiceprint,
                      tuple(v for model, v in self.learned if model == voice_model))


@dataclass(frozen=True)
class SpeakerRow:
    label: str
    name: str
    confidence: float
    how: str
    evidence: tuple[str, ...]
    updated_at: datetime | None = None


@dataclass(frozen=True)
class RenameResult:
    label: str
    name: str
    old_name: str | None  # what the label was called before (inferred or by a person)
    tickets: tuple[str, ...]  # ids of the tickets whose assignee followed
    minutes_rows: int


def check_team(team: str) -> str:
    if not _TEAM_RE.match(team):
        raise RosterInputError(f"team {team!r} must be 1-64 letters, digits, '.', '_' or '-'")
    return team


def _clean(value: str, what: str, limit: int) -> str:
    text = " ".join(value.split())
    if not text:
        raise RosterInputError(f"{what} must not be empty")
    if len(text) > limit:
        raise RosterInputError(f"{what} {text[:20]!r}… is longer than {limit} characters")
    if any(not ch.isprintable() for ch in text):
        raise RosterInputError(f"{what} {text!r} holds control characters")
    return text


def _member(row: Mapping[str, Any]) -> TeamMember:
    vp = row["voiceprint"]
    return TeamMember(
        row["team"], row["name"], tuple(row["aliases"] or ()), dict(row["tracker_usernames"] or {}),
        None if vp is None else tuple(float(x) for x in vp), row["voice_model"], row["created_at"],
        row["updated_at"],
    )




def add_member(
    conn: Connection, *, team: str, name: str, aliases: Iterable[str] = (),
    voiceprint: Sequence[float] | npt.NDArray[np.floating] | None = None, voice_model: str | None = None,
    tracker_usernames: Mapping[str, str] | None = None,
) -> TeamMember:
    """Add a member, or update one of the same name (any case): aliases are added to the ones
    there, a voiceprint given replaces the old one, tracker logins (``{"github": "octocat"}``)
    are merged into theirs."""
    check_team(team)
    name = _clean(name, "name", MAX_NAME_CHARS)
    new_aliases = [a for a in dict.fromkeys(_clean(a, "alias", MAX_NAME_CHARS) for a in aliases)
                   if a.casefold() != name.casefold()]
    vp = None if voiceprint is None else [float(x) for x in np.asarray(voiceprint).reshape(-1)]
    if vp is not None and (not vp or not all(np.isfinite(vp))):
        raise RosterInputError("a voiceprint must be a non-empty finite vector")
    if (vp is None) != (voice_model is None):
        raise RosterInputError("a voiceprint needs the id of the model that made it")
    logins = {_clean(k, "tracker", 32): _clean(v, "tracker login", 200)
              for k, v in (tracker_usernames or {}).items()}
    with translated("adding a team member"), conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
        old = cur.execute(
            "SELECT team, name, aliases, tracker_usernames, voiceprint, voice_model, created_at, "
            "updated_at FROM team_members WHERE team = %s AND lower(name) = lower(%s) FOR UPDATE",
            (team, name),
        ).fetchone()
        if old is None:
            row = cur.execute(
                "INSERT INTO team_members (team, name, aliases, voiceprint, voice_model, tracker_usernames) "
                "VALUES (%s, %s, %s, %s, %s, %s) RETURNING team, name, aliases, tracker_usernames, "
                "voiceprint, voice_model, created_at, updated_at",
                (team, name, new_aliases, vp, voice_model, Jsonb(logins)),
            ).fetchone()
        else:
            merged = list(dict.fromkeys([*(old["aliases"] or []), *new_aliases]))
            row = cur.execute(
                "UPDATE team_members SET aliases = %s, voiceprint = coalesce(%s, voiceprint), "
                "voice_model = coalesce(%s, voice_model), tracker_usernames = tracker_usernames || %s, "
                "updated_at = now() "
                "WHERE team = %s AND name = %s RETURNING team, name, aliases, tracker_usernames, "
                "voiceprint, voice_model, created_at, updated_at",
                (merged, vp, voice_model, Jsonb(logins), team, old["name"]),
            ).fetchone()
        assert row is not None
        return _member(row)


def list_members(conn: Connection, team: str) -> list[TeamMember]:
    """The team's members, each with the voices learned of them."""
    check_team(team)
    with translated("listing team members"), conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            "SELECT team, name, aliases, tracker_usernames, voiceprint, voice_model, created_at, "
            "updated_at FROM team_members WHERE team = %s ORDER BY lower(name)",
            (team,),
        ).fetchall()
    learned = learned_voices(conn, team)
    return [replace(m, learned=tuple(learned.get(m.name, ()))) for m in map(_member, rows)]


def remove_member(conn: Connection, *, team: str, name: str) -> bool:
    """Remove a member (by name or alias, any case); False when the team has no such member."""
    check_team(team)
    with translated("removing a team member"), conn.transaction():
        row = conn.execute(
            "DELETE FROM team_members WHERE team = %s AND (lower(name) = lower(%s) OR "
            "lower(%s) = ANY(SELECT lower(a) FROM unnest(aliases) a)) RETURNING name",
            (team, name.strip(), name.strip()),
        ).fetchone()
    return row is not None


def add_terms(conn: Connection, *, team: str, terms: Iterable[str]) -> list[str]:
    """Add glossary terms; returns those that were new (a term already there, any case, is kept)."""
    check_team(team)
    clean = list(dict.fromkeys(_clean(t, "term", MAX_TERM_CHARS) for t in terms))
    added: list[str] = []
    with translated("adding glossary terms"), conn.transaction():
        for term in clean:
            row = conn.execute(
                "INSERT INTO team_glossary (team, term) VALUES (%s, %s) ON CONFLICT DO NOTHING "
                "RETURNING term", (team, term),
            ).fetchone()
            if row is not None:
                added.append(term)
    return added


def list_terms(conn: Connection, team: str) -> list[str]:
    check_team(team)
    with translated("listing glossary terms"):
        rows = conn.execute(
            "SELECT term FROM team_glossary WHERE team = %s ORDER BY lower(term)", (team,)
        ).fetchall()
    return [str(r[0]) for r in rows]


def remove_terms(conn: Connection, *, team: str, terms: Iterable[str]) -> list[str]:
    """Remove glossary terms (any case); returns the terms removed."""
    check_team(team)
    wanted = [t.strip().lower() for t in terms if t.strip()]
    with translated("removing glossary terms"), conn.transaction():
        rows = conn.execute(
            "DELETE FROM team_glossary WHERE team = %s AND lower(term) = ANY(%s) RETURNING term",
            (team, wanted),
        ).fetchall()
    return sorted(str(r[0]) for r in rows)


def team_roster(conn: Connection, team: str) -> tuple[list[TeamMember], list[str]]:
    """A team's members and glossary terms, in one read (what naming and the recogniser need)."""
    return list_members(conn, team), list_terms(conn, team)


# --- meeting speakers -------------------------------------------------------------------------


def meeting_speakers(conn: Connection, team: str, meeting_id: str) -> list[SpeakerRow]:
    with translated("reading a meeting's speakers"), conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            "SELECT label, name, confidence, how, evidence, updated_at FROM meeting_speakers "
            "WHERE team = %s AND meeting_id = %s "
            "ORDER BY length(label), label",
            (team, meeting_id),
        ).fetchall()
    return [
        SpeakerRow(r["label"], r["name"], float(r["confidence"]), r["how"],
                   tuple(str(e) for e in r["evidence"] or ()), r["updated_at"])
        for r in rows
    ]


def save_inferred_speakers(
    conn: Connection, *, team: str, meeting_id: str, names: Iterable[SpeakerName]
) -> bool:
    """Store a meeting's inferred naming: the given labels are upserted, inferred labels no longer
    named are removed, and a person's naming is left alone. True when anything changed."""
    names = [n for n in names if n.how != "person"]
    changed = False
    with translated("storing a meeting's speakers"), conn.transaction():
        for n in names:
            if n.how not in HOWS:
                raise RosterInputError(f"unknown naming {n.how!r}")
            row = conn.execute(
                """INSERT INTO meeting_speakers (team, meeting_id, label, name, confidence, how, evidence)
                   VALUES (%s, %s, %s, %s, %s, %s, %s)
                   ON CONFLICT (team, meeting_id, label) DO UPDATE SET
                       name = EXCLUDED.name, confidence = EXCLUDED.confidence, how = EXCLUDED.how,
                       evidence = EXCLUDED.evidence, updated_at = now()
                   WHERE meeting_speakers.how <> 'person'
                     AND (meeting_speakers.name, meeting_speakers.confidence, meeting_speakers.how)
                         IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.confidence, EXCLUDED.how)
                   RETURNING label""",
                (team, meeting_id, n.label, n.name, n.confidence, n.how, Jsonb(list(n.evidence[:5]))),
            ).fetchone()
            changed = changed or row is not None
        gone = conn.execute(
            "DELETE FROM meeting_speakers WHERE team = %s AND meeting_id = %s AND how <> 'person' "
            "AND NOT (label = ANY(%s)) RETURNING label",
            (team, meeting_id, [n.label for n in names]),
        ).fetchall()
    return changed or bool(gone)


def _relabel_minutes(conn: Connection, team: str, meeting_id: str, old: list[str], new: str) -> int:
    row = conn.execute(
        """UPDATE meeting_minutes SET
               action_items = (SELECT coalesce(jsonb_agg(
                       CASE WHEN e->>'assignee' = ANY(%(old)s)
                            THEN jsonb_set(e, '{assignee}', to_jsonb(%(new)s::text)) ELSE e END
                       ORDER BY o), '[]'::jsonb)
                   FROM jsonb_array_elements(action_items) WITH ORDINALITY AS x(e, o)),
               status_updates = (SELECT coalesce(jsonb_agg(
                       CASE WHEN e->>'speaker' = ANY(%(old)s)
                            THEN jsonb_set(e, '{speaker}', to_jsonb(%(new)s::text)) ELSE e END
                       ORDER BY o), '[]'::jsonb)
                   FROM jsonb_array_elements(status_updates) WITH ORDINALITY AS x(e, o)),
               updated_at = now()
           WHERE team = %(team)s AND meeting_id = %(meeting)s
             AND (EXISTS (SELECT 1 FROM jsonb_array_elements(action_items) e
                          WHERE e->>'assignee' = ANY(%(old)s))
                  OR EXISTS (SELECT 1 FROM jsonb_array_elements(status_updates) e
                             WHERE e->>'speaker' = ANY(%(old)s)))
           RETURNING 1""",
        {"old": old, "new": new, "team": team, "meeting": meeting_id},
    ).fetchall()
    return len(row)


def rename_speaker(
    conn: Connection, *, team: str, meeting_id: str, label: str, name: str, actor: str = "board"
) -> RenameResult | None:
    """A person names a meeting's speaker; None when the team has no such meeting.

    The naming is stored as ``how = 'person'`` (confidence 1), and everything that carried the
    label or its old name follows, in one transaction: the meeting's tickets (each through
    ``change_ticket``, so each gets its one ``ticket_events`` row), the stored minutes' owners and
    speakers, ``meeting_metrics.talk_share``; and the meeting row is touched so the efficiency job
    recomputes the meeting.
    """
    check_team(team)
    name = _clean(name, "name", MAX_NAME_CHARS)
    label = _clean(label, "label", 64)
    with translated("renaming a speaker"), conn.transaction():
        meeting = conn.execute(
            "SELECT 1 FROM meetings WHERE meeting_id = %s AND team = %s FOR UPDATE", (meeting_id, team)
        ).fetchone()
        if meeting is None:
            return None
        before = conn.execute(
            "SELECT name FROM meeting_speakers WHERE team = %s AND meeting_id = %s AND label = %s",
            (team, meeting_id, label),
        ).fetchone()
        old_name = None if before is None else str(before[0])
        conn.execute(
            """INSERT INTO meeting_speakers (team, meeting_id, label, name, confidence, how, evidence)
               VALUES (%s, %s, %s, %s, 1.0, 'person', %s)
               ON CONFLICT (team, meeting_id, label) DO UPDATE SET
                   name = EXCLUDED.name, confidence = 1.0, how = 'person',
                   evidence = EXCLUDED.evidence, updated_at = now()""",
            (team, meeting_id, label, name, Jsonb([f"named by {actor}"])),
        )
        # The name may have been inferred for another label: one label per name in a meeting.
        conn.execute(
            "DELETE FROM meeting_speakers WHERE team = %s AND meeting_id = %s AND label <> %s "
            "AND lower(name) = lower(%s) AND how <> 'person'",
            (team, meeting_id, label, name),
        )
        # What was learned of this label, or of this name from another label, by inference goes;
        # the label's voice is kept as the named member's (if they are on the roster).
        conn.execute(
            "DELETE FROM learned_voices WHERE team = %s AND meeting_id = %s AND how <> 'person' "
            "AND (label = %s OR lower(name) = lower(%s))",
            (team, meeting_id, label, name),
        )
        _learn(conn, team, meeting_id, label, name, 1.0, "person")
        old = [x for x in dict.fromkeys([label, old_name]) if x and x != name]
        ids = [str(r[0]) for r in conn.execute(
            "SELECT ticket_id FROM tickets WHERE team = %s AND meeting_id = %s AND assignee = ANY(%s) "
            "ORDER BY ticket_id", (team, meeting_id, old),
        ).fetchall()]
        moved = []
        for tid in ids:
            if change_ticket(conn, team=team, ticket_id=tid, changes={"assignee": name}, actor=actor,
                             quote=f"speaker {label} named {name}") is not None:
                moved.append(tid)
        minutes_rows = _relabel_minutes(conn, team, meeting_id, old, name)
        for key in old:
            conn.execute(
                """UPDATE meeting_metrics SET talk_share = (talk_share - %(old)s) || jsonb_build_object(
                       %(new)s::text,
                       coalesce((talk_share->>%(new)s)::float8, 0) + (talk_share->>%(old)s)::float8)
                   WHERE team = %(team)s AND meeting_id = %(meeting)s AND talk_share ? %(old)s""",
                {"old": key, "new": name, "team": team, "meeting": meeting_id},
            )
        conn.execute("UPDATE meetings SET updated_at = now() WHERE team = %s AND meeting_id = %s",
                     (team, meeting_id))
    return RenameResult(label, name, old_name, tuple(moved), minutes_rows)


# --- label voices ----------------------------------------------------------------------------


def save_label_voices(
    conn: Connection, *, team: str, meeting_id: str, model: str,
    voices: Mapping[str, tuple[Sequence[float] | npt.NDArray[np.floating], float]],
) -> None:
    """Store each label's voice centroid and its seconds of speech (label → (centroid, seconds))."""
    with translated("storing a meeting's voices"), conn.transaction():
        for label, (centroid, seconds) in voices.items():
            conn.execute(
                """INSERT INTO meeting_voices (team, meeting_id, label, centroid, voice_model, seconds)
                   VALUES (%s, %s, %s, %s, %s, %s)
                   ON CONFLICT (team, meeting_id, label) DO UPDATE SET centroid = EXCLUDED.centroid,
                       voice_model = EXCLUDED.voice_model, seconds = EXCLUDED.seconds,
                       updated_at = now()""",
                (team, meeting_id, label, [float(x) for x in np.asarray(centroid).reshape(-1)], model,
                 float(seconds)),
            )


def label_voices(conn: Connection, team: str, meeting_id: str, model: str) -> dict[str, list[float]]:
    """Each label's voice centroid made by ``model`` (other models' are not comparable)."""
    with translated("reading a meeting's voices"):
        rows = conn.execute(
            "SELECT label, centroid FROM meeting_voices WHERE team = %s AND meeting_id = %s "
            "AND voice_model = %s", (team, meeting_id, model),
        ).fetchall()
    return {str(r[0]): [float(x) for x in r[1]] for r in rows}


# --- learned voices ---------------------------------------------------------------------------


def learned_voices(conn: Connection, team: str) -> dict[str, list[tuple[str, LearnedVoice]]]:
    """Per member name: (voice model, learned voice), oldest meeting first."""
    with translated("reading learned voices"):
        rows = conn.execute(
            "SELECT name, voice_model, voiceprint, meeting_id, label, confidence, how, seconds "
            "FROM learned_voices WHERE team = %s ORDER BY updated_at, meeting_id, label",
            (team,),
        ).fetchall()
    out: dict[str, list[tuple[str, LearnedVoice]]] = {}
    for name, model, vp, meeting_id, label, confidence, how, seconds in rows:
        out.setdefault(str(name), []).append((str(model), LearnedVoice(
            tuple(float(x) for x in vp), str(meeting_id), str(label), float(confidence), str(how),
            float(seconds))))
    return out


def _learn(conn: Connection, team: str, meeting_id: str, label: str, name: str, confidence: float,
           how: str) -> bool:
    """Keep ``label``'s stored voice as ``name``'s (a roster member; anyone else is skipped).
    A person's row is only replaced by another person's naming."""
    row = conn.execute(
        """INSERT INTO learned_voices (team, meeting_id, label, name, voiceprint, voice_model,
                                       confidence, how, seconds)
           SELECT v.team, v.meeting_id, v.label, m.name, v.centroid, v.voice_model, %s, %s, v.seconds
           FROM meeting_voices v JOIN team_members m ON m.team = v.team AND lower(m.name) = lower(%s)
           WHERE v.team = %s AND v.meeting_id = %s AND v.label = %s
           ON CONFLICT (team, meeting_id, label) DO UPDATE SET
               name = EXCLUDED.name, voiceprint = EXCLUDED.voiceprint,
               voice_model = EXCLUDED.voice_model, confidence = EXCLUDED.confidence,
               how = EXCLUDED.how, seconds = EXCLUDED.seconds, updated_at = now()
           WHERE (learned_voices.how <> 'person' OR EXCLUDED.how = 'person')
             AND (learned_voices.name, learned_voices.voiceprint, learned_voices.confidence)
                 IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.voiceprint, EXCLUDED.confidence)
           RETURNING label""",
        (confidence, how, name, team, meeting_id, label),
    ).fetchone()
    return row is not None


def learn_voices(
    conn: Connection, *, team: str, meeting_id: str, names: Iterable[SpeakerName], min_confidence: float
) -> list[str]:
    """Keep the voices of a meeting's labels named by the conversation at ``min_confidence`` or
    more (never those named by voice: a print does not teach itself); the meeting's inferred
    learned voices no longer named so are dropped, a person's stay. Returns the labels stored."""
    keep = [n for n in names if n.how not in ("voice", "person") and n.confidence >= min_confidence]
    stored = []
    with translated("learning voices"), conn.transaction():
        for n in keep:
            if _learn(conn, team, meeting_id, n.label, n.name, n.confidence, n.how):
                stored.append(n.label)
        conn.execute(
            "DELETE FROM learned_voices WHERE team = %s AND meeting_id = %s AND how <> 'person' "
            "AND NOT (label = ANY(%s))",
            (team, meeting_id, [n.label for n in keep]),
        )
    return stored


def forget_learned(conn: Connection, *, team: str, name: str, meeting_id: str | None = None) -> int:
    """Drop the voices learned of a member (by name or alias; of one meeting, or all); returns
    how many were dropped."""
    check_team(team)
    with translated("forgetting learned voices"), conn.transaction():
        rows = conn.execute(
            "DELETE FROM learned_voices l USING team_members m WHERE l.team = %s AND m.team = l.team "
            "AND m.name = l.name AND (lower(m.name) = lower(%s) OR "
            "lower(%s) = ANY(SELECT lower(a) FROM unnest(m.aliases) a)) "
            "AND (%s::text IS NULL OR l.meeting_id = %s) RETURNING l.label",
            (team, name.strip(), name.strip(), meeting_id, meeting_id),
        ).fetchall()
    return len(rows)


# --- for processes that are not a flow -----------------------------------------------------------


class RosterStore:
    """The functions above over a small pool of checked connections (the board). Blocking: call
    it from a worker thread in async code."""

    def __init__(self, dsn: str, *, pool_size: int = 2) -> None:
        self._pool = sync_pool(dsn, min_size=1, max_size=pool_size, name="roster")

    def open(self) -> None:
        with translated("opening the roster store"):
            self._pool.open(wait=True, timeout=30)

    def close(self) -> None:
        self._pool.close()

    def members(self, team: str) -> list[TeamMember]:
        with translated("listing team members"), self._pool.connection() as conn:
            return list_members(conn, team)

    def speakers(self, team: str, meeting_id: str) -> list[SpeakerRow]:
        with translated("reading a meeting's speakers"), self._pool.connection() as conn:
            return meeting_speakers(conn, team, meeting_id)

    def rename(self, *, team: str, meeting_id: str, label: str, name: str) -> RenameResult | None:
        with translated("renaming a speaker"), self._pool.connection() as conn:
            return rename_speaker(conn, team=team, meeting_id=meeting_id, label=label, name=name)

