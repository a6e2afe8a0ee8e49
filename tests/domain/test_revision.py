"""The refined transcript keeps who said what: labels carried from the live rows by their words,
and a reading that lost speech is told apart from one that heard it differently."""

from __future__ import annotations

from domain.revision import MIN_COVERAGE, LiveLine, carry_labels, live_coverage
from domain.transcript import Segment


def seg(start: int, end: int, text: str) -> Segment:
    return Segment("m1", "room", None, start, end, text, "en", "tiny.en", 0)


# What the live flow heard in one room, each row with the voice the diarization gave it.
LIVE = [
    LiveLine(0, 4600, "S1", "Quinn, you take the billing retry job, due next Tuesday."),
    LiveLine(4600, 5400, "S2", "Okay."),
    LiveLine(5700, 9800, "S2", "We're not going to migrate the billing DB this sprint, right?"),
    LiveLine(9900, 13400, "S1", "Right. Let's not touch the auth flow before the release."),
]


def test_a_long_segment_holding_two_voices_is_split_where_the_voice_changes():
    # A long window reads the request and its reply as one segment, in other words than live.
    refined = [seg(0, 9800, "Quinn, you take the billing retried job. Do next Tuesday. OK. "
                            "We're not going to migrate the billing DB the sprint, right?"),
               seg(9900, 13400, "Right, let's not touch the off-flow before the release.")]
    out = carry_labels(refined, LIVE)
    assert [(s.speaker, s.text) for s in out] == [
        ("S1", "Quinn, you take the billing retried job. Do next Tuesday."),
        ("S2", "OK. We're not going to migrate the billing DB the sprint, right?"),
        ("S1", "Right, let's not touch the off-flow before the release."),
    ]
    # The parts share the segment's time, in order, and its bounds stay.
    assert out[0].start_ms == 0 and out[1].end_ms == 9800
    assert out[0].start_ms < out[0].end_ms == out[1].start_ms < out[1].end_ms
    assert all(s.source == "room" and s.language == "en" for s in out)


def test_a_segment_of_one_voice_stays_whole_and_a_sentence_nobody_heard_live_keeps_its_neighbour():
    refined = [seg(4600, 9800, "Okay. We're not going to migrate the billing DB this sprint, right? Hmm.")]
    out = carry_labels(refined, LIVE[1:3])
    # "Hmm." was not heard live: it stays with the sentence before it.
    assert [(s.speaker, s.start_ms, s.end_ms, s.text) for s in out] == [("S2", 4600, 9800, refined[0].text)]


def test_live_rows_without_text_give_the_label_of_the_row_overlapped_most():
    lines = [LiveLine(x.start_ms, x.end_ms, x.speaker) for x in LIVE]
    out = carry_labels([seg(0, 5300, "Quinn, you take the billing retry job. Okay.")], lines)
    assert [(s.speaker, s.text) for s in out] == [("S1", "Quinn, you take the billing retry job. Okay.")]


def test_a_reading_that_left_out_sentences_holds_too_little_of_the_live_text():
    heard_again = ["Quinn, you take the billing retried job, do next Tuesday. Okay. We're not going to "
                   "migrate the billing, the meanest print, right? Right. Let's not touch the auth flow."]
    skipped = ["Okay. We're not going to migrate the billing, the meanest print, right?"]
    assert live_coverage(heard_again, LIVE) >= MIN_COVERAGE
    assert live_coverage(skipped, LIVE) < MIN_COVERAGE
    # Too few live words to judge by.
    assert live_coverage(["Anything."], [LiveLine(0, 800, "S1", "Okay, thanks.")]) is None


def test_korean_readings_are_compared_by_syllable_not_by_spacing():
    live = [LiveLine(0, 5000, "S1", "민수님이 결제 재시도 작업을 목요일까지 맡아 주세요.")]
    # The same words read again, spaced and with a particle apart from the live reading.
    assert live_coverage(["민수 님이 결제재시도 작업을 목요일 까지 맡아주세요."], live) >= 0.9
    out = carry_labels([seg(0, 5000, "민수 님이 결제재시도 작업을 목요일 까지 맡아주세요.")], live)
    assert [s.speaker for s in out] == ["S1"]
