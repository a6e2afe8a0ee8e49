"""Local fake servers of the three trackers' minimal API subsets, for the tracker tests.

Each fake keeps its issues in memory, checks the credentials the real service wants, answers
200/201/204, 401 (wrong credentials), 404 (unknown repo, project or issue) and 422/400 (invalid
input) on its own, and can be told to misbehave on the next matching request: any status with
headers (429 with ``Retry-After``, 500), a delay longer than the client waits (a timeout), or
``cut``: do the work, then drop the connection without answering.
"""

from __future__ import annotations

import abc
import base64
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Fault:
    method: str
    path: str  # a prefix of the request path
    kind: str  # 'status', 'timeout', 'cut'
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 2.0
    times: int = 1
    body_contains: str = ""  # only requests whose raw body has this (one GraphQL path serves all)


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


class Reply(Exception):
    def __init__(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        self.status, self.body, self.headers = status, body, headers or {}


class FakeTracker(abc.ABC):
    """A local stand-in for one tracker's HTTP API; each subclass speaks one wire format."""

    def __init__(self) -> None:
        self.faults: list[Fault] = []
        self.requests: list[Seen] = []
        self.lock = threading.Lock()
        self.url = ""

    def fault(self, method: str, path: str, kind: str, **kw: Any) -> None:
        self.faults.append(Fault(method, path, kind, **kw))

    @abc.abstractmethod
    def route(self, method: str, path: str, query: dict[str, str], headers: dict[str, str],
              body: Any) -> tuple[int, Any]:
        """The answer (status, JSON body) to one request that passed authorization."""

    @abc.abstractmethod
    def authorized(self, headers: dict[str, str]) -> bool:
        """Whether the request carries the credentials this tracker accepts."""

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        split = urlsplit(h.path)
        query = {k: v[0] for k, v in parse_qs(split.query).items()}
        raw = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        body = json.loads(raw) if raw else None
        headers = {k.lower(): v for k, v in h.headers.items()}
        with self.lock:
            self.requests.append(Seen(h.command, split.path, headers, body))
            fault = next((f for f in self.faults if f.method == h.command and split.path.startswith(f.path)
                          and f.body_contains.encode() in raw), None)
            if fault is not None:
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
        if fault is not None and fault.kind == "status":
            return self._send(h, fault.status, {"message": "injected"}, fault.headers)
        if fault is not None and fault.kind == "timeout":
            time.sleep(fault.delay_s)
        try:
            if not self.authorized(headers):
                raise Reply(401, {"message": "Bad credentials"})
            with self.lock:
                status, out = self.route(h.command, split.path, query, headers, body)
        except Reply as r:
            return self._send(h, r.status, r.body, r.headers)
        if fault is not None and fault.kind == "cut":
            # The work is done; the answer never leaves.
            h.close_connection = True
            h.connection.shutdown(socket.SHUT_RDWR)
            return None
        return self._send(h, status, out, {})

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, body: Any, headers: dict[str, str]) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        try:
            h.send_response(status)
            for k, v in headers.items():
                h.send_header(k, v)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data)
        except OSError:
            pass  # the client gave up waiting (the timeout case)


@contextmanager
def serving(fake: FakeTracker) -> Iterator[FakeTracker]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            fake.handle(self)

        do_POST = do_PATCH = do_PUT = do_GET

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class FakeGitHub(FakeTracker):
    def __init__(self, repo: str = "acme/app", token: str = "gh-secret-token") -> None:
        super().__init__()
        self.repo, self.token = repo, token
        self.issues: dict[int, dict[str, Any]] = {}

    def authorized(self, headers: dict[str, str]) -> bool:
        return headers.get("authorization") == f"Bearer {self.token}"

    def route(self, method: str, path: str, query: dict[str, str], headers: dict[str, str],
              body: Any) -> tuple[int, Any]:
        base = f"/repos/{self.repo}/issues"
        if not path.startswith(base):
            raise Reply(404, {"message": "Not Found"})
        rest = path[len(base):]
        if rest == "" and method == "POST":
            if not isinstance(body, dict) or not body.get("title"):
                raise Reply(422, {"message": "Validation Failed"})
            number = len(self.issues) + 1
            issue = {"number": number, "title": body["title"], "body": body.get("body", ""),
                     "labels": [{"name": n} for n in body.get("labels", [])],
                     "assignees": [{"login": a} for a in body.get("assignees", [])],
                     "state": "open", "state_reason": None, "updated_at": _now(),
                     "html_url": f"https://github.example/{self.repo}/issues/{number}"}
            self.issues[number] = issue
            return 201, issue
        if rest == "" and method == "GET":
            label = query.get("labels")
            since = query.get("since", "")
            found = [i for i in self.issues.values()
                     if (not label or label in [x["name"] for x in i["labels"]]) and i["updated_at"] >= since]
            page, per = int(query.get("page", 1)), int(query.get("per_page", 30))
            return 200, found[(page - 1) * per: page * per]
        m = re.fullmatch(r"/(\d+)", rest)
        if m and method == "PATCH":
            issue = self.issues.get(int(m.group(1)))
            if issue is None:
                raise Reply(404, {"message": "Not Found"})
            if "state" in body and body["state"] not in ("open", "closed"):
                raise Reply(422, {"message": "Validation Failed"})
            for k in ("title", "state", "state_reason"):
                if k in body:
                    issue[k] = body[k]
            if "assignees" in body:
                issue["assignees"] = [{"login": a} for a in body["assignees"]]
            issue["updated_at"] = _now()
            return 200, issue
        raise Reply(404, {"message": "Not Found"})


JIRA_STATUSES = {"To Do": "new", "In Progress": "indeterminate", "Done": "done"}


class FakeJira(FakeTracker):
    def __init__(self, project: str = "ENG", email: str = "bot@acme.test", token: str = "jira-secret") -> None:
        super().__init__()
        self.project, self.email, self.token = project, email, token
        self.issues: dict[str, dict[str, Any]] = {}
        self.users = {"bob@acme.test": "acc-bob"}

    def authorized(self, headers: dict[str, str]) -> bool:
        good = base64.b64encode(f"{self.email}:{self.token}".encode()).decode()
        return headers.get("authorization") == f"Basic {good}"

    def route(self, method: str, path: str, query: dict[str, str], headers: dict[str, str],
              body: Any) -> tuple[int, Any]:
        if path == "/rest/api/3/issue" and method == "POST":
            fields = body.get("fields", {})
            if fields.get("project", {}).get("key") != self.project:
                raise Reply(404, {"errorMessages": ["project not found"]})
            description = fields.get("description")
            if not fields.get("summary") or not isinstance(description, dict) or description.get("type") != "doc":
                raise Reply(400, {"errors": {"summary": "required; description must be ADF"}})
            key = f"{self.project}-{len(self.issues) + 1}"
            self.issues[key] = {"id": str(10000 + len(self.issues)), "key": key,
                                "fields": {**fields, "status": "To Do"}}
            return 201, {"id": self.issues[key]["id"], "key": key, "self": f"{self.url}/rest/api/3/issue/{key}"}
        if path == "/rest/api/3/search/jql" and method == "POST":
            m = re.search(r'labels = "([^"]+)"', body.get("jql", ""))
            found = [{"id": i["id"], "key": k} for k, i in self.issues.items()
                     if m and m.group(1) in i["fields"].get("labels", [])]
            return 200, {"issues": found[: body.get("maxResults", 50)]}
        if path == "/rest/api/3/user/search":
            account = self.users.get(query.get("query", ""))
            return 200, [{"accountId": account}] if account else []
        m = re.fullmatch(r"/rest/api/3/issue/([A-Z]+-\d+)(/transitions)?", path)
        if not m or m.group(1) not in self.issues:
            raise Reply(404, {"errorMessages": ["Issue does not exist"]})
        issue = self.issues[m.group(1)]
        if m.group(2) is None and method == "PUT":
            issue["fields"].update(body.get("fields", {}))
            return 204, None
        transitions = [{"id": str(11 + 10 * n), "name": f"Move to {name}",
                        "to": {"name": name, "statusCategory": {"key": cat}}}
                       for n, (name, cat) in enumerate(JIRA_STATUSES.items()) if name != issue["fields"]["status"]]
        if m.group(2) and method == "GET":
            return 200, {"transitions": transitions}
        if m.group(2) and method == "POST":
            chosen = next((t for t in transitions if t["id"] == body["transition"]["id"]), None)
            if chosen is None:
                raise Reply(400, {"errorMessages": ["transition not valid"]})
            issue["fields"]["status"] = chosen["to"]["name"]
            return 204, None
        raise Reply(404, {"errorMessages": ["no such route"]})


LINEAR_STATES = [("st-backlog", "Backlog", "backlog"), ("st-todo", "Todo", "unstarted"),
                 ("st-progress", "In Progress", "started"), ("st-done", "Done", "completed")]


class FakeLinear(FakeTracker):
    def __init__(self, team_key: str = "ENG", key: str = "lin_api_secret") -> None:
        super().__init__()
        self.team_key, self.key = team_key, key
        self.issues: dict[str, dict[str, Any]] = {}
        self.users = {"bob@acme.test": "user-bob"}

    def authorized(self, headers: dict[str, str]) -> bool:
        return headers.get("authorization") == self.key

    def route(self, method: str, path: str, query: dict[str, str], headers: dict[str, str],
              body: Any) -> tuple[int, Any]:
        if path != "/graphql" or method != "POST":
            raise Reply(404, {"message": "Not Found"})
        q, v = body["query"], body.get("variables", {})
        if "issueCreate" in q:
            data = v["input"]
            if data.get("teamId") != "team-eng" or not data.get("title"):
                return 400, {"errors": [{"message": "Argument Validation Error",
                                         "extensions": {"code": "INVALID_INPUT"}}]}
            n = len(self.issues) + 1
            issue = {"id": f"issue-{n}", "identifier": f"{self.team_key}-{n}",
                     "url": f"https://linear.example/issue/{self.team_key}-{n}", **data}
            self.issues[issue["id"]] = issue
            return 200, {"data": {"issueCreate": {"success": True, "issue": {
                k: issue[k] for k in ("id", "identifier", "url")}}}}
        if "issueUpdate" in q:
            issue = self.issues.get(v["id"])
            if issue is None:
                return 200, {"errors": [{"message": "Entity not found", "extensions": {"code": "NOT_FOUND"}}]}
            issue.update(v["input"])
            return 200, {"data": {"issueUpdate": {"success": True}}}
        if "teams(" in q:
            nodes = [{"id": "team-eng", "states": {"nodes": [
                {"id": i, "name": n, "type": t} for i, n, t in LINEAR_STATES]}}] if v["key"] == self.team_key else []
            return 200, {"data": {"teams": {"nodes": nodes}}}
        if "issues(" in q:
            nodes = [{k: i[k] for k in ("id", "identifier", "url")} for i in self.issues.values()
                     if v["marker"] in i.get("description", "")]
            return 200, {"data": {"issues": {"nodes": nodes[:1]}}}
        if "users(" in q:
            user = self.users.get(v["u"])
            return 200, {"data": {"users": {"nodes": [{"id": user}] if user else []}}}
        return 400, {"errors": [{"message": "unknown query"}]}
