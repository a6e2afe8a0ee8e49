"""The flow's view of a team: hotwords and corrections from its roster and glossary, cached."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors.postgres import connect, migrate
from connectors.roster_store import add_member, add_terms, remove_terms
from domain.transcript import RecognizedSpan
from flows import team_context
from flows.team_context import TeamContexts


@pytest.fixture
def dsn(pg_database_dsn: str) -> Iterator[str]:
    team_context.configure(None)  # whatever an earlier test of this process configured
    migrate(pg_database_dsn)
    with connect(pg_database_dsn) as conn:
        add_member(conn, team="acme", name="Bob", aliases=["Robert"])
        add_terms(conn, team="acme", terms=["Stripe", "Sentry"])
        conn.commit()
    yield pg_database_dsn
    team_context.configure(None)


def span(text: str) -> RecognizedSpan:
    return RecognizedSpan(start_s=0.0, end_s=1.0, text=text, avg_logprob=-0.2, no_speech_prob=0.01,
                          compression_ratio=1.2)


def test_a_teams_words_become_hotwords_and_corrections(dsn: str) -> None:
    assert team_context.recogniser_hints("acme") == {}  # nothing configured: the flow as before
    team_context.configure(dsn)
    assert team_context.recogniser_hints("acme") == {"hotwords": "Sentry, Stripe, Bob, Robert."}
    assert team_context.recogniser_hints("other") == {}
    assert team_context.recogniser_hints(None) == {}
    fixed = team_context.corrected("acme", [span(" The tripe webhook and Century alerts."), span(" Fine.")])
    assert [s.text for s in fixed] == [" The Stripe webhook and Sentry alerts.", " Fine."]
    assert team_context.corrected("other", [span(" The tripe webhook.")])[0].text == " The tripe webhook."


def test_the_roster_is_read_again_after_its_ttl(dsn: str) -> None:
    now = [0.0]
    contexts = TeamContexts(dsn, ttl_s=60, clock=lambda: now[0])
    assert contexts.get("acme").terms == ("Sentry", "Stripe")
    with connect(dsn) as conn:
        remove_terms(conn, team="acme", terms=["Sentry"])
        conn.commit()
    now[0] = 59.0
    assert contexts.get("acme").terms == ("Sentry", "Stripe")  # cached
    now[0] = 61.0
    assert contexts.get("acme").terms == ("Stripe",)


def test_a_database_that_is_down_keeps_what_was_read(dsn: str) -> None:
    now = [0.0]
    contexts = TeamContexts(dsn, ttl_s=1, clock=lambda: now[0])
    assert contexts.get("acme").names == ("Bob", "Robert")
    contexts._dsn = "postgresql://nobody@127.0.0.1:1/none"  # the database goes away
    now[0] = 5.0
    assert contexts.get("acme").names == ("Bob", "Robert")
    assert TeamContexts("postgresql://nobody@127.0.0.1:1/none").get("acme").terms == ()
