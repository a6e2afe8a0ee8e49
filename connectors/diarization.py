"""Speaker embeddings for diarization: Resemblyzer's GE2E voice encoder, run in numpy.

The weights are the ``pretrained.pt`` that ships inside the ``resemblyzer`` wheel on PyPI
(Apache-2.0, 17 MB, a 3-layer LSTM over 40 mel bands, 256-d output). Nothing is downloaded:
the file is read from a path the caller gives or, failing that, from the installed
``resemblyzer`` package's folder (found without importing it, so neither torch nor librosa,
its declared dependencies, is needed: ``pip install --no-deps resemblyzer==0.1.4`` is enough).

The checkpoint is in torch's legacy (pre-1.6) serialization; :func:`load_torch_legacy` reads
it with :mod:`pickle` and numpy alone. The forward pass (mel filterbank, LSTM, linear, ReLU,
L2 norm, partial-utterance averaging) follows ``resemblyzer.VoiceEncoder.embed_utterance``, except
that partials are never zero-padded (see :func:`partial_slices`).
"""

from __future__ import annotations

import importlib.util
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt

RATE = 16_000
N_FFT = 400  # 25 ms
HOP = 160  # 10 ms
N_MELS = 40
PARTIAL_FRAMES = 160  # 1.6 s per partial utterance
PARTIALS_PER_SECOND = 1.3
EMBEDDING_SIZE = 256

F32 = npt.NDArray[np.float32]


class SpeakerModelError(RuntimeError):
    """The speaker-embedding weights cannot be found or read."""


# --- torch legacy checkpoint, without torch -------------------------------------------------

_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_STORAGE_DTYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ShortStorage": np.int16,
    "CharStorage": np.int8,
    "ByteStorage": np.uint8,
    "BoolStorage": np.bool_,
}


@dataclass
class _Storage:
    dtype: type
    numel: int
    data: npt.NDArray[Any] | None = None


@dataclass
class _LazyTensor:
    storage: _Storage
    offset: int
    size: tuple[int, ...]
    stride: tuple[int, ...]

    def materialize(self) -> npt.NDArray[Any]:
        assert self.storage.data is not None
        item = self.storage.data.itemsize
        base = self.storage.data[self.offset :]
        return np.lib.stride_tricks.as_strided(
            base, shape=self.size, strides=tuple(s * item for s in self.stride)
        ).copy()


class _StateDict(dict[str, Any]):
    """collections.OrderedDict as pickled by torch (which sets a ``_metadata`` attribute)."""


class _StorageType:
    def __init__(self, name: str) -> None:
        self.name = name


def _rebuild_tensor(
    storage: _Storage, offset: int, size: tuple[int, ...], stride: tuple[int, ...], *_: Any
) -> _LazyTensor:
    return _LazyTensor(storage, offset, tuple(size), tuple(stride))


class _Unpickler(pickle.Unpickler):
    def __init__(self, f: IO[bytes], storages: dict[str, _Storage]) -> None:
        super().__init__(f)
        self._storages = storages

    def find_class(self, module: str, name: str) -> Any:
        if module == "torch._utils" and name in ("_rebuild_tensor_v2", "_rebuild_tensor"):
            return _rebuild_tensor
        if module == "torch" and name in _STORAGE_DTYPES:
            return _StorageType(name)
        if module == "collections" and name == "OrderedDict":
            return _StateDict
        if module in ("builtins", "__builtin__") and name in ("set", "frozenset", "dict", "list", "tuple"):
            return super().find_class("builtins", name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a checkpoint")

    def persistent_load(self, pid: Any) -> Any:
        kind, storage_type, key, _location, numel, view = pid
        if kind != "storage" or view is not None:
            raise pickle.UnpicklingError(f"unsupported persistent id {pid!r}")
        if key not in self._storages:
            self._storages[key] = _Storage(_STORAGE_DTYPES[storage_type.name], int(numel))
        return self._storages[key]


def load_torch_legacy(path: Path) -> dict[str, Any]:
    """Read a torch checkpoint saved in the legacy (non-zip) format into numpy arrays.

    Only plain containers and tensors are accepted (no arbitrary classes), so loading a file
    cannot run code.
    """
    storages: dict[str, _Storage] = {}

    def materialize(obj: Any) -> Any:
        if isinstance(obj, _LazyTensor):
            return obj.materialize()
        if isinstance(obj, dict):
            return {k: materialize(v) for k, v in obj.items()}
        if isinstance(obj, list | tuple):
            return type(obj)(materialize(v) for v in obj)
        return obj

    with open(path, "rb") as f:
        plain = _Unpickler(f, {})
        if plain.load() != _LEGACY_MAGIC:
            raise SpeakerModelError(f"{path} is not a legacy torch checkpoint")
        _Unpickler(f, {}).load()  # protocol version
        _Unpickler(f, {}).load()  # sys info
        result = _Unpickler(f, storages).load()
        keys = _Unpickler(f, {}).load()
        for key in keys:
            st = storages[key]
            numel = int(np.frombuffer(f.read(8), dtype="<i8")[0])
            st.data = np.frombuffer(f.read(numel * np.dtype(st.dtype).itemsize), dtype=st.dtype)
    return dict(materialize(result))


# --- features -------------------------------------------------------------------------------


def _hz_to_mel(f: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    f_sp = 200.0 / 3
    mels = f / f_sp
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, np.log(6.4) / 27.0
    return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-10) / min_log_hz) / logstep, mels)


def _mel_to_hz(m: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    f_sp = 200.0 / 3
    freqs = f_sp * m
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, np.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), freqs)


def mel_filterbank() -> npt.NDArray[np.float64]:
    """librosa.filters.mel(sr=16000, n_fft=400, n_mels=40) (Slaney scale and area norm)."""
    fft_freqs = np.linspace(0, RATE / 2, 1 + N_FFT // 2)
    mel_f = _mel_to_hz(np.linspace(_hz_to_mel(np.array(0.0)), _hz_to_mel(np.array(RATE / 2.0)), N_MELS + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0, np.minimum(lower, upper))
    return weights * (2.0 / (mel_f[2:] - mel_f[:-2]))[:, None]


_MEL = mel_filterbank()
_WINDOW = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)  # periodic Hann


def mel_spectrogram(wav: F32) -> F32:
    """Power mel spectrogram (not log), frames x 40, as librosa.feature.melspectrogram(center=True)."""
    padded = np.pad(wav.astype(np.float64), N_FFT // 2)
    n = 1 + (len(padded) - N_FFT) // HOP
    frames = np.lib.stride_tricks.as_strided(
        padded, shape=(n, N_FFT), strides=(padded.strides[0] * HOP, padded.strides[0])
    )
    power = np.abs(np.fft.rfft(frames * _WINDOW, axis=1)) ** 2
    return np.asarray(power @ _MEL.T, dtype=np.float32)


def partial_slices(n_frames: int) -> list[slice]:
    """Mel-frame slices of the 1.6 s partial utterances, 1.3 a second, the last one ending at the
    turn's end. Unlike resemblyzer's compute_partial_slices, nothing is zero-padded: a turn
    shorter than 1.6 s is one shorter partial (the LSTM takes any length), and trailing silence
    never reaches the LSTM's final state, which is the embedding (padding short turns with
    zeros made them look like a new speaker; bench/diarization.py)."""
    if n_frames <= PARTIAL_FRAMES:
        return [slice(0, n_frames)]
    step = int(np.round((RATE / PARTIALS_PER_SECOND) / HOP))
    starts = list(range(0, n_frames - PARTIAL_FRAMES + 1, step))
    if starts[-1] != n_frames - PARTIAL_FRAMES:
        starts.append(n_frames - PARTIAL_FRAMES)
    return [slice(a, a + PARTIAL_FRAMES) for a in starts]


# --- the encoder ----------------------------------------------------------------------------


def _sigmoid(x: F32) -> F32:
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * x)), dtype=np.float32)


def default_weights_path() -> Path:
    """``pretrained.pt`` inside the installed ``resemblyzer`` package (not imported)."""
    spec = importlib.util.find_spec("resemblyzer")
    if spec is None or not spec.submodule_search_locations:
        raise SpeakerModelError(
            "speaker-embedding weights not found: install them with "
            "'pip install --no-deps resemblyzer==0.1.4' or configure a path to pretrained.pt"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "pretrained.pt"


class VoiceEncoder:
    """Speaker embeddings of 16 kHz mono float32 speech, deterministic and torch-free."""

    def __init__(self, weights: Path | str | None = None) -> None:
        path = Path(weights) if weights is not None else default_weights_path()
        if not path.is_file():
            raise SpeakerModelError(f"speaker-embedding weights not found at {path}")
        state = load_torch_legacy(path)
        state = state.get("model_state", state)
        self._layers: list[tuple[F32, F32, F32]] = []
        for k in range(3):
            w_ih = np.ascontiguousarray(state[f"lstm.weight_ih_l{k}"].T, dtype=np.float32)
            w_hh = np.ascontiguousarray(state[f"lstm.weight_hh_l{k}"].T, dtype=np.float32)
            bias = (state[f"lstm.bias_ih_l{k}"] + state[f"lstm.bias_hh_l{k}"]).astype(np.float32)
            self._layers.append((w_ih, w_hh, bias))
        self._linear_w = np.ascontiguousarray(state["linear.weight"].T, dtype=np.float32)
        self._linear_b = state["linear.bias"].astype(np.float32)

    def _forward(self, mels: F32) -> F32:
        """(batch, frames, 40) -> (batch, 256) L2-normed partial embeddings."""
        x = mels
        batch, frames, _ = x.shape
        h = np.zeros((batch, 256), dtype=np.float32)
        for w_ih, w_hh, bias in self._layers:
            hidden = w_hh.shape[0]
            pre = (x.reshape(batch * frames, -1) @ w_ih + bias).reshape(batch, frames, 4 * hidden)
            h = np.zeros((batch, hidden), dtype=np.float32)
            c = np.zeros((batch, hidden), dtype=np.float32)
            outs = np.empty((batch, frames, hidden), dtype=np.float32)
            for t in range(frames):
                g = pre[:, t] + h @ w_hh
                i, f, gg, o = np.split(g, 4, axis=1)  # torch's gate order
                c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(gg)
                h = _sigmoid(o) * np.tanh(c)
                outs[:, t] = h
            x = outs
        raw = np.maximum(h @ self._linear_w + self._linear_b, 0.0)
        norm = np.linalg.norm(raw, axis=1, keepdims=True)
        return np.asarray(raw / np.maximum(norm, 1e-12), dtype=np.float32)

    def embed(self, pcm: F32) -> F32:
        """One L2-normed 256-d embedding of a speech turn (16 kHz mono float32 in [-1, 1])."""
        return mean_embedding(self.partials(pcm)[0])

    def partials(self, pcm: F32) -> tuple[F32, list[tuple[int, int]]]:
        """The L2-normed embeddings of a stretch of speech's 1.6 s partial utterances
        (:func:`partial_slices`) and the sample range each covers: a voice's embedding about
        every 0.77 s, for finding where the voice changes. Their normed mean is :meth:`embed`."""
        wav = np.asarray(pcm, dtype=np.float32).reshape(-1)
        if len(wav) == 0:
            raise ValueError("cannot embed an empty turn")
        mel = mel_spectrogram(wav)
        slices = partial_slices(len(mel))
        spans = [(int(s.start) * HOP, min(len(wav), int(s.stop) * HOP)) for s in slices]
        return self._forward(np.stack([mel[s] for s in slices])), spans


def mean_embedding(partials: F32) -> F32:
    """The normed mean of partial embeddings: one turn's embedding."""
    mean = np.asarray(partials, dtype=np.float32).mean(axis=0)
    return np.asarray(mean / max(float(np.linalg.norm(mean)), 1e-12), dtype=np.float32)
