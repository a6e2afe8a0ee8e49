"""A meeting longer than the maximum is recorded in linked parts, cut at a pause."""

import numpy as np

from domain.envelope import AudioChunk
from domain.timeline import MeetingClosed, MeetingSeen, MeetingTimeline, TimelineConfig, Window
from domain.windowing import RATE

# A 20 s maximum stands in for the 4 hours of a room mic that never falls idle.
CONFIG = TimelineConfig(gap_timeout_s=10, idle_timeout_s=60, closed_ttl_s=100, close_grace_s=0,
                        max_meeting_s=20)


def sentence(i: int) -> bytes:
    """1.5 s of one tone, then 0.5 s of quiet: a chunk sent live every 2 s."""
    t = np.arange(int(1.5 * RATE)) / RATE
    tone = (np.sin(2 * np.pi * (200 + 7 * i) * t) * 3000).astype(np.int16)
    return np.concatenate([tone, np.zeros(RATE // 2, dtype=np.int16)]).tobytes()


def chunk(seq: int, final: bool = False, meeting: str = "room") -> AudioChunk:
    return AudioChunk(meeting, seq, "mic", None, "pcm_s16le", 16000, 1, b"", final, None)


def live(n: int, final_at: int | None = None) -> tuple[MeetingTimeline, list[object], list[bytes]]:
    """n chunks sent as a live mic sends them (one per 2 s, posted as spoken)."""
    tl = MeetingTimeline("room")
    pcms = [sentence(i) for i in range(n)]
    out: list[object] = []
    for seq, pcm in enumerate(pcms):
        now = 2.0 * seq
        out += tl.add(chunk(seq, final=seq == final_at), pcm, 1_700_000_000_000 + 2000 * seq, now, CONFIG)
        out += drain(tl, now, CONFIG)
    return tl, out, pcms


def drain(tl: MeetingTimeline, now: float, cfg: TimelineConfig) -> list[object]:
    """advance() as the flow calls it: again while a window may still give its tail back."""
    out: list[object] = []
    while True:
        new = tl.advance(now, cfg)
        out += new
        if not any(isinstance(o, Window) and o.rereadable for o in new):
            return out


def test_a_long_live_meeting_is_cut_into_linked_parts_at_a_pause():
    _, out, pcms = live(25, final_at=24)  # 50 s of audio: parts of about 20 s
    closed = [o for o in out if isinstance(o, MeetingClosed)]
    assert [(c.meeting_id, c.reason) for c in closed] == [
        ("room", "max_length"), ("room~2", "max_length"), ("room~3", "final")]
    assert all(c.duration_ms <= 24_000 for c in closed)
    seen = {o.meeting_id: o for o in out if isinstance(o, MeetingSeen)}
    assert seen["room"].part_of is None and seen["room"].part == 1
    assert (seen["room~2"].part_of, seen["room~2"].part) == ("room", 2)
    assert (seen["room~3"].part_of, seen["room~3"].part) == ("room", 3)
    assert seen["room~2"].sources == {"mic": None}
    # Each part's close comes before anything of the next part, and the next part is seen first.
    ids = [o.meeting_id for o in out if isinstance(o, (Window, MeetingClosed, MeetingSeen))]
    assert ids.index("room~2") > ids.index("room") and ids[ids.index("room~2")] == "room~2"
    assert isinstance(out[[getattr(o, "meeting_id", None) for o in out].index("room~2")], MeetingSeen)

    # No audio lost or read twice: the parts' windows, put back on the meeting's timeline with
    # each part's start, are exactly the sent audio, and every part starts at a pause.
    whole = np.frombuffer(b"".join(pcms), np.int16)
    covered = np.zeros(len(whole), dtype=np.int32)
    windows = [o for o in out if isinstance(o, Window)]
    part_starts: dict[str, int] = {}
    for w in windows:
        part_starts.setdefault(w.meeting_id, w.start_ms)
    offsets = {"room": 0}
    ends = {c.meeting_id: c.duration_ms for c in closed}
    offsets["room~2"] = offsets["room"] + ends["room"]
    offsets["room~3"] = offsets["room~2"] + ends["room~2"]
    for w in windows:
        first = (offsets[w.meeting_id] + w.start_ms) * RATE // 1000
        got = np.frombuffer(w.pcm, np.int16)
        assert np.array_equal(got, whole[first:first + len(got)]), w.meeting_id
        covered[first:first + len(got)] += 1
    assert covered.max() == 1
    assert np.abs(whole[covered == 0]).max(initial=0) < 150  # only quiet is left out
    # Times are relative to the part's start: the later parts begin near 0, not at 20 s or 40 s.
    assert part_starts["room~2"] < 3000 and part_starts["room~3"] < 3000


def test_a_late_duplicate_of_the_old_part_is_still_dropped():
    tl, _, pcms = live(14)  # past the maximum: the meeting is in its second part
    assert tl.part_id == "room~2"
    again = tl.add(chunk(3), pcms[3], 1_700_000_000_000 + 6000, 30.0, CONFIG)
    again += tl.advance(30.0, CONFIG)
    assert not any(isinstance(o, Window) for o in again)
    assert not any(isinstance(o, MeetingSeen) for o in again)


def test_the_parts_started_time_follows_the_audio():
    _, out, _ = live(25, final_at=24)
    seen = {o.meeting_id: o for o in out if isinstance(o, MeetingSeen)}
    first = seen["room"].started_ms
    assert 18_000 <= seen["room~2"].started_ms - first <= 24_000
    assert 38_000 <= seen["room~3"].started_ms - first <= 48_000


def test_no_maximum_keeps_one_meeting():
    tl = MeetingTimeline("room")
    cfg = TimelineConfig(close_grace_s=0, max_meeting_s=0)
    out: list[object] = []
    for seq in range(25):
        out += tl.add(chunk(seq, final=seq == 24), sentence(seq), 1_700_000_000_000 + 2000 * seq,
                      2.0 * seq, cfg)
        out += drain(tl, 2.0 * seq, cfg)
    assert [(o.meeting_id, o.reason) for o in out if isinstance(o, MeetingClosed)] == [("room", "final")]
