"""A change of voice without a pause between them (one voice barging in on another, or a segment
bound in the middle of a voice): the diarization cuts the speech where the voice changes."""

from __future__ import annotations

import numpy as np
from vori_testing import speak

from domain.transcript import Segment
from flows.speakers import DiarizationConfig, Diarizer, MeetingSpeakers

RATE = 16_000


def _trimmed(text: str, voice: str) -> np.ndarray:
    pcm = speak(text, voice).astype(np.float32) / 32768
    loud = np.flatnonzero(np.abs(pcm) > 0.01)
    return pcm[loud[0] : loud[-1] + 1]


def test_a_voice_that_barges_in_without_a_pause_gets_its_own_turn_and_label():
    a = _trimmed("Good morning everyone, the release plan.", "en-us+klatt")
    b = _trimmed("Sorry to cut in, but the database migration failed again last night and "
                 "we have to roll it back first.", "en-us+f3")
    # B starts 0.3 s before A stops: no pause anywhere, one segment.
    start_b = len(a) - int(0.3 * RATE)
    audio = np.zeros(start_b + len(b), dtype=np.float32)
    audio[: len(a)] += a
    audio[start_b:] += b
    end_ms = len(audio) * 1000 // RATE
    seg = Segment("m", "main", None, 0, end_ms, "Words.", "en", "tiny.en", 0)
    diarizer = Diarizer(DiarizationConfig())

    _, state = diarizer.label(MeetingSpeakers(), [seg], audio, 0)

    change_ms = start_b * 1000 // RATE
    labels = [t.label for t in state.turns]
    assert labels[0] == "S1" and labels[-1] == "S2" and sorted(set(labels)) == ["S1", "S2"], state.turns
    # A's label ends within a second of where B comes in (the 0.3 s both speak included), not
    # halfway through the speech, where an even cut into turns of at most 6 s would put it.
    last_a = max(i for i, x in enumerate(labels) if x == "S1")
    assert labels[last_a + 1 :] == ["S2"] * (len(labels) - last_a - 1), state.turns
    assert change_ms - 300 <= state.turns[last_a].end_ms <= change_ms + 1000, (state.turns, change_ms)
    # The same audio gives the same turns.
    assert diarizer.label(MeetingSpeakers(), [seg], audio, 0)[1] == state
