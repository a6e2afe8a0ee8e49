"""Installs come from hashes: requirements.lock pins constraints.txt's versions, each with its
SHA-256 sums, and `make install` and the image install from it only."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _lock() -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) from requirements.lock."""
    text = (ROOT / "requirements.lock").read_text().replace("\\\n", " ")
    entries: dict[str, tuple[str, list[str]]] = {}
    for line in text.splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;]+)(.*)$", line)
        if m:
            hashes = re.findall(r"--hash=sha256:([0-9a-f]{64})", m.group(3))
            entries[_norm(m.group(1))] = (m.group(2), hashes)
    return entries


def test_lock_pins_the_constraints_with_hashes() -> None:
    constraints = {
        _norm(name): version
        for name, _, version in (
            line.strip().partition("==")
            for line in (ROOT / "constraints.txt").read_text().splitlines()
            if "==" in line
        )
    }
    lock = _lock()
    assert {name: version for name, (version, _) in lock.items()} == constraints
    unhashed = [name for name, (_, hashes) in lock.items() if not hashes]
    assert unhashed == []
    # The build backend is in the lock too: the project is built without fetching anything else.
    assert "setuptools" in lock


def test_installs_require_hashes() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet --require-hashes -r $(LOCK)" in makefile
    assert "--no-deps --no-build-isolation -e ." in makefile
    assert re.search(r"^lock:", makefile, re.MULTILINE)
    assert "--generate-hashes" in makefile
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "--require-hashes -r requirements.lock" in dockerfile
    # No install step resolves names against the index on its own.
    for text in (makefile, dockerfile):
        for line in text.splitlines():
            if "pip install" in line:
                assert "--require-hashes" in line or "--no-deps" in line, line
