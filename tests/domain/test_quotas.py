"""Per-team edge quotas: all-or-nothing requests, honest Retry-After, bounded memory."""

from __future__ import annotations

import pytest

from domain.quotas import EdgeQuotas, QuotaExceeded, QuotaLimits, SlidingWindow


def test_new_meetings_refused_until_the_oldest_leaves_the_minute():
    q = EdgeQuotas(QuotaLimits(new_meetings_per_minute=3))
    q.take("a", [("m1", "main")], 1.0, now=100.0)
    q.take("a", [("m2", "main"), ("m3", "main")], 1.0, now=130.0)
    q.take("a", [("m1", "main"), ("m2", "mic")], 1.0, now=131.0)  # known meetings are free
    with pytest.raises(QuotaExceeded) as exc:
        q.take("a", [("m4", "main")], 0.0, now=140.0)
    assert exc.value.retry_after_s == 20  # m1's slot leaves the window at 160
    q.take("b", [("m4", "main")], 1.0, now=140.0)  # another team is not affected
    q.take("a", [("m4", "main")], 1.0, now=160.0)


def test_a_refused_request_counts_nothing():
    q = EdgeQuotas(QuotaLimits(audio_seconds_per_minute=10, sources_per_meeting=2))
    q.take("a", [("m", "s1")], 8.0, now=0.0)
    with pytest.raises(QuotaExceeded):
        q.take("a", [("m", "s2"), ("n", "main")], 3.0, now=1.0)  # audio over: nothing counted
    with pytest.raises(QuotaExceeded, match="3 sources"):
        q.take("a", [("m", "s2"), ("m", "s3")], 1.0, now=1.0)
    q.take("a", [("m", "s2")], 2.0, now=1.0)
    with pytest.raises(QuotaExceeded) as exc:
        q.take("a", [("m", "s1")], 20.0, now=2.0)
    assert "alone" in exc.value.reason and exc.value.retry_after_s == 60


def test_given_back_amounts_can_be_used_again():
    q = EdgeQuotas(QuotaLimits(new_meetings_per_minute=1, audio_seconds_per_minute=5))
    grant = q.take("a", [("m", "main")], 5.0, now=0.0)
    q.give_back(grant, now=1.0)
    q.give_back(grant, now=1.0)  # once only
    q.take("a", [("n", "main")], 5.0, now=2.0)
    with pytest.raises(QuotaExceeded):
        q.take("a", [("o", "main")], 0.0, now=3.0)


def test_memory_is_bounded():
    window = SlidingWindow(100, max_keys=10)
    for t in range(10_000):
        window.add(f"team-{t % 50}", 1.0, now=float(t) / 10)
    assert len(window._used) <= 10
    assert all(len(entries) <= 60 for entries in window._used.values())
    q = EdgeQuotas(QuotaLimits(new_meetings_per_minute=10**9), max_meetings=100)
    for i in range(1000):
        q.take("a", [(f"m{i}", "main")], 0.0, now=float(i))
    assert len(q._sources) == 100
