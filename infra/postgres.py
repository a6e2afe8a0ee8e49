"""A private PostgreSQL cluster from Debian's server binaries, on a loopback port, in one folder.

PostgreSQL refuses to run as root, so when we are root the cluster belongs to the ``postgres``
system user and every server command runs through ``runuser``. The cluster listens on 127.0.0.1
only, keeps its unix socket inside its own directory and trusts loopback connections: it is a
developer and test database, never a shared one.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import stat
import subprocess
import time
from pathlib import Path

import psycopg
from psycopg import sql

from infra.errors import InfraError
from infra.procs import free_ports, log_tail, process_alive

__all__ = ["LocalPostgres", "find_bindir"]

_SETTINGS_FILE = "vori.conf"
_SERVER_USER = "postgres"
_INSTALL_HINT = "install the server with: apt-get install -y postgresql"


def find_bindir() -> Path:
    """The folder with ``initdb``/``pg_ctl``; the newest Debian major version wins."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    pg_config = shutil.which("pg_config")
    if pg_config:
        # pg_config also comes with libpq-dev alone, so its bindir is checked for initdb too.
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if out.returncode == 0 and out.stdout.strip():
            candidates.append(Path(out.stdout.strip()))
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    raise InfraError(f"PostgreSQL server binaries (initdb, pg_ctl) not found; {_INSTALL_HINT}")


def _ensure_server_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(_SERVER_USER)
    except KeyError:
        pass
    # Debian's postgresql package creates this user; a bare install of the binaries may not.
    done = subprocess.run(
        [
            "useradd",
            "--system",
            "--user-group",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
            _SERVER_USER,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise InfraError(f"cannot create system user {_SERVER_USER!r}: {done.stderr.strip()}")
    return pwd.getpwnam(_SERVER_USER)


class LocalPostgres:
    """One PostgreSQL cluster whose data directory is ``data_dir``.

    The port is chosen on first start (unless given) and kept in ``data_dir/vori.conf``.
    ``fsync=False`` trades crash safety for speed and is meant for test sessions only.
    """

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        fsync: bool = True,
        database: str = "vori",
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.fsync = fsync
        self.database = database
        self._port = port if port is not None else self._stored_port()
        self._bindir: Path | None = None

    # -- paths and identity ------------------------------------------------------------------

    @property
    def log_path(self) -> Path:
        return self.data_dir / "postgresql.log"

    @property
    def port(self) -> int:
        if self._port is None:
            raise InfraError(f"PostgreSQL in {self.data_dir} was never started: no port yet")
        return self._port

    def dsn(self, dbname: str | None = None) -> str:
        """A libpq URI for ``dbname`` (default: the stack's database) as superuser ``postgres``."""
        return f"postgresql://{_SERVER_USER}@127.0.0.1:{self.port}/{dbname or self.database}"

    @property
    def pid(self) -> int | None:
        """The postmaster's pid while it runs."""
        try:
            pid = int((self.data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None
        return pid if process_alive(pid) else None

    def _stored_port(self) -> int | None:
        try:
            text = (self.data_dir / _SETTINGS_FILE).read_text()
        except OSError:
            return None
        match = re.search(r"^port = (\d+)$", text, re.MULTILINE)
        return int(match.group(1)) if match else None

    # -- running server commands -------------------------------------------------------------

    def _bin(self, tool: str) -> str:
        if self._bindir is None:
            self._bindir = find_bindir()
        return str(self._bindir / tool)

    def _run(self, argv: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
        if os.geteuid() == 0:
            argv = ["runuser", "-u", _SERVER_USER, "--", *argv]
        try:
            return subprocess.run(
                argv,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
                # The server user may not be able to read our working directory.
                cwd="/",
                # pg_ctl's postmaster inherits this session: away from our terminal's signals.
                start_new_session=True,
            )
        except subprocess.TimeoutExpired as exc:
            raise InfraError(
                f"{argv[0]} did not finish within {timeout:.0f} s: {' '.join(argv)}"
            ) from exc

    def _check(self, done: subprocess.CompletedProcess[str], what: str) -> None:
        if done.returncode != 0:
            raise InfraError(
                f"{what} failed (exit {done.returncode}):\n{(done.stdout + done.stderr)[-3000:]}"
                f"\n--- {self.log_path} (tail) ---\n{log_tail(self.log_path, 3000)}"
            )

    def _chown(self, path: Path) -> None:
        if os.geteuid() == 0:
            user = _ensure_server_user()
            os.chown(path, user.pw_uid, user.pw_gid)

    def _check_traversable(self) -> None:
        """Fail early, with a reason, when the server user cannot reach the data directory."""
        if os.geteuid() != 0:
            return
        user = _ensure_server_user()
        groups = {g for g in os.getgrouplist(user.pw_name, user.pw_gid)}
        for parent in self.data_dir.parents:
            st = parent.stat()
            ok = (
                (st.st_uid == user.pw_uid and st.st_mode & stat.S_IXUSR)
                or (st.st_gid in groups and st.st_mode & stat.S_IXGRP)
                or st.st_mode & stat.S_IXOTH
            )
            if not ok:
                raise InfraError(
                    f"user {_SERVER_USER!r} cannot traverse {parent} "
                    f"(mode {stat.filemode(st.st_mode)}) "
                    f"to reach {self.data_dir}; put the cluster elsewhere or `chmod o+x {parent}`"
                )

    # -- lifecycle ---------------------------------------------------------------------------

    def is_running(self) -> bool:
        if not (self.data_dir / "PG_VERSION").is_file():
            return False
        return (
            self._run([self._bin("pg_ctl"), "status", "-D", str(self.data_dir)], 30).returncode == 0
        )

    def _init_cluster(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._check_traversable()
        if any(self.data_dir.iterdir()):
            raise InfraError(f"{self.data_dir} is not empty and holds no PostgreSQL cluster")
        self._chown(self.data_dir)
        self.data_dir.chmod(0o700)
        argv = [
            self._bin("initdb"),
            "-D",
            str(self.data_dir),
            "-U",
            _SERVER_USER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        ]
        if not self.fsync:
            argv.append("--no-sync")
        self._check(self._run(argv, 180), "initdb")
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write(f"\ninclude '{_SETTINGS_FILE}'\n")

    def _write_settings(self) -> None:
        settings = [
            "# Written by infra.postgres.LocalPostgres on every start.",
            "listen_addresses = '127.0.0.1'",
            f"port = {self.port}",
            # Inside the cluster's own 0700 directory: no other local user reaches the socket.
            f"unix_socket_directories = '{self.data_dir}'",
            f"fsync = {'on' if self.fsync else 'off'}",
            f"synchronous_commit = {'on' if self.fsync else 'off'}",
            f"full_page_writes = {'on' if self.fsync else 'off'}",
            "max_connections = 200",
            "shared_buffers = 128MB",
            "log_line_prefix = '%m [%p] %q%u@%d '",
        ]
        path = self.data_dir / _SETTINGS_FILE
        path.write_text("\n".join(settings) + "\n")
        self._chown(path)

    def _wait_ready(self, deadline: float) -> None:
        last = ""
        while True:
            try:
                with psycopg.connect(self.dsn("postgres"), connect_timeout=2):
                    return
            except psycopg.OperationalError as exc:
                last = str(exc).strip()
            if time.monotonic() >= deadline:
                raise InfraError(
                    f"PostgreSQL at 127.0.0.1:{self.port} not ready: {last}\n"
                    f"--- {self.log_path} (tail) ---\n{log_tail(self.log_path, 3000)}"
                )
            time.sleep(0.1)

    def start(self, timeout: float = 60.0) -> str:
        """Initialise (first time), start and wait for the cluster, create the database; its DSN.

        Starting a running cluster only checks it and the database.
        """
        deadline = time.monotonic() + timeout
        if not (self.data_dir / "PG_VERSION").is_file():
            self._init_cluster()
        if not self.is_running():
            if self._port is None:
                self._port = free_ports(1)[0]
            self._write_settings()
            if not self.log_path.exists():
                self.log_path.touch()
                self._chown(self.log_path)
            done = self._run(
                [
                    self._bin("pg_ctl"),
                    "start",
                    "-D",
                    str(self.data_dir),
                    "-l",
                    str(self.log_path),
                    "-w",
                    "-t",
                    str(max(1, int(deadline - time.monotonic()))),
                ],
                timeout + 10,
            )
            self._check(done, "pg_ctl start")
        self._wait_ready(deadline)
        self.create_database(self.database)
        return self.dsn()

    def stop(self, mode: str = "fast", timeout: float = 60.0) -> None:
        """Stop the cluster and wait (``mode``: smart, fast or immediate, as ``pg_ctl -m``)."""
        if not self.is_running():
            return
        done = self._run(
            [
                self._bin("pg_ctl"),
                "stop",
                "-D",
                str(self.data_dir),
                "-m",
                mode,
                "-w",
                "-t",
                str(int(timeout)),
            ],
            timeout + 10,
        )
        self._check(done, "pg_ctl stop")

    # -- databases ---------------------------------------------------------------------------

    def create_database(self, name: str, template: str | None = None) -> None:
        """Create database ``name`` if it does not exist yet, optionally as a copy of ``template``.

        A template that already holds the migrated schema makes a fresh database per test cheap.
        """
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            statement = sql.SQL("{} TEMPLATE {}").format(statement, sql.Identifier(template))
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
            ).fetchone()
            if exists is None:
                try:
                    conn.execute(statement)
                except psycopg.errors.DuplicateDatabase:
                    pass  # created concurrently by another caller

    def drop_database(self, name: str) -> None:
        """Drop database ``name`` if it exists, disconnecting whoever still uses it."""
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def __enter__(self) -> LocalPostgres:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
