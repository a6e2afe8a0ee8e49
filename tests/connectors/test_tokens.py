"""Team tokens and meeting ownership against a real PostgreSQL."""

from __future__ import annotations

import asyncio
import hashlib

import psycopg
import pytest

from connectors.postgres import migrate
from connectors.tokens import (
    Principal,
    TokenFormatError,
    TokenStore,
    TokenStoreUnavailable,
    create_token,
    issue_token,
    revoke_token,
)
from infra.procs import free_ports


@pytest.fixture
def dsn(pg_database_dsn: str) -> str:
    migrate(pg_database_dsn)
    return pg_database_dsn


def run(coro):
    return asyncio.run(coro)


async def with_store(dsn, fn, **kw):
    store = TokenStore(dsn, **kw)
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


def test_first_chunk_binds_the_meeting_and_the_owner_never_changes(dsn):
    async def check(store):
        first = await store.bind_meeting("m1", "alpha", "Planning")
        again = await store.bind_meeting("m1", "alpha", "other title")
        other = await store.bind_meeting("m1", "beta", None)
        fresh = TokenStore(dsn)  # no cache: the answer comes from the table
        await fresh.open()
        try:
            from_db = await fresh.bind_meeting("m1", "beta", None)
        finally:
            await fresh.close()
        return first, again, other, from_db

    assert run(with_store(dsn, check)) == ("alpha", "alpha", "alpha", "alpha")
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT team, title, status FROM meetings").fetchall() == [
            ("alpha", "Planning", "live")
        ]


def test_racing_first_chunks_of_two_teams_agree_on_one_owner(dsn):
    async def race():
        stores = [TokenStore(dsn, pool_size=2) for _ in range(4)]
        for s in stores:
            await s.open()
        try:
            teams = ["alpha", "beta"] * 2
            return await asyncio.gather(*(
                s.bind_meeting(f"race-{i}", team, None)
                for i in range(20) for s, team in zip(stores, teams, strict=True)
            ))
        finally:
            for s in stores:
                await s.close()

    owners = run(race())
    per_meeting = [set(owners[i * 4:(i + 1) * 4]) for i in range(20)]
    assert all(len(o) == 1 for o in per_meeting)
    with psycopg.connect(dsn) as conn:
        rows = dict(conn.execute("SELECT meeting_id, team FROM meetings").fetchall())
    assert [rows[f"race-{i}"] for i in range(20)] == [o.pop() for o in per_meeting]


def test_unreachable_database_is_a_typed_error():
    dead = f"postgresql://postgres@127.0.0.1:{free_ports(1)[0]}/vori"

    async def check(store):
        return await store.verify("vori_p_whatever")

    with pytest.raises(TokenStoreUnavailable):
        run(with_store(dead, check, timeout_s=1.0))
    with pytest.raises(TokenStoreUnavailable):
        create_token(dead, team="alpha", role="producer")
