"""Transcribe the same audio on CUDA float16 and CPU int8 and print RTF and WER for each."""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from speech import librivox_clips

from connectors.audio import pcm_to_float32, read_audio_file
from connectors.settings import Settings
from connectors.whisper import _MODELS, WhisperTranscriber


def wer(ref: str, hyp: str) -> float:
    import jiwer

    norm = jiwer.Compose([jiwer.ToLowerCase(), jiwer.RemovePunctuation(), jiwer.RemoveMultipleSpaces(),
                          jiwer.Strip(), jiwer.ReduceToListOfListOfWords()])
    return float(jiwer.wer(ref, hyp, reference_transform=norm, hypothesis_transform=norm))


def main() -> None:
    import ctranslate2

    clips = [(pcm_to_float32(read_audio_file(str(p))), ref) for p, ref in librivox_clips()]
    audio_s = sum(len(a) for a, _ in clips) / 16000
    devices = [("cpu", "int8")]
    if ctranslate2.get_cuda_device_count() > 0:
        devices.insert(0, ("cuda", "float16"))
    for model in ("tiny.en", "base"):
        for device, compute in devices:
            _MODELS.clear()
            w = WhisperTranscriber(Settings(whisper_model=model, whisper_device=device,
                                            whisper_compute_type=compute, language="en"))
            w.transcribe(clips[0][0])  # warm-up
            start = time.monotonic()
            hyps = [" ".join(s.text for s in w.transcribe(a)[0]) for a, _ in clips]
            took = time.monotonic() - start
            ref = " ".join(r for _, r in clips)
            print(f"{model:8} {device:4} {compute:8} RTF {took / audio_s:.4f}  WER {wer(ref, ' '.join(hyps)):.3f}"
                  f"  ({audio_s:.0f} s of LibriVox speech)")


if __name__ == "__main__":
    main()
