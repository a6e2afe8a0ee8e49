"""Glossary post-correction: near-misses become terms, ordinary words stay."""

from __future__ import annotations

import pytest

from domain.vocabulary import correct_text, hotwords, phonetic_key

GLOSSARY = ["Stripe", "Sentry", "Figma", "staging", "GitHub", "Kafka"]


def test_sound_keys_meet_where_spelling_differs() -> None:
    assert phonetic_key("Century") == phonetic_key("Sentry") == "SNTR"
    assert phonetic_key("tripe") != phonetic_key("Stripe")


@pytest.mark.parametrize(
    ("heard", "meant"),
    [
        ("The tripe webhook failed again.", "The Stripe webhook failed again."),
        ("Century alerts are noisy.", "Sentry alerts are noisy."),
        ("It is broken on staking.", "It is broken on staging."),
        ("Staking is down.", "Staging is down."),
        ("I pushed it to get hub yesterday.", "I pushed it to GitHub yesterday."),
    ],
)
def test_near_misses_become_glossary_terms(heard: str, meant: str) -> None:
    text, fixes = correct_text(heard, GLOSSARY)
    assert text == meant
    assert len(fixes) == 1 and fixes[0].score >= 0.76


@pytest.mark.parametrize(
    "text",
    [
        "Check the entry in the log and the trip report.",
        "We are at the stage where the sentence is fine.",
        "The strip of tests and a red stripe.",
        "The sigma of the data, a figure, a cafe.",
        "Stripe is fine and the staging deploy is done.",
        "Bob and Mom went home.",
    ],
)
def test_common_words_and_exact_terms_are_left_alone(text: str) -> None:
    assert correct_text(text, GLOSSARY) == (text, [])


def test_nothing_changes_without_a_glossary_and_kept_words_stay() -> None:
    assert correct_text("The tripe webhook.", []) == ("The tripe webhook.", [])
    assert correct_text("Ask Sentra about it.", ["Sentry"], keep=["Sentra"])[1] == []


def test_hotwords_put_terms_first_once_and_stay_short() -> None:
    assert hotwords(["Bob", "Alice"], ["Stripe", "Sentry", "Stripe"]) == "Stripe, Sentry, Bob, Alice."
    assert hotwords([], []) is None
    long = hotwords([f"Name{i}" for i in range(200)], [], max_chars=50)
    assert long is not None and len(long) <= 50 and long.endswith(".")
