"""What an item says and quotes when its sentence says more than the item (issue 17, round 10):
an aside with a subject of its own after the task, a remark before it, and a request's addressee."""

from __future__ import annotations

import datetime

import pytest

from domain.extraction import extract_minutes
from domain.minutes import Minutes, Utterance

WEDNESDAY = datetime.date(2027, 3, 3)


def _minutes(lines: list[tuple[str, str]]) -> Minutes:
    utts = [Utterance(sp, text, i * 5000, i * 5000 + 4000) for i, (sp, text) in enumerate(lines)]
    return extract_minutes(utts, WEDNESDAY)


@pytest.mark.parametrize(
    ("text", "task", "quote"),
    [
        ("I'll fix the login bug by Friday, and Maria said she already looked at it.",
         "fix the login bug", "I'll fix the login bug by Friday"),
        ("I'll send the invoice to finance tomorrow, and I already told Maria about it.",
         "send the invoice to finance", "I'll send the invoice to finance tomorrow"),
        ("I'll draft the press release by Monday - I wrote the last one in an hour, it was terrible.",
         "draft the press release", "I'll draft the press release by Monday"),
        ("Let me take the pricing page, I did the last redesign anyway.",
         "take the pricing page", "Let me take the pricing page"),
        ("I'll migrate the cron jobs by Thursday; I tried that once in 2019 and it was a mess.",
         "migrate the cron jobs", "I'll migrate the cron jobs by Thursday"),
        ("I'll be honest, I have no idea yet why it happens, but I'll dig in and have a fix for the "
         "export by Friday.", "export", "I'll dig in and have a fix for the export by Friday."),
        ("I can't promise anything on timing, but I'll do a short interview with the support lead.",
         "interview", "I'll do a short interview with the support lead."),
    ],
)
def test_an_item_says_and_quotes_only_its_own_part_of_the_sentence(text: str, task: str, quote: str) -> None:
    m = _minutes([("Ben", text)])
    assert [a.assignee for a in m.action_items] == ["Ben"]
    assert task in m.action_items[0].task
    assert "Maria" not in m.action_items[0].task and " I " not in f" {m.action_items[0].task} "
    assert m.action_items[0].quote == quote


@pytest.mark.parametrize(
    "text",
    [
        # What the aside tells of the past or of home does not undo the promise before it.
        "I'll update the runbook tomorrow, I was going to do it last week but got sick.",
        "I'll review the runbook PR today, my kid is sick so I'm in and out.",
    ],
)
def test_an_aside_about_the_past_or_home_keeps_the_item_before_it(text: str) -> None:
    m = _minutes([("Ben", text)])
    assert [(a.assignee, a.due_date) for a in m.action_items] == [("Ben", WEDNESDAY + datetime.timedelta(
        days=1 if "tomorrow" in text else 0))]
    assert "runbook" in m.action_items[0].task


def test_sarcasm_in_the_aside_still_says_it_is_no_promise() -> None:
    m = _minutes([("Cleo", "Oh great, I'll just tell the CEO it was a retry loop, he'll love that.")])
    assert not m.action_items


def test_a_requests_quote_keeps_whom_it_was_asked_of() -> None:
    m = _minutes([("Ana", "Ben, can you update the onboarding doc by Friday?"), ("Ben", "Sure.")])
    assert [(a.assignee, a.quote) for a in m.action_items] == [
        ("Ben", "Ben, can you update the onboarding doc by Friday?")
    ]


def test_work_a_colleague_takes_over_is_quoted_in_the_colleagues_words() -> None:
    m = _minutes([
        ("Omar", "Next: the password reset email goes to spam for Outlook users."),
        ("Omar", "Rosa, could you check the SPF records?"),
        ("Rosa", "I can't this week, I'm at the conference Tuesday through Thursday. Sorry."),
        ("Sam", "I'll grab it then. I'll check the SPF and DKIM records by Wednesday."),
    ])
    assert [(a.assignee, a.quote) for a in m.action_items] == [
        ("Sam", "I'll grab it then. I'll check the SPF and DKIM records by Wednesday.")
    ]
    assert "Rosa" not in m.action_items[0].quote
    # It keeps the time the work was named, where later revisions of the minutes find it again.
    assert m.action_items[0].start_ms == 5000


def test_a_yes_that_restates_the_work_in_more_words_is_one_item_with_them() -> None:
    m = _minutes([
        ("Omar", "Dana, can you check the SPF records?"),
        ("Dana", "Sure. I'll check the SPF and DKIM records by Friday."),
    ])
    assert [(a.assignee, a.task, a.due_date) for a in m.action_items] == [
        ("Dana", "check the SPF and DKIM records", datetime.date(2027, 3, 5))
    ]
