"""`vori` finds the local stack through Settings alone, and says what went wrong in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from vori_testing import only_vori_env

from apps import send
from apps.cli import main as vori
from connectors.settings import format_env
from connectors.tokens import hash_token
from infra.procs import free_ports

ROOT = Path(__file__).resolve().parents[2]


def only_state_dir(monkeypatch: pytest.MonkeyPatch, state_dir: Path) -> None:
    only_vori_env(monkeypatch, state_dir)


def test_token_create_finds_the_stacks_database_in_stack_env(
    pg_database_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # What `vori up` leaves behind; the shell has nothing but VORI_STATE_DIR (not even that,
    # with the default .vori/).
    (tmp_path / "stack.env").write_text(format_env({"VORI_DATABASE_URL": pg_database_dsn}))
    only_state_dir(monkeypatch, tmp_path)
    assert vori(["db", "migrate"]) == 0
    assert "applied 0001_core.sql" in capsys.readouterr().out
    for role, prefix in (("producer", "vori_p_"), ("board", "vori_b_")):
        assert vori(["token", "create", "--team", "acme", "--role", role]) == 0
        token = capsys.readouterr().out.strip()
        assert token.startswith(prefix)
        with psycopg.connect(pg_database_dsn) as conn:
            row = conn.execute("SELECT team, role FROM api_tokens WHERE token_hash = %s",
                               (hash_token(token),)).fetchone()
        assert row == ("acme", role)


@pytest.mark.parametrize("argv", [["status"], ["db", "migrate"], ["send", "x.wav", "--meeting", "m"]])
def test_a_misspelt_setting_is_one_line_and_exit_2(
    argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    only_state_dir(monkeypatch, tmp_path)
    monkeypatch.setenv("VORI_INPUT_TAIL", "ture")
    assert vori(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("vori: VORI_INPUT_TAIL='ture' is not a valid bool") and err.count("\n") == 1


def test_python_m_apps_send_reports_a_bad_setting_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    only_state_dir(monkeypatch, tmp_path)
    monkeypatch.setenv("VORI_GATEWAY_PORT", "eighty")
    assert send.main(["x.wav", "--meeting", "m"]) == 2
    assert capsys.readouterr().err == "vori send: VORI_GATEWAY_PORT='eighty' is not a valid int\n"


@pytest.mark.parametrize("argv", [["db", "migrate"], ["token", "create", "--team", "acme", "--role", "board"]])
def test_an_unreachable_database_is_one_line_not_a_traceback(argv: list[str], tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VORI_")}
    env["VORI_STATE_DIR"] = str(tmp_path)
    env["VORI_DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:{free_ports(1)[0]}/vori"
    done = subprocess.run([sys.executable, "-m", "apps.cli", *argv], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith("vori: ") and done.stderr.count("\n") == 1, done.stderr
    assert "Connection refused" in done.stderr or "connection failed" in done.stderr
