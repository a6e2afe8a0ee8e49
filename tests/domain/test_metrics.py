"""The metric definitions of domain.metrics, on hand-checked meetings."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain.metrics import (
    SpokenSegment,
    TicketOutcome,
    compute_metrics,
    efficiency_score,
    follow_through,
    longest_monologue_s,
    speaker_balance,
    talk_share,
)


def seg(start: int, end: int, who: str | None, text: str = "one two") -> SpokenSegment:
    return SpokenSegment(start, end, who, text)


def test_two_equal_speakers_are_perfectly_balanced() -> None:
    segs = [seg(0, 10_000, "a"), seg(10_000, 20_000, "b")]
    assert talk_share(segs) == {"a": 0.5, "b": 0.5}
    assert speaker_balance(segs) == 1.0


def test_one_voice_has_zero_balance_and_unknown_speakers_count_as_one() -> None:
    segs = [seg(0, 5_000, None), seg(5_000, 9_000, None)]
    m = compute_metrics(segs)
    assert (m.speakers, m.speaker_balance, m.talk_share) == (1, 0.0, {"unknown": 1.0})


def test_three_to_one_balance_is_the_normalised_entropy() -> None:
    segs = [seg(0, 30_000, "a"), seg(30_000, 40_000, "b")]
    p = (0.75, 0.25)
    assert speaker_balance(segs) == round(-sum(x * math.log(x) for x in p) / math.log(2), 6)


def test_longest_monologue_spans_consecutive_segments_of_one_speaker() -> None:
    segs = [seg(0, 5_000, "a"), seg(5_000, 12_000, "a"), seg(12_000, 13_000, "b"), seg(13_000, 20_000, "a")]
    assert longest_monologue_s(segs) == 12.0


def test_counts_rates_and_score() -> None:
    segs = [seg(0, 60_000, "a", "Is it done? Yes. Ship it?"), seg(60_000, 120_000, "b", "ok")]
    m = compute_metrics(segs, decisions=1, action_items=2)
    assert (m.duration_s, m.words, m.wpm, m.questions) == (120.0, 7, 3.5, 2)
    assert m.action_items_per_hour == 60.0
    assert m.follow_through is None
    # outcome capped at 1, balance 1, pace 1 - 136.5/140, follow neutral 0.5
    assert m.efficiency_score == round(100 * (0.4 + 0.2 + 0.2 * (3.5 / 140) + 0.1), 2)


def test_empty_meeting_scores_zero() -> None:
    m = compute_metrics([])
    assert (m.duration_s, m.words, m.wpm, m.speakers, m.efficiency_score) == (0.0, 0, 0.0, 0, 0.0)


def test_follow_through_counts_tickets_done_within_seven_days() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    tickets = [
        TicketOutcome(t0, t0 + timedelta(days=2)),
        TicketOutcome(t0, t0 + timedelta(days=8)),
        TicketOutcome(t0, None),
        TicketOutcome(t0, t0 + timedelta(days=7)),
    ]
    assert follow_through(tickets) == 0.5
    assert follow_through([]) is None


@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(1, 5_000), st.sampled_from("abc")),
                max_size=20))
def test_shares_sum_to_one_and_balance_and_score_stay_in_range(
    raw: list[tuple[int, int, str]],
) -> None:
    segs = [seg(s, s + d, who) for s, d, who in raw]
    m = compute_metrics(segs, decisions=3, action_items=4)
    if segs:
        assert abs(sum(m.talk_share.values()) - 1.0) < 1e-5
    assert 0.0 <= m.speaker_balance <= 1.0 + 1e-9
    assert 0.0 <= m.efficiency_score <= 100.0
    assert efficiency_score(duration=0, decisions=1, action_items=1, balance=1, pace_wpm=140,
                            follow=1.0) == 0.0
