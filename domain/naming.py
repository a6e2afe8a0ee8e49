"""Who the diarization labels of a meeting (S1, S2, …) are: names from voiceprints and from what
was said.

Evidence for "label L is person N" comes from

- **voice**: the label's voice (its diarization centroid) is close (cosine) to a member's
  voiceprint: an enrolled one, or else one *learned* from earlier meetings of the team (a label
  a person named on the board, or one the conversation named with high confidence);
- **introduced**: L says "This is Bob", "I'm Bob", "My name is Bob", "저는 민수입니다";
- **addressed**: someone turns to a name ("Bob, can you …", "… , Bob?", "over to you, Bob",
  "민수 씨, …") and the next other speaker, L, answers ("Sure, I'll …" / "네, 제가 할게요" weigh
  more than any other answer); a name said in passing ("pair with Bob") hints the next speaker;
- **thanked**: someone says "Thanks, Bob" / "민수 씨 감사합니다" right after L spoke;
- **remaining** (after the assignment): the one member the roster leaves for a label once every
  other is named, and the chair: the first voice, which turned to two or more members by name,
  takes the one member nobody named.

Speech is first joined into turns (consecutive utterances of one label), so a vocative at the
end of one segment and the question in the next read as one; before that, a name that ends a
segment before another label's request moves to that request, as the minutes writer reads it
(``domain.extraction.carry_vocatives``: Whisper cuts "… on this page. Abe." | "Can you get …"
where the voices do not change, and the name is the asker's, not the label's before it). Names
are found by exact match and, for roster members, by sound and spelling (``domain.vocabulary``'s
phonetic key and edit distance): the recogniser writes "Pria" for Priya, "Dave" for Dev; such a
match counts by how close it is. The one who says a name is, nearly always, not that person:
each such mention counts against the speaker, unless a later sentence of the same turn takes up
the work in the first person (the named one's reply, read by Whisper into the same segment). Per
(label, name), pieces accumulate as independent signals (``1 - Π(1 - w)``), times
``1 - Π(1 - w)`` of the pieces against. Labels then get names one-to-one by the assignment with the highest
total confidence (Hungarian), so a label with two candidates yields the name another label needs
more. A name is used only if it is a roster member (or an alias of one, resolved to the member)
or was spoken in the meeting; a spoken name that is not on the roster counts for less. A
person's naming (``fixed``, from the board) is kept as it is and takes its label and name out of
the contest.

Pure and deterministic: the same utterances, roster and voices give the same mapping (ties go
to the lower label number, then the name), so a replayed meeting keeps its names.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import numpy.typing as npt

from domain.extraction import carry_vocatives
from domain.extraction_base import is_label as is_label  # the one S-label test, used by the rules too
from domain.extraction_base import strip_honorific
from domain.extraction_en import NOT_NAMES, EnglishRules
from domain.extraction_ko import KoreanRules
from domain.extraction_words import STOP_EN, is_hangul, key_words, strip_particle
from domain.minutes import Utterance
from domain.transcript import SENTENCE_END
from domain.vocabulary import COMMON_WORDS, best_match

How = Literal["voice", "addressed", "introduced", "thanked", "person", "remaining"]
HOWS: tuple[How, ...] = ("voice", "addressed", "introduced", "thanked", "person", "remaining")

# Weights of one piece of evidence for a roster member; a name only spoken counts for less.
WEIGHTS: dict[How, float] = {"introduced": 0.8, "addressed": 0.6, "thanked": 0.5}
# Addressed, but the next speaker neither agreed nor answered a question: still most often them.
ADDRESSED_UNANSWERED = 0.5
ADDRESSED_ASKING = 0.3
# A name said in passing ("pair with Tom on it"): the next speaker is often that person.
MENTIONED_NEXT = 0.25
# A name given work in the third person ("Felix will take the upgrade", "let's have Olga do
# it") and the next speaker agrees ("Right, I'll start Saturday"): most often that person.
MENTIONED_ACCEPTED = 0.5
# Against the speaker of a name: people seldom say their own name except to introduce themselves.
AGAINST_SPEAKER = 0.6
# A roster name matched by sound and spelling (score from MIN_FUZZY_SCORE to 1) counts for
# FUZZY_LOW to 1 of the name heard right.
FUZZY_LOW = 0.75
MIN_FUZZY_SCORE = 0.72
# A learned voiceprint counts for this share of an enrolled one's weight.
LEARNED_FACTOR = 0.9
# A label named from the conversation at least this sure teaches its voice to the member.
LEARN_MIN_CONFIDENCE = 0.75
UNLISTED_FACTOR = 0.75
# A label named because it is the only one the roster's members left over can be (every listed
# member spoke, every other voice is named, and what was said rules out the other pairings).
REMAINING_CONFIDENCE = 0.5
# A label with less speech than this is not counted as a person when matching labels to the roster.
REMAINING_MIN_SPEECH_MS = 2000
# Below this a label keeps its S-label: one "thanks, Bob" about a name nobody listed is not enough.
MIN_CONFIDENCE = 0.45
# Cosine similarity of a label's voice to a voiceprint at which the voice counts as that person's.
# Same espeak voice, other words: 0.85-0.95 with the GE2E encoder; distinct voices 0.55-0.85.
VOICE_THRESHOLD = 0.80

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
# A turn that speaks for oneself, after a word of assent or not ("Right, I'll start Saturday").
_FIRST_PERSON = re.compile(
    r"^(?:(?:right|okay|ok|alright|fine|good|great|yes|yeah|yep|yup|sure|absolutely|definitely|"
    r"no problem|that's me|that's mine|네|예|좋아요|알겠습니다)[,.!\s]+)?"
    r"(?:i\b|i'm\b|i've\b|i'll\b|i'd\b|my\b|제가|저는|저도|제\b)", re.IGNORECASE)


def label_order(label: str) -> int:
    return int(label[1:]) if is_label(label) else 1 << 30


@dataclass(frozen=True)
class LearnedVoice:
    """A label's voice from one earlier meeting, kept as this member's (see module doc)."""

    vector: tuple[float, ...]
    meeting_id: str
    label: str
    confidence: float  # of the naming it was learned from (1.0: a person named it)
    how: str  # that naming's kind ("person", "addressed", …)
    seconds: float = 0.0


@dataclass(frozen=True)
class Member:
    """A roster member as naming sees one."""

    name: str
    aliases: tuple[str, ...] = ()
    voiceprint: tuple[float, ...] | None = None  # enrolled
    learned: tuple[LearnedVoice, ...] = ()


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
    given name), case-insensitively; :meth:`fuzzy` also by sound and spelling."""

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
        self._latin = sorted(k for k in self._by_key if " " not in k and not is_hangul(k) and len(k) >= 2)

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

    def fuzzy(self, word: str, not_names: frozenset[str] = frozenset()) -> tuple[str, float] | None:
        """(member, score) for a capitalised word that sounds and looks like a roster name the
        recogniser misspelt ("Pria" → Priya, "Dave" → Dev); None for common words and names
        not near any member."""
        w = _bare(word)
        k = w.casefold()
        if (len(w) < 3 or not w[:1].isupper() or not w.isalpha() or k in _NOT_NAMES or k in COMMON_WORDS
                or k in not_names or k in self._by_key):
            return None
        m = best_match(w, self._latin)
        if m is None or m.score < MIN_FUZZY_SCORE or m.sound < 0.66:
            return None
        return self._by_key[m.term], round(m.score, 3)


def _bare(word: str) -> str:
    w = word.strip().strip(",.:;!?\"()")
    for suffix in ("'s", "’s"):
        w = w.removesuffix(suffix)
    return w


def _name_as_said(
    mention: str, roster: Roster, not_names: frozenset[str] = frozenset()
) -> tuple[str, bool, float] | None:
    """(the name to use, whether it is a roster member, how sure the match is) for a mention,
    or None if not a name."""
    listed = roster.resolve(_bare(mention) if not is_hangul(mention) else mention)
    if listed is not None:
        return listed, True, 1.0
    bare = mention.strip()
    if is_hangul(bare):
        bare = korean_name(bare)
        if len(bare) < 2 or bare in _KO_TITLES or bare.casefold() in not_names:
            return None
        return bare, False, 1.0
    words = _bare(bare).split()
    if len(words) <= 2 and words:
        # "Nick Hill" for Nikhil: two words said for one name are tried joined.
        near = roster.fuzzy(words[0] + "".join(w.lower() for w in words[1:]), not_names)
        if near is not None:
            quality = FUZZY_LOW + (1 - FUZZY_LOW) * (near[1] - MIN_FUZZY_SCORE) / (1 - MIN_FUZZY_SCORE)
            return near[0], True, round(quality, 4)
    if not words or any(w.casefold() in _NOT_NAMES or w.casefold() in not_names for w in words):
        return None
    if not all(w[:1].isupper() for w in words):
        return None
    return " ".join(words), False, 1.0


def _accepts(text: str) -> bool:
    rules = _KO if is_hangul(text) else _EN
    return rules.acceptance(text) is True or _FIRST_PERSON.match(text.strip()) is not None


# "this" refers back unless it names a time ("this week").
_BACK_REFERENCE = re.compile(
    r"\b(?:it|that|them|those|these|so|same)\b|\bthis\b(?!\s+(?:week|weekend|morning|afternoon|evening|"
    r"sprint|month|quarter|year|time|monday|tuesday|wednesday|thursday|friday)\b)", re.IGNORECASE)
_OWN_PLAN_EN = re.compile(
    r"^(?:and |also |then )?(?:i'll|i will|i'm going to|i am going to|i plan to|i'm planning to)\b",
    re.IGNORECASE)


def _own_new_plan(request: str, reply: str) -> bool:
    """Whether ``reply`` is a plan of the speaker's own rather than an answer to ``request``:
    "Kai, please rewrite the CSV export." followed by "I'll set up alerts for the staging
    cluster." is the next person's item (the one asked may not have answered at all). An answer
    is short, refers back ("I'll dig into it"), or shares a word with the request."""
    if is_hangul(reply) or not _OWN_PLAN_EN.match(reply.strip()):
        return False
    if len(_WORD_EN.findall(reply)) <= 6 or _BACK_REFERENCE.search(reply):
        return False
    return not set(key_words(request)) & set(key_words(reply))


@dataclass(frozen=True)
class _Turn:
    speaker: str | None
    text: str


def turns_of(utterances: Sequence[Utterance]) -> list[_Turn]:
    """Consecutive utterances of one speaker joined (in time order): Whisper cuts "Tom, we need
    the upgrade." from "Can you take that?", and the answer comes after both."""
    out: list[_Turn] = []
    for u in utterances:
        text = u.text.strip()
        if not text:
            continue
        if out and out[-1].speaker == u.speaker:
            out[-1] = _Turn(u.speaker, f"{out[-1].text} {text}")
        else:
            out.append(_Turn(u.speaker, text))
    return out


_VOC_ALONE_EN = re.compile(rf"^(?P<name>{_NAME_EN})\s*[?.!]*$")
_VOC_OVER_EN = re.compile(
    rf"\b(?:over to you|back to you|what about you|how about you|and you|your turn|go ahead|you're up|"
    rf"you are up|floor is yours|anything from you|(?:hand|pass|turn)(?: it)? (?:back |over )?to)[,\s]+"
    rf"(?P<name>{_NAME_EN})\b"
    rf"|\b(?:what|how) about (?P<name2>{_NAME_EN})\s*\?",
    re.IGNORECASE,
)
# A name set off by commas inside a sentence ("Quick round, Priya, how are …"): a vocative when
# it is a roster member's (a list of product names reads the same).
_VOC_COMMAS_EN = re.compile(rf"(?:^|,\s*)(?P<name>{_NAME_EN})\s*(?=,|[?.!]|$)")
_WORD_EN = re.compile(r"[A-Za-z][A-Za-z'’]*")
_REQUEST_EN = re.compile(r"^(?:please|can you|could you|would you|will you|let's|can we|could we)\b",
                         re.IGNORECASE)


def _vocatives(sentence: str) -> list[tuple[str, bool, bool]]:
    """(mention, whether only a roster member's name counts there, whether it hands over the
    floor), in order of position."""
    out: list[tuple[int, str, bool, bool]] = []
    for rx in (_VOC_START_EN, _VOC_END_EN, _VOC_KO, _VOC_ALONE_EN, _VOC_OVER_EN, _VOC_COMMAS_EN):
        for m in rx.finditer(sentence):
            groups = m.groupdict()
            key = "name" if groups.get("name") else "name2"
            if groups.get(key):
                out.append((m.start(key), groups[key], rx is _VOC_COMMAS_EN, rx is _VOC_OVER_EN))
    return [(mention, listed_only, floor) for _, mention, listed_only, floor in sorted(out)]


@dataclass(frozen=True)
class _Addressed:
    mention: str
    asking: bool  # the turn asks a question
    answered_within: bool  # the turn itself goes on with the answer
    floor: bool  # "over to you, Ana", "what about you, Raj?": the next voice is theirs, whatever it says


def _addressed(text: str, roster: Roster, not_names: frozenset[str]) -> _Addressed | None:
    """The name the turn turns to last ("…. Alice, anything from you?"), whether the turn asks a
    question, whether the turn itself goes on with an answer ("Finn, could you …? Sure,
    Friday works.": two voices the diarization gave one label, so the next speaker is not the
    one asked), and whether it hands the floor over; None when it addresses nobody. A name
    thanked or introduced in a sentence is not turned to there."""
    asked = text.rstrip().endswith("?")
    sentences = SENTENCE_END.split(text)
    for at in range(len(sentences) - 1, -1, -1):
        sentence = sentences[at]
        rest = " ".join(sentences[at + 1 :]).strip()
        skipped = {_bare(m.groupdict().get("name") or m.groupdict().get("name2") or "")
                   for rx in (_THANKS_EN, _THANKS_KO, _INTRO_EN, _INTRO_HERE_EN, _INTRO_KO)
                   for m in rx.finditer(sentence)}
        for mention, listed_only, floor in reversed(_vocatives(sentence)):
            found = None if _bare(mention) in skipped else _name_as_said(mention, roster, not_names)
            if found is not None and (found[1] or not listed_only):
                asking = asked or sentence.rstrip().endswith("?")
                return _Addressed(mention, asking, bool(rest) and _answered_within(rest), floor)
    return None


_PRAISE_EN = re.compile(
    r"\b(?:kudos|shout-?outs?|props|credit|hats off|big thanks|thanks|thank you|congrats|congratulations|"
    r"well done|nice work|great work|great job|good job|nice job)\b[,\s]+(?:(?:to|for|goes to)\s+)?$",
    re.IGNORECASE,
)


def _praised(text: str, mention: str) -> bool:
    """Whether ``mention`` is said in praise ("Kudos to Cleo", "great job, Sam"), not given work."""
    at = text.find(mention)
    return at >= 0 and _PRAISE_EN.search(text[:at]) is not None


def _reply_inside(text: str, mention: str) -> bool:
    """Whether a sentence after the one naming ``mention`` takes up its work in the first person
    ("… so Raj covers support. I'll handle the support rotation next week."): the named one's
    reply in the same segment, two voices the diarization gave one label, so saying the name
    does not count against the label."""
    sentences = [x for x in SENTENCE_END.split(text) if x.strip()]
    for i, sentence in enumerate(sentences):
        if mention not in sentence:
            continue
        words = set(key_words(sentence)) - {mention.casefold()}
        for later in sentences[i + 1 : i + 3]:
            if _FIRST_PERSON.match(later.strip()) and words & set(key_words(later)):
                return True
    return False


def _answered_within(rest: str) -> bool:
    """Whether what follows a request in the same turn holds the answer to it: it starts with
    one ("Sure, Friday works"), or a short sentence of it agrees ("Do Thursday. Works for me."):
    two voices the diarization gave one label."""
    if _accepts(rest):
        return True
    return any(len(_WORD_EN.findall(x)) <= 4 and _EN.acceptance(x) is True
               for x in SENTENCE_END.split(rest) if not is_hangul(x))


def _mentions(text: str, roster: Roster, not_names: frozenset[str]) -> list[str]:
    """Roster members' names said in the text, capitalised (or a Korean name with 님/씨)."""
    if is_hangul(text):
        return [m for m in korean_names_in(text) if roster.resolve(m) is not None]
    words = [w.group() for w in _WORD_EN.finditer(text) if w.group()[:1].isupper()]
    return [w for w in words
            if roster.resolve(_bare(w)) is not None or roster.fuzzy(w, not_names) is not None]


def conversation_evidence(
    utterances: Sequence[Utterance], roster: Roster, not_names: Iterable[str] = ()
) -> list[Evidence]:
    """What the meeting's words say about who its labels are (utterances in time order).

    Evidence with a negative weight counts *against* the pair (the speaker of a name).
    ``not_names``: words that are never a person here (the team's glossary: "This is Stripe").
    """
    out: list[Evidence] = []
    excluded = frozenset(w.casefold() for w in not_names)

    def add(label: str | None, mention: str, how: How, quote: str, speaker: str | None,
            weight: float | None = None, against: bool = False) -> None:
        if not is_label(label) or label is None:
            return
        found = _name_as_said(mention, roster, excluded)
        if found is None:
            return
        name, listed, quality = found
        if against and not listed:
            return
        if speaker is not None and not is_label(speaker) and speaker.casefold() == name.casefold():
            return
        w = (WEIGHTS[how] if weight is None else weight) * quality * (1.0 if listed else UNLISTED_FACTOR)
        out.append(Evidence(label, name, how, -w if against else w, quote.strip()))

    turns = turns_of(utterances)
    for i, t in enumerate(turns):
        text = t.text
        introduced: set[str] = set()
        for m in (*_INTRO_EN.finditer(text), *_INTRO_HERE_EN.finditer(text), *_INTRO_KO.finditer(text)):
            add(t.speaker, m["name"], "introduced", text, None)
            introduced.add(m["name"])
        nxt = turns[i + 1] if i + 1 < len(turns) else None
        prev = turns[i - 1] if i > 0 else None
        thanked: set[str] = set()
        for m in (*_THANKS_EN.finditer(text), *_THANKS_KO.finditer(text)):
            groups = m.groupdict()
            mention = groups.get("name") or groups.get("name2") or ""
            thanked.add(mention)
            if prev is not None:
                add(prev.speaker, mention, "thanked", text, t.speaker)
        addressed = _addressed(text, roster, excluded)
        # A plan of the next speaker's own that takes nothing of this turn up answers nothing in it.
        own = nxt is not None and _own_new_plan(text, nxt.text)
        if nxt is not None and addressed is not None and not addressed.answered_within:
            mention, asked = addressed.mention, addressed.asking
            reply = nxt.text
            # Handing over the floor asks for nothing in particular: the next voice speaking on,
            # whatever about, is the one handed it ("I'll hand it back to Ana." / "Thanks all …").
            own = own and not addressed.floor
            # Agreeing ("Sure, I'll…") answers a request; any plain answer answers a question.
            answered = not own and (_accepts(reply) or (asked and not reply.rstrip().endswith("?")))
            # A reply that itself asks for something is likely a third person taking the floor
            # (or the name was the start of that reply, cut off by the recogniser).
            weight = None if answered else ADDRESSED_ASKING if own or _REQUEST_EN.match(reply) \
                or reply.rstrip().endswith("?") else ADDRESSED_UNANSWERED
            add(nxt.speaker, mention, "addressed", f"{text} / {reply}", t.speaker, weight)
        said = _mentions(text, roster, excluded)
        for mention in dict.fromkeys(said):
            if _bare(mention) in {_bare(x) for x in introduced}:
                continue
            if not _reply_inside(text, mention):
                add(t.speaker, mention, "addressed", text, None, AGAINST_SPEAKER, against=True)
            if nxt is not None and (addressed is None or _bare(mention) != _bare(addressed.mention)) \
                    and _bare(mention) not in {_bare(x) for x in thanked}:
                # Praise ("Kudos to Cleo for the fast response") gives no work to take up.
                taken_up = _accepts(nxt.text) and not own and not _praised(text, mention)
                weight = MENTIONED_ACCEPTED if taken_up else MENTIONED_NEXT
                add(nxt.speaker, mention, "addressed", f"{text} / {nxt.text}", t.speaker, weight)
    return out


def _unit(v: Sequence[float] | npt.NDArray[np.floating]) -> npt.NDArray[np.float64] | None:
    a = np.asarray(v, dtype=np.float64).reshape(-1)
    n = float(np.linalg.norm(a))
    return a / n if a.size and n > 0 and np.all(np.isfinite(a)) else None


def learned_print(member: Member, exclude_meeting: str | None = None) -> npt.NDArray[np.float64] | None:
    """The member's learned voiceprint: the mean of the voices kept from earlier meetings (each
    weighted by its naming's confidence), the meeting being named left out; None when there is
    none to use."""
    total: npt.NDArray[np.float64] | None = None
    for lv in member.learned:
        if lv.meeting_id == exclude_meeting:
            continue
        v = _unit(lv.vector)
        if v is None or (total is not None and total.size != v.size):
            continue
        total = v * lv.confidence if total is None else total + v * lv.confidence
    return None if total is None else _unit(total)


def voice_evidence(
    voices: Mapping[str, Sequence[float] | npt.NDArray[np.floating]],
    members: Iterable[Member],
    *,
    threshold: float = VOICE_THRESHOLD,
    meeting_id: str | None = None,
) -> list[Evidence]:
    """Evidence from voiceprints: every (label, member) at or above ``threshold``.

    A member's enrolled print is used when there is one; otherwise the print learned from
    earlier meetings (never from ``meeting_id`` itself), which counts for a bit less.
    Confidence grows from 0.6 at the threshold to 1.0 at identity; the one-to-one assignment in
    :func:`name_speakers` keeps the best pairs.
    """
    out: list[Evidence] = []
    prints: list[tuple[str, npt.NDArray[np.float64] | None, float, str]] = []
    for m in members:
        if m.voiceprint:
            prints.append((m.name, _unit(m.voiceprint), 1.0, "voice"))
        elif m.learned:
            # As sure as the namings it was learned from, taken together.
            sources = [v.confidence for v in m.learned if v.meeting_id != meeting_id]
            trust = 1.0 - math.prod(1.0 - min(c, 0.99) for c in sources)
            prints.append((m.name, learned_print(m, meeting_id), LEARNED_FACTOR * trust,
                           f"learned voice ({len(sources)} meeting(s))"))
    for label in sorted(voices, key=label_order):
        v = _unit(voices[label])
        if v is None:
            continue
        for name, p, factor, what in prints:
            if p is None or p.size != v.size:
                continue
            sim = float(np.dot(v, p))
            if sim >= threshold:
                weight = 0.6 + 0.4 * (sim - threshold) / max(1e-9, 1.0 - threshold)
                out.append(Evidence(label, name, "voice", min(weight, 0.99) * factor, f"{what} {sim:.2f}"))
    return out


def combine(evidence: Iterable[Evidence]) -> dict[tuple[str, str], tuple[float, How, tuple[str, ...]]]:
    """Per (label, name): the accumulated confidence, the strongest kind for it, the quotes.

    What was said for the pair is discounted by what was said against it (the label saying the
    name); a voice match is not: a segment the diarization gave the wrong label can say a name,
    the voice of the whole label is still that person's.
    """
    grouped: dict[tuple[str, str], list[Evidence]] = {}
    for e in evidence:
        grouped.setdefault((e.label, e.name), []).append(e)
    out: dict[tuple[str, str], tuple[float, How, tuple[str, ...]]] = {}
    for key, items in grouped.items():
        pro = [e for e in items if e.weight > 0]
        if not pro:
            continue
        said = 1.0 - math.prod(1.0 - e.weight for e in pro if e.how != "voice")
        against = 1.0 - math.prod(1.0 + e.weight for e in items if e.weight < 0)
        voice = 1.0 - math.prod(1.0 - e.weight for e in pro if e.how == "voice")
        confidence = 1.0 - (1.0 - said * (1.0 - against)) * (1.0 - voice)
        best = max(pro, key=lambda e: (e.weight, -HOWS.index(e.how)))
        quotes = tuple(dict.fromkeys(e.quote for e in sorted(pro, key=lambda e: -e.weight)))
        out[key] = (confidence, best.how, quotes)
    return out


def _hungarian(weights: list[list[int]]) -> list[int]:
    """For each row, the column of a one-to-one assignment with the largest total weight
    (rows <= columns; potentials method, O(rows² · columns))."""
    n = len(weights)
    m = len(weights[0]) if n else 0
    top = max((w for row in weights for w in row), default=0)
    cost = [[top - w for w in row] for row in weights]
    inf = float("inf")
    u = [0.0] * (n + 1)
    v = [0.0] * (m + 1)
    p = [0] * (m + 1)  # p[j]: the row (1-based) holding column j
    way = [0] * (m + 1)
    for i in range(1, n + 1):
        p[0] = i
        j0 = 0
        minv = [inf] * (m + 1)
        used = [False] * (m + 1)
        while True:
            used[j0] = True
            i0, delta, j1 = p[j0], inf, 0
            for j in range(1, m + 1):
                if not used[j]:
                    cur = cost[i0 - 1][j - 1] - u[i0] - v[j]
                    if cur < minv[j]:
                        minv[j], way[j] = cur, j0
                    if minv[j] < delta:
                        delta, j1 = minv[j], j
            for j in range(m + 1):
                if used[j]:
                    u[p[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if p[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
    out = [0] * n
    for j in range(1, m + 1):
        if p[j]:
            out[p[j] - 1] = j - 1
    return out


def assign(scores: Mapping[tuple[str, str], float], min_confidence: float) -> dict[str, str]:
    """Label → name, one-to-one, with the largest total confidence over the pairs at or above
    ``min_confidence``; equal totals go to lower labels, then to names in alphabetical order."""
    pairs = {k: v for k, v in scores.items() if v >= min_confidence}
    labels = sorted({lab for lab, _ in pairs}, key=lambda x: (label_order(x), x))
    names = sorted({n for _, n in pairs})
    if not labels:
        return {}
    nl, nn = len(labels), len(names)
    # Integer weights: the confidence first (to 1e-6), then the tie-break, which can never add
    # up to one step of confidence.
    step = (nl * (nn + 1) + nn + 1) * (nl + 1)
    weights = [
        [(round(pairs[(lab, n)] * 1e6) * step + (nl - i) * (nn + 1) + (nn - j)) if (lab, n) in pairs else 0
         for j, n in enumerate(names)] + [0] * nl
        for i, lab in enumerate(labels)
    ]
    cols = _hungarian(weights)
    return {lab: names[c] for lab, c in zip(labels, cols, strict=True) if c < nn and (lab, names[c]) in pairs}


@dataclass(frozen=True)
class Naming:
    """A naming with what it rests on (for ``bench/diarization_flow.py --explain``)."""

    names: dict[str, SpeakerName]
    evidence: tuple[Evidence, ...]
    scores: dict[tuple[str, str], float]


def _remaining(
    said: Sequence[Utterance], members: Sequence[Member], named: Mapping[str, SpeakerName],
    evidence: Sequence[Evidence],
) -> dict[str, str]:
    """Labels the roster leaves only one name for: when the meeting has as many speaking labels
    as the roster has members and every other label is named, the open labels take the open
    members where one pairing alone is left once the pairs said against (a label saying a
    name) are ruled out. Nothing when anyone spoke under a name of their own (a per-person
    track) or a label's speech is too short to be a person."""
    if not members or any(u.speaker and not is_label(u.speaker) for u in said):
        return {}
    speech: dict[str, int] = {}
    for u in said:
        if u.speaker is not None and u.text.strip():
            speech[u.speaker] = speech.get(u.speaker, 0) + max(0, u.end_ms - u.start_ms)
    if len(speech) != len(members) or min(speech.values()) < REMAINING_MIN_SPEECH_MS:
        return {}
    taken = {n.name.casefold() for n in named.values()}
    labels = sorted((lab for lab in speech if lab not in named), key=label_order)
    names = [m.name for m in members if m.name.casefold() not in taken]
    if not labels or len(labels) != len(names) or len(labels) > 6:
        return {}
    against = {(e.label, e.name.casefold()) for e in evidence if e.weight < 0}
    matchings = [dict(zip(labels, perm, strict=True)) for perm in itertools.permutations(names)
                 if all((lab, n.casefold()) not in against for lab, n in zip(labels, perm, strict=True))]
    if not matchings:
        return {}
    return {lab: matchings[0][lab] for lab in labels if all(m[lab] == matchings[0][lab] for m in matchings)}


def _chair(
    said: Sequence[Utterance], members: Sequence[Member], named: Mapping[str, SpeakerName],
    evidence: Sequence[Evidence],
) -> dict[str, str]:
    """The one who ran the meeting takes the one roster member nobody named: the first label to
    speak, unnamed, that turned to two or more members by name (more than any other label did),
    when exactly one member's name was never said in the meeting. People name those they hand
    work to; the one handing it out is seldom named. Nothing for per-person tracks, or when two or
    more members went unmentioned (one of them may be away)."""
    if not members or any(u.speaker and not is_label(u.speaker) for u in said):
        return {}
    first = next((u.speaker for u in said if u.speaker is not None and u.text.strip()), None)
    if first is None or first in named:
        return {}
    listed = {m.name.casefold(): m.name for m in members}
    spoken_by: dict[str, set[str]] = {}
    mentioned: set[str] = set()
    for e in evidence:
        if e.how == "voice" or e.name.casefold() not in listed:
            continue
        mentioned.add(e.name.casefold())
        if e.weight < 0:
            spoken_by.setdefault(e.label, set()).add(e.name.casefold())
    taken = {n.name.casefold() for n in named.values()}
    never = [listed[k] for k in listed if k not in mentioned and k not in taken]
    ours = len(spoken_by.get(first, ()))
    if len(never) != 1 or ours < 2 or any(len(v) >= ours for k, v in spoken_by.items() if k != first):
        return {}
    return {first: never[0]}


def explain_speakers(
    utterances: Sequence[Utterance],
    members: Iterable[Member] = (),
    *,
    voices: Mapping[str, Sequence[float] | npt.NDArray[np.floating]] | None = None,
    fixed: Mapping[str, str] | None = None,
    not_names: Iterable[str] = (),
    voice_threshold: float = VOICE_THRESHOLD,
    min_confidence: float = MIN_CONFIDENCE,
    meeting_id: str | None = None,
) -> Naming:
    """:func:`name_speakers` with its evidence and every pair's score."""
    members = tuple(members)
    roster = Roster(members)
    said = sorted(utterances, key=lambda u: u.start_ms)
    evidence = conversation_evidence(carry_vocatives(said), roster, not_names)
    if voices:
        evidence += voice_evidence(voices, members, threshold=voice_threshold, meeting_id=meeting_id)
    out: dict[str, SpeakerName] = {}
    taken_names: set[str] = set()
    for label, name in sorted((fixed or {}).items(), key=lambda kv: label_order(kv[0])):
        out[label] = SpeakerName(label, name, 1.0, "person")
        taken_names.add(name.casefold())
    # Names already used by a speaker that a source named (a per-person track) are that person.
    taken_names |= {u.speaker.casefold() for u in said if u.speaker and not is_label(u.speaker)}
    scored = combine(evidence)
    open_scores = {k: v[0] for k, v in scored.items()
                   if k[0] not in out and k[1].casefold() not in taken_names}
    for label, name in assign(open_scores, min_confidence).items():
        confidence, how, quotes = scored[(label, name)]
        out[label] = SpeakerName(label, name, round(confidence, 4), how, quotes)
        taken_names.add(name.casefold())
    for label, name in _chair(said, members, out, evidence).items():
        out[label] = SpeakerName(label, name, REMAINING_CONFIDENCE, "remaining")
    for label, name in _remaining(said, members, out, evidence).items():
        out[label] = SpeakerName(label, name, REMAINING_CONFIDENCE, "remaining")
    return Naming(dict(sorted(out.items(), key=lambda kv: label_order(kv[0]))), tuple(evidence),
                  {k: round(v[0], 4) for k, v in scored.items()})


def name_speakers(
    utterances: Sequence[Utterance],
    members: Iterable[Member] = (),
    *,
    voices: Mapping[str, Sequence[float] | npt.NDArray[np.floating]] | None = None,
    fixed: Mapping[str, str] | None = None,
    not_names: Iterable[str] = (),
    voice_threshold: float = VOICE_THRESHOLD,
    min_confidence: float = MIN_CONFIDENCE,
    meeting_id: str | None = None,
) -> dict[str, SpeakerName]:
    """The meeting's label → name mapping (labels only: speakers a source named stay as they are).

    ``fixed`` holds a person's namings (label → name); they are kept with confidence 1.0.
    ``not_names``: words never taken for a person (the team's glossary). ``meeting_id``: the
    meeting named, whose own voices are never taken as learned prints.
    """
    return explain_speakers(utterances, members, voices=voices, fixed=fixed, not_names=not_names,
                            voice_threshold=voice_threshold, min_confidence=min_confidence,
                            meeting_id=meeting_id).names


def apply_names(utterances: Sequence[Utterance], mapping: Mapping[str, SpeakerName | str]) -> list[Utterance]:
    """The utterances with their labels replaced by the mapped names (others unchanged), marked
    ``diarized``: a named label's segment may still hold two voices."""
    names = {k: (v if isinstance(v, str) else v.name) for k, v in mapping.items()}
    return [
        replace(u, speaker=names[u.speaker], diarized=True)
        if u.speaker is not None and u.speaker in names else u
        for u in utterances
    ]
