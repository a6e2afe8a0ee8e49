"""Team vocabulary: a team's glossary and roster names as recogniser hints, and a post-correction
of near-miss words ("tripe" → "Stripe", "Century" → "Sentry", "staking" → "staging").

A word is replaced by a glossary term when it is close both in spelling (edit distance) and in
sound (a Metaphone-like key, :func:`phonetic_key`), and only above a confidence. A common English
word is kept unless the match is strong (the same sound key and close spelling): "entry" stays
"entry" for a team with Sentry, "Century" becomes "Sentry". Pure and deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from domain.extraction_words import STOP_EN

# A score (mean of spelling and sound similarity) at or above which a word becomes a term.
MIN_SCORE = 0.76
# What a common word needs: a strong match (see _strong).
COMMON_MIN_SCORE = 0.85
MIN_WORD_LETTERS = 4
# faster-whisper reads hotwords as a prompt prefix: keep it well inside the prompt budget.
MAX_HOTWORDS_CHARS = 400

# Common words a meeting uses that sit near product and service names; they change only on a
# strong match. Not a dictionary: words outside it still need MIN_SCORE and a close sound.
COMMON_WORDS = STOP_EN | frozenset(
    """
    entry entries trip trips stage stages sentence sentences figure figures stripe stripes sign
    signal single simple sample centre center central sector select series service
    services server servers system systems status station state states start started store
    stored story street strip string strings stream streams track tracking trace traces
    travel table tables ticket tickets title token tokens topic total train trade trial type
    types view views version vote voice notion motion lotion motion ocean potion portion option
    options action actions active actor sigma slack black block blocks clock click cloud
    crowd jeer gear gene jean lunar linear liner line lines link links list lists loop
    point pointer points post posts report reports request response result results review
    reviews sprint print printer spring string sense since science scene scenes gentry
    release releases relay ready reader region record records query quiet quite quote quotes
    merge merged merger marker market master matter member members memory message messages
    meeting meetings method metric metrics model models module modules monitor monthly
    stake stakes grip ripe tribe bribe strike stride
    """.split()
)

_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’]*[A-Za-z]|[A-Za-z]")
_VOWELS = frozenset("AEIOU")


def phonetic_key(word: str) -> str:
    """A Metaphone-like sound key of an English word ("Century" and "Sentry" → "SNTR")."""
    w = "".join(ch for ch in word.upper() if "A" <= ch <= "Z")
    if not w:
        return ""
    for prefix, repl in (("KN", "N"), ("GN", "N"), ("PN", "N"), ("WR", "R"), ("AE", "E"), ("WH", "W")):
        if w.startswith(prefix):
            w = repl + w[2:]
            break
    if w.startswith("X"):
        w = "S" + w[1:]
    out: list[str] = []
    n = len(w)
    i = 0
    while i < n:
        c = w[i]
        nxt = w[i + 1] if i + 1 < n else ""
        nxt2 = w[i + 2] if i + 2 < n else ""
        prev = w[i - 1] if i > 0 else ""
        code = ""
        if c in _VOWELS:
            code = c if i == 0 else ""
        elif c == "B":
            code = "" if prev == "M" and i == n - 1 else "B"
        elif c == "C":
            if nxt == "H" or (nxt == "I" and nxt2 == "A"):
                code, i = "X", i + (1 if nxt == "H" else 0)
            elif nxt in ("I", "E", "Y"):
                code = "S"
            elif nxt == "K":
                code, i = "K", i + 1
            else:
                code = "K"
        elif c == "D":
            code = "J" if nxt == "G" and nxt2 in ("E", "I", "Y") else "T"
        elif c == "G":
            if nxt == "H" and nxt2 not in _VOWELS:
                code, i = "", i + 1
            elif nxt == "N" and (i + 2 >= n or (nxt2 == "E" and i + 3 < n and w[i + 3] == "D")):
                code = ""
            elif nxt in ("I", "E", "Y") and prev != "G":
                code = "J"
            else:
                code = "K"
        elif c == "H":
            code = "H" if nxt in _VOWELS and prev not in ("C", "S", "P", "T", "G") else ""
        elif c == "K":
            code = "" if prev == "C" else "K"
        elif c == "P":
            code, i = ("F", i + 1) if nxt == "H" else ("P", i)
        elif c == "Q":
            code = "K"
        elif c == "S":
            if nxt == "H":
                code, i = "X", i + 1
            elif nxt == "I" and nxt2 in ("O", "A"):
                code = "X"
            else:
                code = "S"
        elif c == "T":
            if nxt == "I" and nxt2 in ("O", "A"):
                code = "X"
            elif nxt == "H":
                code, i = "0", i + 1
            else:
                code = "T"
        elif c == "V":
            code = "F"
        elif c in ("W", "Y"):
            code = c if nxt in _VOWELS else ""
        elif c == "X":
            code = "KS"
        elif c == "Z":
            code = "S"
        else:
            code = c
        if code and not (out and out[-1] == code):
            out.append(code)
        i += 1
    return "".join(out)


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _similarity(a: str, b: str) -> float:
    longest = max(len(a), len(b))
    return 1.0 - edit_distance(a, b) / longest if longest else 1.0


@dataclass(frozen=True)
class Match:
    term: str
    score: float  # mean of spelling and sound similarity, 0..1
    spelling: float
    sound: float

    @property
    def strong(self) -> bool:
        """The same sound key and close spelling, or very close on both."""
        return (self.sound == 1.0 and self.spelling >= 0.7) or self.score >= COMMON_MIN_SCORE + 0.05


def best_match(word: str, terms: Sequence[str]) -> Match | None:
    """The glossary term ``word`` most likely is (``None`` if none is close)."""
    w = word.casefold()
    key = phonetic_key(word)
    best: Match | None = None
    for term in terms:
        t = term.casefold().replace(" ", "")
        if not t or t == w:
            continue
        spelling = _similarity(w, t)
        sound = _similarity(key, phonetic_key(t))
        m = Match(term, (spelling + sound) / 2, spelling, sound)
        if best is None or (m.score, m.sound) > (best.score, best.sound):
            best = m
    return best


@dataclass(frozen=True)
class Correction:
    original: str
    term: str
    score: float
    start: int  # character offset in the text


def _accept(word: str, match: Match, min_score: float) -> bool:
    if match.score < min_score or match.sound < 0.7:
        return False
    w = word.casefold()
    if w in COMMON_WORDS:
        # A common word that a term only extends ("strip" / "Stripe") is that word, said.
        t = match.term.casefold()
        return match.strong and not (t.startswith(w) or w.startswith(t))
    return True


def correct_text(
    text: str, terms: Iterable[str], *, keep: Iterable[str] = (), min_score: float = MIN_SCORE
) -> tuple[str, list[Correction]]:
    """``text`` with near-miss words replaced by glossary ``terms``, and what was replaced.

    ``keep``: words never changed (roster names, say). Terms of several words are matched against
    one word or two words said apart ("get hub" → "GitHub" for a term "GitHub").
    """
    term_list = [t.strip() for t in dict.fromkeys(terms) if t.strip()]
    if not term_list:
        return text, []
    exact = {t.casefold() for t in term_list} | {k.casefold() for k in keep}
    words = list(_WORD_RE.finditer(text))
    corrections: list[Correction] = []
    pieces: list[str] = []
    pos = 0
    i = 0
    while i < len(words):
        m = words[i]
        word = m.group()
        # Two words said apart for one term ("get hub"), tried first so the pair is not split.
        if i + 1 < len(words) and text[m.end() : words[i + 1].start()] == " ":
            pair = word + words[i + 1].group()
            both = f"{word} {words[i + 1].group()}".casefold()
            if both not in exact and pair.casefold() not in exact and len(pair) >= 6:
                match = best_match(pair, [t for t in term_list if " " not in t and len(t) >= 6])
                if match is not None and match.strong and not (
                    word.casefold() in COMMON_WORDS and words[i + 1].group().casefold() in COMMON_WORDS
                    and match.spelling < 0.85
                ):
                    pieces += [text[pos : m.start()], _cased(match.term, word)]
                    corrections.append(Correction(both, match.term, round(match.score, 3), m.start()))
                    pos = words[i + 1].end()
                    i += 2
                    continue
        if len(word) >= MIN_WORD_LETTERS and word.casefold() not in exact:
            match = best_match(word, term_list)
            if match is not None and _accept(word, match, min_score):
                pieces += [text[pos : m.start()], _cased(match.term, word)]
                corrections.append(Correction(word, match.term, round(match.score, 3), m.start()))
                pos = m.end()
        i += 1
    pieces.append(text[pos:])
    return "".join(pieces), corrections


def _cased(term: str, said: str) -> str:
    # A term written in lower case ("staging") takes a capital where the word had one.
    if term.islower() and said[:1].isupper():
        return term[:1].upper() + term[1:]
    return term


def hotwords(
    names: Iterable[str], terms: Iterable[str], *, max_chars: int = MAX_HOTWORDS_CHARS
) -> str | None:
    """The hint text for the recogniser: glossary terms first, then names, each once, as a
    punctuated list ("Stripe, Sentry, Bob."), cut to ``max_chars`` at a whole word; ``None``
    when there is nothing to hint.

    Whisper writes in the style of its prompt, and faster-whisper puts the hotwords there:
    words joined by spaces alone made it drop commas, full stops and question marks, which the
    minutes rules and the naming read (measured: 6 marks against 17 without hints on one meeting;
    the punctuated list gave 15)."""
    out: list[str] = []
    size = 0
    for word in dict.fromkeys(w.strip() for w in (*terms, *names) if w.strip()):
        if size + len(word) + 2 > max_chars:
            break
        out.append(word)
        size += len(word) + 2
    return ", ".join(out) + "." if out else None
