"""Background processes with pid bookkeeping on disk, so another process (``make down``) stops them.

Each process runs in its own session/process group and is recorded as ``<run_dir>/<name>.json``.
Stopping signals the whole group, then SIGKILLs whatever is left after a timeout, and waits until
no member of the group is alive. Records carry the kernel start time of the process so a recycled
pid is never signalled by mistake.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path

from infra.errors import InfraError

__all__ = [
    "ProcessRecord",
    "ProcessRegistry",
    "free_ports",
    "log_tail",
    "process_alive",
]


def free_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """Return ``count`` distinct ports that were free on ``host`` a moment ago.

    All sockets stay bound until every port is chosen, so the same port is never handed out twice.
    """
    with ExitStack() as stack:
        ports: list[int] = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind((host, 0))
            ports.append(int(sock.getsockname()[1]))
        return ports


def log_tail(path: Path, max_chars: int = 4000) -> str:
    """The end of a log file, for error messages; empty if it cannot be read."""
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - max_chars))
            return fh.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def _proc_stat(pid: int) -> tuple[str, int, int] | None:
    """(state, pgrp, starttime) of a pid from /proc, or None if there is no such process."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    fields = raw[raw.rindex(")") + 2 :].split()
    return fields[0], int(fields[2]), int(fields[19])


def process_alive(pid: int, start_ticks: int | None = None) -> bool:
    """Whether ``pid`` runs (zombies count as dead) and, if given, started at ``start_ticks``."""
    stat = _proc_stat(pid)
    if stat is None or stat[0] in ("Z", "X"):
        return False
    return start_ticks is None or stat[2] == start_ticks


def _group_members(pgid: int) -> list[int]:
    """Live (non-zombie) pids whose process group is ``pgid``."""
    members: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        stat = _proc_stat(pid)
        if stat is not None and stat[1] == pgid and stat[0] not in ("Z", "X"):
            members.append(pid)
    return members


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


def _wait_group_gone(pgid: int, deadline: float) -> bool:
    while True:
        if not _group_members(pgid):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


@dataclass(frozen=True)
class ProcessRecord:
    """What is written to ``<run_dir>/<name>.json`` for one background process."""

    name: str
    pid: int
    start_ticks: int
    argv: list[str]
    log_path: str
    started_ns: int

    @property
    def alive(self) -> bool:
        return process_alive(self.pid, self.start_ticks)


class ProcessRegistry:
    """Start, find and stop named background processes recorded under ``run_dir``.

    Each process is the leader of a new session (``start_new_session=True``), so its pid is also
    its process group id and stopping it reaches any children it forked.
    """

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = Path(run_dir)
        # Handles of the processes this object started: polling them reaps the exit status, so
        # no zombie lingers and Popen does not warn "still running" when collected.
        self._children: dict[str, subprocess.Popen[bytes]] = {}

    def _collect(self, name: str) -> None:
        child = self._children.get(name)
        if child is not None and child.poll() is not None:
            del self._children[name]

    def _path(self, name: str) -> Path:
        if not name or "/" in name or name.startswith("."):
            raise InfraError(f"invalid process name {name!r}")
        return self.run_dir / f"{name}.json"

    def start_process(
        self,
        name: str,
        argv: Sequence[str],
        env: Mapping[str, str] | None = None,
        log_path: Path | None = None,
        cwd: Path | None = None,
    ) -> ProcessRecord:
        """Launch ``argv`` in the background and record it under ``name``.

        ``env`` is added to (not substituted for) the current environment. stdout and stderr go to
        ``log_path`` (appended; default ``<run_dir>/<name>.log``). A process already running under
        that name is an error: stop it first.
        """
        current = self.get(name)
        if current is not None and current.alive:
            raise InfraError(f"{name} is already running (pid {current.pid})")
        self.run_dir.mkdir(parents=True, exist_ok=True)
        log = Path(log_path) if log_path is not None else self.run_dir / f"{name}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        full_env = dict(os.environ)
        if env:
            full_env.update(env)
        with log.open("ab") as out:
            try:
                proc = subprocess.Popen(
                    list(argv),
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env=full_env,
                    cwd=cwd,
                    # Own session: Ctrl-C in the caller's terminal does not reach it, and
                    # killpg(pid) reaches everything it forks.
                    start_new_session=True,
                )
            except OSError as exc:
                raise InfraError(f"cannot start {name}: {argv[0]}: {exc}") from exc
        self._collect(name)
        self._children[name] = proc
        stat = _proc_stat(proc.pid)
        record = ProcessRecord(
            name=name,
            pid=proc.pid,
            start_ticks=stat[2] if stat else 0,
            argv=list(argv),
            log_path=str(log),
            started_ns=time.time_ns(),
        )
        tmp = self._path(name).with_suffix(".json.tmp")
        tmp.write_text(json.dumps(asdict(record), indent=2))
        tmp.replace(self._path(name))
        return record

    @staticmethod
    def deprioritise(pid: int, nice: int = 19) -> None:
        """Give ``pid``'s scheduling autogroup the nice value ``nice``.

        With ``kernel.sched_autogroup_enabled`` (the default on desktop and many server kernels)
        the CPU is shared fairly between autogroups, and every process started here has its own
        (its own session), so ``nice -n 19`` alone does not let a busier process go first: the
        group's nice does (sched(7), "The autogroup feature"). Best effort: nothing to do where the
        kernel has no autogroups.
        """
        try:
            Path(f"/proc/{pid}/autogroup").write_text(f"{nice}\n")
        except OSError:
            pass

    def get(self, name: str) -> ProcessRecord | None:
        """The record for ``name``, alive or not; None if nothing was ever recorded."""
        path = self._path(name)
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise InfraError(f"unreadable process record {path}: {exc}") from exc
        return ProcessRecord(**data)

    def records(self) -> list[ProcessRecord]:
        """All records, oldest first."""
        if not self.run_dir.is_dir():
            return []
        found = [self.get(p.stem) for p in self.run_dir.glob("*.json")]
        return sorted((r for r in found if r is not None), key=lambda r: r.started_ns)

    def is_running(self, name: str) -> bool:
        self._collect(name)
        record = self.get(name)
        return record is not None and record.alive

    def stop(self, name: str, timeout: float = 30.0, sig: signal.Signals = signal.SIGTERM) -> None:
        """Signal ``name``'s process group, SIGKILL it after ``timeout`` s, wait until it is gone.

        Removes the record. Stopping something that is not running only removes the record.
        """
        record = self.get(name)
        if record is None:
            return
        if record.alive:
            _signal_group(record.pid, sig)
            if not _wait_group_gone(record.pid, time.monotonic() + timeout):
                _signal_group(record.pid, signal.SIGKILL)
                if not _wait_group_gone(record.pid, time.monotonic() + 10.0):
                    raise InfraError(f"{name} (pgid {record.pid}) survived SIGKILL")
        else:
            # The leader may be gone while children it forked still hold the group.
            _signal_group(record.pid, signal.SIGKILL)
            _wait_group_gone(record.pid, time.monotonic() + 10.0)
        self._collect(name)
        self._path(name).unlink(missing_ok=True)

    def kill(self, name: str) -> None:
        """SIGKILL ``name``'s process group (a crash, for outage tests); keeps the record."""
        record = self.get(name)
        if record is None or not record.alive:
            return
        _signal_group(record.pid, signal.SIGKILL)
        if not _wait_group_gone(record.pid, time.monotonic() + 10.0):
            raise InfraError(f"{name} (pgid {record.pid}) survived SIGKILL")
        self._collect(name)

    def stop_all(self, timeout: float = 30.0) -> None:
        """Stop every recorded process, newest first (clients before the services they use)."""
        errors: list[str] = []
        for record in reversed(self.records()):
            try:
                self.stop(record.name, timeout=timeout)
            except InfraError as exc:
                errors.append(str(exc))
        if errors:
            raise InfraError("; ".join(errors))
