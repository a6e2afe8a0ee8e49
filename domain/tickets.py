"""Kanban tickets from minutes: matching a task said to its ticket, status moves, stable ids.

A task said again ("update the API docs" in planning, "the API documentation update" a week later)
must land on the ticket it already has, and status talk ("I finished the migration") must find the
ticket it is about. Both match on the person and on stemmed key words (see
:mod:`domain.extraction_words`); ids are derived from the content so a replay creates nothing new.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from domain.extraction_base import strip_honorific
from domain.extraction_words import concept, key_words, overlap, strip_particle, tokens
from domain.minutes import ActionItem, StatusUpdate

TICKET_STATUSES = ("todo", "in_progress", "blocked", "done")

# Verbs that say nothing about *which* task it is: "work on the docs" and "finish the docs" are one.
# Verbs that say nothing about *which* task it is: "work on the docs" and "finish the docs" are one.
# Compared before stemming, so "checkout" (stem "check") is not taken for "check".
_GENERIC = frozenset(
    """
    do does doing did work working worked finish finished finishing start started starting handle
    handled handling take taking took look looking looked check checking checked continue continuing
    complete completed completing make making get getting pick picking own owning task tasks ticket
    tickets item items action thing follow following 작업 진행 완료 시작 처리 마무리 하기 담당
    """.split()
)
# How much of the shorter description must recur for two mentions to be the same task.
SAME_TASK_SHARE = 0.6
# Status talk names its subject briefly ("the migration"), so half of it is enough.
STATUS_SHARE = 0.5
# On someone else's ticket more must match: "the auth test" shares only "test" with Kim's
# "fix the flaky login test", and Priti saying it must not move Kim's work.
OTHERS_SHARE = 0.6


@dataclass(frozen=True)
class TicketRef:
    ticket_id: str
    title: str
    assignee: str | None
    status: str


def _words(text: str) -> tuple[str, ...]:
    """Key words for matching: content words without generic verbs, unless that leaves nothing."""
    generic = {w for w in tokens(text) if w in _GENERIC or strip_particle(w) in _GENERIC}
    return key_words(text, frozenset(generic)) or key_words(text)


def same_person(a: str | None, b: str | None) -> bool:
    """ "Bob" is "bob" and "Bob Lee"; "민수 씨" is "김민수"; two unknowns are not one person."""
    if a is None or b is None:
        return False
    x = unicodedata.normalize("NFKC", strip_honorific(a)).casefold()
    y = unicodedata.normalize("NFKC", strip_honorific(b)).casefold()
    if not x or not y:
        return False
    if x == y or x.split()[0] == y.split()[0]:
        return True
    short, long_ = sorted((x.replace(" ", ""), y.replace(" ", "")), key=len)
    # Korean given name against full name: "민수" / "김민수".
    return len(short) >= 2 and not short.isascii() and long_.endswith(short)


def _share(query: tuple[str, ...], target: tuple[str, ...]) -> float:
    if not query or not target:
        return 0.0
    return overlap(query, target) / len(query)


def _tightness(said: str, title: str) -> float:
    """Share of the title that was said: among equal matches, the ticket about just that wins."""
    words = _words(title)
    return overlap(words, _words(said)) / len(words) if words else 0.0


def _similarity(a: str, b: str) -> float:
    """Share of the shorter description's key words found in the other; 0 when nothing is shared."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return 0.0
    short, long_ = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    shared = overlap(short, long_)
    # Three or more key words each: one shared word ("api") is a coincidence, not the same task.
    if len(short) >= 3 and shared < 2:
        return 0.0
    return shared / len(short)


def _best(scored: list[tuple[float, float, TicketRef]], threshold: float) -> TicketRef | None:
    good = [(score, tie, t) for score, tie, t in scored if score >= threshold]
    if not good:
        return None
    # Highest score; then the tighter title; then an open ticket over a done one; then the id,
    # so the answer is stable.
    good.sort(key=lambda st: (-st[0], -st[1], st[2].status == "done", st[2].ticket_id))
    return good[0][2]


def find_matching_ticket(item: ActionItem, tickets: Sequence[TicketRef]) -> TicketRef | None:
    """The ticket ``item`` repeats: same assignee and >= 60% of the shorter side's key words.

    Done tickets are candidates too, so replaying an old meeting finds the ticket it made even
    after it was closed; an open ticket wins a tie. Items without an assignee only match tickets
    without one.
    """
    scored = []
    for ticket in tickets:
        if item.assignee is None:
            if ticket.assignee is not None:
                continue
        elif not same_person(item.assignee, ticket.assignee):
            continue
        scored.append((_similarity(item.task, ticket.title), _tightness(item.task, ticket.title), ticket))
    return _best(scored, SAME_TASK_SHARE)


def find_ticket_for_status(update: StatusUpdate, tickets: Sequence[TicketRef]) -> TicketRef | None:
    """The ticket a status report is about.

    First among the speaker's own tickets (synonyms count there); when none of those fits (or the
    speaker is unknown, as in a mixed-mic recording) among everyone's by the words themselves,
    which lets a lead report a colleague's work. The
    subject's key words must cover at least half of themselves in the title, except that progress
    told in other words still lands on the speaker's one open ticket sharing a key word with it
    (unless someone else's ticket holds all of the subject), and a report with no subject at all on
    the speaker's only open ticket.
    """
    subject = _concepts(update.subject)
    own = [t for t in tickets if same_person(update.speaker, t.assignee)]
    open_own = [t for t in own if t.status != "done"]
    if not subject:
        # "It's almost done" with nothing to say what: the person's only open ticket, if one.
        return open_own[0] if len(open_own) == 1 and update.speaker else None
    # The person's own tickets also match the other way round: "the onboarding email sequence for
    # trial users" holds all of "onboarding emails", though half of it is not in that title.
    said = update.subject
    scored_own = [(_own_share(subject, _concepts(t.title)), _tightness(said, t.title), t) for t in own]
    found = _best(scored_own, STATUS_SHARE)
    if found is not None:
        return found
    # Someone else's ticket (a lead reporting for a colleague, or an unknown speaker) takes the
    # words themselves: a synonym is too weak a sign to move another person's work.
    plain = _words(said)
    scored_all = [(_share(plain, _words(t.title)), _tightness(said, t.title), t) for t in tickets]
    anyone = _best(scored_all, OTHERS_SHARE)
    # Progress told in other words than the ticket ("the migration docs" for "write the SDK
    # migration guide"): a key word the person's open tickets share with it in one ticket only.
    hits = [t for t in open_own if overlap(subject, _concepts(t.title))]
    if len(hits) == 1 and (anyone is None or _share(plain, _words(anyone.title)) < 1.0):
        return hits[0]
    return anyone


def _concepts(text: str) -> tuple[str, ...]:
    """Key words with synonyms folded ("alerts" = "notifications"), for routing status talk."""
    return tuple(dict.fromkeys(concept(w) for w in _words(text)))


def _own_share(subject: tuple[str, ...], title: tuple[str, ...]) -> float:
    back = _share(title, subject) if len(title) >= 2 else 0.0
    return max(_share(subject, title), back)


_ALLOWED = {
    "todo": frozenset({"in_progress", "blocked", "done"}),
    "in_progress": frozenset({"blocked", "done"}),
    "blocked": frozenset({"in_progress", "done"}),
    "done": frozenset(),
}


def transition(old: str, new: str) -> bool:
    """Whether status talk may move a ticket from ``old`` to ``new``.

    Same status is no event; ``done`` never moves back on its own (a person reopens it on the
    board); nothing said moves a ticket back to ``todo``; unknown statuses never move.
    """
    return new in _ALLOWED.get(old, frozenset())


def _slug(team: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize("NFKC", team).casefold()).strip("-")
    return slug[:32] or "team"


def ticket_id_for(team: str, assignee: str | None, task: str) -> str:
    """A stable id from the team, the person and the task's key words (order and wording aside).

    "update the API docs" and "the API docs, update" give the same id, so a replayed meeting upserts
    the ticket it made the first time. Call :func:`find_matching_ticket` first: rewordings that
    change the key words get a different id.
    """
    person = unicodedata.normalize("NFKC", strip_honorific(assignee or "")).casefold()
    words = sorted(set(key_words(task))) or [unicodedata.normalize("NFKC", task).casefold().strip()]
    digest = hashlib.sha256("\x1f".join([team, person, *words]).encode("utf-8")).hexdigest()
    return f"{_slug(team)}-{digest[:12]}"
