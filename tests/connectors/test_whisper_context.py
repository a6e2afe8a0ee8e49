"""The encoder context that fits the window (VORI_WHISPER_CONTEXT_S): the same words as Whisper's
30 s, times inside the window, batches as one by one, and no text from silence or noise."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from vori_testing import speak, wer

from connectors.audio import pcm_to_float32, read_audio_file
from connectors.settings import Settings
from connectors.whisper import (
    WhisperError,
    WhisperTranscriber,
    WindowRequest,
    context_frames,
    context_sizes,
)
from domain.transcript import RecognizedSpan

LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")
RATE = 16_000


@pytest.fixture(scope="module")
def full() -> WhisperTranscriber:
    return WhisperTranscriber(Settings(whisper_context_s="30"))


@pytest.fixture(scope="module")
def short() -> WhisperTranscriber:
    return WhisperTranscriber(Settings(whisper_context_s="auto"))


@pytest.fixture(scope="module")
def windows() -> list[np.ndarray]:
    """Live-sized windows of five LibriVox readers and two espeak-ng voices, two readers joined
    (about 10 s: the next context size), and a window longer than 30 s (a second step)."""
    clips = [pcm_to_float32(read_audio_file(str(p))) for p in sorted(LIBRIVOX.glob("*.wav"))]
    assert len(clips) == 5
    spoken = [
        pcm_to_float32(speak("The quarterly report shows strong growth in the northern region.", "en-us")),
        pcm_to_float32(speak("Alice will send the budget to the finance team on Friday.", "en-gb-x-rp")),
    ]
    pause = np.zeros(RATE // 2, np.float32)
    joined = np.concatenate([clips[0], pause, clips[2]])
    long = np.concatenate([*clips, pause, *clips[:3]])
    assert len(long) > 30 * RATE
    return [*clips, *spoken, joined, long]


def words(spans: list[RecognizedSpan]) -> list[str]:
    return re.findall(r"[a-z0-9']+", " ".join(s.text for s in spans).lower())


def test_the_setting_names_the_context_sizes() -> None:
    assert context_sizes("auto") == (1000, 1500, 2000, 3000)
    assert context_sizes("30") == (3000,)
    assert context_sizes(" 12 ") == (1200, 3000)
    # A step gets the smallest size that holds its speech and 2 s of padding after it.
    assert context_frames(500, context_sizes("auto")) == 1000
    assert context_frames(900, context_sizes("auto")) == 1500
    assert context_frames(2900, context_sizes("auto")) == 3000
    assert context_frames(1100, context_sizes("12")) == 3000
    for bad in ("short", "2", "31", "nan", ""):
        with pytest.raises(WhisperError, match="VORI_WHISPER_CONTEXT_S"):
            context_sizes(bad)
    with pytest.raises(WhisperError, match="VORI_WHISPER_CONTEXT_S='forty'"):
        WhisperTranscriber(Settings(whisper_context_s="forty"))


def test_a_short_context_reads_the_same_words_as_30_s_with_times_inside_the_window(
    full: WhisperTranscriber, short: WhisperTranscriber, windows: list[np.ndarray]
) -> None:
    said, heard = [], []
    for window in windows:
        expected, language = full.transcribe(window)
        got, got_language = short.transcribe(window)
        assert got_language == language == "en"
        assert words(got)
        said.append(" ".join(words(expected)))
        heard.append(" ".join(words(got)))
        # tiny.en's beam search may settle on another word now and then, as between any two
        # readings of slightly different input; never a sentence more or less.
        assert wer(said[-1], heard[-1]) <= 0.1, (said[-1], heard[-1])
        duration = len(window) / RATE
        for span in got:
            assert 0.0 <= span.start_s < span.end_s <= duration, (span, duration)
        # The sentences start where they did (Whisper's timestamps; some slack at span ends).
        if len(got) == len(expected):
            for a, b in zip(expected, got, strict=True):
                assert abs(a.start_s - b.start_s) <= 0.5 and abs(a.end_s - b.end_s) <= 0.5
    assert sum(a == b for a, b in zip(said, heard, strict=True)) >= len(windows) - 2
    assert wer(" ".join(said), " ".join(heard)) <= 0.02


def test_a_batch_with_short_contexts_reads_as_one_by_one(
    short: WhisperTranscriber, windows: list[np.ndarray]
) -> None:
    # Windows of 3, 5, 10 and 48 s: different context sizes in one batch, each as it is alone.
    prompts = [None, "Earlier: the estate of Norland.", None, "Mr. Dashwood", None, None, "Alice", None, None]
    requests = [WindowRequest(w, prompt=p) for w, p in zip(windows, prompts, strict=True)]
    alone = [short.transcribe(r.audio, prompt=r.prompt) for r in requests]
    batched = short.transcribe_batch(requests)
    for a, b in zip(alone, batched, strict=True):
        assert isinstance(b, tuple)
        assert [(s.text, s.start_s, s.end_s) for s in b[0]] == [(s.text, s.start_s, s.end_s) for s in a[0]]


def test_silence_and_noise_give_no_text_with_a_short_context(
    full: WhisperTranscriber, short: WhisperTranscriber
) -> None:
    rng = np.random.default_rng(3)
    t = np.arange(5 * RATE) / RATE
    quiet = [
        np.zeros(5 * RATE, np.float32),
        (rng.standard_normal(5 * RATE) * 0.02).astype(np.float32),
        (rng.standard_normal(5 * RATE) * 0.2).astype(np.float32),
        (0.1 * np.sin(2 * np.pi * 50 * t)).astype(np.float32),  # mains hum
        np.cumsum(rng.standard_normal(12 * RATE) * 0.002).astype(np.float32),  # rumble
    ]
    for audio in quiet:
        assert short.transcribe(audio)[0] == full.transcribe(audio)[0] == []
    assert all(r == ([], "en") for r in short.transcribe_batch([WindowRequest(a) for a in quiet]))
