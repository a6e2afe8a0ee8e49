"""The speaker-embedding adapter: torch-free checkpoint loading, features, and real voices."""

from __future__ import annotations

import collections
import io
import os
import pickle
import sys
import types
from pathlib import Path

import numpy as np
import pytest
from vori_testing import speak

from connectors.audio import pcm_to_float32
from connectors.diarization import (
    HOP,
    PARTIAL_FRAMES,
    SpeakerModelError,
    VoiceEncoder,
    load_torch_legacy,
    mel_spectrogram,
    partial_slices,
)


def _legacy_checkpoint(path: Path, tensors: dict[str, np.ndarray], monkeypatch: pytest.MonkeyPatch) -> None:
    """Write ``{"model_state": OrderedDict(tensors)}`` as torch's legacy format would, without torch."""
    torch = types.ModuleType("torch")
    utils = types.ModuleType("torch._utils")

    def _rebuild_tensor_v2(*args):  # pragma: no cover - only referenced by name
        raise AssertionError

    class FloatStorage:
        pass

    _rebuild_tensor_v2.__module__ = "torch._utils"
    _rebuild_tensor_v2.__qualname__ = "_rebuild_tensor_v2"
    FloatStorage.__module__ = "torch"
    FloatStorage.__qualname__ = "FloatStorage"
    utils._rebuild_tensor_v2 = _rebuild_tensor_v2  # type: ignore[attr-defined]
    torch._utils = utils  # type: ignore[attr-defined]
    torch.FloatStorage = FloatStorage  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "torch", torch)
    monkeypatch.setitem(sys.modules, "torch._utils", utils)

    class Ref:
        def __init__(self, key: str, arr: np.ndarray) -> None:
            self.key, self.arr = key, arr

    class Tensor:
        def __init__(self, ref: Ref) -> None:
            self.ref = ref

        def __reduce__(self):
            a = self.ref.arr
            strides = tuple(s // a.itemsize for s in a.strides)
            return (_rebuild_tensor_v2, (self.ref, 0, a.shape, strides, False, collections.OrderedDict()))

    refs = {
        name: Ref(str(i), np.ascontiguousarray(a, dtype=np.float32))
        for i, (name, a) in enumerate(tensors.items())
    }

    class P(pickle.Pickler):
        def persistent_id(self, obj):
            if isinstance(obj, Ref):
                return ("storage", FloatStorage, obj.key, "cpu", obj.arr.size, None)
            return None

    buf = io.BytesIO()
    for header in (0x1950A86A20F9469CFC6C, 1001, {"little_endian": True}):
        pickle.dump(header, buf, protocol=2)
    P(buf, protocol=2).dump({"model_state": collections.OrderedDict((n, Tensor(r)) for n, r in refs.items())})
    pickle.dump([r.key for r in refs.values()], buf, protocol=2)
    for r in refs.values():
        buf.write(np.int64(r.arr.size).tobytes())
        buf.write(r.arr.tobytes())
    path.write_bytes(buf.getvalue())


def test_legacy_checkpoint_loads_without_torch(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    tensors = {"a": rng.normal(size=(3, 4)), "b": rng.normal(size=5), "c": rng.normal(size=(2, 3)).T}
    path = tmp_path / "ckpt.pt"
    _legacy_checkpoint(path, tensors, monkeypatch)
    monkeypatch.delitem(sys.modules, "torch")
    monkeypatch.delitem(sys.modules, "torch._utils")
    state = load_torch_legacy(path)["model_state"]
    assert set(state) == {"a", "b", "c"}
    for name, arr in tensors.items():
        np.testing.assert_array_equal(state[name], arr.astype(np.float32))


def test_a_checkpoint_naming_other_classes_is_refused(tmp_path):
    path = tmp_path / "evil.pt"
    with open(path, "wb") as f:
        for header in (0x1950A86A20F9469CFC6C, 1001, {}):
            pickle.dump(header, f)
        pickle.dump(os.system, f)
    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        load_torch_legacy(path)


def test_missing_weights_say_how_to_get_them(tmp_path):
    with pytest.raises(SpeakerModelError, match="not found"):
        VoiceEncoder(tmp_path / "nope.pt")


def test_partials_cover_the_turn_without_padding():
    assert partial_slices(50) == [slice(0, 50)]
    assert partial_slices(PARTIAL_FRAMES) == [slice(0, PARTIAL_FRAMES)]
    slices = partial_slices(500)
    assert slices[0].start == 0 and slices[-1].stop == 500
    assert all(s.stop - s.start == PARTIAL_FRAMES for s in slices)


def test_mel_spectrogram_shape_and_energy():
    t = np.arange(16000) / 16000
    tone = (0.1 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    mel = mel_spectrogram(tone)
    assert mel.shape == (1 + 16000 // HOP, 40)
    assert mel.dtype == np.float32
    assert int(np.argmax(mel[50])) == int(np.argmax(mel.mean(axis=0)))  # one steady band
    assert float(mel_spectrogram(np.zeros(16000, np.float32)).max()) == 0.0


def test_same_voice_is_closer_than_another_voice():
    enc = VoiceEncoder()
    texts = [
        "We should ship the release on Friday after the last review.",
        "The database migration is blocked until the backup finishes tonight.",
    ]
    e = {
        (v, i): enc.embed(pcm_to_float32(speak(t, voice=v)))
        for v in ("en-us+klatt", "en-us+f3")
        for i, t in enumerate(texts)
    }
    for emb in e.values():
        assert emb.shape == (256,)
        assert float(np.linalg.norm(emb)) == pytest.approx(1.0, abs=1e-5)
    same = min(
        float(e[("en-us+klatt", 0)] @ e[("en-us+klatt", 1)]), float(e[("en-us+f3", 0)] @ e[("en-us+f3", 1)])
    )
    cross = max(float(e[("en-us+klatt", i)] @ e[("en-us+f3", j)]) for i in range(2) for j in range(2))
    assert same > 0.85
    assert same > cross + 0.15
    again = VoiceEncoder().embed(pcm_to_float32(speak(texts[0], voice="en-us+klatt")))
    np.testing.assert_array_equal(again, e[("en-us+klatt", 0)])  # deterministic
