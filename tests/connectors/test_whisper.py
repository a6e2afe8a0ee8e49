"""The faster-whisper adapter with the bundled models: offline, one load per process, no hallucinations."""

from __future__ import annotations

import numpy as np
import pytest
from vori_testing import speak, wer

from connectors.audio import pcm_to_float32
from connectors.settings import Settings
from connectors.whisper import WhisperError, WhisperTranscriber, resolve_model_path
from domain.vocabulary import hotwords

SENTENCE = "The quarterly report shows strong growth in the northern region."


def test_tiny_en_transcribes_speech_and_is_loaded_once():
    a = WhisperTranscriber(Settings())
    b = WhisperTranscriber(Settings())
    assert a._model is b._model
    spans, language = a.transcribe(pcm_to_float32(speak(SENTENCE)))
    assert language == "en"
    assert wer(SENTENCE, " ".join(s.text for s in spans)) <= 0.2


def test_silence_and_noise_give_no_text():
    model = WhisperTranscriber(Settings())
    rng = np.random.default_rng(1)
    for audio in (np.zeros(16000 * 5, np.float32), (rng.standard_normal(16000 * 5) * 0.02).astype(np.float32)):
        spans, _ = model.transcribe(audio)
        assert spans == []


def test_base_is_assembled_from_its_two_packages_once(tmp_path):
    path = resolve_model_path("base", tmp_path)
    assert (path / "model.bin").stat().st_size > 100_000_000
    mtime = (path / "model.bin").stat().st_mtime_ns
    assert resolve_model_path("base", tmp_path) == path
    assert (path / "model.bin").stat().st_mtime_ns == mtime  # not rebuilt
    model = WhisperTranscriber(Settings(whisper_model=str(path), language="en"))
    spans, _ = model.transcribe(pcm_to_float32(speak(SENTENCE)))
    assert wer(SENTENCE, " ".join(s.text for s in spans)) <= 0.2


def test_unknown_model_names_say_nothing_is_downloaded(tmp_path):
    with pytest.raises(WhisperError, match="nothing is downloaded"):
        resolve_model_path("large-v3", tmp_path)



def test_a_teams_hints_keep_the_transcript_punctuated():
    # The minutes rules and the naming read sentences, questions and names set off by commas:
    # a team's glossary given as hints must not cost the live (5 s) windows their punctuation.
    model = WhisperTranscriber(Settings())
    lines = {"Let's keep this short. The signup emails are landing in spam.": "en-us+klatt",
             "Jess, could you look into that this week?": "en-us+f3",
             "Yep, I'll dig into it today.": "en-us+m7",
             "Kai, please rewrite the CSV export too, it times out on big accounts.": "en-us+klatt",
             "I plan to migrate the cron jobs to the new scheduler by Thursday.": "en-us+f5",
             "Nora, can you set up alerts for the staging cluster?": "en-us+klatt",
             "Sure, I'll do it.": "en-us+m3"}
    audio = pcm_to_float32(np.concatenate([speak(line, voice) for line, voice in lines.items()]))
    hints = hotwords(["Jess", "Kai", "Nora", "Omar"], ["Acme", "CSV", "Jenkins", "SPF"])

    def live(**kw: str) -> str:
        return " ".join(s.text for at in range(0, len(audio), 5 * 16000)
                        for s in model.transcribe(audio[at : at + 5 * 16000], **kw)[0])

    def marks(text: str) -> int:
        return sum(text.count(c) for c in ",.?")

    plain, hinted = live(), live(hotwords=hints)
    assert "CSV" in hinted
    assert marks(hinted) >= marks(plain) >= 6, (plain, hinted)
