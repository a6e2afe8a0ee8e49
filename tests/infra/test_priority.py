"""Background processes (the Spark jobs, the refine flow) must never take the CPU from the live flow.

Where the kernel groups processes by session for scheduling (autogroups), ``nice`` alone does not
reach across sessions, and every process the stack starts has its own; the group's nice does.
"""

from __future__ import annotations

import sys
from pathlib import Path

from infra.procs import ProcessRegistry


def _autogroup_nice(pid: int) -> int | None:
    try:
        text = Path(f"/proc/{pid}/autogroup").read_text()  # "/autogroup-123 nice 19"
    except OSError:
        return None
    return int(text.split("nice")[1])


def test_a_background_process_gets_its_autogroup_lowered(tmp_path: Path) -> None:
    registry = ProcessRegistry(tmp_path / "run")
    record = registry.start_process("sleeper", [sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        before = _autogroup_nice(record.pid)
        if before is None:
            # No autogroups on this kernel: nice alone orders the processes, and nothing is written.
            ProcessRegistry.deprioritise(record.pid)
            assert _autogroup_nice(record.pid) is None
            return
        assert before == 0  # its own session, its own group, at the default
        ProcessRegistry.deprioritise(record.pid)
        assert _autogroup_nice(record.pid) == 19
    finally:
        registry.stop("sleeper")
