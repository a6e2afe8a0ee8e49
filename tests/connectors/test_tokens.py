"""Team tokens and the meetings teams open, against a real PostgreSQL."""

from __future__ import annotations

import argparse
import asyncio
import hashlib
from datetime import timedelta

import psycopg
import pytest

from apps.token_cli import add_token_commands, parse_duration
from connectors.postgres import migrate
from connectors.settings import Settings
from connectors.tokens import (
    Principal,
    TokenFormatError,
    TokenStore,
    TokenStoreUnavailable,
    create_token,
    issue_token,
    list_tokens,
    revoke_token,
    well_formed,
)
from infra.procs import free_ports


@pytest.fixture
def dsn(pg_database_dsn: str) -> str:
    migrate(pg_database_dsn)
    return pg_database_dsn


def run(coro):
    return asyncio.run(coro)


async def with_store(dsn, fn, store_class=TokenStore, **kw):
    store = store_class(dsn, **kw)
    await store.open()
    try:
        return await fn(store)
    finally:
        await store.close()


def test_tokens_are_prefixed_random_and_stored_only_as_sha256(dsn):
    producer = create_token(dsn, team="alpha", role="producer", label="ci")
    board = create_token(dsn, team="alpha", role="board")
    assert producer.startswith("vori_p_") and board.startswith("vori_b_")
    assert len(producer) > 40 and producer != create_token(dsn, team="alpha", role="producer")
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT team, role, token_hash, label FROM api_tokens").fetchall()
        dump = str(conn.execute("SELECT * FROM api_tokens").fetchall())
    assert ("alpha", "producer", hashlib.sha256(producer.encode()).digest(), "ci") in rows
    assert producer not in dump and board not in dump


def test_verify_gives_team_and_role_or_none(dsn):
    issued = issue_token(dsn, team="alpha", role="producer")
    board = create_token(dsn, team="beta", role="board")

    async def check(store):
        return (
            await store.verify(issued.token),
            await store.verify(board),
            await store.verify(issued.token + "x"),
            await store.verify(""),
            await store.verify("v" * 10_000),
        )

    got = run(with_store(dsn, check))
    assert got == (Principal(issued.token_id, "alpha", "producer"),
                   Principal(got[1].token_id, "beta", "board"), None, None, None)


def test_revocation_bites_after_the_cache_ttl(dsn):
    issued = issue_token(dsn, team="alpha", role="producer")

    async def check(store):
        assert await store.verify(issued.token) is not None
        with psycopg.connect(dsn) as conn:
            assert revoke_token(conn, issued.token_id)
            assert not revoke_token(conn, issued.token_id)
        cached = await store.verify(issued.token)
        await asyncio.sleep(0.3)
        return cached, await store.verify(issued.token)

    cached, after = run(with_store(dsn, check, cache_ttl_s=0.2))
    assert cached is not None and after is None


def test_bad_team_or_role_is_refused(dsn):
    with pytest.raises(TokenFormatError):
        create_token(dsn, team="has spaces", role="producer")
    with pytest.raises(TokenFormatError):
        create_token(dsn, team="alpha", role="admin")


def test_a_teams_first_chunk_opens_its_meeting_and_another_team_opens_its_own(dsn):
    async def check(store):
        await store.open_meeting("alpha", "m1", "Planning")
        await store.open_meeting("alpha", "m1", "other title")
        await store.open_meeting("beta", "m1", None)
        fresh = TokenStore(dsn)  # no cache: the row is already there and stays as it is
        await fresh.open()
        try:
            await fresh.open_meeting("alpha", "m1", "a third title")
        finally:
            await fresh.close()

    run(with_store(dsn, check))
    with psycopg.connect(dsn) as conn:
        assert conn.execute(
            "SELECT team, meeting_id, title, status FROM meetings ORDER BY team"
        ).fetchall() == [("alpha", "m1", "Planning", "live"), ("beta", "m1", None, "live")]


def test_racing_first_chunks_of_two_teams_open_two_meetings(dsn):
    async def race():
        stores = [TokenStore(dsn, pool_size=2) for _ in range(4)]
        for s in stores:
            await s.open()
        try:
            teams = ["alpha", "beta"] * 2
            await asyncio.gather(*(
                s.open_meeting(team, f"race-{i}", None)
                for i in range(20) for s, team in zip(stores, teams, strict=True)
            ))
        finally:
            for s in stores:
                await s.close()

    run(race())
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT team, meeting_id FROM meetings").fetchall()
    assert sorted(rows) == sorted((t, f"race-{i}") for i in range(20) for t in ("alpha", "beta"))


def test_no_token_speaks_for_the_team_of_audio_sent_without_one(dsn):
    with pytest.raises(TokenFormatError, match="reserved"):
        create_token(dsn, team="unassigned", role="board")


def test_unreachable_database_is_a_typed_error_that_names_no_host():
    port = free_ports(1)[0]
    dead = f"postgresql://postgres@127.0.0.1:{port}/vori"

    async def check(store):
        return await store.verify("vori_p_" + "A" * 43)

    with pytest.raises(TokenStoreUnavailable) as down:
        run(with_store(dead, check, timeout_s=1.0))
    # The message may reach an HTTP client (the gateway's and the board's 503): nothing about
    # where the database lives or what the driver said; that is in the cause, for the log.
    assert str(down.value) == "token store temporarily unavailable"
    assert str(port) not in str(down.value) and "127.0.0.1" not in str(down.value)
    assert down.value.__cause__ is not None
    with pytest.raises(TokenStoreUnavailable):
        create_token(dead, team="alpha", role="producer")


JUNK = [
    "",
    "vori_b_short",
    "vori_b_" + "A" * 42,
    "vori_b_" + "A" * 44,
    "vori_x_" + "A" * 43,
    "vori_b_" + "!" * 43,
    "vori_b_" + "A" * 42 + "=",
    "Bearer vori_b_" + "A" * 43,
    "v" * 10_000,
    "vori_b_" + "é" * 43,
]


def test_token_format_is_checked_before_any_database_round_trip(dsn):
    real = create_token(dsn, team="alpha", role="board")
    assert well_formed(real) and well_formed(create_token(dsn, team="alpha", role="producer"))
    assert not any(well_formed(j) for j in JUNK)
    dead = f"postgresql://postgres@127.0.0.1:{free_ports(1)[0]}/vori"

    async def check(store):
        junk = [await store.verify(j) for j in JUNK]
        # A token of the right shape does go to the (unreachable) database.
        with pytest.raises(TokenStoreUnavailable):
            await store.verify("vori_b_" + "B" * 43)
        return junk

    # With no database at all, junk is still answered (None) at once, never with a 503.
    assert run(with_store(dead, check, timeout_s=1.0)) == [None] * len(JUNK)


class CountingStore(TokenStore):
    """A token store that counts its database round trips."""

    queries = 0

    async def _fetchall(self, query, params):
        self.queries += 1
        await asyncio.sleep(0.05)  # so concurrent lookups overlap
        return await super()._fetchall(query, params)


def test_unknown_tokens_are_remembered_briefly_and_cost_one_query(dsn):
    unknown = ["vori_b_" + c * 43 for c in "CDE"]

    async def check(store):
        counts = []
        # A burst of the same unknown token: one query, the others share its answer.
        assert await asyncio.gather(*(store.verify(unknown[0]) for _ in range(50))) == [None] * 50
        counts.append(store.queries)
        # Asked again within the negative TTL: no query at all.
        assert [await store.verify(unknown[0]) for _ in range(50)] == [None] * 50
        counts.append(store.queries)
        # Junk-format tokens never cost one.
        assert [await store.verify(j) for j in JUNK] == [None] * len(JUNK)
        counts.append(store.queries)
        # The cache holds at most max_negative tokens: the oldest is forgotten first.
        for token in unknown[1:]:
            assert await store.verify(token) is None
        counts.append(store.queries)
        assert await store.verify(unknown[2]) is None
        assert await store.verify(unknown[0]) is None  # evicted: asks again
        counts.append(store.queries)
        # And it forgets after negative_ttl_s, so a token created later is not refused for long.
        await asyncio.sleep(0.6)
        assert await store.verify(unknown[2]) is None
        counts.append(store.queries)
        return counts

    assert run(with_store(dsn, check, negative_ttl_s=0.5, max_negative=2,
                          store_class=CountingStore)) == [1, 1, 1, 3, 4, 5]


def test_expired_tokens_verify_as_none_even_when_cached(dsn):
    lasting = issue_token(dsn, team="alpha", role="board", expires_in=timedelta(days=30))
    brief = issue_token(dsn, team="alpha", role="board", expires_in=timedelta(seconds=1))
    assert lasting.expires_at is not None and brief.expires_at is not None
    assert timedelta(days=29) < lasting.expires_at - brief.expires_at < timedelta(days=31)
    assert issue_token(dsn, team="alpha", role="board").expires_at is None
    with pytest.raises(TokenFormatError):
        issue_token(dsn, team="alpha", role="board", expires_in=timedelta(0))

    async def check(store):
        before = (await store.verify(lasting.token), await store.verify(brief.token))
        await asyncio.sleep(1.2)
        # The cache TTL is long; a cached token still stops at its own expiry.
        after = (await store.verify(lasting.token), await store.verify(brief.token))
        live = await store.live_token_ids({lasting.token_id, brief.token_id, "tok_nope"})
        return before, after, live

    before, after, live = run(with_store(dsn, check, cache_ttl_s=60))
    assert before == (Principal(lasting.token_id, "alpha", "board"),
                      Principal(brief.token_id, "alpha", "board"))
    assert after == (Principal(lasting.token_id, "alpha", "board"), None)
    assert live == {lasting.token_id}


def test_list_and_revoke_by_id(dsn):
    a1 = issue_token(dsn, team="alpha", role="producer", label="ci")
    a2 = issue_token(dsn, team="alpha", role="board", expires_in=timedelta(hours=1))
    b1 = issue_token(dsn, team="beta", role="board")
    assert [t.token_id for t in list_tokens(dsn)] == [a1.token_id, a2.token_id, b1.token_id]
    alpha = list_tokens(dsn, team="alpha")
    assert [(t.token_id, t.team, t.role, t.label) for t in alpha] == [
        (a1.token_id, "alpha", "producer", "ci"), (a2.token_id, "alpha", "board", None)]
    assert alpha[0].expires_at is None and alpha[1].expires_at == a2.expires_at
    assert all(t.revoked_at is None for t in alpha)
    assert revoke_token(dsn, a1.token_id)
    assert not revoke_token(dsn, a1.token_id)
    assert not revoke_token(dsn, "tok_unknown")
    revoked = {t.token_id: t.revoked_at for t in list_tokens(dsn, team="alpha")}
    assert revoked[a1.token_id] is not None and revoked[a2.token_id] is None

    async def check(store):
        return await store.verify(a1.token), await store.verify(a2.token)

    assert run(with_store(dsn, check)) == (None, Principal(a2.token_id, "alpha", "board"))


def token_cli(dsn, capsys, *argv):
    """``vori token …`` as apps/cli.py wires it: its token sub-parser given to add_token_commands."""
    parser = argparse.ArgumentParser(prog="vori")
    tok = parser.add_subparsers(dest="command", required=True).add_parser("token")
    add_token_commands(tok.add_subparsers(dest="token_command", required=True))
    args = parser.parse_args(["token", *argv])
    status = args.handler(args, Settings(database_url=dsn))
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_create_with_expiry_list_and_revoke(dsn, capsys):
    status, out, _ = token_cli(dsn, capsys, "create", "--team", "alpha", "--role", "board",
                               "--label", "wall screen", "--expires-in", "30d")
    assert status == 0
    secret = out.strip()
    assert well_formed(secret)
    status, out, _ = token_cli(dsn, capsys, "create", "--team", "beta", "--role", "producer")
    assert status == 0
    other_secret = out.strip()

    status, out, _ = token_cli(dsn, capsys, "list", "--team", "alpha")
    assert status == 0
    lines = out.splitlines()
    assert len(lines) == 1
    token_id, team, role, label, created, expires, revoked = lines[0].split("\t")
    assert (team, role, label, revoked) == ("alpha", "board", "wall screen", "-")
    assert token_id.startswith("tok_") and created < expires and expires != "never"
    status, out, _ = token_cli(dsn, capsys, "list")
    assert len(out.splitlines()) == 2 and out.splitlines()[1].split("\t")[5] == "never"
    digest = hashlib.sha256(secret.encode()).hexdigest()
    for text in (secret, other_secret, secret[7:], digest):
        assert text not in out

    assert token_cli(dsn, capsys, "revoke", token_id)[0] == 0
    status, _, err = token_cli(dsn, capsys, "revoke", token_id)
    assert status == 1 and "already revoked" in err
    status, out, _ = token_cli(dsn, capsys, "list", "--team", "alpha")
    assert out.split("\t")[6].strip() != "-"

    async def check(store):
        return await store.verify(secret)

    assert run(with_store(dsn, check)) is None
    status, _, err = token_cli(dsn, capsys, "create", "--team", "has spaces", "--role", "board")
    assert status == 2 and "team must be" in err


@pytest.mark.parametrize("text, seconds", [("90s", 90), ("15m", 900), ("12h", 43_200),
                                           ("30d", 2_592_000), ("2w", 1_209_600)])
def test_durations(text, seconds):
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "0d", "30", "d", "-1d", "1.5h", "30 days"])
def test_bad_durations_are_refused(text):
    with pytest.raises(argparse.ArgumentTypeError):
        parse_duration(text)
