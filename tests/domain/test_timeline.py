"""Reordering, dedupe, gap waits, windows and closing of a meeting's timeline."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.envelope import AudioChunk
from domain.timeline import (
    Gap,
    Intake,
    MeetingClosed,
    MeetingSeen,
    MeetingTimeline,
    TimelineConfig,
    TimelineError,
    Window,
)
from domain.windowing import RATE, WindowPolicy, find_cut

# No close grace here: these tests read the timeline as it was before tracks could follow each
# other (the grace has tests of its own below).
CONFIG = TimelineConfig(gap_timeout_s=10, idle_timeout_s=60, max_seq_ahead=50, closed_ttl_s=100, close_grace_s=0)


def tone(seconds: float, amp: int = 3000, freq: float = 220.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (np.sin(2 * np.pi * freq * t) * amp).astype(np.int16)


def quiet(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * RATE), dtype=np.int16)


def chunk(seq: int, final: bool = False, source: str = "main") -> AudioChunk:
    return AudioChunk("m1", seq, source, None, "pcm_s16le", 16000, 1, b"", final, None)


def speech_stream(n_chunks: int) -> list[bytes]:
    """Chunks of 1 s tone + 0.5 s pause, so every chunk holds one pause."""
    return [np.concatenate([tone(1.0, freq=200 + 10 * i), quiet(0.5)]).tobytes() for i in range(n_chunks)]


def feed(order, pcms, now=0.0, finals=()):
    tl = MeetingTimeline("m1")
    out = []
    for seq in order:
        out += tl.add(chunk(seq, final=seq in finals), pcms[seq], 1000 + seq, now, CONFIG)
        new = tl.advance(now, CONFIG)
        out += new
        while any(isinstance(o, Window) and o.rereadable for o in new):  # as the flow does
            new = tl.advance(now, CONFIG)
            out += new
    return tl, out


def assert_windows_cover_the_speech(windows, pcms, complete=True):
    """Every window holds exactly the input audio at its place; only quiet is left out."""
    whole = np.frombuffer(b"".join(pcms), np.int16)
    covered = np.zeros(len(whole), dtype=bool)
    for w in windows:
        first = w.start_ms * RATE // 1000
        got = np.frombuffer(w.pcm, np.int16)
        assert np.array_equal(got, whole[first : first + len(got)])
        covered[first : first + len(got)] = True
    assert not complete or not covered.any() or np.abs(whole[~covered]).max(initial=0) < 150


@settings(max_examples=60, deadline=None)
@given(st.permutations(list(range(8))), st.lists(st.integers(0, 7), max_size=6))
def test_any_order_with_duplicates_gives_the_same_audio(order, dups):
    pcms = speech_stream(8)
    _, out = feed(list(order) + dups + [7], pcms, finals={7})
    windows = [o for o in out if isinstance(o, Window)]
    assert_windows_cover_the_speech(windows, pcms)
    starts = [w.start_ms for w in windows]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    assert sum(isinstance(o, MeetingClosed) for o in out) == 1


def test_windows_are_placed_on_the_absolute_timeline():
    pcms = speech_stream(4)
    _, out = feed([0, 1, 2, 3], pcms, finals={3})
    windows = [o for o in out if isinstance(o, Window)]
    for w in windows:
        first = w.start_ms * RATE // 1000
        assert np.array_equal(
            np.frombuffer(w.pcm, np.int16)[:100],
            np.frombuffer(b"".join(pcms), np.int16)[first : first + 100],
        )


def test_missing_chunk_is_waited_for_then_recorded_as_a_gap():
    pcms = speech_stream(4)
    tl = MeetingTimeline("m1")
    tl.add(chunk(0), pcms[0], 1, 0.0, CONFIG)
    tl.add(chunk(2), pcms[2], 3, 0.0, CONFIG)
    out = tl.advance(1.0, CONFIG)
    assert not any(isinstance(o, Gap) for o in out)
    assert tl.next_deadline(CONFIG) == pytest.approx(11.0)
    out = tl.advance(11.5, CONFIG)
    gaps = [o for o in out if isinstance(o, Gap)]
    assert gaps == [Gap("m1", "main", 1, 1, gaps[0].at_ms)]
    # the chunk after the gap keeps its place: one chunk's length later
    tl.add(chunk(3, final=True), pcms[3], 4, 12.0, CONFIG)
    out2 = tl.advance(12.0, CONFIG)
    windows = [o for o in out + out2 if isinstance(o, Window)]
    assert max(w.end_ms for w in windows) == 4 * 1500


def test_seq_far_ahead_is_rejected():
    tl = MeetingTimeline("m1")
    with pytest.raises(TimelineError, match="too far ahead"):
        tl.add(chunk(10_000), b"", 1, 0.0, CONFIG)


def test_closed_meeting_drops_late_duplicates_and_rejects_chunks_after_a_final():
    pcms = speech_stream(2)
    tl, out = feed([0, 1], pcms, finals={1})
    assert any(isinstance(o, MeetingClosed) and o.reason == "final" for o in out)
    assert tl.add(chunk(0), pcms[0], 1, 1.0, CONFIG) == []
    with pytest.raises(TimelineError, match="after the final chunk"):
        tl.add(chunk(2), pcms[0], 1, 1.0, CONFIG)
    assert tl.closed_at is not None
    assert not tl.expired(50.0, CONFIG) and tl.expired(101.0, CONFIG)


GRACE = TimelineConfig(gap_timeout_s=10, idle_timeout_s=60, max_seq_ahead=50, closed_ttl_s=100, close_grace_s=5)


def send_track(tl, source, pcms, now, posted_ms, config=GRACE, intake=None):
    """A whole track posted at once, as `vori send --source` does; what the timeline gives back."""
    out = []
    for seq, pcm in enumerate(pcms):
        c = AudioChunk("m1", seq, source, source.title(), "pcm_s16le", 16000, 1, b"", seq == len(pcms) - 1, None)
        out += tl.add(c, pcm, posted_ms, now, config)
    out += drain(tl, now, config, intake)
    return out


def drain(tl, now, config=GRACE, intake=None):
    out, new = [], [None]
    while new:  # as the flow does: until no long window may give its tail back
        new = tl.advance(now, config, intake=intake)
        out += new
        if not any(isinstance(o, Window) and o.rereadable for o in new):
            break
    return out


def test_a_second_track_sent_right_after_the_first_joins_the_same_meeting():
    pcms = speech_stream(3)
    tl = MeetingTimeline("m1")
    out = send_track(tl, "alice", pcms, 0.0, 10_000, intake=Intake(10_000, 0.0))
    assert not any(isinstance(o, MeetingClosed) for o in out), "closed before the grace"
    # One second later (by Kafka time) the second track starts: no dead letter, same meeting.
    out += send_track(tl, "bob", pcms, 1.0, 11_000, intake=Intake(11_000, 0.0))
    assert not any(isinstance(o, MeetingClosed) for o in out)
    out += drain(tl, 7.0, intake=Intake(11_000, 6.0))  # nothing read for 6 s: the grace is over
    closed = [o for o in out if isinstance(o, MeetingClosed)]
    assert len(closed) == 1 and closed[0].reason == "final"
    assert {w.source for w in out if isinstance(w, Window) and w.speech} == {"alice", "bob"}


def test_the_grace_runs_on_kafka_time_so_a_flow_that_is_behind_does_not_close_early():
    pcms = speech_stream(2)
    tl = MeetingTimeline("m1")
    send_track(tl, "alice", pcms, 0.0, 10_000, intake=Intake(10_000, 0.0))
    # Half a minute of wall time later the flow is still busy reading a backlog posted 1 s after
    # the final chunk: the meeting stays open.
    assert not any(isinstance(o, MeetingClosed) for o in drain(tl, 30.0, intake=Intake(11_000, 0.0)))
    # Records posted 5 s after it have been read: the grace is over by Kafka time.
    out = drain(tl, 31.0, intake=Intake(15_000, 0.0))
    assert [o.reason for o in out if isinstance(o, MeetingClosed)] == ["final"]


def test_the_close_grace_is_a_deadline_of_its_own():
    pcms = speech_stream(2)
    tl = MeetingTimeline("m1")
    send_track(tl, "alice", pcms, 100.0, 10_000, intake=Intake(10_000, 0.0))
    deadline = tl.next_deadline(GRACE)
    assert deadline is not None and 100.0 < deadline <= 105.0
    out = drain(tl, deadline, intake=Intake(10_000, deadline - 100.0))
    assert [o.reason for o in out if isinstance(o, MeetingClosed)] == ["final"]


def test_a_track_that_comes_after_the_close_reopens_the_meeting():
    pcms = speech_stream(3)
    tl = MeetingTimeline("m1")
    first = send_track(tl, "alice", pcms, 0.0, 10_000, intake=Intake(10_000, 0.0))
    first += drain(tl, 30.0, intake=Intake(10_000, 30.0))
    assert [o.reason for o in first if isinstance(o, MeetingClosed)] == ["final"]
    later = send_track(tl, "bob", pcms, 40.0, 50_000, intake=Intake(50_000, 0.0))
    seen = [o for o in later if isinstance(o, MeetingSeen)]
    assert seen and seen[0].sources == {"alice": "Alice", "bob": "Bob"}, "the meeting is live again"
    later += drain(tl, 50.0, intake=Intake(50_000, 10.0))
    assert [o.reason for o in later if isinstance(o, MeetingClosed)] == ["final"]
    bob = [w for w in later if isinstance(w, Window) and w.speech]
    assert bob and {w.source for w in bob} == {"bob"}
    assert_windows_cover_the_speech(bob, pcms)


def test_a_source_that_paused_past_the_idle_timeout_reopens_the_meeting():
    pcms = speech_stream(3)
    tl = MeetingTimeline("m1")
    tl.add(chunk(0), pcms[0], 1, 0.0, CONFIG)
    out = tl.advance(0.0, CONFIG) + tl.advance(61.0, CONFIG)
    assert [o.reason for o in out if isinstance(o, MeetingClosed)] == ["idle"]
    again = tl.add(chunk(1), pcms[1], 2, 70.0, CONFIG)
    assert any(isinstance(o, MeetingSeen) for o in again)
    assert tl.closed_at is None


def test_idle_meeting_closes_and_flushes():
    pcms = speech_stream(2)
    tl, out = feed([0, 1], pcms)
    assert not any(isinstance(o, MeetingClosed) for o in out)
    out = tl.advance(61.0, CONFIG)
    assert isinstance(out[-1], MeetingClosed) and out[-1].reason == "idle"
    windows = [o for o in out if isinstance(o, Window)]
    assert windows, "the buffered tail is transcribed at close"


def test_a_busy_flow_checks_again_whether_an_upload_went_quiet():
    from domain.timeline import Intake

    pcms = speech_stream(6)  # 9 s pushed at once, then nothing more
    tl = MeetingTimeline("m1")
    for seq, pcm in enumerate(pcms):
        tl.add(chunk(seq), pcm, seq, 0.0, CONFIG)
    # At the quiet deadline the worker had just finished transcribing something else.
    busy = Intake(newest_posted_ms=5, idle_s=0.5)
    assert not [o for o in tl.advance(CONFIG.upload_quiet_s, CONFIG, intake=busy) if isinstance(o, Window)]
    again = tl.next_deadline(CONFIG)
    assert again == pytest.approx(CONFIG.upload_quiet_s + 1.5)  # when idle would reach the quiet spell
    free = Intake(newest_posted_ms=5, idle_s=2.0)
    assert [o for o in tl.advance(again, CONFIG, intake=free) if isinstance(o, Window)]


def test_an_upload_that_stops_without_final_is_transcribed_whole_at_idle_close():
    cfg = TimelineConfig(idle_timeout_s=60, upload_policy=WindowPolicy.from_seconds(4, 6))
    pcms = speech_stream(12)  # 18 s pushed at once, more than a long window's view; no final
    tl = MeetingTimeline("m1")
    for seq, pcm in enumerate(pcms):
        tl.add(chunk(seq), pcm, seq, 0.0, cfg)
    first = [o for o in tl.advance(0.0, cfg) if isinstance(o, Window)]
    assert len(first) == 1 and first[0].rereadable
    out = tl.advance(61.0, cfg)
    assert isinstance(out[-1], MeetingClosed) and out[-1].reason == "idle"
    rest = [o for o in out if isinstance(o, Window)]
    assert rest and not any(w.rereadable for w in rest)  # closing: nothing can come back
    assert_windows_cover_the_speech(first + rest, pcms)


def test_buffer_stays_bounded_without_pauses():
    tl = MeetingTimeline("m1")
    cfg = TimelineConfig(
        policy=WindowPolicy.from_seconds(1, 5), upload_policy=WindowPolicy.from_seconds(4, 6)
    )
    for seq in range(20):
        tl.add(chunk(seq), tone(2.0).tobytes(), seq, 0.0, cfg)  # an upload: long windows
        tl.advance(0.0, cfg)
        assert len(tl.sources["main"].buffer) <= cfg.view_samples * 2


def test_cut_lands_in_a_pause_not_in_speech():
    pcm = np.concatenate([tone(2.0), quiet(0.6), tone(1.5)])
    cut = find_cut(pcm, WindowPolicy.from_seconds(1, 20))
    assert cut is not None and 2.0 * RATE <= cut <= 2.6 * RATE


def test_silent_window_is_marked_without_speech():
    _, out = feed([0], [quiet(3.0).tobytes()], finals={0})
    windows = [o for o in out if isinstance(o, Window)]
    assert windows and not any(w.speech for w in windows)


def _windows_for(posted_step_ms: int) -> list[Window]:
    """Sixty 3 s chunks of speech with sentence pauses, posted ``posted_step_ms`` apart."""
    pcms = [np.concatenate([tone(1.2), quiet(0.3), tone(1.2), quiet(0.3)]).tobytes() for _ in range(60)]
    tl = MeetingTimeline("m1")
    out = []
    for seq, pcm in enumerate(pcms):
        now = seq * posted_step_ms / 1000
        out += tl.add(chunk(seq), pcm, 1_000_000 + seq * posted_step_ms, now, CONFIG)
        new = tl.advance(now + 0.1, CONFIG)
        while new:  # as the flow does: long windows come one at a time
            out += new
            new = tl.advance(now + 0.1, CONFIG)
        deadline = tl.next_deadline(CONFIG)
        if deadline is not None and deadline < (seq + 1) * posted_step_ms / 1000:
            out += tl.advance(deadline, CONFIG)  # as the flow's notify_at does
    return [o for o in out if isinstance(o, Window)]


def test_live_audio_is_cut_at_every_chunk_but_an_upload_waits_for_long_windows():
    live = _windows_for(posted_step_ms=3000)  # posted as fast as it is spoken
    upload = _windows_for(posted_step_ms=10)  # a file pushed at once
    assert len(live) >= 59  # one window per chunk: low latency
    assert not any(w.rereadable for w in live)
    assert len(upload) < len(live)
    assert max(len(w.pcm) for w in live) <= 4 * RATE * 2
    assert max(len(w.pcm) for w in upload) >= 60 * RATE * 2  # long windows, as Whisper reads a file
    assert all(w.rereadable for w in upload)


def test_an_unread_tail_comes_back_first_in_the_next_window():
    cfg = TimelineConfig(upload_policy=WindowPolicy.from_seconds(4, 6))
    pcms = speech_stream(12)  # 18 s, pushed at once: an upload
    tl = MeetingTimeline("m1")
    for seq, pcm in enumerate(pcms):
        tl.add(chunk(seq), pcm, seq, 0.0, cfg)
    first = [o for o in tl.advance(0.0, cfg) if isinstance(o, Window) and o.rereadable]
    assert len(first) == 1
    tail = first[0].pcm[len(first[0].pcm) // 2 :]
    tl.unread("main", tail)
    second = [o for o in tl.advance(0.0, cfg) if isinstance(o, Window)]
    tail_start_ms = first[0].end_ms - len(tail) // 2 * 1000 // RATE
    assert tail_start_ms <= second[0].start_ms < first[0].end_ms  # read again, not skipped
    assert_windows_cover_the_speech(first + second, pcms, complete=False)


def test_an_upload_that_goes_quiet_is_read_without_waiting_for_a_long_window():
    pcms = speech_stream(6)  # 9 s pushed at once, then nothing more for a while
    tl = MeetingTimeline("m1")
    for seq, pcm in enumerate(pcms):
        tl.add(chunk(seq), pcm, seq, 0.0, CONFIG)
    early = [o for o in tl.advance(0.5, CONFIG) if isinstance(o, Window)]
    assert tl.sources["main"].uploading and not early  # waiting for a long window
    deadline = tl.next_deadline(CONFIG)
    assert deadline == pytest.approx(CONFIG.upload_quiet_s)
    later = [o for o in tl.advance(deadline, CONFIG) if isinstance(o, Window)]
    assert later, "the buffered speech is cut once the sender has been quiet"
    assert tl.next_deadline(CONFIG) == pytest.approx(CONFIG.idle_timeout_s)  # no busy re-notify
    assert_windows_cover_the_speech(early + later, pcms, complete=False)


def _read_upload(batches: list[list[int]], pcms: list[bytes], cfg: TimelineConfig) -> list[tuple[int, int]]:
    """Feed an upload in ``batches`` of seqs, reading windows as the flow does (one long window at a
    time; a window cut short gives its last quarter back); returns (start_ms, samples) per window."""
    last = len(pcms) - 1
    tl = MeetingTimeline("m1")
    read = []
    for i, batch in enumerate(batches):
        for seq in batch:
            tl.add(chunk(seq, final=seq == last), pcms[seq], seq, i * 0.01, cfg)
        new = tl.advance(i * 0.01, cfg)
        while new:
            for w in (o for o in new if isinstance(o, Window)):
                assert w.rereadable
                read.append((w.start_ms, len(w.pcm) // 2))
                if w.cut_short:
                    tail = len(w.pcm) // 2 // 4 // 320 * 320 * 2
                    tl.unread("main", w.pcm[len(w.pcm) - tail :])
            new = tl.advance(i * 0.01, cfg)
    return read


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 6), min_size=1, max_size=40))
def test_an_upload_is_cut_the_same_however_its_chunks_arrive(sizes):
    """Windows depend on the audio, not on how Kafka batches it: streamed accuracy is repeatable."""
    cfg = TimelineConfig(policy=WindowPolicy.from_seconds(1, 3), upload_policy=WindowPolicy.from_seconds(4, 6))
    rng = np.random.default_rng(7)
    # Loud and soft speakers, and pauses with some room noise: where a cut goes depends on the
    # levels around it, so a cut that looked at whatever happened to be buffered would differ.
    pcms = []
    for i in range(24):
        pause = (rng.normal(0, 900, int(rng.uniform(0.05, 0.5) * RATE))).astype(np.int16)
        speech = tone(float(rng.uniform(0.4, 1.6)), amp=int(rng.uniform(1500, 25000)), freq=180 + 7 * i)
        pcms.append(np.concatenate([speech, pause]).tobytes())
    pcms.append(b"")  # the final chunk
    seqs = list(range(len(pcms)))
    batches, i = [], 0
    for n in sizes:
        if i < len(seqs):
            batches.append(seqs[i : i + n])
            i += n
    if i < len(seqs):
        batches.append(seqs[i:])
    at_once = _read_upload([seqs], pcms, cfg)
    assert len(at_once) >= 4
    assert _read_upload(batches, pcms, cfg) == at_once


def test_a_new_source_waits_a_moment_to_tell_an_upload_from_a_live_mic():
    pcms = speech_stream(8)  # 1.5 s chunks
    live = MeetingTimeline("m1")
    live.add(chunk(0), pcms[0], 1000, 0.0, CONFIG)
    assert not [o for o in live.advance(0.0, CONFIG) if isinstance(o, Window)]
    assert live.next_deadline(CONFIG) == pytest.approx(CONFIG.probe_s)
    windows = [o for o in live.advance(CONFIG.probe_s, CONFIG) if isinstance(o, Window)]
    assert windows and not windows[0].rereadable  # nothing followed: read it live

    upload = MeetingTimeline("m1")
    upload.add(chunk(0), pcms[0], 1000, 0.0, CONFIG)
    assert not [o for o in upload.advance(0.0, CONFIG) if isinstance(o, Window)]
    for seq in range(1, 8):
        upload.add(chunk(seq), pcms[seq], 1000 + seq, 0.05, CONFIG)
    assert not [o for o in upload.advance(0.1, CONFIG) if isinstance(o, Window)]
    assert upload.sources["main"].uploading  # its first chunk waits for a long window too


def test_a_meeting_closes_only_after_its_last_long_window_has_settled():
    cfg = TimelineConfig(upload_policy=WindowPolicy.from_seconds(4, 6), close_grace_s=0)
    pcms = [*speech_stream(3), b""]  # 4.5 s uploaded, then the final chunk
    tl = MeetingTimeline("m1")
    for seq, pcm in enumerate(pcms):
        tl.add(chunk(seq, final=seq == 3), pcm, seq, 0.0, cfg)
    out = tl.advance(0.0, cfg)
    (last,) = [o for o in out if isinstance(o, Window)]
    assert last.rereadable and not any(isinstance(o, MeetingClosed) for o in out)
    tail = last.pcm[len(last.pcm) // 2 :]
    tl.unread("main", tail)  # the transcriber found skipped speech: read it again
    out = tl.advance(0.0, cfg)
    again = [o for o in out if isinstance(o, Window)]
    assert again and again[0].pcm.endswith(tail[-640:])
    out += tl.advance(0.0, cfg)
    assert isinstance(out[-1], MeetingClosed) and out[-1].reason == "final"


def test_speech_left_after_a_point_is_measured_in_seconds():
    from domain.windowing import speech_seconds_after

    pcm = np.concatenate([tone(2.0), quiet(2.0), tone(1.0)])
    assert abs(speech_seconds_after(pcm, 0.0) - 3.0) < 0.1
    assert abs(speech_seconds_after(pcm, 2.5) - 1.0) < 0.1
    assert speech_seconds_after(quiet(3.0), 0.0) == 0.0
