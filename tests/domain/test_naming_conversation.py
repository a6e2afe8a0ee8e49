"""Naming from the conversation as a recogniser writes it: names misspelt, vocatives mid-sentence,
one-to-one by total confidence; learned voiceprints."""

from __future__ import annotations

import numpy as np

from domain.minutes import Utterance
from domain.naming import LearnedVoice, Member, SpeakerName, assign, explain_speakers, name_speakers

TEAM = [Member("Priya"), Member("Dev"), Member("Tom"), Member("Maya")]


def said(*turns: tuple[str, str]) -> list[Utterance]:
    return [Utterance(who, text, i * 4000, i * 4000 + 3500) for i, (who, text) in enumerate(turns)]


def names(mapping: dict[str, SpeakerName]) -> dict[str, str]:
    return {k: v.name for k, v in mapping.items()}


def test_misheard_roster_names_are_matched_by_sound_and_spelling() -> None:
    utts = said(
        ("S1", "Pria, can you send the wireframes?"),
        ("S2", "Sure, I'll send them today."),
        ("S1", "Dave, could you look at the webhook?"),
        ("S3", "Yeah, I can do that."),
    )
    mapping = name_speakers(utts, TEAM)
    assert names(mapping) == {"S2": "Priya", "S3": "Dev"}
    # a near match counts for less than the name heard right
    exact = name_speakers(said(("S1", "Priya, can you send the wireframes?"),
                               ("S2", "Sure, I'll send them today.")), TEAM)
    assert mapping["S2"].confidence < exact["S2"].confidence
    # common words that sound like a name are never taken for one
    assert name_speakers(said(("S1", "Some, can you do it?"), ("S2", "Sure, I'll do it.")),
                         [Member("Sam")]) == {}


def test_a_name_set_off_by_commas_mid_sentence_addresses_the_next_speaker() -> None:
    utts = said(("S1", "Quick standup, Priya, how are the wireframes coming along?"),
                ("S2", "They're done, I sent them yesterday."))
    assert names(name_speakers(utts, TEAM)) == {"S2": "Priya"}
    # the same shape with a product name is a list, not a vocative
    assert name_speakers(said(("S1", "We use Kafka, Figma, and Slack."), ("S2", "Right.")), TEAM) == {}


def test_a_vocative_at_the_end_of_one_segment_reads_with_the_question_in_the_next() -> None:
    utts = said(
        ("S1", "Tom, we need the staging environment upgraded before the release."),
        ("S1", "Can you take that?"),
        ("S2", "Sure, I'll get it done by Friday."),
    )
    mapping = name_speakers(utts, TEAM)
    assert names(mapping) == {"S2": "Tom"} and mapping["S2"].how == "addressed"


def test_the_speaker_of_a_name_is_not_that_person() -> None:
    # S1 answers after "Tom, …" but then talks about Tom: S1 is not Tom; S3, who answers the
    # next "Tom, …", is.
    utts = said(
        ("S2", "Tom, can you ping ops?"),
        ("S1", "Will do. I'll pair with Tom on the flaky tests."),
        ("S2", "Tom, and the release notes?"),
        ("S3", "Yes, I can."),
    )
    naming = explain_speakers(utts, TEAM)
    assert names(naming.names) == {"S3": "Tom"}
    assert naming.scores[("S1", "Tom")] < 0.45  # discounted by S1 saying the name itself
    assert any(e.label == "S2" and e.name == "Tom" and e.weight < 0 for e in naming.evidence)


def test_labels_get_names_by_the_best_total_not_greedily() -> None:
    # S1 is a bit more Bob than Alice, S2 can only be Bob: greedy gives S1 Bob and S2 nothing.
    scores = {("S1", "Bob"): 0.8, ("S1", "Alice"): 0.7, ("S2", "Bob"): 0.75}
    assert assign(scores, 0.45) == {"S1": "Alice", "S2": "Bob"}
    assert assign({("S1", "Bob"): 0.8, ("S3", "Bob"): 0.8}, 0.45) == {"S1": "Bob"}  # tie: lower label
    assert assign({("S1", "Bob"): 0.4}, 0.45) == {}


def test_a_learned_voice_names_a_label_but_never_one_of_its_own_meeting_or_over_an_enrolled_print() -> None:
    rng = np.random.default_rng(11)
    tom, other = rng.normal(size=64), rng.normal(size=64)
    learned = (LearnedVoice(tuple(tom), "m-1", "S2", 1.0, "person"),)
    members = [Member("Tom", learned=learned), Member("Dev")]
    voices = {"S1": other, "S2": tom + 0.1 * rng.normal(size=64)}
    mapping = name_speakers([], members, voices=voices, meeting_id="m-2")
    assert names(mapping) == {"S2": "Tom"} and mapping["S2"].how == "voice"
    assert "learned voice" in mapping["S2"].evidence[0]
    # the meeting it was learned from does not name itself by it
    assert name_speakers([], members, voices=voices, meeting_id="m-1") == {}
    # an enrolled print wins: Tom's learned voice is ignored while he is enrolled with another
    enrolled = [Member("Tom", voiceprint=tuple(other), learned=learned), Member("Dev")]
    assert names(name_speakers([], enrolled, voices=voices, meeting_id="m-2")) == {"S1": "Tom"}
