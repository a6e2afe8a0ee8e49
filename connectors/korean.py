"""Korean morphological analysis with kiwipiepy (offline model): the nouns of a text, and the
morphemes that search indexes beside a text (``search_terms``)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

__all__ = ["HANGUL", "KoreanAnalyserError", "korean_nouns", "korean_terms", "search_terms"]

_NOUN_TAGS = frozenset({"NNG", "NNP"})
# What a Korean word means, without its particles and endings: nouns, numerals, verb and
# adjective stems, roots and Chinese characters.
_TERM_TAGS = frozenset({"NNG", "NNP", "NR", "VV", "VA", "XR", "SH"})
# Stems that are in nearly every sentence (하다, 되다, 있다, …) find everything, so nothing.
_TERM_STOPS = frozenset({"하", "되", "있", "없", "이", "않", "같"})
HANGUL = re.compile("[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]+")
_WORD = re.compile(r"\w+")


class KoreanAnalyserError(RuntimeError):
    """kiwipiepy or its model package is missing or failed to load."""


@lru_cache(maxsize=1)
def _kiwi() -> Any:
    try:
        from kiwipiepy import Kiwi
    except ImportError as exc:  # pragma: no cover - a packaging fault
        raise KoreanAnalyserError("kiwipiepy is not installed") from exc
    try:
        return Kiwi()
    except Exception as exc:  # kiwipiepy raises plain exceptions for a missing model
        raise KoreanAnalyserError(f"cannot load the kiwipiepy model: {exc}") from exc


def korean_nouns(text: str) -> list[str]:
    """Common and proper nouns of ``text`` in order (the model loads once per process, ~1 s)."""
    return [t.form for t in _kiwi().tokenize(text) if t.tag in _NOUN_TAGS]


def korean_terms(text: str) -> list[str]:
    """The Korean content morphemes of ``text`` in order ("마이그레이션을 시작했다" →
    ["마이그레이션", "시작"]); [] without loading the model when ``text`` has no Korean.

    Latin words are left out: the english text-search configuration stems them.
    """
    if not HANGUL.search(text):
        return []
    terms: list[str] = []
    for token in _kiwi().tokenize(text):
        # kiwipiepy marks regular/irregular conjugation as a suffix: "VV-R", "VA-I".
        if token.tag.split("-")[0] in _TERM_TAGS and token.form not in _TERM_STOPS:
            terms.extend(w for w in _WORD.findall(token.form) if not w.isascii())
    return terms


def search_terms(text: str) -> str:
    """What the writers store in a ``search_terms`` column beside ``text`` (sql/0009_search.sql)."""
    return " ".join(korean_terms(text))
