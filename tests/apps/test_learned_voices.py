"""Voices learned from a team's meetings: a person's naming on the board (or a confident naming
from the conversation) teaches the label's voice to the member, and later meetings of the team
are named by it; an enrolled voice always wins; forgetting and removing work."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
import pytest
from fastapi.testclient import TestClient
from vori_testing import only_vori_env

from apps.board import create_app
from apps.cli import main as vori
from connectors.postgres import connect, migrate
from connectors.roster_store import (
    SpeakerRow,
    add_member,
    forget_learned,
    list_members,
    meeting_speakers,
    remove_member,
    rename_speaker,
    save_label_voices,
)
from connectors.settings import Settings
from connectors.tokens import create_token
from connectors.voiceprint import VOICE_MODEL
from domain.minutes import Utterance
from flows.team_context import SpeakerNamer, TeamContexts

pytestmark = pytest.mark.timeout(60)

RNG = np.random.default_rng(5)
CAROL, BOB, ALICE = (RNG.normal(size=256) for _ in range(3))
QUIET = [Utterance("S1", "Let's look at the numbers.", 0, 3000), Utterance("S2", "They look fine.", 4000, 7000)]


def near(v: np.ndarray) -> tuple[np.ndarray, float]:
    return v + 0.15 * RNG.normal(size=v.size), 20.0


@pytest.fixture
def dsn(pg_database_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    migrate(pg_database_dsn)
    only_vori_env(monkeypatch, tmp_path / "state", pg_database_dsn)
    with psycopg.connect(pg_database_dsn, autocommit=True) as conn:
        for m in ("m-1", "m-2", "m-3"):
            conn.execute("INSERT INTO meetings (meeting_id, team, title) VALUES (%s, 'acme', 'sync')", (m,))
    with connect(pg_database_dsn) as conn:
        for name in ("Alice", "Bob", "Carol"):
            add_member(conn, team="acme", name=name)
        conn.commit()
    return pg_database_dsn


@pytest.fixture
def roster_page(dsn: str) -> Iterator[Callable[[], dict[str, Any]]]:
    """The board's roster (GET /api/team/members) by member name."""
    auth = {"Authorization": f"Bearer {create_token(dsn, team='acme', role='board')}"}
    with TestClient(create_app(Settings(database_url=dsn))) as client:
        yield lambda: {m["name"]: m for m in client.get("/api/team/members", headers=auth).json()}


def voices(dsn: str, meeting: str, **by_label: tuple[np.ndarray, float]) -> None:
    with connect(dsn) as conn:
        save_label_voices(conn, team="acme", meeting_id=meeting, model=VOICE_MODEL, voices=by_label)
        conn.commit()


def named_rows(dsn: str, meeting: str) -> list[SpeakerRow]:
    with connect(dsn) as conn:
        return meeting_speakers(conn, "acme", meeting)


def named(dsn: str, meeting: str) -> dict[str, tuple[str, str]]:
    return {r.label: (r.name, r.how) for r in named_rows(dsn, meeting)}


def name_meeting(dsn: str, meeting: str, said: list[Utterance] = QUIET) -> list[Utterance]:
    # A fresh namer and no roster cache: each call reads what the meetings before taught.
    return SpeakerNamer(TeamContexts(dsn, ttl_s=0))("acme", meeting, said)


def test_a_rename_on_one_meeting_names_the_same_voice_in_the_next(
    dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    voices(dsn, "m-1", S1=near(CAROL), S2=near(ALICE))
    assert name_meeting(dsn, "m-1") == QUIET  # nothing to go on yet
    with connect(dsn) as conn:
        assert rename_speaker(conn, team="acme", meeting_id="m-1", label="S1", name="Carol") is not None
        conn.commit()
    # The next meeting: Carol speaks second this time.
    voices(dsn, "m-2", S1=near(BOB), S2=near(CAROL))
    out = name_meeting(dsn, "m-2")
    assert [u.speaker for u in out] == ["S1", "Carol"]
    assert named(dsn, "m-2") == {"S2": ("Carol", "voice")}
    with connect(dsn) as conn:
        (row,) = meeting_speakers(conn, "acme", "m-2")
    assert "learned voice" in row.evidence[0]
    assert vori(["team", "member", "list", "--team", "acme"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed == ["Alice\t-\t-", "Bob\t-\t-", "Carol\t-\tlearned 1 (m-1/S1 person 1.00)"]


def test_a_learned_voice_never_overrides_an_enrolled_one(dsn: str, capsys: pytest.CaptureFixture[str]) -> None:
    with connect(dsn) as conn:
        add_member(conn, team="acme", name="Bob", voiceprint=BOB, voice_model=VOICE_MODEL)
        conn.commit()
    # Someone names Alice's voice "Bob" on the board (a mistake, or a shared account).
    voices(dsn, "m-1", S1=near(ALICE))
    with connect(dsn) as conn:
        rename_speaker(conn, team="acme", meeting_id="m-1", label="S1", name="Bob")
        conn.commit()
        (bob,) = [m for m in list_members(conn, "acme") if m.name == "Bob"]
    assert len(bob.learned) == 1  # kept and shown ...
    assert vori(["team", "member", "list", "--team", "acme"]) == 0
    assert "Bob\t-\tvoice + learned 1 (m-1/S1 person 1.00; unused while enrolled)" in capsys.readouterr().out
    # ... but the enrolled print names Bob: Alice's voice is not taken for him.
    voices(dsn, "m-2", S1=near(ALICE), S2=near(BOB))
    name_meeting(dsn, "m-2")
    assert named(dsn, "m-2") == {"S2": ("Bob", "voice")}


def test_a_confident_conversation_teaches_a_voice_and_forget_and_remove_drop_it(
    dsn: str, capsys: pytest.CaptureFixture[str], roster_page: Callable[[], dict[str, Any]]
) -> None:
    said = [
        Utterance("S1", "Bob, can you update the invoice template?", 0, 3000),
        Utterance("S2", "Sure, I'll update it by Friday.", 4000, 7000),
        Utterance("S1", "Thanks, Bob. Bob, and the release notes?", 8000, 11000),
        Utterance("S2", "Yes, I can do those too.", 12000, 15000),
    ]
    voices(dsn, "m-1", S1=near(ALICE), S2=near(BOB))
    name_meeting(dsn, "m-1", said)
    assert named(dsn, "m-1") == {"S2": ("Bob", "addressed")}
    with connect(dsn) as conn:
        (bob,) = [m for m in list_members(conn, "acme") if m.name == "Bob"]
    assert [(v.meeting_id, v.label, v.how) for _, v in bob.learned] == [("m-1", "S2", "addressed")]
    (cue,) = named_rows(dsn, "m-1")
    assert cue.confidence >= 0.75
    # The board's roster page says where and how it was learned.
    assert roster_page()["Bob"]["learned"] == [{
        "meeting_id": "m-1", "label": "S2", "how": "addressed", "source": "conversation",
        "confidence": pytest.approx(cue.confidence, abs=1e-4), "seconds": 20.0, "voice_model": VOICE_MODEL}]
    # The next meeting says nothing of names; Bob's voice names him.
    voices(dsn, "m-2", S1=near(BOB), S2=near(CAROL))
    name_meeting(dsn, "m-2")
    assert named(dsn, "m-2") == {"S1": ("Bob", "voice")}

    # A person says m-1's S2 was Carol: what was learned moves to her.
    with connect(dsn) as conn:
        rename_speaker(conn, team="acme", meeting_id="m-1", label="S2", name="Carol")
        conn.commit()
        learned = {m.name: [(v.meeting_id, v.how) for _, v in m.learned] for m in list_members(conn, "acme")}
    assert learned == {"Alice": [], "Bob": [], "Carol": [("m-1", "person")]}
    page = roster_page()
    assert [(n, m["learned_count"], [v["source"] for v in m["learned"]]) for n, m in page.items()] == [
        ("Alice", 0, []), ("Bob", 0, []), ("Carol", 1, ["rename"])]
    # and inference does not take it back
    name_meeting(dsn, "m-1", said)
    with connect(dsn) as conn:
        assert {m.name: len(m.learned) for m in list_members(conn, "acme")} == {"Alice": 0, "Bob": 0, "Carol": 1}

    assert vori(["team", "member", "forget", "--team", "acme", "--name", "carol"]) == 0
    assert "forgot 1 learned voice(s)" in capsys.readouterr().out
    voices(dsn, "m-3", S1=near(BOB))
    name_meeting(dsn, "m-3")
    assert named(dsn, "m-3") == {}  # nothing learned of anyone now

    # Removing a member drops what was learned of them.
    with connect(dsn) as conn:
        rename_speaker(conn, team="acme", meeting_id="m-3", label="S1", name="Alice")
        conn.commit()
        assert forget_learned(conn, team="acme", name="Alice", meeting_id="m-2") == 0
        assert [len(m.learned) for m in list_members(conn, "acme") if m.name == "Alice"] == [1]
        assert remove_member(conn, team="acme", name="Alice")
        conn.commit()
    with psycopg.connect(dsn) as raw:
        assert raw.execute("SELECT count(*) FROM learned_voices").fetchone() == (0,)
