"""Outbound tracker sync: tickets written by the one ticket writer reach fake GitHub, Jira and
Linear servers through the outbox and the worker, once each, through every failure the fakes
can stage. Real PostgreSQL; the trackers are local fakes (tests/tracker_fakes.py)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator

import httpx
import psycopg
import pytest
from tracker_fakes import FakeGitHub, FakeJira, FakeLinear, FakeTracker, serving

from apps.tracker_worker import deliver_once
from connectors.minutes_store import MinutesOut, change_ticket, write_minutes
from connectors.postgres import migrate
from connectors.tracker_store import TrackerStore
from connectors.trackers import Connection
from domain.extraction import extract_minutes
from domain.minutes import Utterance

MEETING_DAY = dt.date(2026, 11, 23)
ENV = {"GH_TOKEN": "gh-secret-token", "JIRA_EMAIL": "bot@acme.test", "JIRA_TOKEN": "jira-secret",
       "LINEAR_KEY": "lin_api_secret"}


def said(*lines: tuple[str, str]) -> list[Utterance]:
    return [Utterance(who, text, i * 4000, i * 4000 + 3000) for i, (who, text) in enumerate(lines)]


PLANNING = said(
    ("Alice", "Let's plan the week."),
    ("Bob", "I will finish the database migration by Friday."),
)
STANDUP = said(("Bob", "I finished the database migration yesterday."))


@pytest.fixture
def dsn(pg_database_dsn: str) -> str:
    migrate(pg_database_dsn)
    with psycopg.connect(pg_database_dsn) as conn:
        conn.execute("INSERT INTO meetings (meeting_id, team, status) VALUES "
                     "('plan-1', 'acme', 'closed'), ('standup-2', 'acme', 'closed')")
    return pg_database_dsn


@pytest.fixture
def store(dsn: str) -> Iterator[TrackerStore]:
    with TrackerStore(dsn) as s:
        yield s


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=0.5) as c:
        yield c


def write(dsn: str, meeting_id: str, utterances: list[Utterance]) -> None:
    with psycopg.connect(dsn) as conn:
        write_minutes(conn, MinutesOut("acme", meeting_id, "final", extract_minutes(utterances, MEETING_DAY),
                                       len(utterances)))


def change(dsn: str, ticket_id: str, actor: str = "board", **changes: object) -> None:
    with psycopg.connect(dsn) as conn:
        assert change_ticket(conn, team="acme", ticket_id=ticket_id, changes=changes, actor=actor)


def ticket_ids(dsn: str) -> list[str]:
    with psycopg.connect(dsn) as conn:
        return [r[0] for r in conn.execute("SELECT ticket_id FROM tickets ORDER BY ticket_id")]


def drain(store: TrackerStore, client: httpx.Client, env: dict[str, str] = ENV, within_s: float = 8.0) -> None:
    """Run the worker until the team's outbox has nothing pending (retries included)."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if deliver_once(store, env, client, base_delay_s=0.05, max_delay_s=5.0):
            continue
        if not [r for r in store.outbox("acme")
                if not (r["delivered_at"] or r["failed_at"] or r["held"])]:
            return
        time.sleep(0.05)
    raise AssertionError(f"outbox still pending: {store.outbox('acme')}")


def github(fake: FakeTracker, **kw: object) -> Connection:
    return Connection(team="acme", kind="github", config={"repo": "acme/app", "api_url": fake.url},
                      token_env="GH_TOKEN", assignee_map={"Bob": "bob-gh"}, **kw)  # type: ignore[arg-type]


def jira(fake: FakeTracker) -> Connection:
    return Connection(team="acme", kind="jira", token_env="JIRA_TOKEN",
                      config={"site": fake.url, "project": "ENG", "email_env": "JIRA_EMAIL"},
                      assignee_map={"Bob": "bob@acme.test"})


def linear(fake: FakeTracker) -> Connection:
    return Connection(team="acme", kind="linear", token_env="LINEAR_KEY",
                      config={"team_key": "ENG", "api_url": f"{fake.url}/graphql"},
                      assignee_map={"Bob": "bob@acme.test"})


def test_a_spoken_action_item_becomes_one_github_issue_and_finishing_it_closes_it(dsn, store, client):
    with serving(FakeGitHub()) as gh:
        store.save_connection(github(gh))
        write(dsn, "plan-1", PLANNING)
        drain(store, client)
        assert len(gh.issues) == 1
        issue = gh.issues[1]
        (tid,) = ticket_ids(dsn)
        assert issue["title"] == "finish the database migration"
        assert f"<!-- vori:ticket={tid} -->" in issue["body"]
        assert "Due: 2026-11-27" in issue["body"]
        assert issue["assignees"] == [{"login": "bob-gh"}], "owners map through the team's mapping"
        assert issue["state"] == "open"
        create = next(r for r in gh.requests if r.method == "POST")
        assert create.headers["accept"] == "application/vnd.github+json"
        assert create.headers["x-github-api-version"] == "2022-11-28"

        # A replay of the planning meeting changes nothing and pushes nothing.
        write(dsn, "plan-1", PLANNING)
        posts = len([r for r in gh.requests if r.method == "POST"])
        drain(store, client)
        assert len([r for r in gh.requests if r.method == "POST"]) == posts

        write(dsn, "standup-2", STANDUP)
        drain(store, client)
        assert len(gh.issues) == 1
        assert (gh.issues[1]["state"], gh.issues[1]["state_reason"]) == ("closed", "completed")
        assert store.links("acme")[tid] == {"kind": "github", "key": "#1", "url": issue["html_url"]}


def test_github_title_owner_and_reopen_are_pushed(dsn, store, client):
    with serving(FakeGitHub()) as gh:
        store.save_connection(github(gh))
        write(dsn, "plan-1", PLANNING)
        drain(store, client)
        (tid,) = ticket_ids(dsn)
        change(dsn, tid, title="migrate the database", assignee="Carol")
        drain(store, client)
        assert gh.issues[1]["title"] == "migrate the database"
        assert gh.issues[1]["assignees"] == [{"login": "Carol"}], "unmapped names go as they are"
        change(dsn, tid, status="done")
        change(dsn, tid, status="todo")
        drain(store, client)
        assert (gh.issues[1]["state"], gh.issues[1]["state_reason"]) == ("open", "reopened")


def test_jira_create_edit_and_transitions_by_name(dsn, store, client):
    with serving(FakeJira()) as fake:
        store.save_connection(jira(fake))
        write(dsn, "plan-1", PLANNING)
        drain(store, client)
        (tid,) = ticket_ids(dsn)
        issue = fake.issues["ENG-1"]["fields"]
        assert issue["summary"] == "finish the database migration"
        assert issue["description"]["type"] == "doc" and issue["description"]["version"] == 1
        texts = [c["content"][0]["text"] for c in issue["description"]["content"]]
        assert f"vori:ticket={tid}" in texts
        assert issue["duedate"] == "2026-11-27"
        assert issue["assignee"] == {"accountId": "acc-bob"}
        assert issue["issuetype"] == {"name": "Task"} and issue["status"] == "To Do"

        change(dsn, tid, status="in_progress", due_date=dt.date(2026, 12, 1))
        drain(store, client)
        assert fake.issues["ENG-1"]["fields"]["status"] == "In Progress"
        assert fake.issues["ENG-1"]["fields"]["duedate"] == "2026-12-01"
        write(dsn, "standup-2", STANDUP)
        drain(store, client)
        assert fake.issues["ENG-1"]["fields"]["status"] == "Done"
        assert len(fake.issues) == 1
        assert store.links("acme")[tid]["url"] == f"{fake.url}/browse/ENG-1"


def test_linear_create_update_and_state_by_name(dsn, store, client):
    with serving(FakeLinear()) as fake:
        store.save_connection(linear(fake))
        write(dsn, "plan-1", PLANNING)
        drain(store, client)
        (tid,) = ticket_ids(dsn)
        issue = fake.issues["issue-1"]
        assert issue["title"] == "finish the database migration"
        assert issue["stateId"] == "st-todo" and issue["assigneeId"] == "user-bob"
        assert issue["dueDate"] == "2026-11-27" and f"vori:ticket={tid}" in issue["description"]
        change(dsn, tid, status="in_progress", title="migrate the database")
        drain(store, client)
        assert (issue["stateId"], issue["title"]) == ("st-progress", "migrate the database")
        write(dsn, "standup-2", STANDUP)
        drain(store, client)
        assert issue["stateId"] == "st-done" and len(fake.issues) == 1


@pytest.mark.parametrize("make_fake,connect,create_path,create_call", [
    (FakeGitHub, github, "/repos/acme/app/issues", ""),
    (FakeJira, jira, "/rest/api/3/issue", ""),
    (FakeLinear, linear, "/graphql", "issueCreate"),
])
def test_a_connection_cut_right_after_the_remote_create_leaves_exactly_one_issue(
        dsn, store, client, make_fake, connect, create_path, create_call):
    with serving(make_fake()) as fake:
        store.save_connection(connect(fake))
        fake.fault("POST", create_path, "cut", body_contains=create_call)
        write(dsn, "plan-1", PLANNING)
        assert deliver_once(store, ENV, client, base_delay_s=0.05)
        assert len(fake.issues) == 1, "the fake made the issue"
        (row,) = store.outbox("acme")
        assert row["delivered_at"] is None and row["attempts"] == 1
        assert "connection failed" in row["last_error"]
        drain(store, client)
        assert len(fake.issues) == 1, "the retry found the issue by its marker"
        assert list(store.links("acme")) == ticket_ids(dsn)


@pytest.mark.parametrize("status", [429, 500])
def test_429_and_5xx_are_retried_after_the_retry_after_they_ask_for(dsn, store, client, status):
    with serving(FakeGitHub()) as gh:
        store.save_connection(github(gh))
        gh.fault("POST", "/repos/acme/app/issues", "status", status=status, headers={"Retry-After": "1"})
        write(dsn, "plan-1", PLANNING)
        assert deliver_once(store, ENV, client, base_delay_s=0.05)
        (row,) = store.outbox("acme")
        assert row["attempts"] == 1 and f"HTTP {status}" in row["last_error"]
        assert not deliver_once(store, ENV, client, base_delay_s=0.05), "not before Retry-After"
        time.sleep(1.1)
        drain(store, client)
        assert len(gh.issues) == 1


def test_a_timeout_is_retried_with_backoff(dsn, store, client):
    with serving(FakeGitHub()) as gh:
        store.save_connection(github(gh))
        gh.fault("GET", "/repos/acme/app/issues", "timeout", delay_s=1.5)
        write(dsn, "plan-1", PLANNING)
        assert deliver_once(store, ENV, client, base_delay_s=0.05)
        (row,) = store.outbox("acme")
        assert "timed out" in row["last_error"] and row["delivered_at"] is None
        drain(store, client)
        assert len(gh.issues) == 1


@pytest.mark.parametrize("setup,expected", [
    ("bad_token", "HTTP 401"),
    ("unknown_repo", "HTTP 404"),
    ("invalid", "HTTP 422"),
])
def test_401_404_and_422_park_the_row_with_the_trackers_message(dsn, store, client, setup, expected):
    with serving(FakeGitHub()) as gh:
        conn = github(gh)
        env = dict(ENV)
        if setup == "bad_token":
            env["GH_TOKEN"] = "wrong"
        elif setup == "unknown_repo":
            conn = Connection(team="acme", kind="github", token_env="GH_TOKEN",
                              config={"repo": "acme/gone", "api_url": gh.url})
        else:
            gh.fault("POST", "/repos/acme/app/issues", "status", status=422)
        store.save_connection(conn)
        write(dsn, "plan-1", PLANNING)
        assert deliver_once(store, env, client, base_delay_s=0.05)
        (row,) = store.outbox("acme")
        assert row["failed_at"] is not None and expected in row["last_error"]
        assert "secret" not in row["last_error"] and "gh-secret-token" not in row["last_error"]
        assert not deliver_once(store, env, client), "a refused row is not retried"
        assert gh.issues == {}


def test_a_missing_secret_variable_waits_without_naming_its_value(dsn, store, client):
    with serving(FakeGitHub()) as gh:
        store.save_connection(github(gh))
        write(dsn, "plan-1", PLANNING)
        assert deliver_once(store, {}, client, base_delay_s=0.05)
        (row,) = store.outbox("acme")
        assert "GH_TOKEN is not set" in row["last_error"] and row["failed_at"] is None
        drain(store, client)
        assert len(gh.issues) == 1


def test_changes_by_the_tracker_or_of_unconnected_teams_queue_nothing(dsn, store, client):
    write(dsn, "plan-1", PLANNING)
    assert store.outbox("acme") == [], "no connection, no outbox"
    with serving(FakeGitHub()) as gh:
        store.save_connection(github(gh))
        (tid,) = ticket_ids(dsn)
        change(dsn, tid, actor="tracker", status="done")
        assert store.outbox("acme") == [], "what the tracker said is not pushed back"
        change(dsn, tid, actor="board", status="in_progress")
        assert [r["op"] for r in store.outbox("acme")] == ["update"]


def test_the_outbox_row_commits_or_rolls_back_with_the_change(dsn, store):
    store.save_connection(Connection(team="acme", kind="github", config={"repo": "acme/app"},
                                     token_env="GH_TOKEN"))
    with psycopg.connect(dsn) as conn:
        with pytest.raises(RuntimeError), conn.transaction():
            write_minutes(conn, MinutesOut("acme", "plan-1", "final", extract_minutes(PLANNING, MEETING_DAY), 2))
            assert len(store.outbox("acme")) == 0, "not visible before commit"
            raise RuntimeError("the writer dies before commit")
    assert ticket_ids(dsn) == [] and store.outbox("acme") == []
    write(dsn, "plan-1", PLANNING)
    assert [r["op"] for r in store.outbox("acme")] == ["create"]


def test_proposal_mode_pushes_a_new_ticket_only_after_approval(dsn, store, client):
    with serving(FakeGitHub()) as gh:
        store.save_connection(github(gh, proposal=True))
        write(dsn, "plan-1", PLANNING)
        (tid,) = ticket_ids(dsn)
        change(dsn, tid, title="migrate the database")
        assert not deliver_once(store, ENV, client)
        assert gh.issues == {} and store.proposed("acme") == [tid]
        assert not store.approve("other", tid, "someone"), "another team cannot approve it"
        assert store.approve("acme", tid, "board:tok")
        drain(store, client)
        assert [i["title"] for i in gh.issues.values()] == ["migrate the database"]
        change(dsn, tid, status="done")
        drain(store, client)
        assert gh.issues[1]["state"] == "closed", "once approved, changes flow"


def test_owners_map_through_the_team_rosters_tracker_logins(dsn, store, client):
    from connectors.roster_store import add_member

    with psycopg.connect(dsn) as conn:
        add_member(conn, team="acme", name="Robert", aliases=["Bob"], tracker_usernames={"github": "rob-gh"})
        add_member(conn, team="acme", name="Carol", tracker_usernames={"jira": "carol@acme.test"})
    with serving(FakeGitHub()) as gh:
        # No mapping on the connection: the roster's logins are what map owners.
        store.save_connection(Connection(team="acme", kind="github", token_env="GH_TOKEN",
                                         config={"repo": "acme/app", "api_url": gh.url}))
        write(dsn, "plan-1", PLANNING)
        drain(store, client)
        assert gh.issues[1]["assignees"] == [{"login": "rob-gh"}], "Bob is Robert's alias"
        (tid,) = ticket_ids(dsn)
        change(dsn, tid, assignee="Carol")  # Carol has no GitHub login in the roster
        drain(store, client)
        assert gh.issues[1]["assignees"] == [{"login": "Carol"}]
        # A connection's own mapping wins over the roster.
        store.save_connection(Connection(team="acme", kind="github", token_env="GH_TOKEN",
                                         config={"repo": "acme/app", "api_url": gh.url},
                                         assignee_map={"Robert": "robert-override"}))
        change(dsn, tid, assignee="Robert")
        drain(store, client)
        assert gh.issues[1]["assignees"] == [{"login": "robert-override"}]
