"""Due dates said in a meeting ("by Friday", "12월 3일까지") resolved against the meeting's date.

Readings chosen (documented in eval/minutes/README.md too), all relative to the meeting date ``d``:

- a bare weekday ("by Friday", "금요일까지") is the first such day *after* ``d``: said on a Friday,
  "by Friday" means a week later (on the day itself people say "today"/"end of day");
- "this Friday"/"이번 주 금요일" is that weekday in ``d``'s Monday-to-Sunday week, or the bare reading
  when that day has passed; "next Friday"/"다음 주 금요일" is the Friday of the following week;
- "this week"/"end of the week"/"이번 주"/"주말" is the Friday of ``d``'s week (the next Friday
  when the meeting is on a weekend); "next week"/"다음 주" is the Friday of the following week;
- "end of the month"/"월말" is the last day of ``d``'s month; "next month" the last day of the next;
- a month and day without a year ("December 3rd", "12월 3일") is the next such date on or after ``d``;
- "in N days/weeks", "within a week", "a week from today", "N일 후", "N주 후"; "today"/"EOD"/"by noon"/"오늘",
  "tomorrow"/"내일", "the day after tomorrow"/"모레"/"내일모레"; "EOD Thursday"/"end of day tomorrow" is that day;
- "Friday the 18th" and "by the 15th" are that day of the month (of the next month once it has passed);
- "early next week"/"다음 주 초" is the Monday of the following week, "mid next week" its Wednesday;
- "end of the year"/"연말" is December 31st of ``d``'s year.
"""

# ruff: noqa: E501  -- patterns and word lists read better unbroken (Hangul counts double width)

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

_WEEKDAYS_EN = {
    "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2, "wed": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "friday": 4, "fri": 4,
    "saturday": 5, "sat": 5, "sunday": 6, "sun": 6,
}  # fmt: skip
_WEEKDAYS_KO = {"월": 0, "화": 1, "수": 2, "목": 3, "금": 4, "토": 5, "일": 6}
_MONTHS_EN = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12,
    "dec": 12,
}  # fmt: skip
_NUMBERS_EN = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "couple of": 2, "few": 3,
}  # fmt: skip
_NUMBERS_KO = {"하루": 1, "이틀": 2, "사흘": 3, "나흘": 4, "일주일": 7, "한": 1, "두": 2, "세": 3}

_WD_EN = r"(?P<wd>mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)"
_MONTH_EN = r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_NUM_EN = r"(?P<n>\d{1,2}|an?|one|two|three|four|five|six|seven|eight|nine|ten|couple of|few)"
# Days of the month spelled out, as people say them and Whisper writes them ("by the fifteenth",
# "on the twenty-eighth", "April sixteenth").
_ORDINALS_EN = {
    w: i + 1
    for i, w in enumerate(
        "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
        "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split()
    )
}
_ORDINALS_EN.update({f"twenty{sep}{w}": 20 + n for sep in ("-", " ") for w, n in list(_ORDINALS_EN.items())[:9]})
_ORDINALS_EN.update({"thirtieth": 30, "thirty-first": 31, "thirty first": 31})
_ORD_EN = "(?P<ord>" + "|".join(sorted((re.escape(w) for w in _ORDINALS_EN), key=len, reverse=True)) + ")"
# After a spelled-out day, only an end of phrase or "of <month>" ("on the second floor" is a place).
_ORD_END = r"(?=\s*(?:[,.;!?]|$|of\b|at\b|so\b|and\b|or\b|please\b|if\b|then\b|would\b|works\b|is\b))"
_MONTH_NOT_MAY = r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"

# Order matters: longer, more specific phrases first, so "next Friday" is not read as "Friday".
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(rx, re.IGNORECASE))
    for name, rx in (
        ("iso", r"\b(?P<y>20\d\d)-(?P<m>\d\d)-(?P<d>\d\d)\b"),
        ("en_month_day", rf"\b{_MONTH_EN}\.?\s+(?:the\s+)?{_DAY}\b(?:,?\s*(?P<y>20\d\d))?"),
        ("en_day_month", rf"\b(?:(?:by|on|before|until|till|for)\s+)?(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH_EN}\b(?:,?\s*(?P<y>20\d\d))?"),
        # "April sixteenth", "by May fifth", "the fifteenth of April" ("may" alone is a modal verb).
        ("en_month_ord", rf"\b(?:{_MONTH_NOT_MAY}|(?<=by |on |in )(?P<may>may))\s+(?:the\s+)?{_ORD_EN}\b"),
        ("en_ord_month", rf"\b(?:(?:by|on|before|until|till|for)\s+)?the\s+{_ORD_EN}\s+of\s+{_MONTH_EN}\b"),
        # "by the end of April": the last day of that month.
        ("en_end_of_month_named", rf"\b(?:the\s+)?end\s+of\s+{_MONTH_EN}\b"),
        # "Friday the 18th": the day of the month says which Friday.
        ("en_weekday_day", rf"\b{_WD_EN},?\s+(?:the\s+)?{_DAY}\b(?!\s*(?:%|percent|days?|weeks?|hours?|minutes?|people|items|tickets))"),
        ("en_early_next_week", r"\b(?:early|start of|beginning of|first thing)\s+next\s+week\b"),
        ("en_mid_next_week", r"\b(?:mid|middle of)[\s-]+next\s+week\b"),
        ("en_n_from_now", rf"\b{_NUM_EN}\s+(?P<unit>days?|weeks?)\s+from\s+(?:today|now)\b"),
        ("en_day_after", r"\b(?:the\s+)?day\s+after\s+tomorrow\b"),
        # "Friday next week": that weekday of next week, not this one.
        ("en_weekday_next_week", rf"\b{_WD_EN}\s+(?:of\s+)?next\s+week\b"),
        ("en_next_weekday", rf"\bnext\s+{_WD_EN}\b"),
        ("en_this_weekday", rf"\b(?:this(?:\s+coming)?|coming)\s+{_WD_EN}\b"),
        ("en_weekday", rf"\b{_WD_EN}\b"),
        ("en_end_next_month", r"\b(?:end\s+of\s+next\s+month|next\s+month)\b"),
        ("en_end_month", r"\b(?:(?:the\s+)?end\s+of\s+(?:(?:the|this)\s+)?month|month[-\s]end|eom)\b"),
        ("en_next_week", r"\b(?:end\s+of\s+next\s+week|next\s+week)\b"),
        ("en_this_week", r"\b(?:(?:the\s+)?end\s+of\s+(?:(?:the|this)\s+)?week|this\s+week|eow|(?:before|by)\s+the\s+weekend)\b"),
        ("en_in_n", rf"\b(?:in|within)\s+(?:a\s+)?{_NUM_EN}\s+(?P<unit>days?|weeks?)\b"),
        # "by the 15th": a day of this month, or of the next once it has passed.
        ("en_day_only", r"\b(?:by|on|before|until|till|for)\s+the\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)\b"),
        ("en_ord_only", rf"\b(?:by|on|before|until|till|for)\s+the\s+{_ORD_EN}\b{_ORD_END}"),
        ("en_end_year", r"\b(?:(?:the\s+)?end\s+of\s+(?:the|this)\s+year|year[-\s]end)\b"),
        ("en_tomorrow", r"\b(?:tomorrow|tmrw)\b"),
        (
            "en_today",
            # "end of day Thursday", "EOD tomorrow": the end of that day, read by its own pattern.
            r"\b(?:today|tonight|later today|within the hour|in an hour|this (?:afternoon|morning|evening)|(?:(?:the\s+)?end\s+of\s+(?:the\s+)?day|eod|cob|close\s+of\s+business|(?:by|before|at)\s+(?:noon|lunch(?:time)?))(?!,?\s+(?:on\s+)?(?:tomorrow|next|this|mon|tue|wed|thu|fri|sat|sun))|(?:right\s+)?after (?:this|the (?:meeting|call|standup|sync)|lunch))\b",
        ),
        (
            "ko_month_day",
            r"(?:(?P<y>20\d\d)\s*년\s*)?(?P<m>1[0-2]|0?[1-9])\s*월\s*(?P<d>[0-3]?\d)\s*일",
        ),
        ("ko_next_weekday", r"다음\s*주\s*(?P<wd>[월화수목금토일])요일"),
        ("ko_this_weekday", r"이번\s*주\s*(?P<wd>[월화수목금토일])요일"),
        ("ko_weekday", r"(?P<wd>[월화수목금토일])요일"),
        ("ko_end_next_month", r"다음\s*달\s*(?:말|까지)"),
        ("ko_end_month", r"(?:월말|이번\s*달\s*(?:말|안|까지))"),
        ("ko_early_next_week", r"다음\s*주\s*초"),
        ("ko_end_year", r"(?:연말|년말|올해\s*(?:안|말|까지))"),
        ("ko_next_week", r"다음\s*주"),
        ("ko_this_week", r"(?:이번\s*주|주말|금주)"),
        (
            "ko_in_n",
            r"(?P<n>\d{1,2}|일주일|하루|이틀|사흘|나흘|한|두|세)\s*(?P<unit>일|주)?\s*(?:후|뒤|안에|내에|내로)",
        ),
        ("ko_day_after", r"(?:내일\s*)?모레"),
        ("ko_tomorrow", r"내일(?!\s*모레)"),
        ("ko_today", r"(?:오늘|금일|이따(?:가)?|회의\s*끝나고)"),
        ("ko_day_only", r"(?<![\d월])(?P<d>[0-3]?\d)\s*일\s*까지"),
    )
)


@dataclass(frozen=True)
class DueDateMatch:
    """A resolved date and where its phrase sits in the text (so the task text can drop it)."""

    date: datetime.date
    start: int
    end: int


def find_due_date(text: str, meeting_date: datetime.date) -> DueDateMatch | None:
    """The earliest date phrase in ``text`` that resolves, or ``None``.

    Never raises: an impossible date ("February 31st") is skipped, not an error.
    """
    best: DueDateMatch | None = None
    for name, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if best is not None and m.start() >= best.start:
                break
            resolved = _resolve(name, m, meeting_date)
            if resolved is not None:
                # A longer match at the same start wins ("next Friday" over "Friday").
                if best is None or m.start() < best.start:
                    best = DueDateMatch(resolved, m.start(), m.end())
                break
    return best


def resolve_due_date(text: str, meeting_date: datetime.date) -> datetime.date | None:
    match = find_due_date(text, meeting_date)
    return match.date if match else None


def friday_of_week(day: datetime.date) -> datetime.date:
    """The Friday of ``day``'s Monday-to-Sunday week."""
    return day + datetime.timedelta(days=4 - day.weekday())


def _next_weekday(day: datetime.date, weekday: int) -> datetime.date:
    ahead = (weekday - day.weekday()) % 7
    return day + datetime.timedelta(days=ahead or 7)


def _end_of_month(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _month_day(year: str | None, month: int, day: int, d: datetime.date) -> datetime.date | None:
    try:
        if year:
            return datetime.date(int(year), month, day)
        candidate = datetime.date(d.year, month, day)
        if candidate < d:
            candidate = datetime.date(d.year + 1, month, day)
        return candidate
    except ValueError:
        return None


def _weekday_en(m: re.Match[str]) -> int:
    return _WEEKDAYS_EN[m.group("wd").lower()]


def _resolve(name: str, m: re.Match[str], d: datetime.date) -> datetime.date | None:
    days = datetime.timedelta
    if name == "iso":
        try:
            return datetime.date(int(m["y"]), int(m["m"]), int(m["d"]))
        except ValueError:
            return None
    if name in ("en_month_day", "en_day_month"):
        return _month_day(m["y"], _MONTHS_EN[m["mon"].lower()], int(m["day"]), d)
    if name == "en_month_ord":
        month = 5 if m["may"] else _MONTHS_EN[m["mon"].lower()]
        return _month_day(None, month, _ORDINALS_EN[m["ord"].lower()], d)
    if name == "en_ord_month":
        return _month_day(None, _MONTHS_EN[m["mon"].lower()], _ORDINALS_EN[m["ord"].lower()], d)
    if name == "en_ord_only":
        return _day_of_month(_ORDINALS_EN[m["ord"].lower()], d)
    if name == "en_end_of_month_named":
        month = _MONTHS_EN[m["mon"].lower()]
        end = _end_of_month(d.year, month)
        return end if end >= d else _end_of_month(d.year + 1, month)
    if name == "en_weekday_next_week":
        return d - days(d.weekday()) + days(7 + _weekday_en(m))
    if name == "ko_month_day":
        return _month_day(m["y"], int(m["m"]), int(m["d"]), d)
    if name in ("en_next_weekday", "ko_next_weekday"):
        wd = _weekday_en(m) if name.startswith("en") else _WEEKDAYS_KO[m["wd"]]
        return d - days(d.weekday()) + days(7 + wd)
    if name in ("en_this_weekday", "ko_this_weekday"):
        wd = _weekday_en(m) if name.startswith("en") else _WEEKDAYS_KO[m["wd"]]
        same_week = d - days(d.weekday()) + days(wd)
        return same_week if same_week >= d else _next_weekday(d, wd)
    if name == "en_weekday":
        # "sun"/"sat"/"wed" are also ordinary words; only trust the full weekday names or
        # abbreviations after "by"/"on"/"until".
        word = m["wd"].lower()
        if len(word) <= 4 and not re.search(
            r"\b(?:by|on|until|till|before)\s+$", m.string[: m.start()], re.IGNORECASE
        ):
            return None
        return _next_weekday(d, _weekday_en(m))
    if name == "ko_weekday":
        return _next_weekday(d, _WEEKDAYS_KO[m["wd"]])
    if name in ("en_end_month", "ko_end_month"):
        return _end_of_month(d.year, d.month)
    if name in ("en_end_next_month", "ko_end_next_month"):
        year, month = (d.year + 1, 1) if d.month == 12 else (d.year, d.month + 1)
        return _end_of_month(year, month)
    if name in ("en_next_week", "ko_next_week"):
        return friday_of_week(d) + days(7)
    if name in ("en_this_week", "ko_this_week"):
        friday = friday_of_week(d)
        return friday if friday >= d else friday + days(7)
    if name == "en_in_n":
        n_text = m["n"].lower()
        n = int(n_text) if n_text.isdigit() else _NUMBERS_EN[n_text]
        return d + days(n * (7 if m["unit"].lower().startswith("week") else 1))
    if name == "ko_in_n":
        n_text = m["n"]
        if n_text in ("하루", "이틀", "사흘", "나흘", "일주일"):
            return d + days(_NUMBERS_KO[n_text])
        if not m["unit"]:
            return None
        n = int(n_text) if n_text.isdigit() else _NUMBERS_KO[n_text]
        return d + days(n * (7 if m["unit"] == "주" else 1))
    if name == "en_weekday_day":
        if len(m["wd"]) <= 4 and not re.search(r"\b(?:by|on|until|till|before)\s+$", m.string[: m.start()], re.IGNORECASE):
            return None  # "I sat 3 rows back": only a full weekday name stands alone
        return _day_of_month(int(m["day"]), d)
    if name in ("en_early_next_week", "ko_early_next_week"):
        return d - days(d.weekday()) + days(7)
    if name == "en_mid_next_week":
        return d - days(d.weekday()) + days(9)
    if name == "en_n_from_now":
        n_text = m["n"].lower()
        n = int(n_text) if n_text.isdigit() else _NUMBERS_EN[n_text]
        return d + days(n * (7 if m["unit"].lower().startswith("week") else 1))
    if name == "en_day_after":
        return d + days(2)
    if name in ("en_end_year", "ko_end_year"):
        return datetime.date(d.year, 12, 31)
    if name == "en_day_only":
        return _day_of_month(int(m["d"]), d)
    if name in ("en_tomorrow", "ko_tomorrow"):
        return d + days(1)
    if name == "ko_day_after":
        return d + days(2)
    if name in ("en_today", "ko_today"):
        return d
    if name == "ko_day_only":
        return _day_of_month(int(m["d"]), d)
    return None


def _day_of_month(day: int, d: datetime.date) -> datetime.date | None:
    """The ``day`` of ``d``'s month, or of the next month once it has passed."""
    year, month = d.year, d.month
    if day < d.day:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None
