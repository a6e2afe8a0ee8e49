"""Tokenising, stop words and the trend score of domain.keywords."""

from __future__ import annotations

from domain.keywords import extract_keywords, is_keyword, tokenize, trend_score


def test_english_keywords_drop_stop_words_numbers_and_possessives() -> None:
    text = "We decided the Kafka migration ships in 2026; Bob's API docs, okay?"
    assert extract_keywords(text) == ["decided", "kafka", "migration", "ships", "bob", "api", "docs"]


def test_korean_runs_go_to_the_analyser() -> None:
    seen: list[str] = []

    def nouns(run: str) -> list[str]:
        seen.append(run)
        return ["배포", "일정", "것"]

    assert extract_keywords("API 배포 일정은 것", nouns) == ["api", "배포", "일정"]
    assert seen == ["배포 일정은 것"]


def test_korean_without_analyser_strips_particles() -> None:
    assert tokenize("배포를 일정에서") == ["배포", "일정"]


def test_is_keyword() -> None:
    assert is_keyword("kafka") and not is_keyword("a") and not is_keyword("42")
    assert not is_keyword("우리")


def test_trend_score_is_smoothed_ratio_to_trailing_mean() -> None:
    assert trend_score(3, []) == 4.0
    assert trend_score(1, [0, 0, 0, 0, 0, 3]) == round(2 / 1.5, 6)
    assert trend_score(6, [6] * 10) == 1.0
