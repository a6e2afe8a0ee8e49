"""Korean morphological analysis with kiwipiepy (offline model): the nouns of a text."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

__all__ = ["KoreanAnalyserError", "korean_nouns"]

_NOUN_TAGS = frozenset({"NNG", "NNP"})


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
