"""The offline minutes writer: deterministic English and Korean rules over a transcript.

``extract_minutes`` is a pure function of its arguments (same utterances, same date -> equal
minutes), so replays and the LLM writer's fallback give the same answer every time. It never
raises on odd text: an empty meeting, small talk only or an unknown language give minutes with
empty lists and a note saying why.
"""

from __future__ import annotations

import datetime
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from domain.dates import DueDateMatch, find_due_date
from domain.extraction_base import SELF, THIRD, Commitment, Names, Request, Rules, is_label
from domain.extraction_en import (
    ASKER_HEARS_NO,
    INTERJECTIONS,
    NOT_NAMES,
    PRONOUN_OBJECT,
    REPLY_TAKES_IT_BACK,
    RESOLUTION_OPENER,
    TAKE_BACK,
    EnglishRules,
    expand,
)
from domain.extraction_ko import KoreanRules
from domain.extraction_words import (
    hangul_share,
    is_hangul,
    is_stop,
    key_words,
    overlap,
    stem,
    strip_particle,
    strip_verb_ending,
    tokens,
)
from domain.minutes import ActionItem, Decision, Minutes, Status, StatusUpdate, Utterance

__all__ = ["detect_language", "extract_minutes"]

_EN = EnglishRules()
_KO = KoreanRules()
# How far ahead (in utterances) an answer to "Bob, can you …?" may come.
_ANSWER_WINDOW = 3
MAX_KEYWORDS = 10


def detect_language(text: str) -> str:
    """``"ko"``, ``"en"`` or ``"und"`` from the script of the letters (no model, no guessing)."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return "und"
    if hangul_share(text) >= 0.3:
        return "ko"
    latin = sum(1 for ch in letters if ch.isascii())
    return "en" if latin / len(letters) >= 0.5 else "und"


def _rules_for(text: str) -> Rules:
    return _KO if hangul_share(text) >= 0.3 else _EN


@dataclass
class _Utt:
    speaker: str | None
    text: str
    start_ms: int
    rules: Rules
    sentences: list[str]
    # A per-person track's segment: its speaker said all of it (not a label, nor a label's name).
    one_voice: bool = False


@dataclass
class _State:
    """What the single pass over the meeting has found so far."""

    names: Names
    meeting_date: datetime.date
    utts: list[_Utt]
    actions: list[ActionItem] = field(default_factory=list)
    action_at: list[int] = field(default_factory=list)  # the utterance each action came from
    decisions: list[Decision] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    # (utterance, sentence) answers that accepted a request: their "I'll do it" is that task.
    answered: set[tuple[int, int]] = field(default_factory=set)
    # the accepting reply's utterance -> the item its yes made: more said in it is about that item
    accepted: dict[int, int] = field(default_factory=dict)
    # every request heard: (utterance, task, clause), for a colleague's "I'll do X" that repeats one
    requests: list[tuple[int, str, str]] = field(default_factory=list)
    # sentences that produced something, for the summary's score
    productive: set[tuple[int, int]] = field(default_factory=set)
    # items their owner took back in a later turn ("Oh, then never mind"), by index in ``actions``
    withdrawn: set[int] = field(default_factory=set)
    taken_back: dict[int, int] = field(default_factory=dict)  # withdrawn item -> the turn that did it


def extract_minutes(
    utterances: Sequence[Utterance], meeting_date: datetime.date, language: str | None = None
) -> Minutes:
    ordered = sorted(
        (u for u in utterances if u.text and u.text.strip()),
        key=lambda u: (u.start_ms, u.end_ms),
    )
    all_text = " ".join(u.text for u in ordered)
    lang = (language or detect_language(all_text)).strip().lower() or "und"
    notes: list[str] = []
    if not ordered:
        return Minutes(
            "",
            (),
            (),
            (),
            (),
            (),
            lang,
            "offline",
            ("empty meeting: no speech to write minutes from",),
        )
    if lang not in ("en", "ko"):
        notes.append(
            f"the offline rules know English and Korean; this meeting is {lang!r}, so action "
            "items, "
            "decisions and status updates may be missing"
        )
    utts = []
    for u in carry_vocatives(_join_broken_sentences(ordered)):
        text = _initialisms(re.sub(r"\s+", " ", u.text).strip())
        rules = _rules_for(text)
        speaker = u.speaker.strip() if u.speaker and u.speaker.strip() else None
        utts.append(_Utt(speaker, text, u.start_ms, rules, rules.sentences(text),
                         one_voice=speaker is not None and not is_label(speaker) and not u.diarized))
    state = _State(Names([u.speaker for u in utts if u.speaker]), meeting_date, utts)
    for ui in range(len(utts)):
        _read_utterance(state, ui)
    actions = _dedupe_actions([a for i, a in enumerate(state.actions) if i not in state.withdrawn])
    if not actions and not state.decisions and not state.statuses:
        notes.append("no decisions, action items or status updates were found")
    return Minutes(
        summary=_summary(state),
        decisions=tuple(state.decisions),
        action_items=tuple(actions),
        status_updates=tuple(state.statuses),
        questions=tuple(state.questions),
        keywords=_keywords(utts),
        language=lang,
        writer="offline",
        notes=tuple(notes),
    )


# Whisper writes some initialisms letter by letter ("set up the C.I. cache", "the A.P.I. docs"):
# their full stops are no sentence ends, and the ticket's words are "CI", "API".
_INITIALISM = re.compile(r"(?<![\w.])(?:[A-Z]\.){2,}")


def _initialisms(text: str) -> str:
    def join(m: re.Match[str]) -> str:
        rest = text[m.end():]
        # A capital next (or nothing) may start another sentence: one full stop stays.
        ends = not rest.strip() or bool(re.match(r"\s+[A-Z]", rest))
        return m.group(0).replace(".", "") + ("." if ends else "")
    return _INITIALISM.sub(join, text)


# Whisper cuts one turn into segments, often mid-sentence ("Jonah, the search indexing" | "job,
# would that be something you can own?"): a same-speaker segment that follows with no pause is
# the same turn, and one that follows an unfinished sentence closely carries it on.
_SAME_TURN_GAP_MS = 300
_CONTINUATION_GAP_MS = 1500
_SENTENCE_DONE = re.compile(r"[.!?。？！…]['\"”’)]*\s*$")


def _join_broken_sentences(ordered: list[Utterance]) -> list[Utterance]:
    out: list[Utterance] = []
    for u in ordered:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.speaker
            and prev.speaker == u.speaker
            and (
                u.start_ms - prev.end_ms <= _SAME_TURN_GAP_MS
                or (not _SENTENCE_DONE.search(prev.text) and u.start_ms - prev.end_ms <= _CONTINUATION_GAP_MS)
            )
        ):
            # Whisper capitalises a segment that starts a sentence: the unfinished one before it
            # ends there ("… the mobile checkout" | "Kenji, you will take …").
            head, tail = prev.text.rstrip(), u.text.lstrip()
            if not _SENTENCE_DONE.search(head) and tail[:1].isupper():
                head = head.rstrip(",;:") + "."
            out[-1] = replace(prev, text=f"{head} {tail}", end_ms=max(prev.end_ms, u.end_ms),
                              diarized=prev.diarized or u.diarized)
            continue
        out.append(u)
    return out


# Whisper ends a segment on the name a request opens with ("… for now. Priya." | "Please send the
# wireframes …"): a bare name closing one segment, right before a request with nobody named, is
# said to the one asked; the same inside one segment ("… the export bug, Felix. Can you fix …").
_ASK_OPENER = (
    r"(?:(?:and|so|also|then)[, ]+)?(?:please|can you|could you|would you|will you|I need you to|"
    r"I'd like you to|you'll|you will|you're on|are you (?:ok|okay|able|happy) to)\b"
)
_NAME_WORD = r"(?:(?:and|so|okay|ok|now|also|then)[, ]+)?(?P<name>[A-Z][a-z]{1,14})"
_TRAILING_NAME = re.compile(rf"(?:^|(?<=[.!?])\s+|,\s*){_NAME_WORD}[.!?]?\s*$")
_ASKED_NEXT = re.compile(rf"^{_ASK_OPENER}", re.IGNORECASE)
_REQUEST_SOON = re.compile(r"[.!?]\s+(?:can|could|would|will) you\b", re.IGNORECASE)
# A name, its own sentence, at most one sentence, then the request.
_INNER_NAME = re.compile(
    rf"(?P<head>[.!?,])\s*{_NAME_WORD}[.!?]\s+(?P<mid>[A-Z][^.?!]{{8,}}[.!]\s+)?(?P<ask>{_ASK_OPENER})",
    re.IGNORECASE,
)
_NAME_GAP_MS = 2000
_PRONOUN_I = re.compile(r"I\b")
_NO_ADDRESSEE = NOT_NAMES | INTERJECTIONS | frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june "
    "july august september october november december today tomorrow tonight".split()
)


def _may_be_asked(name: str, names: Names) -> bool:
    """Whether a capitalised word can be the one a request is said to: no weekday or interjection,
    and, when the speakers are people's names, one of them (by sound)."""
    return (
        name[:1].isupper()
        and name.casefold() not in _NO_ADDRESSEE
        and (not names.are_people or names.resolve_heard(name) is not None)
    )


def _said_to(name: str, text: str) -> str:
    """ "Kai" + "Can you …" -> "Kai, can you …" ("I" keeps its capital)."""
    kept = text if _PRONOUN_I.match(text) else text[:1].lower() + text[1:]
    return f"{name}, {kept}"


def _inner_vocative(text: str, names: Names) -> str:
    """ "… the export bug, Felix. Can you fix …" -> "… the export bug. Felix, can you fix …"."""

    def move(m: re.Match[str]) -> str:
        if not _may_be_asked(m["name"], names):
            return m[0]
        # "Abe. The state migration is blocked on you. Can you …": the name heads the sentence between.
        return f"{'.' if m['head'] == ',' else m['head']} {_said_to(m['name'], (m['mid'] or '') + m['ask'])}"

    return _INNER_NAME.sub(move, text)


# Agenda talk as Whisper writes it, a topic and a name run together with commas:
# "The webhook retries, Sam, can you own that?" -> "The webhook retries. Sam, can you own that?"
_TOPIC_THEN_NAME = re.compile(
    r"(?:^|(?<=[.!?] ))(?P<np>(?:The|the|Our|our|This|this)\s[^,.?!]{3,40}),\s*(?P<name>[A-Z][a-z]{1,14}),\s*"
    r"(?P<ask>(?:can|could|would|will) you\b)"
)
# "Jonah, the search indexing job, would that be something you can own?"
_NAME_TOPIC_OWN = re.compile(
    r"(?P<name>\b[A-Z][a-z]{1,14}),\s*(?P<np>(?:the|our)\s[^,.?!]{3,40}),\s*"
    r"(?:would|could|is) (?:that|this|it) (?:be )?something (?:that )?you (?:can|could|would|might) "
    r"(?P<verb>own|take|handle|pick up|lead|drive)\?"
)
# "Bea, the onboarding tour copy. Sure, I'll take it.": the question's rise is lost in text.
_NAME_TOPIC_FLAT = re.compile(
    r"(?:^|(?<=[.!?] ))(?P<head>(?P<name>[A-Z][a-z]{1,14}),\s*(?:the|our)\s[^,.?!]{3,40})\."
    r"(?=\s+(?:sure|yes|yep|yeah|ok|okay)\b"
    r"[^.?!]*\b(?:I'll|I will|mine|I can|I've got it)\b)",
    re.IGNORECASE,
)


def _asr_shapes(text: str, names: Names) -> str:
    def when_asked(m: re.Match[str], becomes: str) -> str:
        return becomes if _may_be_asked(m["name"], names) else m[0]

    text = _TOPIC_THEN_NAME.sub(lambda m: when_asked(m, f"{m['np']}. {m['name']}, {m['ask']}"), text)
    text = _NAME_TOPIC_OWN.sub(lambda m: when_asked(m, f"{m['name']}, can you {m['verb']} {m['np']}?"), text)
    text = _NAME_TOPIC_FLAT.sub(lambda m: when_asked(m, f"{m['head']}?"), text)
    return _inner_vocative(text, names)


def carry_vocatives(ordered: list[Utterance]) -> list[Utterance]:
    """Segments (in time order) as their turns read: Whisper ends one segment with the name the
    next request opens with ("… for now. Priya." | "Please send the wireframes …"), often under
    the voice before; the name moves to the request ("Priya, please send …"). The forms of
    mixed-track text that put a name inside its request are written out the same way."""
    names = Names([x.speaker for x in ordered if x.speaker])
    english = [_rules_for(u.text) is _EN for u in ordered]
    out: list[Utterance] = []
    for u, en in zip(ordered, english, strict=True):
        u = replace(u, text=_asr_shapes(u.text, names)) if en else u
        prev = out[-1] if out else None
        m = _TRAILING_NAME.search(prev.text) if prev is not None and en else None
        if (
            prev is not None
            and m is not None
            and u.start_ms - prev.end_ms <= _NAME_GAP_MS
            and _may_be_asked(m["name"], names)
            and (_ASKED_NEXT.match(u.text.lstrip()) or _REQUEST_SOON.search(u.text))
        ):
            head = prev.text[: m.start()].rstrip(" ,")
            if head:
                out[-1] = replace(prev, text=head if _SENTENCE_DONE.search(head) else f"{head}.")
            else:
                out.pop()
            out.append(replace(u, text=_said_to(m["name"], u.text.lstrip())))
            continue
        out.append(u)
    return out


# Taking back what one said one would do, after someone spoke up ("I'll rewrite the importer." /
# "Cara already rewrote it last week." / "Oh, then never mind."; "Please don't, platform owns
# those now." / "Got it, I'll leave them alone.").
_WITHDRAWS = re.compile(
    r"^(?:(?:oh|ah|ok(?:ay)?|right|got it|fair enough|good point|ah well|oh well|i see|makes sense|"
    r"great|cool|nice|perfect|good|awesome|even better|thanks|thank you)"
    r"[,.!]?\s+)*"
    r"(?:then,?\s+)?(?:never ?mind|scratch that|forget (?:it|that|what i said)|"
    r"(?:i'll|i will) (?:leave|drop) (?:it|them|that|those)(?: alone| be)?|i won't|(?:i'll|i will) hold off)"
    r"(?:,?\s+then)?\s*[.!]?$",
    re.IGNORECASE,
)
# An answer that says yes and takes it back in the same breath ("Sure. Wait, no, I'm on leave").
_TAKES_BACK = re.compile(rf"^(?:oh,?\s+|actually,?\s+)?{TAKE_BACK}(?=\s*[,.!]|\s*$)", re.IGNORECASE)
_WITHDRAW_WINDOW = 3  # turns back an item may be taken back from
# Taking over what another just took back: "I'll take it", "Yeah, I can do that".
_TAKES_OVER = re.compile(
    r"^(?:(?:yeah|yes|sure|okay|ok|fine|alright|right)[,.!]?\s+)?(?:i'll|i will|i can) "
    r"(?:take|do|grab|handle|own|pick up) (?:it|that|this|that one|this one)\b",
    re.IGNORECASE,
)


def _withdraw(state: _State, ui: int) -> bool:
    """The item the speaker said they would do a few turns ago, taken back after someone else
    spoke (see ``_WITHDRAWS``), no longer counts; True when the turn opens by taking one back
    (that sentence is then nothing more)."""
    utt = state.utts[ui]
    if utt.speaker is None or not utt.sentences or utt.rules is not _EN:
        return False
    if not _WITHDRAWS.match(utt.sentences[0]):
        return False
    took = {k: aj for aj, k in state.accepted.items()}  # an accepted request: the turn that said yes
    for k in range(len(state.actions) - 1, -1, -1):
        at = max(state.action_at[k], took.get(k, -1))
        if state.action_at[k] < ui - _WITHDRAW_WINDOW:
            break
        others = {state.utts[j].speaker for j in range(at + 1, ui)} - {utt.speaker}
        # Someone spoke up in between, or it follows at once ("I can take it. Actually." |
        # "Never mind.": one turn Whisper cut in two).
        if state.actions[k].assignee == utt.speaker and at < ui and (others or at == ui - 1) \
                and k not in state.withdrawn:
            state.withdrawn.add(k)
            state.taken_back[k] = ui
            return True
    return False


def _take_over(state: _State, ui: int) -> bool:
    """ "Oh, never mind then." then another: "Yeah, I'll take it.": the item taken back in one of
    the two turns before changes hands instead of going; True when this turn's first sentence
    did that."""
    utt = state.utts[ui]
    if utt.speaker is None or not utt.sentences or not _TAKES_OVER.match(utt.sentences[0]):
        return False
    for k, at in sorted(state.taken_back.items(), key=lambda kv: -kv[1]):
        item = state.actions[k]
        if ui - 2 <= at < ui and k in state.withdrawn and item.assignee != utt.speaker:
            state.withdrawn.discard(k)
            state.actions[k] = replace(item, assignee=utt.speaker)
            return True
    return False


def _read_utterance(state: _State, ui: int) -> None:
    utt = state.utts[ui]
    rules = utt.rules
    last_subject = ""
    took_back = _withdraw(state, ui) or _take_over(state, ui)
    for si, sentence in enumerate(utt.sentences):
        if si == 0 and took_back:
            continue
        took = False
        previous_clause = ""
        for clause in rules.clauses(sentence):
            before, previous_clause = previous_clause, clause
            request = None if (ui, si) in state.answered else rules.request(clause, state.names)
            if request is not None:
                took = _take_request(state, ui, si, clause, request) or took
                continue
            commitment = rules.commitment(clause, state.names)
            if commitment is not None and (_joked(state, ui, si) or _HEDGED_OPENER.match(before.strip())):
                # "… over the weekend. Kidding.", and "One of these days, I'll fix the build
                # script": an opener split off as its own clause still hedges the promise after it.
                commitment = None
            if (ui, si) in state.answered and not _another_task(state, ui, commitment):
                commitment = None  # the yes itself ("Sure, I'll have it by Friday")
            if commitment is not None:
                assignee = utt.speaker if commitment.who == SELF else _person(state, commitment.who)
                task = commitment.task
                if _continues_accepted(state, ui, assignee, task):
                    i = state.accepted[ui]
                    fuller = _strip_dates(task, state.meeting_date)
                    more = len(key_words(fuller)) > len(key_words(state.actions[i].task))
                    if more and not is_hangul(fuller):
                        state.actions[i] = replace(state.actions[i], task=fuller)  # the yes says more
                    _follow_up(state, ui, si, i, clause)
                    took = True
                    continue
                topic = _TOPIC_BEFORE.match(before) if before and utt.rules is _EN else None
                if topic is not None and _PRONOUN_EN.search(task) and key_words(topic["np"]):
                    # "Then the SOC 2 evidence collection, I'll handle that myself": the clause
                    # before names what "that" is.
                    task = _PRONOUN_EN.sub(topic["np"], task, count=1)
                elif not (_is_follow_up(task) and _recent_item(state, ui, assignee) is not None):
                    task = _resolve_back_reference(task, state, ui, si, loose=False)
                if commitment.reassign and _hand_over(state, ui, si, assignee, task, clause):
                    took = True
                    continue
                # "Carl is on the Helm charts, he told me on Friday": when it was said is no due date.
                date_text = _TOLD_ASIDE.sub("", clause)
                if find_due_date(date_text, state.meeting_date) is None:
                    date_text = _asked_date(state, ui, task) or date_text
                _add_action(state, ui, si, assignee, task, date_text, sentence, narrow=True)
                took = True
                continue
            finding = rules.status(clause, state.names)
            if finding is not None:
                if finding.who == THIRD:
                    # "I talked to infra and they sorted out the cluster": nobody named, so the
                    # speaker's report.
                    who = _just_named(state, ui, si) or utt.speaker
                else:
                    who = utt.speaker if finding.who == SELF else _person(state, finding.who)
                subject = (
                    finding.subject
                    or last_subject
                    or _content(before)
                    or _noun_phrase(sentence)
                    or _asked_about(state, ui)
                    or (_object_of(utt.sentences[si - 1]) if si > 0 else "")
                )
                if rules is _KO and before and not re.search(r"\S[은는]\s(?!중|것|거|게|데)", f"{clause} "):
                    # "로그인 속도는 원인은 찾았고 지금 고치는 중입니다": the sentence's topic carries on.
                    carried = _KO_TOPIC.match(sentence.strip())
                    if carried is not None and not overlap(key_words(carried["t"]), key_words(subject)):
                        subject = f"{carried['t']} {subject}".strip()
                if finding.subject and _CAUSE_FOUND.match(clause):
                    # "Found the slow query" asked about the export timeout: the question names the
                    # work, the answer only its cause.
                    subject = _asked_about(state, ui) or subject
                if finding.subject and _is_generic(finding.subject):
                    # "Testing the fix now" after "what's the latest on the export timeout?"
                    subject = (
                        last_subject
                        or _asked_about(state, ui)
                        or _earlier_object(utt, si)
                        or subject
                    )
                topic = _TOPIC_EN.match(sentence) if utt.rules is _EN else None
                named = (topic["t"] or topic["t2"]) if topic is not None else ""
                if topic is not None and topic["t2"] and set(tokens(named)) <= _LEAD_WORDS:
                    named = ""  # "Quick update: …", "Good news: …"
                if named and key_words(named) and not state.names.is_known(named):
                    said = subject if subject and not _is_generic(subject) else ""
                    if not overlap(key_words(named), key_words(said)):
                        subject = f"{named}: {said}" if said else named
                if finding.who == SELF:
                    # "Theo is off today, but his migration is done": Theo's status, not mine.
                    behalf, subject = _on_behalf(sentence, subject, utt.speaker, state.names, clause)
                    if behalf is not None:
                        who = _person(state, behalf)
                last_subject = subject
                state.statuses.append(
                    StatusUpdate(who, subject, finding.status, finding.reason, sentence, utt.start_ms)
                )
                state.productive.add((ui, si))
                took = True
                continue
            decision = rules.decision(clause)
            if decision is not None:
                state.decisions.append(Decision(decision, sentence, utt.start_ms))
                state.productive.add((ui, si))
                took = True
        if not took and si == 0 and _answer_to_done_question(state, ui, sentence):
            took = True
        if not took and si > 0 and _date_for_last_item(state, ui, si, sentence):
            took = True
        if not took and rules.is_question(sentence):
            state.questions.append(sentence)


# "Kidding.", "Joking aside", "농담이에요": the speaker takes back what they just said.
_KIDDING = re.compile(
    r"^(?:(?:just|only|I'm|I am|I was|I'm only|I'm just)\s+)*(?:kidding|joking|jk)\b|^농담",
    re.IGNORECASE,
)


_HEDGED_OPENER = re.compile(
    r"^(?:(?:and|but|so|oh|well)\s+)?(?:one of these days|some ?day|one day|sooner or later|eventually|"
    r"at some point|yeah,? right|oh,? sure|sure,? sure|in theory|apparently|supposedly|ideally|"
    r"in an ideal world|in a perfect world|if only|"
    rf"{RESOLUTION_OPENER}|"
    # A condition said first, on spare time, someone's wish or a mishap that may never come: "If
    # there's time, I'll look at …", "If you want, I'll …", "Should it break, I'll roll it back".
    # "If the vendor hasn't replied by Wednesday, I'll escalate" is a plan with a date and stays.
    r"(?:if|in case|assuming)\s+(?:there(?:'s| is) (?:time|room|capacity|bandwidth)|"
    r"(?:i|we) (?:have|get|find) (?:time|a (?:chance|minute|moment|sec)|capacity|bandwidth|the time)|"
    r"(?:you|anyone|anybody|someone|somebody|people|folks|they) (?:want|wants|need|needs|like|likes)|"
    r"it helps|needed|necessary|[^,]*\b(?:again|ever|still|breaks?|fails?|goes (?:wrong|down)|anything|"
    r"something|trouble|problems?|stuck)\b)"
    r".*|should (?:it|this|that|they|we|the \w+|anything|something)\s+\w+.*)[,.!]?$"
    # Someone else's words quoted: "My old team would say, I'll ship it tomorrow", "The ticket
    # says: I will migrate …" (what one says oneself, "as I said, I'll …", stays one's own).
    r"|^(?!.*\b(?:i|we)\b)(?:[\w'’-]+\s+){0,5}"
    r"(?:would say|used to say|always says?|says|said|wrote|writes|reads|goes|went|put it)\s*[:,]?$",
    re.IGNORECASE,
)


def _joked(state: _State, ui: int, si: int) -> bool:
    """Whether the sentence is followed by its speaker's "kidding", or by words that take it back
    ("I'll take the rate limiter ticket. Oh wait, no, Raj already has it."), in the same turn or
    the next."""
    utt = state.utts[ui]
    if si + 1 < len(utt.sentences):
        after = utt.sentences[si + 1]
    else:
        nxt = state.utts[ui + 1] if ui + 1 < len(state.utts) else None
        if nxt is None or nxt.speaker != utt.speaker or not nxt.sentences:
            return False
        after = nxt.sentences[0]
    return bool(_KIDDING.match(after.strip(" ,.!")) or _TAKES_BACK.match(after.strip()))


_TOPIC_BEFORE = re.compile(
    r"^(?:(?:ok(?:ay)?|so|and|then|next|first|second|third|finally|lastly|also|as for)[,:]?\s+)*"
    r"(?P<np>(?:the|our|that|this)\s+[^,]+?)\s*,?\s*$",
    re.IGNORECASE,
)
_CAUSE_FOUND = re.compile(
    r"^(?:(?:ok(?:ay)?|so|and|yeah|also|well|good news)[, ]+)*(?:(?:I|we)\s+(?:have\s+|finally\s+|just\s+)*)?"
    r"(?:found|tracked down|figured out|pinned down|narrowed down|reproduced|root-caused)\b",
    re.IGNORECASE,
)
_YES = re.compile(
    r"^(?:yes|yep|yeah|yup|it did|it is|they are|they did|we did|sure did|it has|they have|"
    r"all done|already done|correct)\b",
    re.IGNORECASE,
)
_NO = re.compile(r"^(?:no|nope|not yet|not quite|not really)\b", re.IGNORECASE)
_DONE_QUESTION = re.compile(
    r"^(?:[A-Za-z]+,\s*)?(?:so\s+|and\s+)?(?:is|are|did|has|have|was|were)\b.*\b(?:done|finished|complete|out|merged|"
    r"shipped|live|deployed|sent|fixed|go out|went out|land|landed|ready|sorted|wrapped up|booked|filed|"
    r"submitted|published|released|signed off|approved|in|go through|get done|finish)\b",
    re.IGNORECASE,
)


_TRAILING_STATE = re.compile(
    r"\s+(?:done|finished|complete|out|merged|shipped|live|deployed|sent|fixed|ready|sorted|in)\s*$",
    re.IGNORECASE,
)


_WHEN_ONLY = re.compile(
    r"\b(?:realistic|doable|works|feasible|latest|eta|target|aim|aiming|should be|by|before|hopefully|"
    r"probably|expect)\b|까지|목표|예상",
    re.IGNORECASE,
)


# Words that may stand around a date in a sentence that says only when ("I'd say Friday", "End of
# next week is fine", "Friday next week.", "End of next week as well").
_AROUND_A_DATE = frozenset(
    """i i'd id i'll would will say said guess think it it's its is be fine work works well latest
    realistic doable target aim aiming probably hopefully expect should ok okay yeah yes sure maybe
    ideally good great perfect also too as then the a of end at by before on around or so next week
    this that and for me same day""".split()
)


def _when_said_next(state: _State, ui: int, si: int) -> str:
    """The sentence after ``si`` in the same turn when it says only when, else ""."""
    sentences = state.utts[ui].sentences
    if si + 1 >= len(sentences):
        return ""
    nxt = sentences[si + 1]
    due = find_due_date(nxt, state.meeting_date)
    return nxt if due is not None and _says_only_when(nxt, due, loose=False) else ""


def _says_only_when(sentence: str, due: DueDateMatch, *, loose: bool = True) -> bool:
    """A sentence that says when and nothing else: "I'd say Friday", "End of next week is fine";
    ``loose``, also one with a word of timing ("Friday is realistic", "should be Monday")."""
    if loose and _WHEN_ONLY.search(re.sub(r"\bby the way\b", "", sentence, flags=re.IGNORECASE)):
        return True
    rest = f"{sentence[: due.start]} {sentence[due.end :]}".casefold()
    return not set(re.findall(r"[a-z][a-z']*", rest)) - _AROUND_A_DATE


def _date_for_last_item(state: _State, ui: int, si: int, sentence: str) -> bool:
    """ "I can pick up the PDF export. Friday is realistic.": a sentence that says only when, right
    after the speaker took an item without a date, is that item's due date."""
    utt = state.utts[ui]
    due = find_due_date(sentence, state.meeting_date)
    if due is None or utt.rules.is_question(sentence) or _AWAY.search(sentence):
        return False
    i = _recent_item(state, ui, utt.speaker)
    if i is None or state.actions[i].due_date is not None:
        return False
    # The item taken in this turn, or the request this turn said yes to ("Can you take the
    # dual-write producer?" / "Yeah. It's a chunk of work though. Friday next week.").
    if not _says_only_when(sentence, due, loose=state.action_at[i] == ui) or (
        state.action_at[i] != ui and state.accepted.get(ui) != i
    ):
        return False  # "See you Monday.", "By the way, the release is Friday."
    _follow_up(state, ui, si, i, sentence)
    return True


def _answer_to_done_question(state: _State, ui: int, sentence: str) -> bool:
    """ "Is the migration done?" "Yes, since Monday." / "Not yet.": the answer is the status."""
    utt = state.utts[ui]
    yes, no = _YES.match(sentence.strip()), _NO.match(sentence.strip())
    if (yes is None and no is None) or utt.rules is not _EN:
        return False
    for aj in range(ui - 1, max(-1, ui - 3), -1):
        prev = state.utts[aj]
        if prev.speaker is not None and prev.speaker == utt.speaker:
            continue
        question = next((q for q in reversed(prev.sentences) if prev.rules.is_question(q)), None)
        if question is None or prev.rules is not _EN or not _DONE_QUESTION.match(question.strip()):
            return False
        topic = prev.rules.topic(question)
        topic = _TRAILING_STATE.sub("", topic)
        if not key_words(topic) or state.names.is_known(topic.strip(" ,.?!")):
            return False
        status: Status = "done" if yes is not None else "in_progress"
        state.statuses.append(StatusUpdate(utt.speaker, topic, status, None, sentence, utt.start_ms))
        state.productive.add((ui, 0))
        return True
    return False


_POSSESSIVE = re.compile(r"^(?:his|her|their)\s+(?P<rest>.+)$", re.IGNORECASE)
_NAME_POSSESSIVE = re.compile(r"^(?P<name>[A-Z][a-z]+)'s\s+(?P<rest>.+)$")
_ABSENT = re.compile(
    r"\b(?P<name>[A-Z][a-z]+)\s+(?:is|was|has been)\s+(?:off|out|away|sick|on leave|on holiday|"
    r"on vacation|not here|travel+ing|at a conference)\b|"
    r"(?P<ko>[\uac00-\ud7a3]{2,4})\s*(?:씨|님)(?:는|은|이|가)?\s*(?:\S+\s+)?"
    r"(?:휴가|부재|병가|외근|출장|안\s*계|못\s*오|빠지)"
)
_DOER = re.compile(
    r"\b(?P<name>[A-Z][a-z]+)\s+(?:has\s+|had\s+)?(?:just\s+|already\s+|finally\s+)?(?:finished|did|sent|shipped|merged|"
    r"fixed|wrapped|closed|deployed|wrote|built|got|handled|took care of|sorted|pushed|signed off|approved|"
    r"finished it|did it)\b"
)
_RELAYED = re.compile(
    r"^(?:he|she|they|[A-Z][a-z]+)\s+(?:asked me to (?:say|tell you|mention|pass on)|"
    r"wanted me to (?:say|tell you|mention)|"
    r"says|said|told me|mentioned)(?:\s+that)?\s+",
    re.IGNORECASE,
)
_SAYS = re.compile(
    r"^(?P<name>[A-Z][a-z]+)\s+(?:says|said|tells me|told me|mentioned|reports|reported|wrote|messaged|"
    r"let me know|"
    r"pinged me|updated me)(?:\s+that)?[,:]?\s+(?P<rest>.+)$"
)
_KO_NAME_SUBJECT = re.compile(r"^(?P<name>[\uac00-\ud7a3]{2,4})\s*(?:씨|님)(?:의|이|가)?\s+(?P<rest>.+)$")


# Compared on the words as said: stems collide ("changelog" and "change" are both "chang").
_GENERIC_SUBJECT = frozenset(
    w
    for w in """fix fixes change changes patch pr prs thing things work task tasks ticket tickets part
    parts piece update updates draft drafts version branch code one bit stuff rest remainder first
    second last final new""".split()
)
_NAMED = re.compile(r"\b(?P<name>[A-Z][a-z]+)(?:'s\b|\s+(?:is|was|has|had|will|did|finished|said)\b)")


# "For the export, I'm about a third of the way through", "On the flaky test, I have a fix in
# review": the work named up front is what the report is about.
_TOPIC_EN = re.compile(
    r"^(?:(?:and|so|also|then|okay|ok)[, ]+)?(?:(?:for|on|about|regarding|re|as for|as to|with|over on)\s+"
    r"(?P<t>(?:the|my|our|that|this)\s+[\w' -]{2,40}?|[\w-]+(?:\s+[\w-]+)?)\s*[,:]|"
    # "Deprecation notice: I've got a first draft"
    r"(?P<t2>[\w'-]+(?:\s+[\w'-]+){0,3}):)\s+(?=\S)",
    re.IGNORECASE,
)
_LEAD_WORDS = frozenset(
    """quick small one another good bad big short brief last final first status update updates news
    note notes heads up fyi also plus so and thing things me my side bright on the from quickly""".split()
)


def _is_generic(subject: str) -> bool:
    words = [w for w in tokens(subject) if not is_stop(w)]
    return bool(words) and all(w in _GENERIC_SUBJECT for w in words)


def _just_named(state: _State, ui: int, si: int) -> str | None:
    """Who "she"/"he"/"they" is: the last person named in this sentence or the few before it."""
    utt = state.utts[ui]
    texts = list(reversed(utt.sentences[: si + 1]))
    if ui > 0:
        texts += list(reversed(state.utts[ui - 1].sentences))
    for text in texts:
        found = None
        for m in _NAMED.finditer(text):
            name = m["name"]
            if _not_a_name(name) or (utt.speaker is not None and _same_speaker(name, utt.speaker)):
                continue
            found = name
        if found is not None:
            return _person(state, found)
    return None


def _on_behalf(
    sentence: str, subject: str, speaker: str | None, names: Names, clause: str = ""
) -> tuple[str | None, str]:
    """Who a report is about when it is told for someone else, and the subject without them."""
    says = _SAYS.match(subject) or _SAYS.match(sentence.strip())
    if says is not None and not _not_a_name(says["name"]):
        if speaker is None or not _same_speaker(says["name"], speaker):
            rest = says["rest"] if _SAYS.match(subject) else subject
            return says["name"], rest
    named = _NAME_POSSESSIVE.match(subject) or _KO_NAME_SUBJECT.match(subject)
    if named is not None and not _not_a_name(named["name"]):
        return named["name"], named["rest"]
    # "The wireframes are done, Priya sent them last night": a colleague named as the doer.
    for doer in [] if re.search(r"\b(?:I|we)\b", clause) else _DOER.finditer(sentence):
        name = doer["name"]
        if names.is_known(name) and speaker is not None and not _same_speaker(name, speaker):
            return name, subject
    absent = _ABSENT.search(sentence) or _ABSENT.search(expand(sentence))
    # "Jin's out, but he asked me to say the crawler fix is out": the message, not its carrier.
    subject = _RELAYED.sub("", subject)
    if absent is not None:
        name = absent["name"] or absent["ko"]
        if name and not _not_a_name(name) and (speaker is None or not _same_speaker(name, speaker)):
            possessive = _POSSESSIVE.match(subject)
            return name, possessive["rest"] if possessive else subject
    return None, subject


def _same_speaker(mention: str, speaker: str) -> bool:
    return Names([speaker]).resolve(mention) is not None


def _not_a_name(word: str) -> bool:
    return word.casefold() in NOT_NAMES


_REPORT_FIRST = re.compile(
    r"^(?:done|sorted|finished|merged|shipped|fixed|deployed|live|released|closed|landed|complete|"
    r"all done|all set|yes|yep|yeah|nope|not yet)\s*[,;:]",
    re.IGNORECASE,
)


def _noun_phrase(sentence: str) -> str:
    """ "The wireframes are done, Priya sent them": the noun phrase the sentence opens with."""
    if is_hangul(sentence) or _REPORT_FIRST.match(sentence.strip()):
        return ""  # "Sorted, the demo went fine": the report came first, the noun is news of its own
    m = _NP_EN.match(sentence.strip())
    return m["np"] if m and key_words(m["np"]) else ""


_OBJECT_EN = re.compile(
    r"\b(?P<np>(?:the|my|our|this|that|these|those)\s+[\w' -]+?)"
    r"(?=\s*(?:[,.;:!?]|$)|\s+(?:because|since|but|and|so|for|from|with|yet|anymore|again|on|in|at|today|yesterday)\b)",
    re.IGNORECASE,
)


def _earlier_object(utt: _Utt, si: int) -> str:
    """What the sentence before was about; ASR splits "…the accessibility findings, most are
    small. I'm about 40% done with the fixes" into three, so a bare remark between is skipped."""
    for back in (1, 2):
        if si - back < 0:
            break
        found = _object_of(utt.sentences[si - back])
        if found:
            return found
    return ""


def _object_of(sentence: str) -> str:
    """ "I still can't reproduce the startup crash. I'm waiting for logs.": what the sentence
    before was about (its opening noun phrase, else its object), for a report that names nothing."""
    if is_hangul(sentence):
        return ""
    opening = _noun_phrase(sentence)
    if opening and not _is_generic(opening):
        return opening
    m = _OBJECT_EN.search(sentence)
    return m["np"] if m and key_words(m["np"]) else ""


def _content(clause: str) -> str:
    """A clause minus its leading pronoun and auxiliaries, as a stand-in subject."""
    return re.sub(
        r"^(?:I|we)\s+(?:have been|had been|am|are|have|was|were)?\s*",
        "",
        clause,
        flags=re.IGNORECASE,
    ).strip(" ,.")


def _person(state: _State, mention: str) -> str:
    resolved = state.names.resolve_heard(mention)
    if resolved is not None:
        return resolved
    return mention[:1].upper() + mention[1:] if mention.isascii() else mention


def _hand_over(state: _State, ui: int, si: int, assignee: str | None, task: str, clause: str) -> bool:
    """ "Let's give the retention policy to Olga": the item someone else got earlier in the
    meeting for that task changes hands (keeping its fuller wording), instead of a second one."""
    wanted = key_words(_strip_dates(task, state.meeting_date))
    if not wanted:
        return False
    best: tuple[float, int] | None = None
    for i, item in enumerate(state.actions):
        if item.assignee == assignee:
            continue
        share = overlap(wanted, key_words(item.task)) / len(wanted)
        if share >= 0.5 and (best is None or share > best[0] or (share == best[0] and i > best[1])):
            best = (share, i)
    if best is None:
        return False
    prev = state.actions[best[1]]
    due = find_due_date(clause, state.meeting_date)
    state.actions[best[1]] = ActionItem(
        assignee, prev.task, due.date if due else prev.due_date, prev.quote, prev.start_ms
    )
    state.productive.add((ui, si))
    return True


def _asked_date(state: _State, ui: int, task: str) -> str:
    """ "Lucy, can you chase legal on Monday?" "I'll chase legal for you.": a commitment that
    repeats a request made just before takes the request's date when it gives none itself."""
    words = key_words(task)
    for rj, asked, clause in reversed(state.requests):
        if rj < ui - _ANSWER_WINDOW:
            break
        if rj < ui and words and overlap(words, key_words(asked)):
            return clause if find_due_date(clause, state.meeting_date) else ""
    return ""


def _take_request(state: _State, ui: int, si: int, clause: str, request: Request) -> bool:
    """Turn a request into an action item when it is an order or its addressee says yes."""
    state.requests.append((ui, request.task, clause))
    to = request.addressee or ""  # the item's quote keeps the name it was asked of
    said_before = _previous_raw(state, ui, si).strip()
    named_work = _NP_EN.match(said_before) or _WORK_NEEDED.match(said_before)
    if not request.task and request.needs_offer and not named_work:
        return False  # "Quick sync. Kenji?": a turn handed over, no work named before it
    assignee = _person(state, request.addressee) if request.addressee else None
    if request.addressee is None and request.needs_answer:
        # "Tom, we need staging on Node 22. Can you take that? Sure, …" in one segment: the
        # name heads the sentence before.
        said_to = _VOCATIVE_EN.match(_previous_raw(state, ui, si)) if si > 0 else None
        named = said_to is not None and said_to["name"].casefold() not in NOT_NAMES | INTERJECTIONS
        if said_to is not None and named and state.utts[ui].rules is _EN:
            inline = _answer_inside(state, ui, si)
            if inline is not None:
                request = Request(said_to["name"], request.task, request.needs_answer, request.needs_offer)
                assignee = _person(state, said_to["name"])
    answer = _find_answer(state, ui, assignee, request.task or _previous_sentence(state, ui, si))
    # An order answered in its own segment too ("Rob, please build the funnel chart by Wednesday.
    # Okay, will do."): the yes Whisper read with it is the addressee's, not the next voice's.
    inline = _answer_inside(state, ui, si) if request.addressee is not None else None
    unaddressed = request.addressee is None and request.needs_answer and bool(request.task)
    if inline is None and unaddressed and state.utts[ui].rules is _EN:
        # "Can you also add a dead letter topic? Yup." in one segment of a mixed track: asked and
        # taken, by a voice the segment does not tell apart, so the item has no owner yet.
        inline = _answer_inside(state, ui, si)
        reply = state.utts[ui].sentences[inline] if inline is not None else ""
        if inline is not None and (request.needs_offer or _OPEN_CALL.search(clause)) and not (
            _TAKES_IT.search(reply) or _BARE_YES.match(reply) or _OFFER_SELF.search(reply)
        ):
            inline = None
    if inline is not None:
        # "Finn, could you build the pricing table by Friday? Sure, Friday works." in one segment:
        # that yes came first.
        state.answered.add((ui, inline))
        task = _resolve_back_reference(request.task, state, ui, si) or _previous_sentence(state, ui, si)
        answer_text = state.utts[ui].sentences[inline]
        date_text = answer_text if find_due_date(answer_text, state.meeting_date) else clause
        _add_action(state, ui, si, assignee, task, date_text, clause, follow_up=False, said_to=to)
        return True
    if answer is not None:
        aj, verdict, taker = answer
        if verdict is False:
            return False
        opening = " ".join(state.utts[aj].sentences[:3])
        if verdict is True and request.needs_offer and not _TAKES_IT.search(opening):
            verdict = None  # "Ken, reset links?" "Yep, done.": news, not a taker
        reply = state.utts[aj].sentences[0]
        if (
            verdict is True
            and request.addressee is None
            and _OPEN_CALL.search(clause)
            and not (_TAKES_IT.search(reply) or _BARE_YES.match(reply))
        ):
            # "Can someone check the staging logs?" "Yeah, staging has been flaky all week.": a yes to
            # the idea, said by nobody in particular, takes nothing; "Sure." or "I can" does.
            verdict = None
        if verdict is True:
            state.answered.add((aj, 0))
            misheard = request.addressee is not None and _misheard_addressee(state, request.addressee, aj)
            if request.addressee is None or taker is not None or misheard:
                assignee = state.utts[aj].speaker
            answer_text = _answer_text(state.utts[aj], state.names)
            task = _resolve_back_reference(request.task, state, ui, si) or _previous_sentence(
                state, ui, si
            )
            # The date the addressee gives wins over the one in the request ("this week?" ->
            # "Sure, by Thursday"): the answer is the later word.
            # "Okay, but I'm out Wednesday": the day someone is away is no due date.
            # "금요일은 빠듯하고 다음 주 월요일까지는 가능합니다", "Friday's too tight, Monday works":
            # the day turned down is not the one promised.
            answer_text = _AWAY_CLAUSE.sub(" ", _REFUSED_DAY.sub(" ", answer_text))
            dated = find_due_date(answer_text, state.meeting_date) and not _AWAY.search(answer_text)
            date_text = answer_text if dated else clause
            if not dated and find_due_date(clause, state.meeting_date) is None:
                # "Raj, can you own the rate limiter? End of next week is fine.": the asker's next words.
                date_text = _when_said_next(state, ui, si) or clause
            before = len(state.actions)
            if taker is not None:
                # "Rosa, could you check the SPF records?" "I can't this week." "I'll grab it then.": the
                # item is Sam's, said in Sam's words; the request to Rosa is not its source.
                quote = " ".join(state.utts[aj].sentences[:2])
                _add_action(state, ui, si, assignee, task, date_text, quote, follow_up=False, quoted_in=aj)
            else:
                _add_action(state, ui, si, assignee, task, date_text, clause, follow_up=False, said_to=to)
            if len(state.actions) > before:
                state.accepted[aj] = before
            return True
    if request.needs_answer or assignee is None or not request.task:
        return False
    task = _resolve_back_reference(request.task, state, ui, si)
    _add_action(state, ui, si, assignee, task, clause, clause, follow_up=False, said_to=to)
    return True


def _answer_inside(state: _State, ui: int, si: int) -> int | None:
    """The sentence after a request in the same segment that says yes to it, when the segment's
    voice is not known to be one person: one Whisper segment of a mixed or diarized track often
    holds the question and the reply of the next speaker."""
    utt = state.utts[ui]
    if utt.one_voice:
        return None
    nxt = si + 1
    if nxt < len(utt.sentences) and utt.rules.acceptance(utt.sentences[nxt]) is True:
        return nxt
    return None


_VOCATIVE_EN = re.compile(r"^\s*(?:(?:ok(?:ay)?|so|and|alright|right)[, ]+)?(?P<name>[A-Z][a-z]+),\s")
_WILL_DO = re.compile(r"^(?:we'll|we will|will) do\b", re.IGNORECASE)


def _misheard_addressee(state: _State, addressee: str, aj: int) -> bool:
    """ "Man, can you migrate the billing service?" "Yes, I can do that." (Ben): the name asked is
    no speaker's, even by sound, and a speaker says yes for themselves: speech recognition
    misheard the name of the one who answered."""
    reply = state.utts[aj]
    return (
        reply.speaker is not None
        # With diarization labels for speakers any name is "no speaker's": only a meeting whose
        # speakers are named can tell a misheard name from an absent colleague's.
        and state.names.are_people
        and len(state.names.speakers) >= 2
        and state.names.resolve_heard(addressee) is None
        and bool(_OFFER_SELF.search(reply.sentences[0]) or _WILL_DO.match(reply.sentences[0]))
        # "I can pair with Alma on that": the one named is someone else, not misheard.
        and addressee.casefold() not in reply.text.casefold()
    )


def _answer_text(reply: _Utt, names: Names) -> str:
    """The reply up to where it starts a task of its own ("Sure. I'll also …"): its dates count."""
    taken = [reply.sentences[0]]
    for sentence in reply.sentences[1:]:
        if any(
            reply.rules.commitment(c, names) or reply.rules.request(c, names)
            for c in reply.rules.clauses(sentence)
        ):
            break
        sentence = _AWAY_CLAUSE.sub(" ", sentence)  # "I'm out Thursday, so Friday": Friday stays
        if _AWAY.search(sentence) or _ABSENT.search(sentence) or _NEWS_BY.search(sentence):
            continue  # "서연 씨는 이번 주에 휴가예요", "I'll know more Thursday": not when it is due
        taken.append(sentence)
    return " ".join(taken)


_REFUSED_DAY = re.compile(
    r"\S+(?:은|는|까지는|까지도|까지)\s+(?:좀\s+|조금\s+|너무\s+)?(?:빠듯|어렵|힘들|무리|안\s*될|안\s*돼|불가)\S*|"
    r"\b(?:not\s+)?[\w']+?(?:'s|\s+is|\s+would be|\s+will be)\s+(?:a bit\s+|too\s+|pretty\s+|really\s+)*"
    r"(?:tight|too soon|tough|hard|not (?:possible|doable|realistic)|unrealistic|impossible)\b",
    re.IGNORECASE,
)
_AWAY_CLAUSE = re.compile(
    r"\b(?:I am|I'm|I will be|I'll be|he is|she is|he's|she's)\s+"
    r"(?:off|out|away|on leave|on holiday|on vacation|sick|travel+ing)\b[^,.;]*",
    re.IGNORECASE,
)
_NEWS_BY = re.compile(
    r"\b(?:know more|have (?:more|an update|news|a better idea)|hear back|find out (?:more)?|"
    r"update you|report back)\b",
    re.IGNORECASE,
)
_AWAY = re.compile(
    r"\b(?:off|out|away|on leave|on holiday|on vacation|sick|travel+ing)\b|휴가|부재|병가|출장|외근",
    re.IGNORECASE,
)


def _previous_sentence(state: _State, ui: int, si: int) -> str:
    """The sentence before (``ui``, ``si``): what "can you take that?" points at."""
    text = _previous_raw(state, ui, si)
    if not text:
        return ""
    text = re.sub(
        r"^(?:(?:ok(?:ay)?|so|and|also|right|then|great|first|second|third|next|finally|lastly)[,.:]?\s+)*"
        r"(?:(?:ticket|item|bug|issue|number|point)\s+(?:one|two|three|four|five|six|\d+|#\d+)[,.:]?\s+)?",
        "",
        text.strip(),
        flags=re.IGNORECASE,
    )
    return re.sub(
        r"^(?:(?:ok(?:ay)?|so|and|also|right|then)[,.]?\s+)*(?:[A-Z][a-z]+,\s*)?"
        r"(?:we|I|you|someone|somebody)\s+(?:still\s+)?"
        r"(?:need|needs|have to|has to|should|must)\s+(?:to\s+)?",
        "",
        text.strip(" .?!"),
        flags=re.IGNORECASE,
    )


_OFFER_SELF = re.compile(r"\b(?:I|me|mine|my)\b|제가|저는|저한테|제가요|저요", re.IGNORECASE)


_OFFER_BACK = re.compile(
    r"\b(?:it|that|this|them|that one|this one|mine)\b|그건|그거|그것|이건|이거", re.IGNORECASE
)


_TOLD_ASIDE = re.compile(
    r",\s*(?:he|she|they|[A-Z][a-z]+)\s+(?:said|says|told (?:me|us)|mentioned|asked)\b.*$", re.IGNORECASE
)
_OPEN_CALL = re.compile(
    r"\b(?:someone|somebody|anyone|anybody|any takers|takers|volunteers?|who|whoever)\b|"
    r"누가|누구|분\s*(?:계|있)",
    re.IGNORECASE,
)
_BARE_YES = re.compile(
    r"^(?:(?:sure|ok(?:ay)?|yes|yeah|yep|yup|will do|can do|no problem|of course|absolutely|definitely|"
    r"on it|got it|sure thing|consider it done|certainly|for sure|you got it|alright|all right|happy to|"
    r"deal|roger|sounds good|works for me|no problem at all|happy to help|glad to|with pleasure|no worries|"
    r"네|예|넵|알겠습니다|좋아요|좋습니다|그럴게요|할게요|하겠습니다)[\s,.!]*)+$",
    re.IGNORECASE,
)
_TAKES_IT = re.compile(
    r"\b(?:I will|I'll|I can|I am on it|I'm on it|mine|I have got it|I've got it|I got it|on it|me|"
    r"leave it with me)\b|제가|저요|맡을게|맡겠",
    re.IGNORECASE,
)


def _another_task(state: _State, ui: int, commitment: Commitment | None) -> bool:
    """ "Sure, I'll sync with Tom before he goes" accepting "take over the status page migration":
    a commitment inside a yes that is mostly about other work is an item of its own."""
    i = state.accepted.get(ui)
    if commitment is None or commitment.who != SELF or i is None:
        return False
    if _OFFER_BACK.search(commitment.task) or _PRONOUN_EN.search(commitment.task):
        return False
    own = tuple(w for w in key_words(commitment.task) if w not in _FOLLOW_UP_WORDS)
    if len(own) < 2:
        return False
    return overlap(own, key_words(state.actions[i].task)) / len(own) <= 0.5


def _own_new_task(state: _State, reply: _Utt, task: str) -> bool:
    """Whether a reply opens with a commitment to other work: a task with words of its own, none
    of them the asked task's, and no "it"/"them" pointing back at it."""
    first = reply.sentences[0]
    if _OFFER_BACK.search(first) or not task:
        return False
    for clause in reply.rules.clauses(first):
        said = reply.rules.commitment(clause, state.names)
        if said is None:
            continue
        own = [w for w in key_words(said.task) if w not in _FOLLOW_UP_WORDS]
        if len(own) >= 2 and not overlap(tuple(own), key_words(task)):
            return True
    return False


def _is_offer(sentence: str, task: str) -> bool:
    """A colleague's yes that takes the asked task on themselves: it says "I"/"제가" and points
    back at the task ("I can take that") or names it, rather than starting a task of its own."""
    if not _OFFER_SELF.search(sentence):
        return False
    return bool(_OFFER_BACK.search(sentence)) or (
        bool(task) and overlap(key_words(task), key_words(sentence)) > 0
    )


def _find_answer(
    state: _State, ui: int, addressee: str | None, task: str = ""
) -> tuple[int, bool | None, str | None] | None:
    """The reply to ``ui`` from its addressee (anyone else when unnamed), with its verdict and,
    when a colleague offers to take it instead ("Ravi's swamped, I can take that", "그건 제가
    할게요"), that colleague. The addressee's own yes or no wins; a non-answer leaves room."""
    asker = state.utts[ui].speaker
    named = state.names.resolve_heard(addressee) if addressee is not None else None
    unsure: tuple[int, bool | None, str | None] | None = None
    for aj in range(ui + 1, min(len(state.utts), ui + 1 + _ANSWER_WINDOW)):
        reply = state.utts[aj]
        if not reply.sentences:
            continue
        if reply.speaker is not None and asker is not None and reply.speaker == asker:
            clauses = (c for t in reply.sentences for c in reply.rules.clauses(t))
            if addressee is None and any(reply.rules.request(c, state.names) for c in clauses):
                # An open call, then a request to someone: a yes after it answers that one.
                break
            continue
        verdict = _verdict(state, reply)
        if reply.rules is _EN and verdict is True and _said_no_after_all(state, ui, aj):
            verdict = False
        asked_back = named is not None and reply.speaker == named and reply.rules.is_question(reply.text)
        if verdict is None and asked_back:
            continue  # "Same comp band as last time?": a question back; the answer comes later
        if verdict is True and any(_TAKES_BACK.match(x) for x in reply.sentences[1:3]):
            # "Sure. Wait, no, I'm on leave next week.": a yes taken back is a no; to an open
            # call ("Who wants it?") it leaves the call open for the next taker.
            if addressee is None:
                continue
            verdict = False
        if verdict is True and _own_new_task(state, reply, task):
            continue  # "I'll set up alerts for staging" after "Kai, please rewrite the export"
        if unsure is not None and (named is None or reply.speaker == named):
            continue  # the addressee already answered; only a colleague's offer may follow
        if named is not None and reply.speaker is not None and reply.speaker != named:
            if verdict is True and _is_offer(reply.sentences[0], task):
                return aj, True, reply.speaker
            continue
        if verdict is True or addressee is None:
            return aj, verdict, None
        # "Not this week, sorry." then "I can do them": a no or a non-answer leaves room.
        if unsure is None or (verdict is False and unsure[1] is None):
            unsure = (aj, verdict, None)
    return unsure


# "Someone needs to rewrite the onboarding emails. Hamza?": work named as a need, then a name.
_WORK_NEEDED = re.compile(
    r"^(?:(?:ok(?:ay)?|so|and|also|right|then)[,.]?\s+)*(?:someone|somebody|we)\s+(?:still\s+)?"
    r"(?:needs? to|has to|have to|should|must)\s+[a-z]+\s+\S",
    re.IGNORECASE,
)


def _verdict(state: _State, reply: _Utt) -> bool | None:
    """The reply's answer, from its first sentence that gives one: "Ugh. Fine. Mine." is a yes, and so
    is "Would Monday work? Because I can have them back to you by Monday." """
    verdict = reply.rules.acceptance(reply.sentences[0])
    if verdict is None and reply.rules is _EN:
        for sentence in reply.sentences[1:3]:
            first = reply.sentences[0].strip(" .!?").casefold()
            if not (len(first.split()) <= 2 or reply.rules.is_question(reply.sentences[0])):
                break
            verdict = reply.rules.acceptance(sentence)
            if verdict is not None:
                break
    return verdict


def _said_no_after_all(state: _State, ui: int, aj: int) -> bool:
    """A yes the rest of the reply takes back, or that the asker then hears as a no."""
    if REPLY_TAKES_IT_BACK.search(expand(state.utts[aj].text)):
        return True
    asker = state.utts[ui].speaker
    nxt = next((u for u in state.utts[aj + 1 : aj + 3] if u.speaker == asker), None)
    return nxt is not None and bool(ASKER_HEARS_NO.search(nxt.text))


_DONE_BY = re.compile(
    r"\b(?:done|ready|finished|complete|wrapped up|out|live|merged)\s+(?:by|before|on|until|for)\s+",
    re.IGNORECASE,
)


_STARTS_AT = re.compile(r"\b(?:start|starting|begin|beginning|kick off|kicking off)\b", re.IGNORECASE)


def _due_in(text: str, meeting_date: datetime.date) -> DueDateMatch | None:
    """The due date said in ``text``: the one after "done by" when it names one ("I'll start
    Saturday and should be done by Monday"), else the first."""
    m = _DONE_BY.search(text) if _STARTS_AT.search(text) else None
    if m is not None:
        found = find_due_date(text[m.end() :], meeting_date)
        if found is not None:
            return found
    # "I can, but not before Wednesday": the earliest day work starts is no due date.
    text = _NOT_BEFORE.sub(" ", text)
    return find_due_date(text, meeting_date)


_NOT_BEFORE = re.compile(
    r"\b(?:not (?:before|until|till)|no earlier than|not earlier than)\s+(?:this\s+|next\s+)?\S+",
    re.IGNORECASE,
)


def _strip_dates(task: str, meeting_date: datetime.date) -> str:
    for _ in range(3):
        m = find_due_date(task, meeting_date)
        if m is None:
            break
        before = re.sub(
            r"(?:\b(?:by|before|until|till|on|due|for|no later than|at|in|end of|the end of|"
            r"within|the|first thing|early|late|sometime)\s*)+$",
            "",
            task[: m.start],
            flags=re.IGNORECASE,
        )
        after = re.sub(
            r"^\s*(?:까지|안에|내에|내로|중에|중으로|전에|에|쯤|at the latest|'s\s+[\w-]+|"
            r"night|morning|evening|afternoon|noon|eod)\b",
            "",
            task[m.end :],
            flags=re.IGNORECASE,
        )
        task = f"{before} {after}"
    task = re.sub(r"\s+", " ", task)
    return task.strip(" ,.;:!?-")


def _add_action(
    state: _State,
    ui: int,
    si: int,
    assignee: str | None,
    task: str,
    date_text: str,
    quote: str,
    *,
    follow_up: bool = True,
    narrow: bool = False,
    said_to: str | None = None,
    quoted_in: int | None = None,
) -> None:
    """Record an item; with ``follow_up``, a task with no content of its own ("I'll finish it
    tomorrow", "마무리하겠습니다") is not a new item but a new date for the person's last one. With
    ``narrow`` or ``said_to`` (a request's), an English sentence quoted is cut to the part that says
    the item, with the name it is said to. ``quoted_in``: the turn the quote comes from, when it is
    not the one that named the work (a colleague who took it over); the item keeps the time the work
    was named."""
    due = _due_in(date_text, state.meeting_date)
    clean = _strip_dates(task, state.meeting_date) or task
    if not follow_up and not key_words(clean):
        return
    if _BACK_REF_KO.fullmatch(clean.strip()):
        return  # "이 건" that nothing before explains: no task to write down
    if follow_up and _is_follow_up(clean):
        i = _recent_item(state, ui, assignee)
        if i is not None:
            # "I'll start Saturday morning": when work begins is no due date.
            starts = re.match(r"^(?:start|begin|kick)", clean, re.IGNORECASE)
            delivery = bool(key_words(clean)) and set(key_words(clean)) <= _DELIVERY_WORDS
            when = "" if starts and not _DONE_BY.search(date_text) else date_text
            _follow_up(state, ui, si, i, when, delivery=delivery)
        return
    utt = state.utts[ui]
    if (narrow or said_to is not None) and utt.rules is _EN and quoted_in is None:
        quote = _item_part(quote, clean, said_to)
    # An item keeps the time the work was named, where revisions of the minutes find it again.
    state.actions.append(ActionItem(assignee, clean, due.date if due else None, quote, utt.start_ms))
    state.action_at.append(ui)
    state.productive.add((ui, si))


# Where a spoken sentence parts: a semicolon, a dash between spaces, a comma.
_PARTS = re.compile(r"(?<=[;,])\s+|\s+[-–—]+\s+")
_JOINER = re.compile(r"^(?:and|but|so|then|plus)\s+", re.IGNORECASE)


def _item_part(sentence: str, task: str, said_to: str | None = None) -> str:
    """The part of ``sentence`` that says the item: from the first part naming a word of the task
    to the last, with the word-less parts around them ("Sure,", "by Friday."). "I'll be honest, I
    have no idea why it happens, but I'll dig in and have a fix by Friday" is quoted from "I'll dig
    in"; "I'll send the invoice tomorrow, and I already told Maria" ends at "tomorrow". A task
    that names no word of the sentence (one read from the sentence before) keeps it whole. A request
    keeps the name it is said to ("Ben, can you …"), not a remark before it."""
    parts = _PARTS.split(sentence.strip())
    if len(parts) < 2:
        return sentence
    wanted = set(key_words(task))
    words = [set(key_words(p)) for p in parts]
    named = [i for i, w in enumerate(words) if w & wanted]
    if not named:
        return sentence
    first, last = named[0], named[-1]
    name = set(key_words(said_to or ""))
    while first > 0 and words[first - 1] <= name:
        first -= 1  # "Sure,", "Okay Ben,"
    while last < len(parts) - 1 and not words[last + 1]:
        last += 1
    if first == 0 and last == len(parts) - 1:
        return sentence
    quote = " ".join(parts[first : last + 1]).strip(" ,;-–—")
    return _JOINER.sub("", quote)


# Words that say how or when a task gets done, not which task it is: a commitment made only of
# these ("I'll have them green", "I'll get it done", "오후에 마무리하겠습니다") refers back.
_FOLLOW_UP_WORDS = frozenset(
    stem(w)
    for w in """do does doing done finish finished finishing complete completed wrap wrapped
    start started handle handled take took get got have green ready sorted sort close closed
    work working continue pick own it them that this those these one part mine version draft
    first something pass cut dig dive jump crack tackle result results
    결과 1차 초안 중간 결과물
    마무리 마무리하 끝내 끝 완료 완료하 처리 처리하 진행 진행하 작업 시작 해결 오후 오전 아침 저녁
    공유 공유드리 전달 전달드리 올리 올려 보내 보내드리 드리 보고 보고드리 같이 그것 그거 해보 보
    """.split()
)
_DELIVERY_WORDS = frozenset(
    stem(w)
    for w in "공유 공유드리 전달 전달드리 올리 올려 보내 보내드리 드리 보고 보고드리 share send post".split()
)
_PRONOUN_EN = re.compile(r"\b(?:them|it|that|this|those|these)\b", re.IGNORECASE)
_BACK_REF_KO = re.compile(
    r"^(?:그건|그거는|그거|그것은|그것도|그건요|이건|이거는|이것은|그\s*부분은|(?:그|이)\s*건(?:은|도)?|이거|이것|그쪽은)(?:\s+|$)"
)
_NP_EN = re.compile(
    r"^(?:(?:ok(?:ay)?|so|and|also|right|then|now|first|second|third|next|finally|lastly|last)"
    r"[,.:]?\s+)*(?:[A-Z][a-z]+,\s*)?(?:[\w' ]{1,20}:\s+|[\w']+ [\w']+,\s+(?=the |our |these |those ))?"
    r"(?P<np>(?:the|our|these|those|this|that|a|an|my|your|all the|some)\s+.+?)(?:\s+"
    r"(?:is|are|was|were|keeps?|kept|needs?|has|have|had|broke|breaks|failed|fails|still|will|"
    r"should|must|can|could|looks?|seems?|went|got|started|stopped|expires?|expired|crash(?:es|ed)|"
    r"runs?|ran|times? out|timed out|blocks?|blocked|goes|go|come|comes|shows?|hit|hits|takes?|took|"
    r"does|did)\b|"
    # "the Terraform provider upgrade, that one's big": an aside after a comma is not the noun.
    r"\s*,\s*(?:that|this|it|which|who)\b|"
    r"\s*[.!]?$)",
    re.IGNORECASE,
)
_KO_SUBJECT = re.compile(
    r"^(?:(?:그리고|그런데|근데|자|그럼|먼저|다음으로)\s+)?(?P<np>(?:\S+\s+){0,3}?\S+?)(?:이|가|은|는)\s+\S"
)
_KO_OBJECT = re.compile(r"(?:^|\s)(?P<np>(?:[\w\uac00-\ud7a3]+\s+){0,2}?[\w\uac00-\ud7a3]+?)(?:을|를)\s")
_KO_TOPIC = re.compile(r"^(?:(?:그리고|그런데|근데|자|그럼)\s+)?(?P<t>(?:\S+\s+){0,2}?\S+?)(?:은|는)\s")
_KO_NEED = re.compile(
    r"(?:도|은|는|이|가|을|를)?\s*(?:필요합니다|필요해요|필요하고요|해야\s*(?:합니다|해요|돼요|됩니다)|"
    r"남았습니다|남아\s*있습니다|남았어요|문제입니다|문제예요|급합니다|급해요)\s*[.!]?$"
)


# How far back (in utterances) the item a follow-up refers to may have been given out.
_FOLLOW_UP_WINDOW = 3


def _continues_accepted(state: _State, ui: int, assignee: str | None, task: str) -> bool:
    """ "네, 제가 챙길게요. 수요일까지 원인 정리해서 공유드릴게요": the rest of a yes is about its task
    when it has no content word of its own or, in Korean, shares one with it or names no object."""
    i = state.accepted.get(ui)
    if i is None or state.actions[i].assignee != assignee:
        return False
    own = [w for w in key_words(task) if w not in _FOLLOW_UP_WORDS]
    if not own:
        return True
    if not is_hangul(task) and set(key_words(state.actions[i].task)) <= set(key_words(task)):
        return True  # "I'll grab it then. I'll check the SPF and DKIM records by Wednesday."
    # Korean drops the object it goes on about: a word of the task, or no object at all.
    return is_hangul(task) and (
        bool(overlap(tuple(own), key_words(state.actions[i].task)))
        or not re.search(r"\S[을를은는]\s", f"{task} ")
    )


def _follow_up(
    state: _State, ui: int, si: int, i: int, date_text: str, *, delivery: bool = False
) -> None:
    due = _due_in(date_text, state.meeting_date)
    prev = state.actions[i]
    # "오후에 공유드릴게요" after "금요일까지 작성하겠습니다": when a draft is shared is not when
    # the item is due; a sharing step only dates an item that has no date yet.
    if due is not None and not (delivery and prev.due_date is not None):
        state.actions[i] = ActionItem(prev.assignee, prev.task, due.date, prev.quote, prev.start_ms)
    state.productive.add((ui, si))


def _recent_item(state: _State, ui: int, assignee: str | None) -> int | None:
    """The person's item given out in the last few utterances: what "I'll finish it" is about."""
    for i in range(len(state.actions) - 1, -1, -1):
        if state.action_at[i] < ui - _FOLLOW_UP_WINDOW:
            return None
        if state.actions[i].assignee == assignee:
            return i
    return None


_SAID_TASK = re.compile(
    # First person only: "Priya told me she was going to …" is her plan, not one "I'll do that" takes.
    r"\b(?:said (?:I|we)(?: would|'d)|"
    r"(?:I|we)\s+(?:(?:was|were) going to|meant to|promised to|(?:was|were) supposed to))\s+"
    r"(?P<t>.+?)(?=\s*(?:,|;|\band (?:I|we)\b|\bbut\b|\.|$))",
    re.IGNORECASE,
)


def _is_follow_up(task: str) -> bool:
    # "I'll start with the profiler", "I'll begin by reading the logs": the first step of the
    # person's last item, not an item of its own.
    if re.match(r"^(?:start|begin|kick (?:it )?off)\s+(?:with|by)\b", task, re.IGNORECASE):
        return True
    # "I'll have a draft in the wiki": where the next version shows up names no new task.
    task = re.sub(
        r"\b(draft|version|pass|cut|something)\s+(?:up\s+)?(?:in|on) (?:the |our )?[\w-]+$",
        r"\1",
        task,
        flags=re.IGNORECASE,
    )
    return not [w for w in key_words(task) if w not in _FOLLOW_UP_WORDS]


def _resolve_back_reference(task: str, state: _State, ui: int, si: int, *, loose: bool = True) -> str:
    """ "look into them" / "그건 … 요청해 놓" with the noun the previous sentence was about.

    ``loose`` (a request: "can you look into them?") may fall back on the whole previous sentence;
    a commitment ("I'll do that") needs a noun phrase or a past promise to point at.
    """
    if not task:
        return task
    ko = _BACK_REF_KO.match(task)
    if ko is None and loose and is_hangul(task) and len([w for w in key_words(task) if len(w) > 1]) <= 1:
        # "유진 씨, 원인 좀 봐 주실 수 있을까요?" after "정산 배치가 자꾸 실패하고 있어요."
        subject = _KO_SUBJECT.match(_previous_raw(state, ui, si).strip())
        if subject is not None and key_words(subject["np"]):
            return f"{subject['np']} {task}"
        return task
    if ko is not None:
        previous = _previous_raw(state, ui, si)
        np = _KO_NEED.sub("", previous.strip()) if previous else ""
        if np and is_hangul(np) and np != previous.strip():
            return f"{np} {task[ko.end() :]}".strip()
        # "데이터팀이 스키마를 바꾼다고 하던데요." "그건 제가 … 확인해 볼게요": what was said to
        # change (the object) is what "그건" points at, else the sentence's topic or subject.
        found = _KO_OBJECT.search(previous) if previous and is_hangul(previous) else None
        found = found or (_KO_SUBJECT.match(previous.strip()) if previous and is_hangul(previous) else None)
        if found is not None and key_words(found["np"]) and not _BACK_REF_KO.match(found["np"]):
            return f"{found['np']} {task[ko.end() :]}".strip()
        return task
    content = [w for w in key_words(task) if w not in _FOLLOW_UP_WORDS]
    demonstrative = _DEMONSTRATIVE.search(task) if loose and si > 0 else None
    if demonstrative is not None:
        # "The refund emails go out without the order number. Priya, can you fix that template?":
        # "that template" is the one of the work just described.
        m = _NP_EN.match(_previous_raw(state, ui, si).strip())
        noun = demonstrative["noun"].casefold()
        if m is not None and key_words(m["np"]) and noun not in m["np"].casefold():
            np = _DETERMINER.sub("", m["np"])
            head = task[: demonstrative.start("noun")]
            head = re.sub(r"\b(?:that|this)\s+$", "", head, flags=re.IGNORECASE)
            return f"{head}the {demonstrative['noun']} for the {np}"
    one = _ONE_OBJECT.match(task)
    if one is not None and len(content) <= 1:
        # "We don't have a rollback runbook for the retry queue. I'll write one up by Friday."
        thing = _introduced(state, ui, si)
        if thing:
            particle = f" {one['particle']}" if one["particle"] else ""
            return f"{one['verb']}{particle} {thing}{one['rest']}"
    # "fix it before the release": the verb's object is the pronoun, whatever follows it.
    if not _PRONOUN_EN.search(task) or (len(content) > 1 and not PRONOUN_OBJECT.match(task)):
        return task
    previous = _previous_raw(state, ui, si)
    if not previous or is_hangul(previous):
        return task
    said = _SAID_TASK.search(previous)
    if said is not None and key_words(said["t"]):
        return said["t"]  # "I said I'd clean up the flags and still haven't. I'll do that today."
    m = _NP_EN.match(previous.strip())
    np = m["np"] if m else (_previous_sentence(state, ui, si) if loose else "")
    if not np or not key_words(np):
        return task
    lacks = _LACKS.match(previous.strip()[m.end("np") :]) if m else None
    if lacks is not None and key_words(lacks["obj"]):
        # "The SSO settings page needs new copy. Would you mind writing it?": "it" is the copy.
        np = f"{lacks['obj']} for {np}"
    np = re.sub(r"^(?:The|A|An|Our|These|Those|This|That|My|Your)\b", lambda d: d.group().lower(), np)
    return _PRONOUN_EN.sub(lambda _: np, task, count=1)


_DETERMINER = re.compile(r"^(?:the|our|these|those|this|that|a|an|my|your|all the|some)\s+", re.IGNORECASE)
_DEMONSTRATIVE = re.compile(
    r"^(?!.*\b(?:it|them|those|these)\b).*?\b(?:that|this)\s+"
    r"(?P<noun>(?!(?:one|week|month|year|sprint|quarter|morning|afternoon|evening|time|weekend|cycle|release)\b)[a-z]+)\s*$",
    re.IGNORECASE,
)
_LACKS = re.compile(
    r"^\s+(?:still\s+|also\s+|really\s+)?"
    r"(?:needs|need|requires|require|could use|is missing|are missing|lacks|lack)\s+"
    r"(?P<obj>(?:a|an|new|some|more|fresh|updated|proper|better|its|their)\s+[\w' -]+?|[a-z]+)\s*[.!]?$",
    re.IGNORECASE,
)


# "write one up", "add one", "file one": a new thing of the kind just named.
_ONE_OBJECT = re.compile(
    r"^(?P<verb>[a-z]+)\s+(?:one|a new one|another one)"
    r"(?:\s+(?P<particle>up|out|down|together))?(?P<rest>.*)$",
    re.IGNORECASE,
)
_INDEFINITE_NP = re.compile(
    r"\b(?:a|an|no|any)\s+(?P<np>(?:[\w-]+\s+){0,3}?[\w-]+?)"
    r"(?P<pp>\s+for\s+(?:the|our|this|that)\s+[\w-]+(?:\s+(?!(?:yet|though|anyway)\b)[\w-]+)?)?"
    r"(?=\s+(?:yet|though|anyway|at all)\b|\s*[,.;!?]|\s*$)",
    re.IGNORECASE,
)


def _introduced(state: _State, ui: int, si: int) -> str:
    """What was just brought up as new, earlier in the sentence or in the one before ("we don't have
    a rollback runbook for the retry queue", "I still want a regression test for it, I'll add one"):
    "a rollback runbook for the retry queue"."""
    sentence = state.utts[ui].sentences[si]
    said = re.search(r"\b(?:I will|I'll|let me|I am going to|I'm going to)\b[^,;]*$", sentence, re.I)
    before = sentence[: said.start()] if said else ""
    matches = list(_INDEFINITE_NP.finditer(before))
    matches = matches or list(_INDEFINITE_NP.finditer(_previous_raw(state, ui, si)))
    found = matches[-1] if matches else None
    if found is None or not key_words(found["np"]):
        return ""
    pp = found["pp"] or ""
    return f"a {found['np']}{pp}"


def _previous_raw(state: _State, ui: int, si: int) -> str:
    """The sentence before (``ui``, ``si``), passing over a reaction that names nothing ("Hm.",
    "Yeah, that's bad.", "Good question."): "can you take that to security?" points past it."""
    for _ in range(3):
        if si > 0:
            si -= 1
        elif ui > 0 and state.utts[ui - 1].sentences:
            ui, si = ui - 1, len(state.utts[ui - 1].sentences) - 1
        else:
            return ""
        sentence = state.utts[ui].sentences[si]
        if not _REACTION.match(sentence):
            return sentence
    return ""


_REACTION = re.compile(
    r"^(?:(?:hm+|um+|uh+|ah+|oh+|ha(?:ha)*|wow|yeah|yes|yep|no|okay|ok|right|sure|true|fair|good|great|nice|cool|"
    r"interesting|exactly|totally|agreed|indeed|ugh|oof|yikes)[\s,.!?]*)+"
    r"(?:(?:that|it)(?:'s| is) (?:bad|good|great|fair|true|tricky|annoying|painful|weird|odd|funny|"
    r"a good (?:point|question))|"
    r"good (?:point|question|call|catch))?[\s,.!?]*$",
    re.IGNORECASE,
)


def _asked_about(state: _State, ui: int) -> str:
    """What the last question before ``ui`` (someone else's, two utterances back at most) asked."""
    speaker = state.utts[ui].speaker
    for aj in range(ui - 1, max(-1, ui - 3), -1):
        prev = state.utts[aj]
        if prev.speaker is not None and prev.speaker == speaker:
            continue
        for sentence in reversed(prev.sentences):
            if prev.rules.is_question(sentence):
                # The name may come after a run-in preamble in ASR text ("…, a first draft, Dana, can you …").
                to = re.match(r"^(?P<n>[A-Za-z]+),", sentence.strip()) or re.search(
                    r",\s*(?P<n>[A-Z][a-z]+),\s*(?:can|could|would|will) you\b", sentence
                )
                addressed = state.names.resolve(to["n"]) if to else None
                if addressed is not None and addressed != speaker:
                    return ""  # "Dana, can you review it?": put to Dana, not to this speaker
                topic = prev.rules.topic(sentence)
                # "Priya?": a turn handed over, not a subject.
                return "" if state.names.is_known(topic.strip(" ,.?!")) else topic
    return ""


def _dedupe_actions(actions: list[ActionItem]) -> list[ActionItem]:
    """The same task said twice in one meeting is one item; a later mention may add the due date."""
    out: list[ActionItem] = []
    keys: list[tuple[str | None, frozenset[str]]] = []
    for item in actions:
        key = (item.assignee, frozenset(key_words(item.task)))
        if key in keys:
            i = keys.index(key)
            if out[i].due_date is None and item.due_date is not None:
                prev = out[i]
                out[i] = ActionItem(prev.assignee, prev.task, item.due_date, prev.quote, prev.start_ms)
            continue
        keys.append(key)
        out.append(item)
    return out


def _summary(state: _State) -> str:
    """Up to 3-5 sentences that share the meeting's frequent words, kept in meeting order."""
    candidates: list[tuple[int, int, str, tuple[str, ...]]] = []
    for ui, utt in enumerate(state.utts):
        for si, sentence in enumerate(utt.sentences):
            words = key_words(sentence)
            if len(tokens(sentence)) < 4 or not words or utt.rules.is_question(sentence):
                continue
            candidates.append((ui, si, sentence, words))
    if not candidates:
        return ""
    freq = Counter(w for *_, words in candidates for w in words)
    scored = []
    for ui, si, sentence, words in candidates:
        score = sum(freq[w] for w in words if freq[w] > 1) / math.sqrt(len(words) + 1)
        if (ui, si) in state.productive:
            score += 2.0
        scored.append((-score, ui, si, sentence))
    n = 3 if len(state.utts) <= 15 else 5
    chosen = sorted(sorted(scored)[:n], key=lambda t: (t[1], t[2]))
    parts = []
    for _, ui, _si, sentence in chosen:
        speaker = state.utts[ui].speaker
        parts.append(f"{speaker}: {sentence}" if speaker else sentence)
    return " ".join(parts)


def _display(token: str) -> str:
    if is_hangul(token):
        return strip_verb_ending(strip_particle(token))
    return token


def _keywords(utts: list[_Utt]) -> tuple[str, ...]:
    """The most frequent content words (speakers' names left out), most frequent first."""
    name_parts: set[str] = set()
    for utt in utts:
        if utt.speaker:
            for part in tokens(utt.speaker):
                name_parts.add(part)
                if is_hangul(part) and len(part) == 3:
                    name_parts.add(part[1:])  # "김민수" is addressed as "민수"
    counts: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    surface: dict[str, Counter[str]] = {}
    position = 0
    for utt in utts:
        for token in tokens(utt.text):
            position += 1
            if is_stop(token):
                continue
            shown = _display(token)
            if is_hangul(shown) and shown.endswith(("다", "요", "까", "죠", "네", "게", "면")):
                continue  # a verb or an ending, not a topic
            if shown in name_parts or strip_particle(token) in name_parts or is_stop(shown):
                continue
            key = stem(token)
            if not key or key in name_parts:
                continue
            counts[key] += 1
            first_seen.setdefault(key, position)
            surface.setdefault(key, Counter())[shown] += 1
    ranked = sorted(counts, key=lambda k: (-counts[k], first_seen[k]))
    frequent = [k for k in ranked if counts[k] >= 2]
    if len(frequent) < 3:
        frequent += [k for k in ranked if counts[k] < 2 and len(k) >= 4 and k not in frequent]
    out: list[str] = []
    for key in frequent:
        best = sorted(surface[key].items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))[0][0]
        if best not in out:
            out.append(best)
        if len(out) == MAX_KEYWORDS:
            break
    return tuple(out)
