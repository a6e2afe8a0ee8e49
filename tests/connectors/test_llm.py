"""The LLM minutes writer against a local OpenAI-compatible server (the one foreign seam we fake).

The server is a real HTTP server on a free port, in a thread, answering ``POST
/v1/chat/completions`` from a script of replies; the writer talks to it through the real
``openai`` client. Nothing of ours is replaced.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psycopg
import pytest

from connectors.llm import MINUTES_SCHEMA, OpenAIMinutesWriter
from connectors.settings import Settings
from domain.minutes import Minutes, Utterance
from domain.timeline import MeetingClosed
from domain.transcript import Segment
from flows.minutes import MinutesLogic

MEETING_DAY = dt.date(2026, 11, 23)  # a Monday


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: Any = None  # a dict is sent as JSON, a str as it is
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


@dataclass
class Seen:
    at: float
    body: dict[str, Any]
    headers: dict[str, str]


class FakeOpenAI:
    """Answers each request with the next scripted reply (the last one repeats)."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.requests: list[Seen] = []
        self._stop = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path != "/v1/chat/completions":
                    self._send(404, {"error": {"message": "no such route"}}, {})
                    return
                headers = {k.lower(): v for k, v in self.headers.items()}
                fake.requests.append(Seen(time.monotonic(), json.loads(raw), headers))
                reply = fake.replies[min(len(fake.requests), len(fake.replies)) - 1]
                if callable(reply.body):
                    reply = reply.body(fake.requests[-1].body)
                if reply.delay_s and fake._stop.wait(reply.delay_s):
                    return
                self._send(reply.status, reply.body, reply.headers)

            def _send(self, status: int, body: Any, headers: dict[str, str]) -> None:
                data = body if isinstance(body, str) else json.dumps(body)
                payload = data.encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (its timeout): that is the point of the test

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def completion(content: str, *, prompt_tokens: int = 120, completion_tokens: int = 80) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1_764_000_000,
        "model": "test-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def error(status: int, message: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": "server_error", "code": str(status)}}


UTTERANCES = [
    Utterance("Alice", "Let's plan the week.", 0, 3000),
    Utterance("Bob", "I will finish the database migration by Friday.", 4000, 7000),
    Utterance("Alice", "Carol asked whether the release notes are ready; Bob, can you check?", 8000, 11000),
    Utterance("Bob", "Sure. We decided to drop Internet Explorer.", 12000, 15000),
]


def answer(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "summary": "The team planned the week and dropped Internet Explorer.",
        "decisions": [{"text": "Drop Internet Explorer", "quote": "We decided to drop Internet Explorer.",
                       "start_ms": 12000}],
        "action_items": [
            {"assignee": "Bob", "task": "finish the database migration", "due_date": "2026-11-27",
             "quote": "I will finish the database migration by Friday.", "start_ms": 4000},
        ],
        "status_updates": [],
        "questions": ["Are the release notes ready?"],
        "keywords": ["database migration", "release notes"],
        "language": "en",
    }
    body.update(changes)
    return body


def settings(server: FakeOpenAI, **kw: Any) -> Settings:
    values: dict[str, Any] = {
        "llm_base_url": server.base_url,
        "llm_model": "test-model",
        "llm_api_key": "sk-test",
        "llm_timeout_s": 5.0,
        "llm_max_retries": 2,
    }
    values.update(kw)
    return Settings(**values)


def writer(server: FakeOpenAI, **kw: Any) -> OpenAIMinutesWriter:
    return OpenAIMinutesWriter(settings(server, **kw), backoff_s=0.01)


@pytest.fixture
def offline() -> Minutes:
    from domain.extraction import extract_minutes

    return extract_minutes(UTTERANCES, MEETING_DAY, "en")


def test_a_valid_structured_answer_becomes_llm_minutes_with_usage() -> None:
    with FakeOpenAI(Reply(body=completion(json.dumps(answer())))) as server:
        minutes, usage = writer(server).write_with_usage(UTTERANCES, MEETING_DAY, "en")
    assert minutes.writer == "llm" and minutes.notes == ()
    assert minutes.summary.startswith("The team planned")
    [item] = minutes.action_items
    assert (item.assignee, item.task, item.due_date) == ("Bob", "finish the database migration",
                                                         dt.date(2026, 11, 27))
    assert [d.text for d in minutes.decisions] == ["Drop Internet Explorer"]
    assert usage == {"prompt_tokens": 120, "completion_tokens": 80, "total_tokens": 200, "requests": 1}

    [request] = server.requests
    assert request.headers["authorization"] == "Bearer sk-test"
    assert request.body["model"] == "test-model"
    fmt = request.body["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["schema"] == MINUTES_SCHEMA
    prompt = request.body["messages"][-1]["content"]
    assert "[4000] Bob: I will finish the database migration by Friday." in prompt
    assert "2026-11-23" in prompt


def test_the_instance_is_a_minutes_writer() -> None:
    fenced = "```json\n" + json.dumps(answer()) + "\n```"
    with FakeOpenAI(Reply(body=completion(fenced))) as server:
        minutes = writer(server)(UTTERANCES, MEETING_DAY, None)
    assert minutes.writer == "llm" and minutes.language == "en"


def test_invalid_json_falls_back_to_the_offline_writer_at_once(offline: Minutes) -> None:
    with FakeOpenAI(Reply(body=completion('{"summary": "cut off'))) as server:
        minutes, usage = writer(server).write_with_usage(UTTERANCES, MEETING_DAY, "en")
    assert len(server.requests) == 1  # a broken answer is not retried
    assert minutes.writer == "offline"
    assert minutes.action_items == offline.action_items
    assert minutes.notes[-1].startswith("the LLM writer failed (the answer is not valid JSON")
    assert "offline rules" in minutes.notes[-1]
    assert usage is not None and usage["total_tokens"] == 200  # the tokens were spent all the same


def test_an_answer_that_fails_validation_falls_back_naming_the_field() -> None:
    bad = answer(status_updates=[{"speaker": "Bob", "subject": "migration", "status": "finished",
                                  "reason": None, "quote": "", "start_ms": 0}])
    with FakeOpenAI(Reply(body=completion(json.dumps(bad)))) as server:
        minutes = writer(server)(UTTERANCES, MEETING_DAY, "en")
    assert minutes.writer == "offline"
    assert "status_updates[0].status" in minutes.notes[-1]


def test_a_timeout_is_retried_then_falls_back() -> None:
    with FakeOpenAI(Reply(body=completion(json.dumps(answer())), delay_s=10)) as server:
        started = time.monotonic()
        minutes, usage = writer(server, llm_timeout_s=0.3, llm_max_retries=1).write_with_usage(
            UTTERANCES, MEETING_DAY, "en"
        )
        elapsed = time.monotonic() - started
    assert len(server.requests) == 2
    assert elapsed < 5  # the client gave up; it did not wait for the server
    assert minutes.writer == "offline" and usage is None
    assert "timed out after 0.3s after 2 attempts" in minutes.notes[-1]


def test_429_waits_for_retry_after_then_succeeds() -> None:
    with FakeOpenAI(
        Reply(429, error(429, "slow down"), {"Retry-After": "1"}),
        Reply(body=completion(json.dumps(answer()))),
    ) as server:
        minutes, usage = writer(server).write_with_usage(UTTERANCES, MEETING_DAY, "en")
    assert minutes.writer == "llm" and minutes.notes == ()
    first, second = server.requests
    assert second.at - first.at >= 0.9  # Retry-After (1 s) beat the 10 ms backoff
    assert usage is not None and usage["requests"] == 1


def test_500_every_time_falls_back_after_the_retries(offline: Minutes) -> None:
    with FakeOpenAI(Reply(500, error(500, "model crashed"))) as server:
        minutes, usage = writer(server, llm_max_retries=2).write_with_usage(UTTERANCES, MEETING_DAY, "en")
    assert len(server.requests) == 3
    assert minutes.writer == "offline" and usage is None
    assert (minutes.summary, minutes.action_items) == (offline.summary, offline.action_items)
    assert minutes.notes == (
        *offline.notes,
        "the LLM writer failed (HTTP 500: model crashed after 3 attempts); "
        "these minutes come from the offline rules",
    )


def test_a_client_error_is_not_retried() -> None:
    with FakeOpenAI(Reply(401, error(401, "bad key"))) as server:
        minutes = writer(server)(UTTERANCES, MEETING_DAY, "en")
    assert len(server.requests) == 1
    assert minutes.writer == "offline" and "HTTP 401: bad key" in minutes.notes[-1]


def test_a_server_without_json_schema_support_is_asked_again_without_it() -> None:
    def strict(body: dict[str, Any]) -> Reply:
        if "response_format" in body:
            return Reply(400, error(400, "response_format json_schema is not supported"))
        return Reply(body=completion(json.dumps(answer())))

    with FakeOpenAI(Reply(body=strict)) as server:
        w = writer(server)
        first = w(UTTERANCES, MEETING_DAY, "en")
        second = w(UTTERANCES, MEETING_DAY, "en")
    assert first.writer == second.writer == "llm"
    # Once told, the writer stops sending the format: 2 requests for the first minutes, 1 after.
    assert ["response_format" in r.body for r in server.requests] == [True, False, False]


# -- local servers: what Ollama, vLLM and llama.cpp's llama-server do with `response_format` ------


def local_server(kind: str, content: Callable[[dict[str, Any]], str]) -> Callable[[dict[str, Any]], Reply]:
    """A reply function that checks ``response_format`` the way ``kind`` does.

    - ``ollama`` (0.5+) and ``vllm``: ``json_schema`` (the schema under ``json_schema.schema``),
      ``json_object`` and no format are all accepted.
    - ``llama.cpp``: ``json_object`` (with an optional ``schema`` beside it) and ``json_schema``.
    - ``llama.cpp-old``: builds that know only ``text`` and ``json_object`` answer 400 to
      ``json_schema``.
    Any other type, or a ``json_schema`` without a schema, is a 400 as on those servers.
    """
    accepted = {
        "ollama": {"json_schema", "json_object", "text"},
        "vllm": {"json_schema", "json_object", "text"},
        "llama.cpp": {"json_schema", "json_object", "text"},
        "llama.cpp-old": {"json_object", "text"},
    }[kind]

    def reply(body: dict[str, Any]) -> Reply:
        fmt = body.get("response_format") or {"type": "text"}
        kind_ = fmt.get("type")
        if kind_ not in accepted:
            return Reply(400, error(400, 'response_format type must be one of "text" or "json_object", '
                                         f"but got: {kind_}"))
        if kind_ == "json_schema" and not isinstance(fmt.get("json_schema", {}).get("schema"), dict):
            return Reply(400, error(400, "json_schema.schema is required"))
        return Reply(body=completion(content(body)))

    return reply


def _minutes_json(body: dict[str, Any]) -> str:
    # Unconstrained, a local model likes to fence its JSON; constrained, it cannot.
    plain = json.dumps(answer())
    return plain if body.get("response_format") else "```json\n" + plain + "\n```"


@pytest.mark.parametrize(
    ("kind", "setting", "sent"),
    [
        ("ollama", "json_schema", ["json_schema"]),
        ("ollama", "json_object", ["json_object"]),
        ("vllm", "json_schema", ["json_schema"]),
        ("vllm", "json_object", ["json_object"]),
        ("llama.cpp", "json_schema", ["json_schema"]),
        ("llama.cpp", "json_object", ["json_object"]),
        ("llama.cpp-old", "json_schema", ["json_schema", None]),  # refused: asked again without
        ("llama.cpp-old", "json_object", ["json_object"]),
        ("llama.cpp-old", "none", [None]),
    ],
)
def test_local_servers_give_minutes_with_each_response_format(
    kind: str, setting: str, sent: list[str | None]
) -> None:
    with FakeOpenAI(Reply(body=local_server(kind, _minutes_json))) as server:
        minutes, usage = writer(server, llm_response_format=setting).write_with_usage(
            UTTERANCES, MEETING_DAY, "en"
        )
    assert [(r.body.get("response_format") or {}).get("type") for r in server.requests] == sent
    assert minutes.writer == "llm" and minutes.notes == ()
    [item] = minutes.action_items
    assert (item.assignee, item.task, item.due_date) == ("Bob", "finish the database migration",
                                                         dt.date(2026, 11, 27))
    assert [d.text for d in minutes.decisions] == ["Drop Internet Explorer"]
    assert usage is not None and usage["requests"] == 1  # the refused request spent no tokens
    last = server.requests[-1].body
    if sent[-1] == "json_schema":
        assert last["response_format"]["json_schema"]["schema"] == MINUTES_SCHEMA
    elif sent[-1] == "json_object":
        assert last["response_format"] == {"type": "json_object"}
    # Whatever the format, the schema is in the system prompt (json_object and none rely on it).
    system = last["messages"][0]
    assert system["role"] == "system"
    assert json.dumps(MINUTES_SCHEMA, separators=(",", ":")) in system["content"]


def test_an_unknown_response_format_setting_is_refused_up_front() -> None:
    with FakeOpenAI(Reply(500, error(500, "unused"))) as server, pytest.raises(
        ValueError, match="VORI_LLM_RESPONSE_FORMAT is 'json'; use one of json_schema, json_object, none"
    ):
        writer(server, llm_response_format="json")
    assert server.requests == []


def test_the_response_format_is_read_from_the_environment() -> None:
    s = Settings.from_env({"VORI_LLM_BASE_URL": "http://127.0.0.1:11434/v1",
                           "VORI_LLM_RESPONSE_FORMAT": "json_object"})
    assert s.llm_response_format == "json_object"
    assert Settings().llm_response_format == "json_schema"


def test_an_owner_who_never_spoke_nor_was_named_is_dropped_and_noted() -> None:
    items = [
        {"assignee": "Bob", "task": "finish the database migration", "due_date": None,
         "quote": "", "start_ms": 4000},
        {"assignee": "Carol", "task": "get the release notes ready", "due_date": None,
         "quote": "", "start_ms": 8000},  # named in the transcript, never spoke: kept
        {"assignee": "Zed", "task": "rewrite the backend", "due_date": None,
         "quote": "", "start_ms": 0},  # invented
    ]
    updates = [{"speaker": "Mallory", "subject": "the migration", "status": "done", "reason": None,
                "quote": "", "start_ms": 4000}]
    body = answer(action_items=items, status_updates=updates)
    with FakeOpenAI(Reply(body=completion(json.dumps(body)))) as server:
        minutes = writer(server)(UTTERANCES, MEETING_DAY, "en")
    assert minutes.writer == "llm"
    assert [(a.assignee, a.task) for a in minutes.action_items] == [
        ("Bob", "finish the database migration"),
        ("Carol", "get the release notes ready"),
        (None, "rewrite the backend"),
    ]
    assert [s.speaker for s in minutes.status_updates] == [None]
    assert len(minutes.notes) == 2
    assert "'Zed'" in minutes.notes[0] and "nobody by that name" in minutes.notes[0]
    assert "'Mallory'" in minutes.notes[1]


def test_a_lowercase_word_is_not_a_mention_of_a_name() -> None:
    items = [{"assignee": "Will", "task": "finish the database migration", "due_date": None,
              "quote": "", "start_ms": 4000}]
    with FakeOpenAI(Reply(body=completion(json.dumps(answer(action_items=items))))) as server:
        minutes = writer(server)(UTTERANCES, MEETING_DAY, "en")
    assert [a.assignee for a in minutes.action_items] == [None]


def test_an_empty_meeting_never_calls_the_llm() -> None:
    with FakeOpenAI(Reply(500, error(500, "unused"))) as server:
        minutes, usage = writer(server).write_with_usage([], MEETING_DAY, "en")
    assert server.requests == [] and usage is None
    assert minutes.writer == "offline" and minutes.notes[0].startswith("empty meeting")


def test_the_flow_logic_stores_the_usage_with_the_minutes() -> None:
    with FakeOpenAI(Reply(body=completion(json.dumps(answer()), prompt_tokens=10,
                                          completion_tokens=5))) as server:
        logic = MinutesLogic(100, 3600.0, writer(server), clock=lambda: 0.0, resume=None)
        segments = [
            Segment("m-1", "main", u.speaker, u.start_ms, u.end_ms, u.text, "en", "tiny.en",
                    1_763_856_000_000)
            for u in UTTERANCES
        ]
        logic.on_batch(list(segments))
        out, _ = logic.on_batch([MeetingClosed("m-1", "final", 15000)])
    [final] = list(out)
    assert final.kind == "final" and final.minutes.writer == "llm"
    assert final.usage == {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15, "requests": 1}


def test_the_flow_writes_llm_minutes_usage_and_tickets_when_an_endpoint_is_set(
    kafka_bootstrap: str, pg_database_dsn: str, topic_factory: Callable[..., str], tmp_path: Path
) -> None:
    from bytewax.testing import run_main
    from vori_testing import meeting_envelopes, produce, speak, to_record

    from connectors.postgres import migrate
    from flows.minutes import build_flow as minutes_flow
    from flows.transcription import build_flow

    migrate(pg_database_dsn)
    items = [{"assignee": "Alice", "task": "review the budget report", "due_date": None,
              "quote": "Alice will review the budget report.", "start_ms": 0}]
    with FakeOpenAI(Reply(body=completion(json.dumps(answer(action_items=items))))) as server:
        flow_settings = settings(
            server,
            kafka_bootstrap=kafka_bootstrap,
            database_url=pg_database_dsn,
            audio_topic=topic_factory(1, "audio"),
            dlq_topic=topic_factory(1, "dlq"),
            transcript_topic=topic_factory(1, "transcripts"),
            input_tail=False,
            gap_timeout_s=2.0,
            model_cache_dir=tmp_path / "models",
        )
        # tiny.en hears espeak's "Bob" as "mom" (and the owner guard then drops him): say Alice.
        pcm = speak("Good morning everyone. Alice will review the budget report next week.")
        envs = meeting_envelopes("llm-planning", pcm, seconds=2.0, title="Planning")
        produce(kafka_bootstrap, flow_settings.audio_topic, [to_record(e) for e in envs])
        run_main(build_flow(flow_settings))
        run_main(minutes_flow(flow_settings))  # minutes are their own flow, over transcription.completed
    assert server.requests, "the flow never asked the LLM"
    with psycopg.connect(pg_database_dsn) as conn:
        writer_, usage, notes = conn.execute(
            "SELECT writer, usage, notes FROM meeting_minutes WHERE meeting_id = 'llm-planning' "
            "AND kind = 'final'"
        ).fetchone()
        tickets = conn.execute("SELECT assignee, title FROM tickets").fetchall()
    assert (writer_, notes) == ("llm", [])
    assert usage["total_tokens"] == 200 and usage["requests"] == 1
    assert tickets == [("Alice", "review the budget report")]


# -- the check of offline items -----------------------------------------------------------------


def test_the_check_fixes_owner_and_date_drops_an_item_and_ignores_invented_owners() -> None:
    from connectors.llm import CHECK_SCHEMA, OpenAIMinutesChecker
    from domain.extraction import extract_minutes

    spoken = [
        Utterance("Alice", "Bob, can you update the API docs this week?", 0, 3000),
        Utterance("Bob", "Sure, I'll have them done by Wednesday.", 4000, 7000),
        Utterance("Carol", "I'll send the invoice to Acme tomorrow.", 8000, 11000),
    ]
    offline = extract_minutes(spoken, MEETING_DAY)
    assert len(offline.action_items) == 2
    verdicts = {"items": [
        {"index": 0, "keep": True, "assignee": "Bob", "due_date": "2026-11-26"},
        {"index": 1, "keep": True, "assignee": "Zed", "due_date": None},
        {"index": 7, "keep": False, "assignee": None, "due_date": None},
    ]}
    with FakeOpenAI(Reply(body=completion(json.dumps(verdicts)))) as server:
        checked = OpenAIMinutesChecker(settings(server)).check(offline, spoken, MEETING_DAY)
        sent = server.requests[0].body
    assert sent["response_format"]["json_schema"]["schema"] == CHECK_SCHEMA
    items = [(a.assignee, a.due_date) for a in checked.minutes.action_items]
    assert items == [("Bob", dt.date(2026, 11, 26)), ("Carol", None)]  # Zed never spoke
    assert any("Zed" in c and c.startswith("ignored") for c in checked.changes)
    assert any(c.startswith("ignored: a verdict on item 7") for c in checked.changes)


def test_the_check_keeps_the_offline_items_when_the_server_fails() -> None:
    from connectors.llm import OpenAIMinutesChecker
    from domain.extraction import extract_minutes

    spoken = [Utterance("Bob", "I'll update the API docs by Friday.", 0, 3000)]
    offline = extract_minutes(spoken, MEETING_DAY)
    with FakeOpenAI(Reply(status=400, body=error(400, "bad request"))) as server:
        checked = OpenAIMinutesChecker(settings(server)).check(offline, spoken, MEETING_DAY)
    assert checked.minutes.action_items == offline.action_items and checked.changes == ()
    assert "unchecked" in checked.minutes.notes[-1]


@pytest.mark.parametrize(
    ("kind", "setting", "sent"),
    [
        ("vllm", "json_object", ["json_object"]),
        ("llama.cpp-old", "json_schema", ["json_schema", None]),
    ],
)
def test_the_check_uses_the_response_format_setting_and_the_same_fallback(
    kind: str, setting: str, sent: list[str | None]
) -> None:
    from connectors.llm import CHECK_SCHEMA, OpenAIMinutesChecker
    from domain.extraction import extract_minutes

    spoken = [
        Utterance("Alice", "Bob, can you update the API docs this week?", 0, 3000),
        Utterance("Bob", "Sure, I'll have them done by Wednesday.", 4000, 7000),
    ]
    offline = extract_minutes(spoken, MEETING_DAY)
    assert [(a.assignee, a.due_date) for a in offline.action_items] == [("Bob", dt.date(2026, 11, 25))]
    verdicts = {"items": [{"index": 0, "keep": True, "assignee": "Bob", "due_date": "2026-11-26"}]}
    with FakeOpenAI(Reply(body=local_server(kind, lambda _: json.dumps(verdicts)))) as server:
        checker = OpenAIMinutesChecker(settings(server, llm_response_format=setting))
        checked = checker.check(offline, spoken, MEETING_DAY)
    assert [(r.body.get("response_format") or {}).get("type") for r in server.requests] == sent
    system = server.requests[-1].body["messages"][0]["content"]
    assert json.dumps(CHECK_SCHEMA, separators=(",", ":")) in system
    [item] = checked.minutes.action_items
    assert (item.assignee, item.due_date) == ("Bob", dt.date(2026, 11, 26))
    assert checked.changes == ("due of 'update the API docs': 2026-11-25 -> 2026-11-26",)
    assert checked.minutes.notes[-1] == "an LLM check changed 1 thing(s) in the action items"


# -- the minutes flow's LLM calls: asynchronous, bounded, incremental ----------------------------


def _segments(meeting: str, said: list[tuple[str, str]], start: int = 0) -> list[Segment]:
    return [Segment(meeting, "main", who, start + i * 4000, start + i * 4000 + 3000, text, "en", "tiny.en",
                    1_763_856_000_000, team="acme") for i, (who, text) in enumerate(said)]


def _until(poll: Callable[[], list[Any]], what: str, limit_s: float = 30.0) -> list[Any]:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        got = poll()
        if got:
            return got
        time.sleep(0.05)
    raise AssertionError(f"{what} never came")


def test_a_slow_llm_answer_delays_only_its_own_meetings_minutes() -> None:
    from connectors.llm import LLMCalls

    release = threading.Event()
    fast_body = completion(json.dumps(answer()))

    def gate(request: dict[str, Any]) -> Reply:
        if "slow meeting" in request["messages"][1]["content"]:
            release.wait(60)  # this endpoint is slow for this meeting, until the test lets it answer
        return Reply(body=fast_body)

    calls = LLMCalls(2)
    try:
        with FakeOpenAI(Reply(body=gate)) as server:
            w = writer(server)
            slow = MinutesLogic(100, 3600.0, w, clock=time.time, resume=None, calls=calls)
            fast = MinutesLogic(100, 3600.0, w, clock=time.time, resume=None, calls=calls)
            out, _ = slow.on_batch([*_segments("m-slow", [("Alice", "This is the slow meeting.")]),
                                    MeetingClosed("m-slow", "final", 5000, "acme")])
            assert list(out) == []  # asked, not waited for
            _until(lambda: server.requests, "the slow meeting's request")
            out, _ = fast.on_batch([*_segments("m-fast", [(u.speaker, u.text) for u in UTTERANCES]),
                                    MeetingClosed("m-fast", "final", 15000, "acme")])
            [final] = _until(lambda: list(out) or list(fast.on_notify()[0]), "the fast meeting's minutes")
            assert (final.meeting_id, final.kind, final.minutes.writer) == ("m-fast", "final", "llm")
            # The slow meeting's request is still unanswered, and its minutes wait for it alone.
            assert not release.is_set() and list(slow.on_notify()[0]) == []
            release.set()
            [late] = _until(lambda: list(slow.on_notify()[0]), "the slow meeting's minutes")
            assert (late.meeting_id, late.kind) == ("m-slow", "final")
    finally:
        release.set()
        calls.shutdown(wait=True)


def test_rolling_minutes_send_the_previous_minutes_and_the_new_lines_not_the_whole_transcript() -> None:
    early = [("Alice", f"Point number {i} is about the zebra{i} topic.") for i in range(20)]
    later = [("Bob", "I will finish the database migration by Friday."),
             ("Alice", "Carol will write the release notes.")]
    with FakeOpenAI(Reply(body=completion(json.dumps(answer())))) as server:
        # Minutes every 2 changed segments: one rolling update per batch of lines.
        logic = MinutesLogic(2, 3600.0, writer(server), clock=lambda: 0.0, resume=None)
        [first] = list(logic.on_batch(_segments("m-1", early))[0])
        [second] = list(logic.on_batch(_segments("m-1", later, start=len(early) * 4000))[0])
        sent = [r.body["messages"][1]["content"] for r in server.requests]
    assert (first.kind, second.kind) == ("rolling", "rolling") and len(sent) == 2
    assert all(f"zebra{i} " in sent[0] for i in range(20))  # the first minutes read everything so far
    assert "Minutes so far" in sent[1] and "finish the database migration" in sent[1]
    assert "Carol will write the release notes." in sent[1]
    # Only a short context tail of the earlier lines goes with the new ones.
    assert not any(f"zebra{i} " in sent[1] for i in range(8))
    assert second.segments_seen > first.segments_seen
