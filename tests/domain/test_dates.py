"""Due dates said in meetings, resolved against the meeting date (readings in domain/dates.py)."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.dates import find_due_date, resolve_due_date

MON = datetime.date(2026, 11, 23)
FRI = datetime.date(2026, 11, 27)
MAR3 = datetime.date(2027, 3, 3)  # a Wednesday
D = datetime.date


@pytest.mark.parametrize(
    ("text", "meeting", "expected"),
    [
        ("I'll send it by Friday", MON, D(2026, 11, 27)),
        # Said on a Friday, a bare "Friday" is the next one (on the day people say "today").
        ("by Friday", FRI, D(2026, 12, 4)),
        ("this Friday", FRI, FRI),
        ("next Friday", MON, D(2026, 12, 4)),
        ("next Tuesday", D(2026, 12, 2), D(2026, 12, 8)),
        ("by tomorrow", MON, D(2026, 11, 24)),
        ("later today", MON, MON),
        ("by end of day", MON, MON),
        ("next week", MON, D(2026, 12, 4)),
        ("by the end of the week", MON, FRI),
        ("end of the month", MON, D(2026, 11, 30)),
        ("by December 3rd", MON, D(2026, 12, 3)),
        ("on the 3rd of December", MON, D(2026, 12, 3)),
        # A month and day already past means next year's.
        ("by January 5", D(2026, 12, 20), D(2027, 1, 5)),
        ("in two weeks", MON, D(2026, 12, 7)),
        ("in 3 days", MON, D(2026, 11, 26)),
        ("due 2027-01-15", MON, D(2027, 1, 15)),
        ("12월 3일까지", MON, D(2026, 12, 3)),
        ("금요일까지 해 주세요", MON, FRI),
        ("내일까지", MON, D(2026, 11, 24)),
        ("모레", MON, D(2026, 11, 25)),
        ("다음 주 화요일까지", MON, D(2026, 12, 1)),
        ("이번 주 안에", MON, FRI),
        ("다음 주까지", D(2026, 11, 24), D(2026, 12, 4)),
        ("월말까지", MON, D(2026, 11, 30)),
        ("3일 후에", MON, D(2026, 11, 26)),
        ("25일까지", MON, D(2026, 11, 25)),
        # Days of the month spelled out, a named month's end, a weekday of next week, the hour.
        ("by the fifteenth", MAR3, D(2027, 3, 15)),
        ("at the tech talk on the twenty-eighth", MAR3, D(2027, 3, 28)),
        ("on the twenty first.", MAR3, D(2027, 3, 21)),
        ("by April sixteenth", MAR3, D(2027, 4, 16)),
        ("by May first", MAR3, D(2027, 5, 1)),
        ("the fifteenth of April", MAR3, D(2027, 4, 15)),
        ("on the first of May", MAR3, D(2027, 5, 1)),
        ("on the 1st of May", MAR3, D(2027, 5, 1)),
        ("before our next one, on the second", MAR3, D(2027, 4, 2)),
        ("by the end of April", MAR3, D(2027, 4, 30)),
        ("Friday next week.", MAR3, D(2027, 3, 12)),
        ("I'll get staging back up within the hour", MAR3, MAR3),
    ],
)
def test_phrases_resolve(text: str, meeting: datetime.date, expected: datetime.date) -> None:
    assert resolve_due_date(text, meeting) == expected


@pytest.mark.parametrize(
    "text",
    [
        "no date here", "by February 30th", "the sun is out", "the sat nav broke", "마감 없음",
        "on the second floor", "I may first check the logs", "I came first", "the third option",
    ],
)
def test_no_date_or_impossible_date_is_none(text: str) -> None:
    # "sat"/"sun" alone are words, not days; February 30th does not exist; "may first" and "on
    # the second floor" are a verb and a place.
    assert resolve_due_date(text, MON) is None


def test_earliest_phrase_wins_and_span_points_at_it() -> None:
    text = "by Friday, or next week at the latest"
    match = find_due_date(text, MON)
    assert match is not None
    assert match.date == FRI
    assert text[match.start : match.end] == "Friday"


@given(st.text(), st.dates(min_value=D(2000, 1, 1), max_value=D(2099, 12, 1)))
def test_never_raises_on_any_text(text: str, meeting: datetime.date) -> None:
    find_due_date(text, meeting)


@given(
    st.sampled_from(
        [
            "by Friday",
            "tomorrow",
            "next week",
            "end of the month",
            "December 3rd",
            "금요일까지",
            "다음 주",
            "12월 3일",
            "in two weeks",
            "this Monday",
        ]
    ),
    st.dates(min_value=D(2000, 1, 1), max_value=D(2099, 12, 1)),
)
def test_relative_phrases_never_point_into_the_past(phrase: str, meeting: datetime.date) -> None:
    due = resolve_due_date(phrase, meeting)
    assert due is not None and due >= meeting


def test_weekday_against_the_meeting_weekday_and_after_this() -> None:
    from domain.dates import resolve_due_date

    wednesday = datetime.date(2026, 12, 9)
    assert resolve_due_date("by Thursday", wednesday) == datetime.date(2026, 12, 10)
    assert resolve_due_date("end of next week", wednesday) == datetime.date(2026, 12, 18)
    assert resolve_due_date("다음 주 화요일까지", wednesday) == datetime.date(2026, 12, 15)
    assert resolve_due_date("내일까지", wednesday) == datetime.date(2026, 12, 10)
    assert resolve_due_date("I'll send the notes around after this", wednesday) == wednesday


WED = datetime.date(2026, 12, 9)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("by end of day Thursday", D(2026, 12, 10)),
        ("by the end of the day tomorrow", D(2026, 12, 10)),
        ("by noon tomorrow", D(2026, 12, 10)),
        ("by noon", WED),
        ("by Friday the 18th", D(2026, 12, 18)),
        ("by the 15th", D(2026, 12, 15)),
        ("on the 5th", D(2027, 1, 5)),  # past this month: next month's
        ("early next week", D(2026, 12, 14)),
        ("a week from today", D(2026, 12, 16)),
        ("within a week", D(2026, 12, 16)),
        ("in a couple of days", D(2026, 12, 11)),
        ("the day after tomorrow", D(2026, 12, 11)),
        ("by the end of the year", D(2026, 12, 31)),
        ("내일모레까지", D(2026, 12, 11)),
        ("다음 주 초까지", D(2026, 12, 14)),
        ("연말까지", D(2026, 12, 31)),
    ],
)
def test_phrases_said_on_a_wednesday(text: str, expected: datetime.date) -> None:
    assert resolve_due_date(text, WED) == expected
