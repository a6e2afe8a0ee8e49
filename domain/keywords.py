"""Keyword extraction for analytics: tokenising English and Korean text, stop words, trend scores.

Pure: the Korean morphological analyser is passed in as a function (``connectors.korean``), so this
module runs without it (Hangul words are then kept whole, minus common particles).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from domain.extraction_words import strip_suffix

__all__ = [
    "ENGLISH_STOP_WORDS",
    "KOREAN_STOP_WORDS",
    "TRAILING_WINDOWS",
    "KoreanNouns",
    "extract_keywords",
    "is_keyword",
    "tokenize",
    "tokenize_english",
    "trend_score",
]

KoreanNouns = Callable[[str], list[str]]
"""Returns the nouns (and proper nouns) of a Korean text, in order."""

# Function words plus meeting filler ("okay", "yeah") that would top every trend otherwise.
ENGLISH_STOP_WORDS: frozenset[str] = frozenset(
    """
    a about above after again against all also am an and any are aren't as at be because been
    before being below between both but by can can't cannot could couldn't did didn't do does
    doesn't doing don't down during each few for from further get gets got had hadn't has hasn't
    have haven't having he he'd he'll he's her here here's hers herself him himself his how how's
    i i'd i'll i'm i've if in into is isn't it it's its itself just let's like me more most mustn't
    my myself no nor not now of off on once only or other ought our ours ourselves out over own
    really same shan't she she'd she'll she's should shouldn't so some such than that that's the
    their theirs them themselves then there there's these they they'd they'll they're they've this
    those through to too under until up very was wasn't we we'd we'll we're we've were weren't what
    what's when when's where where's which while who who's whom why why's will with won't would
    wouldn't you you'd you'll you're you've your yours yourself yourselves
    okay ok yeah yes yep uh um hmm oh well right gonna wanna going go think know thing things
    maybe actually basically sure thanks thank please need want one two lot
    """.split()
)

KOREAN_STOP_WORDS: frozenset[str] = frozenset(
    """
    것 수 등 때 거 좀 네 예 아 음 어 그 이 저 우리 저희 제가 오늘 이번 다음 지금 여기 거기 저기
    정도 부분 경우 생각 말씀 얘기 이야기 이거 그거 저거 뭐 무엇 누구 어디 언제 그냥 진짜 정말
    사실 일단 하나 두 번 관련 확인 진행 내용 감사 네네 다들 여러분 주 일 월 년 시 분
    """.split()
)

# Korean particles and endings stripped from a Hangul word when no analyser is given.
_PARTICLES = (
    "에서는", "으로는", "에게서", "까지는", "에서", "으로", "에게", "까지", "부터", "처럼", "보다",
    "이랑", "하고",
    "은", "는", "이", "가", "을", "를", "에", "의", "도", "만", "와", "과", "로", "랑",
)
_HANGUL = re.compile(r"[\uac00-\ud7a3]+")
_ENGLISH = re.compile(r"[a-z][a-z0-9]*(?:['\-][a-z0-9]+)*")
_SCRIPT_RUNS = re.compile(r"[\uac00-\ud7a3]+(?:\s+[\uac00-\ud7a3]+)*|[^\uac00-\ud7a3]+")
TRAILING_WINDOWS = 6


def tokenize_english(text: str) -> list[str]:
    """Lower-cased words of Latin script; a possessive ``'s`` is dropped."""
    out: list[str] = []
    for word in _ENGLISH.findall(text.lower()):
        if word.endswith("'s"):
            word = word[:-2]
        out.append(word)
    return out


def _strip_particle(word: str) -> str:
    return strip_suffix(word, _PARTICLES)


def is_keyword(token: str) -> bool:
    """A token worth counting: two characters or more, not a number, not a stop word."""
    return (
        len(token) >= 2
        and not token.isdigit()
        and token not in ENGLISH_STOP_WORDS
        and token not in KOREAN_STOP_WORDS
    )


def tokenize(text: str, korean_nouns: KoreanNouns | None = None) -> list[str]:
    """The tokens of ``text`` in order of appearance, repeats kept, stop words not yet removed.

    Latin-script runs are split into words; Hangul runs go to ``korean_nouns`` when given (nouns
    only), else each Hangul word loses a trailing particle.
    """
    tokens: list[str] = []
    for run in _SCRIPT_RUNS.findall(text):
        if _HANGUL.match(run):
            if korean_nouns is not None:
                tokens.extend(korean_nouns(run))
            else:
                tokens.extend(_strip_particle(w) for w in _HANGUL.findall(run))
        else:
            tokens.extend(tokenize_english(run))
    return tokens


def extract_keywords(text: str, korean_nouns: KoreanNouns | None = None) -> list[str]:
    """The keywords of ``text``: :func:`tokenize` filtered by :func:`is_keyword`, repeats kept."""
    return [t for t in tokenize(text, korean_nouns) if is_keyword(t)]


def trend_score(mentions: int, trailing: Sequence[int] | Iterable[int]) -> float:
    """How much more a keyword is mentioned in a window than in the windows before it.

    ``(mentions + 1) / (mean(trailing) + 1)`` over the ``TRAILING_WINDOWS`` windows before it of
    the same granularity, a missing window counting as 0 mentions. Add-one smoothing keeps a first
    mention finite: 1.0 means "as usual", 4.0 means four times the recent level.
    """
    values = list(trailing)[-TRAILING_WINDOWS:]
    values += [0] * (TRAILING_WINDOWS - len(values))
    baseline = sum(values) / TRAILING_WINDOWS
    return round((mentions + 1) / (baseline + 1), 6)
