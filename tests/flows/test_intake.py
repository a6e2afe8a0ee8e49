"""What the flow counts as a sender gone quiet (pure: a fake clock, no services)."""

from flows.transcription import IntakeClock


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_time_spent_transcribing_is_not_time_without_input():
    clock = Clock()
    intake = IntakeClock(clock)
    intake.observe(0, posted_ms=5_000)
    clock.t += 30  # transcribing other meetings for 30 s: the input was not even polled
    intake.busy_until_now()
    assert intake.snapshot(0).idle_s == 0.0
    clock.t += 2.5  # free to poll, and nothing came
    assert intake.snapshot(0).idle_s == 2.5


def test_kafka_time_is_kept_per_partition():
    intake = IntakeClock(Clock())
    intake.observe(0, posted_ms=5_000)
    intake.observe(1, posted_ms=9_000)
    intake.observe(0, posted_ms=4_000)  # older record read later: the newest stays
    assert intake.snapshot(0).newest_posted_ms == 5_000
    assert intake.snapshot(1).newest_posted_ms == 9_000
    assert intake.snapshot(2).newest_posted_ms == 0
