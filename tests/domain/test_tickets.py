"""Ticket matching, status routing, allowed moves and stable ids."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.minutes import ActionItem, Status, StatusUpdate
from domain.tickets import (
    TICKET_STATUSES,
    TicketRef,
    find_matching_ticket,
    find_ticket_for_status,
    ticket_id_for,
    transition,
)

BOARD = (
    TicketRef("t-1", "update the API docs", "Bob", "todo"),
    TicketRef("t-2", "migrate the user table to Postgres", "Bob", "in_progress"),
    TicketRef("t-3", "migrate the billing jobs to the new scheduler", "Alice", "todo"),
    TicketRef("t-4", "결제 페이지 와이어프레임을 만들", "박서준", "todo"),
    TicketRef("t-5", "스테이징 서버 업그레이드", "이지영", "todo"),
)


def item(assignee: str | None, task: str) -> ActionItem:
    return ActionItem(assignee, task, None, task, 0)


def update(speaker: str | None, subject: str, status: Status = "done") -> StatusUpdate:
    return StatusUpdate(speaker, subject, status, None, subject, 0)


@pytest.mark.parametrize(
    ("assignee", "task", "expected"),
    [
        ("Bob", "API documentation update", "t-1"),
        ("bob", "Update the API doc", "t-1"),
        ("Bob Lee", "updating the api docs", "t-1"),
        ("Bob", "finish migrating the users table to Postgres", "t-2"),
        ("서준", "결제 페이지 와이어프레임 만들기", "t-4"),
        ("박서준 님", "결제 페이지의 와이어프레임을", "t-4"),
        ("지영 씨", "스테이징 서버를 업그레이드", "t-5"),
    ],
)
def test_same_task_reworded_finds_its_ticket(assignee: str, task: str, expected: str) -> None:
    found = find_matching_ticket(item(assignee, task), BOARD)
    assert found is not None and found.ticket_id == expected


@pytest.mark.parametrize(
    ("assignee", "task"),
    [
        ("Alice", "update the API docs"),  # same words, another person
        ("Bob", "write the onboarding guide"),  # same person, another task
        ("Bob", "review the API rate limits and quotas"),  # one shared word is a coincidence
        (None, "update the API docs"),  # nobody named never lands on Bob's ticket
        ("이지영", "결제 페이지 와이어프레임"),
    ],
)
def test_different_task_or_person_is_a_new_ticket(assignee: str | None, task: str) -> None:
    assert find_matching_ticket(item(assignee, task), BOARD) is None


def test_open_ticket_wins_over_done_one_but_done_still_matches_on_replay() -> None:
    done = TicketRef("a-0", "update the API docs", "Bob", "done")
    open_ = TicketRef("a-9", "update the API docs", "Bob", "todo")
    assert find_matching_ticket(item("Bob", "update the API docs"), [done, open_]) == open_
    assert find_matching_ticket(item("Bob", "update the API docs"), [done]) == done


def test_status_moves_the_speakers_ticket() -> None:
    found = find_ticket_for_status(update("Bob", "the migration"), BOARD)
    assert found is not None and found.ticket_id == "t-2"
    found = find_ticket_for_status(update("Alice", "the migration"), BOARD)
    assert found is not None and found.ticket_id == "t-3"


def test_status_from_unknown_speaker_or_colleague_searches_everyone() -> None:
    found = find_ticket_for_status(update(None, "the API docs"), BOARD)
    assert found is not None and found.ticket_id == "t-1"
    found = find_ticket_for_status(update("Maya", "Bob's API docs"), BOARD)
    assert found is not None and found.ticket_id == "t-1"


def test_korean_status_subject_with_particles() -> None:
    found = find_ticket_for_status(update("박서준", "결제 페이지 와이어프레임은"), BOARD)
    assert found is not None and found.ticket_id == "t-4"


@pytest.mark.parametrize("subject", ["", "the quarterly offsite", "coffee machine"])
def test_status_about_nothing_on_the_board_moves_nothing(subject: str) -> None:
    assert find_ticket_for_status(update("Bob", subject), BOARD) is None


@pytest.mark.parametrize(
    ("old", "new", "allowed"),
    [
        ("todo", "in_progress", True),
        ("todo", "blocked", True),
        ("todo", "done", True),
        ("in_progress", "blocked", True),
        ("blocked", "in_progress", True),
        ("in_progress", "done", True),
        ("in_progress", "in_progress", False),  # same status is no event
        ("done", "in_progress", False),  # done never goes back on its own
        ("done", "blocked", False),
        ("in_progress", "todo", False),
        ("todo", "archived", False),
        ("weird", "done", False),
    ],
)
def test_transition(old: str, new: str, allowed: bool) -> None:
    assert transition(old, new) is allowed


@given(st.sampled_from(TICKET_STATUSES), st.text())
def test_done_is_final_and_same_status_is_no_event(status: str, anything: str) -> None:
    assert not transition("done", anything)
    assert not transition(status, status)


def test_ticket_id_is_stable_and_ignores_wording_order() -> None:
    a = ticket_id_for("atlas", "Bob", "update the API docs")
    assert a == ticket_id_for("atlas", "bob", "the API docs, update")
    assert a.startswith("atlas-")
    assert a != ticket_id_for("harbor", "Bob", "update the API docs")
    assert a != ticket_id_for("atlas", "Alice", "update the API docs")
    assert a != ticket_id_for("atlas", "Bob", "update the API tests")
    assert ticket_id_for("바다 팀", "민수 씨", "문서를 정리") == ticket_id_for("바다 팀", "민수", "문서 정리")


@given(st.text(), st.one_of(st.none(), st.text()), st.text())
def test_ticket_id_never_raises_and_is_deterministic(team: str, who: str | None, task: str) -> None:
    assert ticket_id_for(team, who, task) == ticket_id_for(team, who, task)


@given(st.text(), st.one_of(st.none(), st.text()), st.lists(st.text(), max_size=4))
def test_matching_never_raises(task: str, who: str | None, titles: list[str]) -> None:
    tickets = [TicketRef(str(i), t, who, "todo") for i, t in enumerate(titles)]
    find_matching_ticket(ActionItem(who, task, datetime.date(2026, 1, 1), task, 0), tickets)
    find_ticket_for_status(StatusUpdate(who, task, "done", None, task, 0), tickets)


def test_progress_in_other_words_routes_by_a_key_word_unique_among_the_persons_open_tickets() -> None:
    board = (
        TicketRef("j-1", "write the SDK migration guide", "Joon", "todo"),
        TicketRef("j-2", "fix the pagination bug", "Joon", "todo"),
        TicketRef("a-1", "migrate the billing jobs", "Ana", "todo"),
    )
    found = find_ticket_for_status(update("Joon", "the migration docs for partners", "in_progress"), board)
    assert found is not None and found.ticket_id == "j-1"


def test_a_report_without_subject_lands_on_the_only_open_ticket() -> None:
    board = (TicketRef("j-1", "write the SDK migration guide", "Joon", "todo"),)
    found = find_ticket_for_status(update("Joon", "", "in_progress"), board)
    assert found is not None and found.ticket_id == "j-1"
    assert find_ticket_for_status(update("Ana", "", "done"), board) is None


@pytest.mark.parametrize(
    ("speaker", "subject", "expected"),
    [
        ("Raj", "Slack alerts for failed payments", "r-1"),  # alerts = notifications
        ("Raj", "the cert", "r-2"),  # cert = certificate
        ("Mei", "the onboarding email sequence for trial users", "m-1"),  # all of the title was said
        ("Mei", "the docs", "m-2"),  # docs = guide, her only ticket about it
    ],
)
def test_status_routes_by_synonyms_and_by_the_title_said_in_full(speaker: str, subject: str, expected: str) -> None:
    board = (
        TicketRef("r-1", "wire up the Slack notifications for failed payments", "Raj", "todo"),
        TicketRef("r-2", "renew the SSL certificate for the status page", "Raj", "todo"),
        TicketRef("m-1", "write the onboarding emails", "Mei", "todo"),
        TicketRef("m-2", "write the partner integration guide", "Mei", "todo"),
    )
    found = find_ticket_for_status(update(speaker, subject, "in_progress"), board)
    assert found is not None and found.ticket_id == expected


def test_synonyms_do_not_change_ticket_ids_or_the_scorers_words() -> None:
    assert ticket_id_for("t", "Raj", "renew the Slack alerts") != ticket_id_for("t", "Raj", "renew the Slack notifications")


PARAPHRASE_BOARD = (
    TicketRef("p-1", "fix the flaky login test", "Kim", "todo"),
    TicketRef("p-2", "write the signup form copy", "Kim", "todo"),
    TicketRef("p-3", "look into the checkout latency regression", "Priti", "todo"),
    TicketRef("p-4", "write the load balancer runbook", "Paul", "in_progress"),
    TicketRef("p-5", "handle the German launch translations", "Marco", "todo"),
    TicketRef("p-6", "모바일 푸시 알림 버그", "서도윤", "todo"),
)


@pytest.mark.parametrize(
    ("speaker", "subject", "expected"),
    [
        ("Kim", "the auth test", "p-1"),  # login = auth
        ("Kim", "the registration form copy", "p-2"),  # signup = registration
        ("Priti", "the checkout slowness", "p-3"),  # latency = slowness
        ("Paul", "the playbook for the load balancer", "p-4"),  # runbook = playbook
        ("서도윤", "푸시 오류", "p-6"),  # 버그 = 오류
        # Synonyms widen a match, not the person: someone else's words stay off Kim's tickets.
        ("Priti", "the auth test", None),
    ],
)
def test_progress_told_in_other_words_lands_on_the_persons_ticket(
    speaker: str, subject: str, expected: str | None
) -> None:
    found = find_ticket_for_status(update(speaker, subject, "in_progress"), PARAPHRASE_BOARD)
    assert (found.ticket_id if found else None) == expected


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Database upgrade", "t1"),  # "database" = "Postgres"
        ("the headcount doc", "t3"),  # "headcount" = "hiring"
        ("the certs", "t4"),  # "cert" = "certificate"
    ],
)
def test_round_4_synonyms_route_to_the_speakers_ticket(subject: str, expected: str) -> None:
    tickets = [
        TicketRef("t1", "the user table migration to Postgres 16", "Theo", "todo"),
        TicketRef("t2", "review the access policy", "Theo", "todo"),
        TicketRef("t3", "write the Q1 hiring plan", "Theo", "todo"),
        TicketRef("t4", "renew the SSL certificate", "Theo", "todo"),
    ]
    found = find_ticket_for_status(StatusUpdate("Theo", subject, "in_progress", None, "", 0), tickets)
    assert found is not None and found.ticket_id == expected


@pytest.mark.parametrize(
    ("speaker", "subject", "expected"),
    [
        # The ticket says it in one word, the report in two (as Whisper often writes it), and back.
        ("Dev", "the web hook retries", "w-1"),
        ("Dev", "the post-mortem", "w-2"),
        ("Ana", "the dead letter topic", "w-3"),
        ("Ana", "the deadletter topic", "w-3"),
    ],
)
def test_a_compound_said_as_one_word_or_two_finds_its_ticket(speaker: str, subject: str, expected: str) -> None:
    board = (
        TicketRef("w-1", "fix the webhook retries", "Dev", "todo"),
        TicketRef("w-2", "write the postmortem", "Dev", "todo"),
        TicketRef("w-3", "add a dead letter topic", "Ana", "todo"),
        TicketRef("w-4", "fix the pagination bug", "Dev", "todo"),
        TicketRef("w-5", "update the topic list", "Ana", "todo"),
    )
    found = find_ticket_for_status(update(speaker, subject, "in_progress"), board)
    assert found is not None and found.ticket_id == expected
    assert find_matching_ticket(item(speaker, subject), board) == found
