"""The LLM minutes writer: any OpenAI-compatible chat endpoint, the offline rules as its fallback.

Public API: :class:`OpenAIMinutesWriter` (a ``MinutesWriter``: call it with utterances, the meeting
date and a language) and :data:`MINUTES_SCHEMA`. It never raises for a bad or absent answer: after
the retries it hands the meeting to :func:`domain.extraction.extract_minutes` and says why in
``Minutes.notes``.

Exceptions (internal; each foreign error is translated once, in ``_complete``)::

    LLMError
    ├── LLMUnavailable      transport error, timeout, 429 or 5xx: retried with backoff
    ├── LLMRejected         any other HTTP status (400, 401, 404, …): not retried
    └── LLMAnswerError      a 200 whose content is not minutes (bad JSON, failed validation)
"""

from __future__ import annotations

import datetime
import email.utils
import json
import logging
import random
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import openai
from openai.types.chat import ChatCompletionMessageParam
from openai.types.shared_params import ResponseFormatJSONObject, ResponseFormatJSONSchema

from connectors.settings import Settings
from domain.extraction import extract_minutes
from domain.extraction_base import strip_honorific
from domain.minutes import ActionItem, Minutes, MinutesFormatError, StatusUpdate, Utterance
from domain.rolling_minutes import merge_minutes
from domain.tickets import same_person

__all__ = ["CHECK_SCHEMA", "MINUTES_SCHEMA", "CheckedMinutes", "LLMAnswerError", "LLMCalls", "LLMError",
           "LLMRejected", "LLMUnavailable", "OpenAIMinutesChecker", "OpenAIMinutesWriter"]

log = logging.getLogger("vori.llm")

Usage = dict[str, int]
Fallback = Callable[[Sequence[Utterance], datetime.date, str | None], Minutes]

# A server asking for minutes of waiting is answered by the offline writer sooner than that.
MAX_RETRY_AFTER_S = 60.0
MAX_BACKOFF_S = 30.0

# settings.llm_response_format: what goes in `response_format`. The schema is in the system prompt
# every time, so json_object and none get it too.
RESPONSE_FORMATS = ("json_schema", "json_object", "none")


class LLMError(Exception):
    """The LLM did not produce usable minutes; ``str(exc)`` is the reason put in the notes."""


class LLMUnavailable(LLMError):
    """Worth another try: a timeout, a connection error, 429 or 5xx."""

    def __init__(self, reason: str, retry_after_s: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after_s = retry_after_s


class LLMRejected(LLMError):
    """The endpoint refused the request (a 4xx other than 408/409/429): retrying cannot help."""

    def __init__(self, reason: str, status: int) -> None:
        super().__init__(reason)
        self.status = status


class LLMAnswerError(LLMError):
    """The endpoint answered, but not with minutes."""


def _nullable(kind: str) -> dict[str, Any]:
    return {"type": [kind, "null"]}


_QUOTE = {"type": "string", "description": "the words as said in the transcript"}
_START = {"type": "integer", "minimum": 0, "description": "start_ms of the quoted line"}

# Strict mode (OpenAI structured outputs) wants every property required and no extra keys;
# optional values are nullable instead.
MINUTES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["summary", "decisions", "action_items", "status_updates", "questions", "keywords",
                 "language"],
    "properties": {
        "summary": {"type": "string"},
        "decisions": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["text", "quote", "start_ms"],
                "properties": {"text": {"type": "string"}, "quote": _QUOTE, "start_ms": _START},
            },
        },
        "action_items": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["assignee", "task", "due_date", "quote", "start_ms"],
                "properties": {
                    "assignee": {**_nullable("string"), "description": "a speaker or a person named"},
                    "task": {"type": "string"},
                    "due_date": {**_nullable("string"), "description": "YYYY-MM-DD or null"},
                    "quote": _QUOTE,
                    "start_ms": _START,
                },
            },
        },
        "status_updates": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["speaker", "subject", "status", "reason", "quote", "start_ms"],
                "properties": {
                    "speaker": _nullable("string"),
                    "subject": {"type": "string", "description": "the piece of work reported on"},
                    "status": {"type": "string", "enum": ["in_progress", "blocked", "done"]},
                    "reason": _nullable("string"),
                    "quote": _QUOTE,
                    "start_ms": _START,
                },
            },
        },
        "questions": {"type": "array", "items": {"type": "string"}},
        "keywords": {"type": "array", "items": {"type": "string"}},
        "language": {"type": "string", "description": "ISO 639-1 code of the meeting's language"},
    },
}

_SYSTEM = """You write the minutes of a meeting from its transcript.
Each transcript line is `[start_ms] Speaker: text`.
Answer with one JSON object that follows this JSON schema, and nothing else:
{schema}
Rules:
- action_items: only real commitments or accepted requests, not hypotheticals ("if we had time we
  could"), "maybe someday", past intentions or small talk. assignee is the speaker label of the
  person who will do it, or a name said in the transcript; null when nobody is named.
- due_date: resolve relative dates ("by Friday") against the meeting date {date} ({weekday}).
- status_updates: someone reporting progress on earlier work: done, in_progress or blocked.
- quote and start_ms point at the transcript line where it was said.
- Write summary, tasks and keywords in the meeting's language."""


_ROLLING = """The meeting is still going on. Below are the minutes so far, as JSON, then the transcript
lines that are new or were re-transcribed since (lines from {from_ms} ms on replace what the minutes
so far say about that stretch), after a few earlier lines for context. Answer with the updated
minutes of the whole meeting so far: keep what still holds, add what the new lines bring, and fix
what they change."""


class LLMCalls(ThreadPoolExecutor):
    """The minutes flow's LLM requests run here, at most ``concurrency`` at once: a slow endpoint
    delays the minutes that wait for it, never the flow's other meetings."""

    def __init__(self, concurrency: int) -> None:
        if concurrency < 1:
            raise ValueError(f"VORI_LLM_CONCURRENCY must be at least 1, got {concurrency}")
        super().__init__(max_workers=concurrency, thread_name_prefix="vori-llm")


@dataclass(frozen=True)
class _Answer:
    content: str
    usage: Usage | None


class OpenAIMinutesWriter:
    """Minutes from an OpenAI-compatible ``/chat/completions`` endpoint, offline rules as fallback.

    Calls are synchronous and the client is created on first use (in the worker that runs it); the
    minutes flow makes them on :class:`LLMCalls`, off its own thread. :meth:`write_rolling` sends
    the previous minutes and the changed lines, never the whole transcript.
    Retries: up to ``settings.llm_max_retries`` more attempts after a timeout, connection error,
    429 or 5xx, waiting ``Retry-After`` when the server sends one, else an exponential backoff
    with jitter. Everything else (a 4xx, an answer that is not valid minutes) falls back at once.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        fallback: Fallback = extract_minutes,
        backoff_s: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not settings.llm_base_url:
            raise ValueError("OpenAIMinutesWriter needs settings.llm_base_url (VORI_LLM_BASE_URL)")
        self._base_url = settings.llm_base_url
        self._model = settings.llm_model
        # Local servers (vLLM, llama.cpp, Ollama) ignore the key, but the client insists on one.
        self._api_key = settings.llm_api_key or "unused"
        self._timeout_s = settings.llm_timeout_s
        self._max_retries = max(0, settings.llm_max_retries)
        if settings.llm_response_format not in RESPONSE_FORMATS:
            raise ValueError(
                f"VORI_LLM_RESPONSE_FORMAT is {settings.llm_response_format!r}; "
                f"use one of {', '.join(RESPONSE_FORMATS)}"
            )
        self._fallback = fallback
        self._backoff_s = backoff_s
        self._sleep = sleep
        self._client: openai.OpenAI | None = None
        self._lock = threading.Lock()
        # Becomes "none" when the server refuses `response_format: json_schema`; then the schema
        # is only in the prompt and the content is parsed as plain JSON.
        self._format = settings.llm_response_format

    def __call__(
        self, utterances: Sequence[Utterance], meeting_date: datetime.date, language: str | None
    ) -> Minutes:
        return self.write_with_usage(utterances, meeting_date, language)[0]

    def write_with_usage(
        self, utterances: Sequence[Utterance], meeting_date: datetime.date, language: str | None
    ) -> tuple[Minutes, Usage | None]:
        """The minutes and the tokens spent on them (summed over attempts; ``None``: no answer)."""
        spoken = [u for u in utterances if u.text and u.text.strip()]
        if not spoken:
            # Nothing to ask about: the offline writer says "empty meeting" for free.
            return self._fallback(utterances, meeting_date, language), None
        usage: Usage = {}
        try:
            answer = self._ask(spoken, meeting_date, language, usage)
            minutes = _parse(answer, language)
        except LLMError as exc:
            log.warning("llm minutes failed, using the offline writer: %s", exc)
            offline = self._fallback(utterances, meeting_date, language)
            note = f"the LLM writer failed ({exc}); these minutes come from the offline rules"
            return replace(offline, notes=(*offline.notes, note)), usage or None
        return _guard_people(minutes, spoken), usage or None

    def write_rolling(
        self, previous: Minutes | None, context: Sequence[Utterance], changed: Sequence[Utterance],
        meeting_date: datetime.date, language: str | None,
    ) -> tuple[Minutes, Usage | None]:
        """Minutes updated from the previous ones and the changed lines (with a few lines of
        context): a rolling update costs what changed, not the whole transcript."""
        spoken = [u for u in changed if u.text and u.text.strip()]
        if previous is None:
            return self.write_with_usage([*context, *changed], meeting_date, language)
        if not spoken:
            return previous, None
        start = min(u.start_ms for u in spoken)
        extra = "\n".join([
            _ROLLING.format(from_ms=start),
            "Minutes so far:",
            json.dumps({k: v for k, v in previous.to_json().items() if k not in ("writer", "notes")},
                       ensure_ascii=False),
            "Earlier lines (context only):",
            *(_line(u) for u in context),
        ])
        usage: Usage = {}
        known = [*context, *spoken, *_quoted(previous)]
        try:
            answer = self._ask(spoken, meeting_date, language, usage, preface=extra)
            minutes = _parse(answer, language)
        except LLMError as exc:
            log.warning("llm rolling minutes failed, using the offline writer: %s", exc)
            partial = self._fallback([*context, *changed], meeting_date, language)
            merged = merge_minutes(previous, partial, start)
            note = f"the LLM writer failed ({exc}); these minutes come from the offline rules"
            return replace(merged, notes=(*merged.notes, note)), usage or None
        return _guard_people(minutes, known), usage or None

    # -- the HTTP side ---------------------------------------------------------------------------

    def _openai(self) -> openai.OpenAI:
        with self._lock:
            if self._client is None:
                self._client = openai.OpenAI(
                    base_url=self._base_url,
                    api_key=self._api_key,
                    timeout=self._timeout_s,
                    max_retries=0,  # our own loop retries, so Retry-After and the budget are ours
                )
            return self._client

    def _ask(
        self, spoken: Sequence[Utterance], meeting_date: datetime.date, language: str | None, usage: Usage,
        *, preface: str | None = None,
    ) -> str:
        transcript = _transcript(spoken, meeting_date, language)
        messages: list[ChatCompletionMessageParam] = [
            {"role": "system", "content": _SYSTEM.format(
                schema=json.dumps(MINUTES_SCHEMA, separators=(",", ":")),
                date=meeting_date.isoformat(),
                weekday=meeting_date.strftime("%A"),
            )},
            {"role": "user", "content": f"{preface}\n{transcript}" if preface else transcript},
        ]
        attempt = 0
        while True:
            try:
                answer = self._request(messages)
            except LLMUnavailable as exc:
                if attempt >= self._max_retries:
                    tries = attempt + 1
                    raise LLMUnavailable(
                        f"{exc} after {tries} attempt{'s' if tries > 1 else ''}"
                    ) from exc
                delay = self._delay(attempt, exc.retry_after_s)
                log.info("llm attempt %d failed (%s); retrying in %.2fs", attempt + 1, exc, delay)
                self._sleep(delay)
                attempt += 1
                continue
            for key, value in (answer.usage or {}).items():
                usage[key] = usage.get(key, 0) + value
            return answer.content

    def _delay(self, attempt: int, retry_after_s: float | None) -> float:
        if retry_after_s is not None:
            return min(max(retry_after_s, 0.0), MAX_RETRY_AFTER_S)
        backoff: float = min(self._backoff_s * 2.0**attempt, MAX_BACKOFF_S)
        return backoff * (0.5 + random.random() / 2)  # jitter: clients do not retry in lockstep

    def _request(
        self,
        messages: list[ChatCompletionMessageParam],
        schema: dict[str, Any] | None = None,
        name: str = "meeting_minutes",
    ) -> _Answer:
        """:meth:`_complete`, asked once more without ``response_format`` when the server refuses
        ``json_schema`` (older llama.cpp builds and other servers that know only ``json_object``
        or nothing answer 400 or 422); the writer then stops sending it."""
        try:
            return self._complete(messages, schema, name)
        except LLMRejected as exc:
            if self._format != "json_schema" or exc.status not in (400, 422):
                raise
            log.info("llm endpoint refused response_format json_schema (%s); retrying without", exc)
            self._format = "none"
        return self._complete(messages, schema, name)

    def _complete(
        self,
        messages: list[ChatCompletionMessageParam],
        schema: dict[str, Any] | None = None,
        name: str = "meeting_minutes",
    ) -> _Answer:
        """One request; the only place an ``openai`` exception is caught and translated."""
        response_format: ResponseFormatJSONSchema | ResponseFormatJSONObject | openai.Omit = openai.omit
        if self._format == "json_schema":
            response_format = {
                "type": "json_schema",
                "json_schema": {"name": name, "strict": True, "schema": schema or MINUTES_SCHEMA},
            }
        elif self._format == "json_object":
            response_format = {"type": "json_object"}
        try:
            resp = self._openai().chat.completions.create(
                model=self._model, messages=messages, temperature=0, response_format=response_format
            )
        except openai.APITimeoutError as exc:
            raise LLMUnavailable(f"timed out after {self._timeout_s:g}s") from exc
        except openai.APIConnectionError as exc:
            raise LLMUnavailable(f"cannot reach {self._base_url}: {exc}") from exc
        except openai.APIStatusError as exc:
            status = exc.status_code
            reason = f"HTTP {status}: {_status_message(exc)}"
            if status in (408, 409, 429) or status >= 500:
                raise LLMUnavailable(reason, _retry_after(exc.response.headers)) from exc
            raise LLMRejected(reason, status) from exc
        except openai.OpenAIError as exc:
            # A 200 the client could not read (not JSON, not a chat completion).
            raise LLMAnswerError(f"unreadable response: {_short(str(exc))}") from exc
        usage: Usage | None = None
        if resp.usage is not None:
            usage = {
                "prompt_tokens": int(resp.usage.prompt_tokens or 0),
                "completion_tokens": int(resp.usage.completion_tokens or 0),
                "total_tokens": int(resp.usage.total_tokens or 0),
                "requests": 1,
            }
        choices = getattr(resp, "choices", None)
        if not isinstance(choices, list) or not choices:
            raise LLMAnswerError("the response holds no choices")
        message = choices[0].message
        if getattr(message, "refusal", None):
            raise LLMAnswerError(f"the model refused: {_short(str(message.refusal))}")
        content = message.content
        if not isinstance(content, str) or not content.strip():
            raise LLMAnswerError("the answer is empty")
        return _Answer(content, usage)


def _short(text: str, limit: int = 200) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def _status_message(exc: openai.APIStatusError) -> str:
    """The server's own words: ``{"error": {"message": …}}`` (OpenAI's shape), else the body."""
    body: object = exc.body
    if isinstance(body, Mapping) and isinstance(body.get("error"), Mapping):
        body = body["error"]
    if isinstance(body, Mapping) and isinstance(body.get("message"), str):
        return _short(body["message"])
    return _short(exc.response.text or exc.message)


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds from ``retry-after-ms``, ``retry-after`` (seconds or an HTTP date), else ``None``."""
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            return float(raw_ms) / 1000
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    return max(0.0, (when - datetime.datetime.now(datetime.UTC)).total_seconds())


def _transcript(spoken: Sequence[Utterance], meeting_date: datetime.date, language: str | None) -> str:
    lines = [f"Meeting date: {meeting_date.isoformat()} ({meeting_date.strftime('%A')})"]
    if language:
        lines.append(f"Language: {language}")
    lines.append("Transcript:")
    lines.extend(_line(u) for u in sorted(spoken, key=lambda u: (u.start_ms, u.end_ms)))
    return "\n".join(lines)


def _line(u: Utterance) -> str:
    return f"[{u.start_ms}] {u.speaker or '(unknown speaker)'}: {' '.join(u.text.split())}"


def _quoted(minutes: Minutes) -> list[Utterance]:
    """The people earlier minutes name, as lines: a rolling answer may keep them as owners."""
    return [Utterance(a.assignee, a.quote, a.start_ms, a.start_ms) for a in minutes.action_items
            if a.assignee] + [Utterance(s.speaker, s.quote, s.start_ms, s.start_ms)
                              for s in minutes.status_updates if s.speaker]


_FENCE = re.compile(r"^```[a-zA-Z]*\s*\n?(.*?)\n?```$", re.DOTALL)


def _parse(content: str, language: str | None) -> Minutes:
    text = content.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1).strip()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LLMAnswerError(f"the answer is not valid JSON ({exc.msg} at position {exc.pos})") from exc
    if not isinstance(data, dict):
        raise LLMAnswerError(f"the answer is JSON {type(data).__name__}, not an object")
    # These are ours to say, not the model's.
    data["writer"] = "llm"
    data["notes"] = []
    if language or not isinstance(data.get("language"), str):
        data["language"] = language or "und"
    try:
        return Minutes.from_json(data)
    except MinutesFormatError as exc:
        raise LLMAnswerError(f"the answer is not valid minutes: {exc}") from exc


class _People:
    """Who may be named in the minutes: the speakers, and names said in the transcript."""

    def __init__(self, spoken: Sequence[Utterance]) -> None:
        self._speakers = sorted({u.speaker.strip() for u in spoken if u.speaker and u.speaker.strip()})
        self._text = unicodedata.normalize("NFKC", " ".join(u.text for u in spoken))

    def known(self, name: str) -> bool:
        if any(same_person(name, s) for s in self._speakers):
            return True
        bare = unicodedata.normalize("NFKC", strip_honorific(name)).strip()
        if not bare:
            return False
        for candidate in dict.fromkeys((bare, bare.split()[0])):
            if not candidate.isascii():
                # Korean names take particles with no space ("민수 씨가", "민수가"): containment.
                if len(candidate) >= 2 and candidate in self._text:
                    return True
                continue
            # A name said in English is capitalised: "Will" is a name, "will" is not.
            pattern = rf"(?<![\w-]){re.escape(candidate[:1].upper())}{re.escape(candidate[1:])}(?![\w-])"
            if len(candidate) >= 2 and re.search(pattern, self._text) is not None:
                return True
        return False


def _guard_people(minutes: Minutes, spoken: Sequence[Utterance]) -> Minutes:
    """Drop names the transcript never holds (a model inventing an owner), saying so in the notes."""
    people = _People(spoken)
    notes = list(minutes.notes)
    items: list[ActionItem] = []
    for item in minutes.action_items:
        if item.assignee is not None and not people.known(item.assignee):
            notes.append(
                f"the LLM named {item.assignee!r} as the owner of {item.task!r}, but nobody by that "
                "name spoke or was mentioned; the owner was left empty"
            )
            item = replace(item, assignee=None)
        items.append(item)
    updates: list[StatusUpdate] = []
    for update in minutes.status_updates:
        if update.speaker is not None and not people.known(update.speaker):
            notes.append(
                f"the LLM attributed a status update on {update.subject!r} to {update.speaker!r}, "
                "who never spoke or was mentioned; the speaker was left empty"
            )
            update = replace(update, speaker=None)
        updates.append(update)
    if len(notes) == len(minutes.notes):
        return minutes
    return replace(minutes, action_items=tuple(items), status_updates=tuple(updates), notes=tuple(notes))


# -- the check: the offline items handed to an LLM to confirm or fix owners and due dates ----------

CHECK_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["items"],
    "properties": {
        "items": {
            "type": "array",
            "description": "one entry per action item, by its number; items not listed are confirmed",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["index", "keep", "assignee", "due_date"],
                "properties": {
                    "index": {"type": "integer", "minimum": 0},
                    "keep": {"type": "boolean", "description": "false: not a real commitment"},
                    "assignee": {**_nullable("string"), "description": "who will do it"},
                    "due_date": {**_nullable("string"), "description": "YYYY-MM-DD or null"},
                },
            },
        }
    },
}

_CHECK_SYSTEM = """You check the action items a rule-based writer took from a meeting transcript.
Each transcript line is `[start_ms] Speaker: text`; the items follow, numbered from 0.
For each item, say whether it is a real commitment (keep), who will do it (the speaker label of
the person who accepted or was given the task, or a name said in the transcript) and its due date,
resolving relative dates against the meeting date {date} ({weekday}): a bare weekday is the next
such day after the meeting. Do not add items. Answer with one JSON object that follows this JSON
schema, and nothing else:
{schema}"""


@dataclass(frozen=True)
class CheckedMinutes:
    """The minutes after the check, and what it changed (one line per change, for people)."""

    minutes: Minutes
    changes: tuple[str, ...]


class OpenAIMinutesChecker:
    """Confirms or fixes the owners and due dates of offline minutes with an LLM.

    One request per meeting with :data:`CHECK_SCHEMA` as structured output (or as
    ``settings.llm_response_format`` says, the schema always in the prompt). It never raises and
    never invents: an unreachable server or an unreadable answer leaves the minutes as they were
    (with a note), an owner nobody said is ignored, an impossible date is ignored, and only the
    items it was given can be dropped or changed.
    """

    def __init__(self, settings: Settings) -> None:
        self._writer = OpenAIMinutesWriter(settings)

    def check(
        self,
        minutes: Minutes,
        utterances: Sequence[Utterance],
        meeting_date: datetime.date,
        *,
        title: str = "",
    ) -> CheckedMinutes:
        spoken = [u for u in utterances if u.text and u.text.strip()]
        if not minutes.action_items or not spoken:
            return CheckedMinutes(minutes, ())
        items = "\n".join(
            f"{i}. owner={a.assignee or 'nobody'}; due={a.due_date or 'none'}; task={a.task}; "
            f"said: {a.quote}"
            for i, a in enumerate(minutes.action_items)
        )
        messages: list[ChatCompletionMessageParam] = [
            {"role": "system", "content": _CHECK_SYSTEM.format(
                schema=json.dumps(CHECK_SCHEMA, separators=(",", ":")),
                date=meeting_date.isoformat(),
                weekday=meeting_date.strftime("%A"),
            )},
            {"role": "user", "content": (f"Meeting: {title}\n" if title else "")
             + _transcript(spoken, meeting_date, minutes.language) + "\n\nItems:\n" + items},
        ]
        try:
            answer = self._writer._request(messages, CHECK_SCHEMA, "minutes_check")
            verdicts = _check_verdicts(answer.content)
        except LLMError as exc:
            note = f"the LLM check failed ({exc}); the offline items stand unchecked"
            return CheckedMinutes(replace(minutes, notes=(*minutes.notes, note)), ())
        return _apply_check(minutes, verdicts, _People(spoken))


def _check_verdicts(content: str) -> list[dict[str, Any]]:
    try:
        raw = json.loads(content)
    except json.JSONDecodeError as exc:
        raise LLMAnswerError(f"the check answer is not JSON: {exc}") from exc
    items = raw.get("items") if isinstance(raw, dict) else None
    if not isinstance(items, list):
        raise LLMAnswerError("the check answer has no items list")
    return [v for v in items if isinstance(v, dict) and isinstance(v.get("index"), int)]


def _apply_check(minutes: Minutes, verdicts: list[dict[str, Any]], people: _People) -> CheckedMinutes:
    items: list[ActionItem | None] = list(minutes.action_items)
    changes: list[str] = []
    for verdict in verdicts:
        i = verdict["index"]
        if not 0 <= i < len(items) or items[i] is None:
            changes.append(f"ignored: a verdict on item {i}, which does not exist")
            continue
        item = items[i]
        assert item is not None
        if verdict.get("keep") is False:
            changes.append(f"dropped {item.task!r} ({item.assignee})")
            items[i] = None
            continue
        owner = verdict.get("assignee")
        if isinstance(owner, str) and owner.strip() and not same_person(owner, item.assignee):
            if people.known(owner):
                changes.append(f"owner of {item.task!r}: {item.assignee} -> {owner.strip()}")
                item = replace(item, assignee=owner.strip())
            else:
                changes.append(f"ignored: owner {owner!r} for {item.task!r}, never said in the meeting")
        due_text = verdict.get("due_date")
        due: datetime.date | None = item.due_date
        if due_text is None:
            due = None
        elif isinstance(due_text, str):
            try:
                due = datetime.date.fromisoformat(due_text)
            except ValueError:
                changes.append(f"ignored: due date {due_text!r} for {item.task!r}")
        if due != item.due_date:
            changes.append(f"due of {item.task!r}: {item.due_date} -> {due}")
            item = replace(item, due_date=due)
        items[i] = item
    kept = tuple(item for item in items if item is not None)
    real = [c for c in changes if not c.startswith("ignored")]
    if not real:
        return CheckedMinutes(minutes, tuple(changes))
    note = f"an LLM check changed {len(real)} thing(s) in the action items"
    return CheckedMinutes(
        replace(minutes, action_items=kept, notes=(*minutes.notes, note)), tuple(changes)
    )
