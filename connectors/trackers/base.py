"""What every tracker adapter shares: the ticket as it is pushed, the external issue it becomes,
the error taxonomy of an outside API, and the one HTTP call that classifies its answers.

An adapter never sees the database; the worker hands it a :class:`TicketSnapshot` and records
the :class:`ExternalIssue` it returns. Errors are :class:`TrackerError`: ``retryable`` ones (429,
5xx, a timeout, a dropped connection) are tried again later, honouring ``retry_after``; the
others (401, 403, 404, 422) park the outbox row with its message.
"""

from __future__ import annotations

import email.utils
import hmac
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

import httpx

KINDS = ("github", "jira", "linear")
STATUSES = ("todo", "in_progress", "blocked", "done")
# Written into every issue VORI creates and looked up before creating one, so a create whose
# answer was lost (the worker died, the connection was cut) is found instead of made twice.
MARKER_PREFIX = "vori:ticket="


def marker(ticket_id: str) -> str:
    return f"{MARKER_PREFIX}{ticket_id}"


class TrackerError(Exception):
    """An outside tracker refused or could not answer a call."""

    def __init__(self, message: str, *, retryable: bool, retry_after_s: float | None = None,
                 status: int | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after_s = retry_after_s
        self.status = status


class TrackerConfigError(TrackerError):
    """The connection cannot be used as configured (a secret's variable is not set)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=True)


class WebhookRejected(Exception):
    """A webhook delivery whose signature, timestamp or shape is not acceptable (answer 401)."""


@dataclass(frozen=True)
class TicketSnapshot:
    """A ticket as it is now, the way adapters push it."""

    ticket_id: str
    title: str
    assignee: str | None
    due_date: date | None
    status: str
    source_quote: str | None = None

    def description(self) -> str:
        lines = []
        if self.source_quote:
            lines.append(f"> {self.source_quote}")
            lines.append("")
        if self.due_date is not None:
            lines.append(f"Due: {self.due_date.isoformat()}")
        lines.append("Created by VORI from a meeting.")
        return "\n".join(lines)


@dataclass(frozen=True)
class ExternalIssue:
    external_id: str
    external_key: str
    url: str


@dataclass(frozen=True)
class InboundChange:
    """What a webhook says happened to an external issue: its id and the VORI status it maps to.

    ``status`` is ``"open"`` when the tracker only knows the issue is open again: the card leaves
    ``done`` for ``todo`` but keeps ``in_progress`` or ``blocked``.
    """

    external_id: str
    status: str
    label: str


@dataclass(frozen=True)
class Connection:
    """A team's tracker connection as stored (names of variables, never their values)."""

    team: str
    kind: str
    config: Mapping[str, Any]
    token_env: str
    webhook_secret_env: str | None = None
    assignee_map: Mapping[str, str] = field(default_factory=dict)
    proposal: bool = False

    def target(self) -> str:
        c = self.config
        if self.kind == "github":
            return str(c.get("repo", ""))
        if self.kind == "jira":
            return f"{c.get('site', '')} {c.get('project', '')}"
        return str(c.get("team_key", ""))

    def tracker_user(self, assignee: str | None) -> str | None:
        """The tracker's username of a VORI assignee: the team's mapping, else the name itself."""
        if assignee is None:
            return None
        return self.assignee_map.get(assignee, assignee)


def secret(env: Mapping[str, str], name: str | None, what: str) -> str:
    value = env.get(name) if name else None
    if not value:
        # The variable's name only: its value is never written anywhere.
        raise TrackerConfigError(f"{what}: environment variable {name or '(none)'} is not set")
    return value


class Adapter(Protocol):
    kind: str

    def find(self, ticket: TicketSnapshot, created_after: float) -> ExternalIssue | None:
        """The issue VORI already made for this ticket (by its marker), if any."""

    def create(self, ticket: TicketSnapshot) -> ExternalIssue:
        """Create the ticket's issue, marker included, in its current state."""

    def update(self, issue: ExternalIssue, ticket: TicketSnapshot, fields: set[str]) -> None:
        """Push ``fields`` (of title, assignee, due_date, status) of the ticket as it is now."""


def retry_after(response: httpx.Response) -> float | None:
    """``Retry-After`` in seconds (delta or HTTP date), or GitHub's ``x-ratelimit-reset``."""
    value = response.headers.get("retry-after")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            parsed = email.utils.parsedate_to_datetime(value) if value else None
            if parsed is not None:
                return max(0.0, parsed.timestamp() - time.time())
    reset = response.headers.get("x-ratelimit-reset")
    if reset and response.headers.get("x-ratelimit-remaining") == "0":
        try:
            return max(0.0, float(reset) - time.time())
        except ValueError:
            return None
    return None


def call(client: httpx.Client, method: str, url: str, what: str, *, accept: tuple[int, ...] = (),
         **kwargs: Any) -> httpx.Response:
    """One request; a 2xx answer (or one in ``accept``) is returned, anything else raises a
    classified TrackerError."""
    try:
        response = client.request(method, url, **kwargs)
    except httpx.TimeoutException as exc:
        raise TrackerError(f"{what}: timed out", retryable=True) from exc
    except httpx.TransportError as exc:
        # Includes a connection cut before the answer: the call may have taken effect.
        raise TrackerError(f"{what}: connection failed ({type(exc).__name__})", retryable=True) from exc
    status = response.status_code
    if status < 300 or status in accept:
        return response
    wait = retry_after(response)
    detail = response.text[:300].replace("\n", " ")
    rate_limited = status == 429 or (status == 403 and wait is not None)
    raise TrackerError(f"{what}: HTTP {status} {detail}", retryable=rate_limited or status >= 500,
                       retry_after_s=wait, status=status)


def hmac_hex(secret_value: str, body: bytes) -> str:
    return hmac.new(secret_value.encode(), body, "sha256").hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def fresh_delivery(
    headers: Mapping[str, str], body: bytes, *, timestamp_field: str, id_header: str,
    window_s: float, now: float,
) -> str:
    """The id of a signed delivery whose body's epoch-millisecond ``timestamp_field`` is within
    ``window_s`` of ``now`` (older ones are replays); :class:`WebhookRejected` otherwise."""
    try:
        sent_ms = float(json.loads(body).get(timestamp_field))
    except (TypeError, ValueError, AttributeError) as exc:
        raise WebhookRejected(f"no {timestamp_field} in the delivery") from exc
    if abs(now - sent_ms / 1000) > window_s:
        raise WebhookRejected("delivery outside the replay window")
    delivery = header(headers, id_header)
    if not delivery:
        raise WebhookRejected(f"missing {id_header}")
    return delivery


def header(headers: Mapping[str, str], name: str) -> str:
    """A header by name, whatever its case (Starlette's are lower-case, a dict's may not be)."""
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return ""
