"""`vori team`: roster and glossary commands, and enrolment of voices that then name labels."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import psycopg
import pytest
from vori_testing import only_vori_env, silence, speak

from apps.cli import main as vori
from connectors.audio import pcm_to_float32
from connectors.postgres import connect, migrate
from connectors.roster_store import list_members
from connectors.voiceprint import voiceprint_of
from domain.naming import name_speakers


@pytest.fixture
def db(pg_database_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    migrate(pg_database_dsn)
    only_vori_env(monkeypatch, tmp_path / "state", pg_database_dsn)
    return pg_database_dsn


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = vori(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def write_wav(path: Path, pcm: np.ndarray) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16_000)
        w.writeframes(pcm.astype("<i2").tobytes())
    return path


def test_members_are_added_listed_and_removed(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "team", "member", "add", "--team", "acme", "--name", "Bob", "--alias", "Robert")[0] == 0
    assert run(capsys, "team", "member", "add", "--team", "acme", "--name", "Alice")[0] == 0
    assert run(capsys, "team", "member", "add", "--team", "other", "--name", "Zed")[0] == 0
    # the same person again (any case) adds aliases to the one member
    code, out, _ = run(capsys, "team", "member", "add", "--team", "acme", "--name", "bob", "--alias", "Bobby")
    assert code == 0 and "Bob aka Robert, Bobby" in out
    code, out, _ = run(capsys, "team", "member", "list", "--team", "acme")
    assert code == 0
    assert out.splitlines() == ["Alice\t-\t-", "Bob\tRobert,Bobby\t-"]
    code, out, _ = run(capsys, "team", "member", "remove", "--team", "acme", "--name", "Bob")
    assert code == 0 and "removed Bob" in out
    assert run(capsys, "team", "member", "list", "--team", "acme")[1].splitlines() == ["Alice\t-\t-"]
    code, _, err = run(capsys, "team", "member", "remove", "--team", "acme", "--name", "Bob")
    assert code == 1 and err == "vori team: acme has no member 'Bob'\n"


def test_tracker_logins_are_stored_and_merged(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "team", "member", "add", "--team", "acme", "--name", "Bob", "--tracker", "github=bob-gh")[0] == 0
    assert run(capsys, "team", "member", "add", "--team", "acme", "--name", "bob", "--tracker", "jira=bob@acme.test")[0] == 0
    with psycopg.connect(db) as conn:
        row = conn.execute("SELECT tracker_usernames FROM team_members WHERE team = 'acme'").fetchone()
    assert row == ({"github": "bob-gh", "jira": "bob@acme.test"},)
    with pytest.raises(SystemExit) as bad:
        run(capsys, "team", "member", "add", "--team", "acme", "--name", "Bob", "--tracker", "gitlab=bob")
    assert bad.value.code == 2


def test_glossary_terms_are_added_listed_and_removed(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "team", "glossary", "add", "--team", "acme", "Stripe", "Sentry", "Figma")
    assert code == 0 and out == "added 3 term(s) to acme\n"
    code, out, _ = run(capsys, "team", "glossary", "add", "--team", "acme", "stripe", "Kafka")
    assert code == 0 and out == "added 1 term(s) to acme, 1 already there\n"
    assert run(capsys, "team", "glossary", "list", "--team", "acme")[1].split() == [
        "Figma", "Kafka", "Sentry", "Stripe"]
    code, out, err = run(capsys, "team", "glossary", "remove", "--team", "acme", "figma", "Nope")
    assert code == 1 and out == "removed 1 term(s) from acme\n" and "not in the glossary: nope" in err
    assert run(capsys, "team", "glossary", "list", "--team", "acme")[1].split() == ["Kafka", "Sentry", "Stripe"]
    assert run(capsys, "team", "glossary", "list", "--team", "other")[1] == ""


def test_bad_input_is_one_line(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "team", "member", "add", "--team", "no team", "--name", "Bob")
    assert code == 2 and err.startswith("vori team: team 'no team'") and err.count("\n") == 1
    code, _, err = run(capsys, "team", "member", "add", "--team", "acme", "--name", "  ")
    assert code == 2 and err == "vori team: name must not be empty\n"
    code, _, err = run(capsys, "team", "member", "add", "--team", "acme", "--name", "Bob",
                       "--voice", str(tmp_path / "missing.wav"))
    assert code == 2 and err.startswith("vori team: no such file") and err.count("\n") == 1
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"not audio at all" * 10)
    code, _, err = run(capsys, "team", "member", "add", "--team", "acme", "--name", "Bob", "--voice", str(junk))
    assert code == 2 and err.startswith("vori team: cannot read the voice sample") and err.count("\n") == 1
    quiet = write_wav(tmp_path / "quiet.wav", silence(3.0))
    code, _, err = run(capsys, "team", "member", "add", "--team", "acme", "--name", "Bob", "--voice", str(quiet))
    assert code == 2 and "0.0 s of speech" in err
    assert run(capsys, "team", "member", "list", "--team", "acme")[1] == ""  # nothing half-stored


def test_a_database_that_is_down_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    only_vori_env(monkeypatch, tmp_path, "postgresql://nobody@127.0.0.1:1/none")
    code, _, err = run(capsys, "team", "member", "list", "--team", "acme")
    assert code == 1 and err.startswith("vori: ") and err.count("\n") == 1


BOB_VOICE, ALICE_VOICE = "en-us+klatt", "en-us+f3"
ENROL_TEXT = (
    "Hello, this is my voice sample for the team roster. I work on payments and the invoice "
    "service, and I usually join the Monday planning call."
)


def test_enrolled_voices_name_new_samples_of_the_same_people(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, voice in (("Bob", BOB_VOICE), ("Alice", ALICE_VOICE)):
        sample = write_wav(tmp_path / f"{name}.wav", speak(ENROL_TEXT, voice=voice))
        code, out, err = run(capsys, "team", "member", "add", "--team", "acme", "--name", name,
                             "--voice", str(sample))
        assert code == 0, err
        assert out == f"acme: {name} (voice enrolled)\n"
    assert run(capsys, "team", "member", "list", "--team", "acme")[1].splitlines() == [
        "Alice\t-\tvoice", "Bob\t-\tvoice"]
    with connect(db) as conn:
        members = [m.as_member() for m in list_members(conn, "acme")]
    # New words from each voice, as the diarization of a meeting would hear them.
    heard = {
        "S1": voiceprint_of(pcm_to_float32(speak(
            "I finished the staging deploy yesterday and the dashboards look fine now.", voice=ALICE_VOICE))),
        "S2": voiceprint_of(pcm_to_float32(speak(
            "Sure, I will update the invoice email template before Friday afternoon.", voice=BOB_VOICE))),
    }
    mapping = name_speakers([], members, voices=heard)
    assert {k: v.name for k, v in mapping.items()} == {"S1": "Alice", "S2": "Bob"}
    assert all(v.how == "voice" for v in mapping.values())
