"""What the flow knows about a team: its roster and glossary, read through the roster store and
kept per process for a TTL; the recogniser hints and corrections made from them; and the naming of
a meeting's speaker labels before the minutes writer reads the meeting.

The flow calls :func:`configure` once with the database; until then (tests with a fake recogniser
and no database) every function here is a no-op. A database that cannot be reached never stops
transcription or minutes: the last roster read is used (or none), and it is tried again after a
short pause.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from connectors.postgres import PostgresError, connect
from connectors.roster_store import (
    label_voices,
    learn_voices,
    meeting_speakers,
    save_inferred_speakers,
    team_roster,
)
from connectors.voiceprint import VOICE_MODEL
from domain.minutes import Utterance
from domain.naming import LEARN_MIN_CONFIDENCE, Member, SpeakerName, apply_names, is_label, name_speakers
from domain.transcript import RecognizedSpan
from domain.vocabulary import correct_text, hotwords

log = logging.getLogger(__name__)

TTL_S = 60.0
RETRY_S = 10.0


@dataclass(frozen=True)
class TeamContext:
    members: tuple[Member, ...] = ()
    terms: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(n for m in self.members for n in (m.name, *m.aliases))


class TeamContexts:
    """Per-team roster and glossary, read at most once per ``ttl_s`` per team."""

    def __init__(self, dsn: str, *, ttl_s: float = TTL_S, clock: Callable[[], float] = time.monotonic):
        self._dsn = dsn
        self._ttl_s = ttl_s
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, TeamContext]] = {}

    @property
    def dsn(self) -> str:
        return self._dsn

    def get(self, team: str | None) -> TeamContext:
        if not team:
            return TeamContext()
        now = self._clock()
        with self._lock:
            hit = self._cache.get(team)
        if hit is not None and hit[0] > now:
            return hit[1]
        try:
            with connect(self._dsn) as conn:
                members, terms = team_roster(conn, team)
            ctx = TeamContext(tuple(m.as_member(VOICE_MODEL) for m in members), tuple(terms))
            until = now + self._ttl_s
        except (PostgresError, ValueError) as exc:
            log.warning("team %s: roster not read (%s); using what was read before", team, exc)
            ctx = hit[1] if hit is not None else TeamContext()
            until = now + RETRY_S
        with self._lock:
            self._cache[team] = (until, ctx)
        return ctx


_CONTEXTS: TeamContexts | None = None


def configure(dsn: str | None, *, ttl_s: float = TTL_S) -> None:
    """Read rosters from this database from now on (``None``: stop)."""
    global _CONTEXTS
    _CONTEXTS = TeamContexts(dsn, ttl_s=ttl_s) if dsn else None


def recogniser_hints(team: str | None) -> dict[str, str]:
    """Keyword arguments for the recogniser: ``hotwords`` from the team's glossary and names."""
    if _CONTEXTS is None:
        return {}
    ctx = _CONTEXTS.get(team)
    words = hotwords(ctx.names, ctx.terms)
    return {"hotwords": words} if words else {}


def corrected(team: str | None, spans: Sequence[RecognizedSpan]) -> list[RecognizedSpan]:
    """The spans with near-miss words replaced by the team's glossary terms."""
    if _CONTEXTS is None or not spans:
        return list(spans)
    ctx = _CONTEXTS.get(team)
    if not ctx.terms:
        return list(spans)
    out = []
    for s in spans:
        text, fixes = correct_text(s.text, ctx.terms, keep=ctx.names)
        out.append(replace(s, text=text) if fixes else s)
    return out


class SpeakerNamer:
    """Names a meeting's diarization labels from the roster, the labels' voices, a person's
    renames and what was said; stores the naming when it changes, and keeps the voices of labels
    the conversation named with high confidence as the members' learned voices (for the team's
    later meetings); returns the utterances named."""

    def __init__(self, contexts: TeamContexts):
        self._contexts = contexts
        self._saved: dict[tuple[str, str], tuple[SpeakerName, ...]] = {}

    def __call__(self, team: str | None, meeting_id: str, utterances: list[Utterance]) -> list[Utterance]:
        if not team or not any(is_label(u.speaker) for u in utterances):
            return utterances
        ctx = self._contexts.get(team)
        fixed: dict[str, str] = {}
        voices: dict[str, list[float]] = {}
        try:
            with connect(self._contexts.dsn) as conn:
                rows = meeting_speakers(conn, team, meeting_id)
                fixed = {r.label: r.name for r in rows if r.how == "person"}
                if ctx.members:
                    voices = label_voices(conn, team, meeting_id, VOICE_MODEL)
                mapping = name_speakers(utterances, ctx.members, voices=voices, fixed=fixed,
                                        not_names=ctx.terms, meeting_id=meeting_id)
                key = (team, meeting_id)
                inferred = tuple(n for n in mapping.values() if n.how != "person")
                if self._saved.get(key) != inferred:
                    save_inferred_speakers(conn, team=team, meeting_id=meeting_id, names=inferred)
                    self._saved[key] = inferred
                if voices:
                    # Every pass: the label's voice settles as the meeting goes on.
                    learn_voices(conn, team=team, meeting_id=meeting_id, names=inferred,
                                 min_confidence=LEARN_MIN_CONFIDENCE)
        except PostgresError as exc:
            log.warning("meeting %s: speaker names not read or stored (%s)", meeting_id, exc)
            mapping = name_speakers(utterances, ctx.members, fixed=fixed, not_names=ctx.terms,
                                    meeting_id=meeting_id)
        return apply_names(utterances, mapping)

    def forget(self, team: str | None, meeting_id: str) -> None:
        self._saved.pop((team or "", meeting_id), None)


def speaker_namer() -> SpeakerNamer | None:
    """The namer over the configured database, or ``None`` when none is configured."""
    return SpeakerNamer(_CONTEXTS) if _CONTEXTS is not None else None
