"""What the per-language rule sets of the offline minutes writer find, and the people they name.

:mod:`domain.extraction` splits a transcript into :class:`Sentence` values and asks
:mod:`domain.extraction_en` or :mod:`domain.extraction_ko` (picked per sentence by script) what each
one says; the findings below are their answers, before due dates and names are resolved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Protocol

from domain.extraction_words import is_hangul
from domain.minutes import Status
from domain.vocabulary import edit_distance, phonetic_key

# The speaker of the sentence, as opposed to somebody named in it.
SELF = "\x00self"
# He, she or they: the person the speaker has just named ("Chloe's out; she finished the audit").
THIRD = "\x00third"


@dataclass(frozen=True)
class Sentence:
    speaker: str | None
    text: str
    start_ms: int
    utterance: int  # position of its utterance in the (time-ordered) meeting
    language: Literal["en", "ko"]


@dataclass(frozen=True)
class Request:
    """A task asked of someone: ``addressee`` is a name as said, ``None`` for "can someone…"."""

    addressee: str | None
    task: str
    needs_answer: bool  # a question ("can you…?") counts only once it is accepted
    # "Bea, the onboarding tour copy?" asks for a taker or for news: only "I'll take it", not a
    # bare "yep", makes it an item.
    needs_offer: bool = False


@dataclass(frozen=True)
class Commitment:
    who: str  # SELF or a name as said
    task: str
    # A hand-over ("let's give the retention doc to Olga", "then Ade takes it instead"): the same
    # task given to someone else earlier in the meeting moves to ``who`` rather than doubling up.
    reassign: bool = False


@dataclass(frozen=True)
class StatusFinding:
    who: str  # SELF or a name as said
    subject: str  # "" when only a pronoun was said; the caller looks at the context
    status: Status
    reason: str | None


class Rules(Protocol):
    """One language's rules; every method sees one clause or sentence and never raises."""

    def sentences(self, text: str) -> list[str]: ...
    def clauses(self, sentence: str) -> list[str]: ...
    def is_question(self, text: str) -> bool: ...
    def request(self, clause: str, names: Names) -> Request | None: ...
    def commitment(self, clause: str, names: Names) -> Commitment | None: ...
    def status(self, clause: str, names: Names) -> StatusFinding | None: ...
    def decision(self, clause: str) -> str | None: ...
    def acceptance(self, text: str) -> bool | None: ...
    def topic(self, text: str) -> str: ...


class Names:
    """The people of a meeting: its speakers, and matching of what is said to them.

    Korean speakers are often labelled with the full name ("김민수") and addressed by the given
    name ("민수 씨"), English ones the other way round ("Bob Lee" / "Bob"); both resolve.
    """

    def __init__(self, speakers: list[str]) -> None:
        self.speakers = tuple(dict.fromkeys(s for s in speakers if s.strip()))

    def resolve(self, mention: str) -> str | None:
        """The speaker label ``mention`` refers to, or ``None`` when it names no speaker."""
        bare = strip_honorific(mention).casefold()
        if not bare:
            return None
        for speaker in self.speakers:
            label = speaker.casefold()
            if bare == label or bare == label.split()[0]:
                return speaker
        for speaker in self.speakers:
            label = speaker.casefold()
            if is_hangul(bare) and len(bare) >= 2 and (label.endswith(bare) or bare.endswith(label)):
                return speaker
        return None

    def is_known(self, mention: str) -> bool:
        return self.resolve(mention) is not None

    @property
    def are_people(self) -> bool:
        """Whether the speakers are people's names, not diarization labels (S1, S2, …) that name
        nobody yet."""
        return bool(self.speakers) and not any(is_label(s) for s in self.speakers)

    def resolve_heard(self, mention: str) -> str | None:
        """``resolve``, or the one speaker whose first name ``mention`` sounds like: speech
        recognition hears "May" for Mei and "kin" for Kim. Two speakers that fit give ``None``."""
        exact = self.resolve(mention)
        if exact is not None:
            return exact
        bare = strip_honorific(mention).casefold()
        if len(bare) < 3 or not bare.isascii() or not bare.isalpha():
            return None
        fits = [s for s in self.speakers if _sounds_like(bare, s.split()[0].casefold())]
        return fits[0] if len(fits) == 1 else None


_DIARIZATION_LABEL = re.compile(r"^S\d+$")


def is_label(speaker: str | None) -> bool:
    """A diarization label (S1, S2, …), as opposed to a name a source carried."""
    return speaker is not None and _DIARIZATION_LABEL.match(speaker) is not None


def _sounds_like(heard: str, name: str) -> bool:
    if len(name) < 3 or not name.isascii():
        return False
    distance = edit_distance(heard, name)
    if distance <= 1 and heard[0] == name[0]:
        return True
    # "Can" for Ken, "May" for Mei: two letters apart but the same sounds.
    return distance == 2 and abs(len(heard) - len(name)) <= 1 and phonetic_key(heard) == phonetic_key(name)


_HONORIFIC_RE = re.compile(r"\s*(?:님|씨|선배님|선배|팀장님|팀장|매니저님|책임님|대리님|과장님)$")


def strip_honorific(name: str) -> str:
    return _HONORIFIC_RE.sub("", name.strip().strip(",.:;!?"))
