"""GitHub Issues (REST, ``X-GitHub-Api-Version: 2022-11-28``), and GitHub's webhooks.

Outbound: ``POST /repos/{owner}/{repo}/issues`` creates (label ``vori``, the marker in an HTML
comment of the body); ``PATCH /repos/{owner}/{repo}/issues/{number}`` changes the title, the
assignee and ``state`` (``closed`` with ``state_reason: completed``, ``open`` with ``reopened``).
GitHub has no due date on issues: it is written into the body when the issue is created.
Before a create, issues labelled ``vori`` updated since the ticket was born are listed and
searched for the marker (the search API indexes with a delay; the list does not).

Inbound: ``issues`` events ``closed`` and ``reopened``, signed with ``X-Hub-Signature-256``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from connectors.trackers.base import (
    Connection,
    ExternalIssue,
    InboundChange,
    TicketSnapshot,
    WebhookRejected,
    call,
    header,
    hmac_hex,
    marker,
    same,
    secret,
)

DEFAULT_API_URL = "https://api.github.com"
LABEL = "vori"
_PAGES = 10


class GitHubAdapter:
    kind = "github"

    def __init__(self, connection: Connection, env: Mapping[str, str], client: httpx.Client) -> None:
        self._conn = connection
        self._repo = str(connection.config["repo"])
        self._api = str(connection.config.get("api_url") or DEFAULT_API_URL).rstrip("/")
        self._client = client
        self._headers = {
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {secret(env, connection.token_env, 'GitHub token')}",
            "X-GitHub-Api-Version": "2022-11-28",
        }

    def _issues_url(self, number: str | None = None) -> str:
        base = f"{self._api}/repos/{self._repo}/issues"
        return base if number is None else f"{base}/{number}"

    @staticmethod
    def _issue(data: Mapping[str, Any]) -> ExternalIssue:
        return ExternalIssue(str(data["number"]), f"#{data['number']}", str(data.get("html_url", "")))

    def find(self, ticket: TicketSnapshot, created_after: float) -> ExternalIssue | None:
        since = datetime.fromtimestamp(created_after, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        needle = marker(ticket.ticket_id)
        for page in range(1, _PAGES + 1):
            found = call(
                self._client, "GET", self._issues_url(), "GitHub: listing issues", headers=self._headers,
                params={"labels": LABEL, "state": "all", "since": since, "per_page": 100, "page": page},
            ).json()
            for item in found:
                if needle in (item.get("body") or ""):
                    return self._issue(item)
            if len(found) < 100:
                return None
        return None

    def create(self, ticket: TicketSnapshot) -> ExternalIssue:
        body: dict[str, Any] = {
            "title": ticket.title,
            "body": f"{ticket.description()}\n\n<!-- {marker(ticket.ticket_id)} -->",
            "labels": [LABEL],
        }
        user = self._conn.tracker_user(ticket.assignee)
        if user:
            body["assignees"] = [user]
        data = call(self._client, "POST", self._issues_url(), "GitHub: creating an issue",
                    headers=self._headers, json=body).json()
        issue = self._issue(data)
        if ticket.status == "done":
            self.update(issue, ticket, {"status"})
        return issue

    def update(self, issue: ExternalIssue, ticket: TicketSnapshot, fields: set[str]) -> None:
        body: dict[str, Any] = {}
        if "title" in fields:
            body["title"] = ticket.title
        if "assignee" in fields:
            user = self._conn.tracker_user(ticket.assignee)
            body["assignees"] = [user] if user else []
        if "status" in fields:
            if ticket.status == "done":
                body.update(state="closed", state_reason="completed")
            else:
                body.update(state="open", state_reason="reopened")
        if body:
            call(self._client, "PATCH", self._issues_url(issue.external_id), "GitHub: updating an issue",
                 headers=self._headers, json=body)


def verify(headers: Mapping[str, str], body: bytes, secret_value: str, now: float | None = None) -> str:
    """The delivery id of a correctly signed delivery; WebhookRejected otherwise."""
    signature = header(headers, "X-Hub-Signature-256")
    if not signature.startswith("sha256=") or not same(signature[7:], hmac_hex(secret_value, body)):
        raise WebhookRejected("bad or missing X-Hub-Signature-256")
    delivery = header(headers, "X-GitHub-Delivery")
    if not delivery:
        raise WebhookRejected("missing X-GitHub-Delivery")
    del now  # GitHub sends no timestamp: a replay is caught by its delivery id
    return delivery


def parse(headers: Mapping[str, str], body: bytes) -> InboundChange | None:
    if header(headers, "X-GitHub-Event") != "issues":
        return None
    data = json.loads(body)
    action = data.get("action")
    issue = data.get("issue") or {}
    if action not in ("closed", "reopened") or "number" not in issue:
        return None
    status = "done" if action == "closed" else "open"
    return InboundChange(str(issue["number"]), status, f"GitHub #{issue['number']} {action}")


