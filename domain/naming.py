"""Who the diarization labels of a meeting (S1, S2, …) are: names from voiceprints and from what
was said.

Evidence for "label L is person N" comes from

- **voice**: the label's voice (its diarization centroid) is close (cosine) to an enrolled
  member's voiceprint;
- **introduced**: L says "This is Bob", "I'm Bob", "My name is Bob", "저는 민수입니다";
- **addressed**: someone says "Bob, can you …" (or "… , Bob?", "민수 씨, …") and the next other
  speaker, L, answers "Sure, I'll …" / "네, 제가 할게요";
- **thanked**: someone says "Thanks, Bob" / "민수 씨 감사합니다" right after L spoke.

Each piece has a weight; the pieces for one (label, name) accumulate as independent signals
(``1 - Π(1 - w)``). Labels then get names one-to-one, the most confident pair first, so two
labels never share a name and a label never holds two. A name is used only if it is a roster
member (or an alias of one, resolved to the member) or was spoken in the meeting; a spoken name
that is not on the roster counts for less. A person's naming (``fixed``, from the board) is kept
as it is and takes its label and name out of the contest.

Pure and deterministic: the same utterances, roster and voices give the same mapping (ties go
to the lower label number, then the name), so a replayed meeting keeps its names.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import numpy.typing as npt

from domain.extraction_base import strip_honorific
from domain.extraction_en import NOT_NAMES, EnglishRules
from domain.extraction_ko import KoreanRules
from domain.extraction_words import STOP_EN, is_hangul, strip_particle
from domain.minutes import Utterance

How = Literal["voice", "addressed", "introduced", "thanked", "person"]
HOWS: tuple[How, ...] = ("voice", "addressed", "introduced", "thanked", "person")

# Weights of one piece of evidence for a roster member; a name only spoken counts for less.
WEIGHTS: dict[How, float] = {"introduced": 0.8, "addressed": 0.6, "thanked": 0.5}
UNLISTED_FACTOR = 0.75
# Below this a label keeps its S-label: one "thanks, Bob" about a name nobody listed is not enough.
MIN_CONFIDENCE = 0.45
# Cosine similarity of a label's voice to a voiceprint at which the voice counts as that person's.
# Same espeak voice, other words: 0.85-0.95 with the GE2E encoder; distinct voices 0.55-0.85.
VOICE_THRESHOLD = 0.80

_LABEL_RE = re.compile(r"^S\d+$")
_EN = EnglishRules()
_KO = KoreanRules()

# Capitalised words that start sentences or name things other than people.
_NOT_NAMES = NOT_NAMES | STOP_EN | frozenset(
    """
    welcome morning afternoon evening everyone all guys folks team sprint review standup meeting
    agenda update updates status demo release done finished working back here there sure thanks
    thank sounds great perfect nice cool okay ok alright yes yeah no
    """.split()
)
# Korean words that take 님/씨 but are titles or groups, not names.
_KO_TITLES = frozenset(
    """
    팀장 선배 매니저 여러분 고객 사장 부장 과장 대리 차장 실장 책임 선임 수석 이사 대표 교수 선생 작가 기사
    회장 본부장 담당자 담당 다들 모두 고객사 개발자 디자이너
    """.split()
)

# Case-sensitive inside case-insensitive patterns: a name is capitalised.
_NAME_EN = r"(?-i:[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?)"
_NAME_KO = r"[가-힣]{2,4}?"
_HON_KO = r"(?:님|씨|선배님|팀장님|매니저님)"
# Particles that may follow a name with an honorific ("민수님이", "지현 씨가").
_PART_KO = r"(?:이|가|은|는|을|를|께서|께|에게|한테|도|의|요)?"

_INTRO_EN = re.compile(
    rf"(?:^|[.!?]\s+|,\s+)(?:hi|hello|hey)?[,\s]*(?:this is|i'm|i am|my name is)\s+"
    rf"(?P<name>{_NAME_EN})(?:\s+here)?\s*(?:[.,!?]|$|\s+(?:and|from|speaking|here)\b)",
    re.IGNORECASE,
)
_INTRO_HERE_EN = re.compile(rf"^(?:hi|hello|hey)?[,\s]*(?P<name>{_NAME_EN})\s+here\b", re.IGNORECASE)
_INTRO_KO = re.compile(
    rf"(?:^|\s)(?:저는|전|제\s*이름은|저)\s*(?P<name>{_NAME_KO})\s*(?:{_HON_KO})?"
    r"(?:입니다|이에요|예요|이고요|고요|라고\s*합니다|이라고\s*합니다)"
)
_VOC_START_EN = re.compile(
    rf"^(?:ok(?:ay)?|so|and|hey|alright)?[,\s]*(?P<name>{_NAME_EN})\s*,\s*\S", re.IGNORECASE
)
_VOC_END_EN = re.compile(rf",\s*(?P<name>{_NAME_EN})\s*[?.!]*\s*$")
_VOC_KO = re.compile(rf"^(?P<name>{_NAME_KO})\s*{_HON_KO}\s*[,.]?\s*\S")
_THANKS_EN = re.compile(
    rf"\b(?:thanks|thank you|cheers)(?:\s+(?:so|very)\s+much|\s+a\s+lot)?[,\s]+(?P<name>{_NAME_EN})\b",
    re.IGNORECASE,
)
_THANKS_KO = re.compile(
    rf"(?P<name>{_NAME_KO})\s*{_HON_KO}\s*,?\s*(?:정말\s*)?(?:감사|고마|수고)"
    rf"|(?:감사합니다|감사해요|고마워요|고맙습니다|수고하셨습니다)[,.!\s]*(?P<name2>{_NAME_KO})\s*{_HON_KO}"
)
_HONORIFIC_NAME_KO = re.compile(rf"(?<![가-힣])(?P<name>{_NAME_KO})\s?(?:님|씨){_PART_KO}(?=[\s,.!?]|$)")
_FIRST_PERSON = re.compile(r"^(?:i\b|i'm\b|i've\b|i'll\b|i'd\b|my\b|제가|저는|저도|제\b)", re.IGNORECASE)


def is_label(speaker: str | None) -> bool:
    """A diarization label (S1, S2, …), as opposed to a name a source carried."""
    return speaker is not None and _LABEL_RE.match(speaker) is not None


def label_order(label: str) -> int:
    return int(label[1:]) if _LABEL_RE.match(label) else 1 << 30


@dataclass(frozen=True)
class Member:
    """A roster member as naming sees one."""

    name: str
    aliases: tuple[str, ...] = ()
    voiceprint: tuple[float, ...] | None = None


@dataclass(frozen=True)
class Evidence:
    label: str
    name: str
    how: How
    weight: float
    quote: str  # what was said, or "voice 0.91"


@dataclass(frozen=True)
class SpeakerName:
    """Label → name for one meeting, with how sure and why."""

    label: str
    name: str
    confidence: float
    how: How  # the strongest evidence
    evidence: tuple[str, ...] = ()


def korean_name(word: str) -> str:
    """A Korean name as said, without particle or honorific: "민수님이" → "민수", "지현씨가" → "지현"."""
    w = word.strip().strip(",.:;!?")
    m = _HONORIFIC_NAME_KO.fullmatch(w)
    if m:
        return m["name"]
    return strip_honorific(strip_particle(w))


def korean_names_in(text: str) -> list[str]:
    """Names marked by an honorific in Korean text ("민수님이 …", "지현 씨가 …"), titles left out."""
    return [m["name"] for m in _HONORIFIC_NAME_KO.finditer(text) if m["name"] not in _KO_TITLES]


class Roster:
    """Resolves a name as said to a roster member's name (by name, alias, first name, or a Korean
    given name), case-insensitively."""

    def __init__(self, members: Iterable[Member]) -> None:
        self.members = tuple(members)
        self._by_key: dict[str, str] = {}
        for m in self.members:
            for said in (m.name, *m.aliases):
                key = said.strip().casefold()
                if key:
                    self._by_key.setdefault(key, m.name)
                    first = key.split()[0]
                    self._by_key.setdefault(first, m.name)

    def resolve(self, mention: str) -> str | None:
        bare = mention.strip().strip(",.:;!?")
        if is_hangul(bare):
            bare = korean_name(bare)
        key = bare.casefold()
        if not key:
            return None
        if key in self._by_key:
            return self._by_key[key]
        if is_hangul(key) and len(key) >= 2:
            # Full names on the roster ("김민수"), given names in speech ("민수").
            for m in self.members:
                for said in (m.name, *m.aliases):
                    if is_hangul(said) and said.endswith(key):
                        return m.name
        return None


def _name_as_said(
    mention: str, roster: Roster, not_names: frozenset[str] = frozenset()
) -> tuple[str, bool] | None:
    """(the name to use, whether it is a roster member) for a mention, or None if not a name."""
    listed = roster.resolve(mention)
    if listed is not None:
        return listed, True
    bare = mention.strip()
    if is_hangul(bare):
        bare = korean_name(bare)
        if len(bare) < 2 or bare in _KO_TITLES or bare.casefold() in not_names:
            return None
        return bare, False
    words = bare.split()
    if not words or any(w.casefold() in _NOT_NAMES or w.casefold() in not_names for w in words):
        return None
    if not all(w[:1].isupper() for w in words):
        return None
    return " ".join(words), False


def _accepts(text: str) -> bool:
    rules = _KO if is_hangul(text) else _EN
    return rules.acceptance(text) is True or _FIRST_PERSON.match(text.strip()) is not None


def _next_other(utts: Sequence[Utterance], i: int) -> int | None:
    """The next utterance after ``i`` by another speaker (the answer to ``i``)."""
    for j in range(i + 1, min(len(utts), i + 4)):
        if utts[j].speaker != utts[i].speaker:
            return j
    return None


def _previous_other(utts: Sequence[Utterance], i: int) -> int | None:
    for j in range(i - 1, max(-1, i - 4), -1):
        if utts[j].speaker != utts[i].speaker:
            return j
    return None


_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+")


def _addressed(text: str, roster: Roster, not_names: frozenset[str]) -> tuple[str, bool] | None:
    """The name the utterance turns to last ("…. Alice, anything from you?") and whether it asks
    a question; None when it addresses nobody."""
    for sentence in reversed(_SENTENCE_END.split(text)):
        for rx in (_VOC_START_EN, _VOC_END_EN, _VOC_KO):
            voc = rx.search(sentence)
            if voc and _name_as_said(voc["name"], roster, not_names) is not None:
                return voc["name"], sentence.rstrip().endswith("?")
    return None


def conversation_evidence(
    utterances: Sequence[Utterance], roster: Roster, not_names: Iterable[str] = ()
) -> list[Evidence]:
    """What the meeting's words say about who its labels are (utterances in time order).

    ``not_names``: words that are never a person here (the team's glossary: "This is Stripe").
    """
    out: list[Evidence] = []
    excluded = frozenset(w.casefold() for w in not_names)

    def add(label: str | None, mention: str, how: How, quote: str, speaker: str | None) -> None:
        if not is_label(label) or label is None:
            return
        found = _name_as_said(mention, roster, excluded)
        if found is None:
            return
        name, listed = found
        if speaker is not None and not is_label(speaker) and speaker.casefold() == name.casefold():
            return
        weight = WEIGHTS[how] * (1.0 if listed else UNLISTED_FACTOR)
        out.append(Evidence(label, name, how, weight, quote.strip()))

    for i, u in enumerate(utterances):
        text = u.text.strip()
        if not text:
            continue
        for m in (*_INTRO_EN.finditer(text), *_INTRO_HERE_EN.finditer(text), *_INTRO_KO.finditer(text)):
            add(u.speaker, m["name"], "introduced", text, None)
        j = _next_other(utterances, i)
        addressed = _addressed(text, roster, excluded)
        if j is not None and addressed is not None:
            mention, asked = addressed
            reply = utterances[j].text.strip()
            # Agreeing ("Sure, I'll…") answers a request; any plain answer answers a question.
            if _accepts(reply) or (asked and not reply.endswith("?")):
                add(utterances[j].speaker, mention, "addressed", f"{text} / {reply}", u.speaker)
        k = _previous_other(utterances, i)
        if k is not None:
            for m in (*_THANKS_EN.finditer(text), *_THANKS_KO.finditer(text)):
                groups = m.groupdict()
                mention = groups.get("name") or groups.get("name2") or ""
                add(utterances[k].speaker, mention, "thanked", text, u.speaker)
    return out


def _unit(v: Sequence[float] | npt.NDArray[np.floating]) -> npt.NDArray[np.float64] | None:
    a = np.asarray(v, dtype=np.float64).reshape(-1)
    n = float(np.linalg.norm(a))
    return a / n if a.size and n > 0 and np.all(np.isfinite(a)) else None


def voice_evidence(
    voices: Mapping[str, Sequence[float] | npt.NDArray[np.floating]],
    members: Iterable[Member],
    *,
    threshold: float = VOICE_THRESHOLD,
) -> list[Evidence]:
    """Evidence from voiceprints: every (label, enrolled member) at or above ``threshold``.

    Confidence grows from 0.6 at the threshold to 1.0 at identity; the one-to-one assignment in
    :func:`name_speakers` keeps the best pairs.
    """
    out: list[Evidence] = []
    prints = [(m.name, _unit(m.voiceprint)) for m in members if m.voiceprint]
    for label in sorted(voices, key=label_order):
        v = _unit(voices[label])
        if v is None:
            continue
        for name, p in prints:
            if p is None or p.size != v.size:
                continue
            sim = float(np.dot(v, p))
            if sim >= threshold:
                weight = 0.6 + 0.4 * (sim - threshold) / max(1e-9, 1.0 - threshold)
                out.append(Evidence(label, name, "voice", min(weight, 0.99), f"voice {sim:.2f}"))
    return out


def combine(evidence: Iterable[Evidence]) -> dict[tuple[str, str], tuple[float, How, tuple[str, ...]]]:
    """Per (label, name): the accumulated confidence, the strongest kind, the quotes."""
    grouped: dict[tuple[str, str], list[Evidence]] = {}
    for e in evidence:
        grouped.setdefault((e.label, e.name), []).append(e)
    out: dict[tuple[str, str], tuple[float, How, tuple[str, ...]]] = {}
    for key, items in grouped.items():
        miss = math.prod(1.0 - e.weight for e in items)
        best = max(items, key=lambda e: (e.weight, -HOWS.index(e.how)))
        quotes = tuple(dict.fromkeys(e.quote for e in items))
        out[key] = (1.0 - miss, best.how, quotes)
    return out


def name_speakers(
    utterances: Sequence[Utterance],
    members: Iterable[Member] = (),
    *,
    voices: Mapping[str, Sequence[float] | npt.NDArray[np.floating]] | None = None,
    fixed: Mapping[str, str] | None = None,
    not_names: Iterable[str] = (),
    voice_threshold: float = VOICE_THRESHOLD,
    min_confidence: float = MIN_CONFIDENCE,
) -> dict[str, SpeakerName]:
    """The meeting's label → name mapping (labels only: speakers a source named stay as they are).

    ``fixed`` holds a person's namings (label → name); they are kept with confidence 1.0.
    ``not_names``: words never taken for a person (the team's glossary).
    """
    members = tuple(members)
    roster = Roster(members)
    said = sorted(utterances, key=lambda u: u.start_ms)
    evidence = conversation_evidence(said, roster, not_names)
    if voices:
        evidence += voice_evidence(voices, members, threshold=voice_threshold)
    out: dict[str, SpeakerName] = {}
    taken_names: set[str] = set()
    for label, name in sorted((fixed or {}).items(), key=lambda kv: label_order(kv[0])):
        out[label] = SpeakerName(label, name, 1.0, "person")
        taken_names.add(name.casefold())
    # Names already used by a speaker that a source named (a per-person track) are that person.
    taken_names |= {u.speaker.casefold() for u in said if u.speaker and not is_label(u.speaker)}
    scored = combine(evidence)
    ranked = sorted(
        scored.items(), key=lambda kv: (-round(kv[1][0], 9), label_order(kv[0][0]), kv[0][1])
    )
    for (label, name), (confidence, how, quotes) in ranked:
        if confidence < min_confidence or label in out or name.casefold() in taken_names:
            continue
        out[label] = SpeakerName(label, name, round(confidence, 4), how, quotes)
        taken_names.add(name.casefold())
    return dict(sorted(out.items(), key=lambda kv: label_order(kv[0])))


def apply_names(utterances: Sequence[Utterance], mapping: Mapping[str, SpeakerName | str]) -> list[Utterance]:
    """The utterances with their labels replaced by the mapped names (others unchanged)."""
    names = {k: (v if isinstance(v, str) else v.name) for k, v in mapping.items()}
    return [
        replace(u, speaker=names[u.speaker]) if u.speaker is not None and u.speaker in names else u
        for u in utterances
    ]
