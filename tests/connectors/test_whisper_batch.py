"""Windows from different meetings read together give what each gives alone (bundled tiny.en, real speech)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from vori_testing import speak

from connectors.audio import pcm_to_float32, read_audio_file
from connectors.settings import Settings
from connectors.whisper import WhisperTranscriber, WindowAudioError, WindowRequest, resolve_model_path
from domain.transcript import RecognizedSpan

LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")
RATE = 16_000


@pytest.fixture(scope="module")
def model() -> WhisperTranscriber:
    return WhisperTranscriber(Settings())


@pytest.fixture(scope="module")
def recordings() -> list[np.ndarray]:
    """Five LibriVox readers (pocketsphinx-testdata) and two espeak-ng voices: seven meetings."""
    clips = [pcm_to_float32(read_audio_file(str(p))) for p in sorted(LIBRIVOX.glob("*.wav"))]
    assert len(clips) == 5
    spoken = [
        pcm_to_float32(speak("The quarterly report shows strong growth in the northern region.", "en-us")),
        pcm_to_float32(speak("Alice will send the budget to the finance team on Friday.", "en-gb-x-rp")),
    ]
    return clips + spoken


def same(alone: tuple[list[RecognizedSpan], str | None], batched: object) -> None:
    """Word for word, with the same times; scores equal up to float rounding."""
    assert not isinstance(batched, Exception), batched
    assert isinstance(batched, tuple)
    spans, language = batched
    assert language == alone[1]
    assert [(s.text, s.start_s, s.end_s) for s in spans] == [(s.text, s.start_s, s.end_s) for s in alone[0]]
    for a, b in zip(alone[0], spans, strict=True):
        assert b.avg_logprob == pytest.approx(a.avg_logprob, abs=1e-4)
        assert b.no_speech_prob == pytest.approx(a.no_speech_prob, abs=1e-4)
        assert b.compression_ratio == pytest.approx(a.compression_ratio, abs=1e-4)


def words(spans: list[RecognizedSpan]) -> list[str]:
    return re.findall(r"[a-z0-9']+", " ".join(s.text for s in spans).lower())


def test_windows_of_different_meetings_batched_read_as_one_by_one_in_order(model: WhisperTranscriber, recordings: list[np.ndarray]) -> None:
    # A window longer than Whisper's 30 s (two readers with a pause) goes through the seek too.
    pause = np.zeros(RATE, np.float32)
    long = np.concatenate([*recordings[:4], pause, *recordings[:4]])
    assert len(long) > 40 * RATE
    windows = [*recordings, long]
    alone = [model.transcribe(w) for w in windows]
    assert all(words(spans) for spans, _ in alone)
    assert len(alone[-1][0]) > 3 and alone[-1][0][-1].end_s > 35

    batched = model.transcribe_batch([WindowRequest(w) for w in windows])
    assert len(batched) == len(windows)
    for a, b in zip(alone, batched, strict=True):
        same(a, b)

    # Order is the caller's: the same windows reversed come back reversed.
    backwards = model.transcribe_batch([WindowRequest(w) for w in reversed(windows)])
    for a, b in zip(reversed(alone), backwards, strict=True):
        same(a, b)
    assert model.transcribe_batch([]) == []


def test_a_window_that_cannot_be_read_fails_alone(model: WhisperTranscriber, recordings: list[np.ndarray]) -> None:
    first, second = recordings[0], recordings[5]
    nan = first.copy()
    nan[100] = np.nan
    requests = [
        WindowRequest(first),
        WindowRequest(nan),
        WindowRequest(second.astype(np.float64)),
        WindowRequest(np.stack([second, second])),
        WindowRequest(second),
        WindowRequest(second.tolist()),
    ]
    results = model.transcribe_batch(requests)
    same(model.transcribe(first), results[0])
    same(model.transcribe(second), results[4])
    for i, reason in ((1, "1 samples that are NaN or infinite"), (2, "float32 .* not float64"),
                      (3, r"mono .* shaped \(2, "), (5, "numpy float32 array, not list")):
        assert isinstance(results[i], WindowAudioError), results[i]
        assert re.search(reason, str(results[i])), str(results[i])
    # The one-window path says the same.
    with pytest.raises(WindowAudioError, match="NaN"):
        model.transcribe(nan)


def test_silent_and_empty_windows_give_no_spans_beside_speech(model: WhisperTranscriber, recordings: list[np.ndarray]) -> None:
    rng = np.random.default_rng(7)
    silent = [np.zeros(5 * RATE, np.float32), np.zeros(0, np.float32),
              (rng.standard_normal(5 * RATE) * 0.02).astype(np.float32), np.zeros(45 * RATE, np.float32)]
    results = model.transcribe_batch([WindowRequest(w) for w in silent] + [WindowRequest(recordings[5])])
    for result in results[:4]:
        assert result == ([], "en")
    same(model.transcribe(recordings[5]), results[4])


def test_each_window_keeps_its_own_prompt_and_hotwords(model: WhisperTranscriber) -> None:
    sentence = pcm_to_float32(speak("We moved the Postgres replica into the Kubernetes cluster."))
    other = pcm_to_float32(speak("Priya will update the Figma mockups before the review.", "en-us+klatt"))
    glossary = "Priya, Figma, Postgres, Kubernetes."
    requests = [
        WindowRequest(sentence),
        WindowRequest(sentence, prompt=glossary),
        WindowRequest(sentence, prompt="we moved the postgres replica into the kubernetes cluster"),
        WindowRequest(sentence, hotwords="Postgres Kubernetes"),
        WindowRequest(other, prompt="Earlier: the design review is on Monday.", hotwords="Priya Figma"),
        WindowRequest(other),
    ]
    results = model.transcribe_batch(requests)
    for request, result in zip(requests, results, strict=True):
        same(model.transcribe(request.audio, prompt=request.prompt, hotwords=request.hotwords), result)
    texts = [" ".join(s.text for s in r[0]) for r in results if isinstance(r, tuple)]
    # The glossary reached the windows it was given to, and only those.
    assert "Kubernetes" not in texts[0] and "Kubernetes" in texts[1] and "Postgres" in texts[3]
    assert "kubernetes" in texts[2]
    assert len(set(texts[:4])) >= 3


def test_a_window_that_needs_the_temperature_fallback_does_not_disturb_the_others(
    model: WhisperTranscriber, recordings: list[np.ndarray]
) -> None:
    # Played at twice its speed, a reader fails the log-prob threshold at temperature 0: that
    # window alone is sampled again at rising temperatures (random, as in ``transcribe``).
    garbled = recordings[1][::2].copy()
    results = model.transcribe_batch([WindowRequest(recordings[2]), WindowRequest(garbled),
                                      WindowRequest(recordings[3])])
    same(model.transcribe(recordings[2]), results[0])
    same(model.transcribe(recordings[3]), results[2])
    assert isinstance(results[1], tuple) and results[1][1] == "en"


def test_a_multilingual_model_detects_each_windows_language(
    tmp_path: Path, recordings: list[np.ndarray]
) -> None:
    base = WhisperTranscriber(Settings(whisper_model=str(resolve_model_path("base", tmp_path))))
    assert not base.english_only
    german = pcm_to_float32(speak("Guten Morgen, wir besprechen heute das Budget für das nächste Quartal.", "de"))
    windows = [recordings[0], german, np.zeros(3 * RATE, np.float32)]
    results = base.transcribe_batch([WindowRequest(w) for w in windows])
    for window, result in zip(windows, results, strict=True):
        same(base.transcribe(window), result)
    english, german_result = results[0], results[1]
    assert isinstance(english, tuple) and english[1] == "en"
    assert isinstance(german_result, tuple) and german_result[1] == "de"
    assert "Morgen" in " ".join(s.text for s in german_result[0])
