"""Jira Cloud (REST v3), and Jira's admin webhooks.

Outbound: ``POST /rest/api/3/issue`` creates (an Atlassian Document Format description with the
marker, labels ``vori`` and ``vori-<ticket>``, ``duedate``, the assignee's ``accountId`` found by
``GET /rest/api/3/user/search``); ``PUT /rest/api/3/issue/{key}`` edits; a status moves through
the issue's transitions (``GET``/``POST /rest/api/3/issue/{key}/transitions``), the one whose
target status has the mapped name. Before a create, ``POST /rest/api/3/search/jql`` looks for
the ticket's label. Authentication is Basic (account e-mail and API token).

Inbound: ``jira:issue_updated`` with a ``status`` change, signed with the admin webhook's secret
(``X-Hub-Signature: sha256=…``), id ``X-Atlassian-Webhook-Identifier``, ``timestamp`` in the body.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from typing import Any

import httpx

from connectors.trackers.base import (
    Connection,
    ExternalIssue,
    InboundChange,
    TicketSnapshot,
    WebhookRejected,
    call,
    fresh_delivery,
    header,
    hmac_hex,
    marker,
    same,
    secret,
)

DEFAULT_STATUS_NAMES = {"todo": "To Do", "in_progress": "In Progress", "blocked": "Blocked", "done": "Done"}
# When a workflow has no status of the mapped name, its category decides.
_CATEGORY = {"todo": "new", "in_progress": "indeterminate", "done": "done"}
_FROM_CATEGORY = {"new": "open", "indeterminate": "in_progress", "done": "done"}
REPLAY_WINDOW_S = 15 * 60


def status_names(connection: Connection) -> dict[str, str]:
    return {**DEFAULT_STATUS_NAMES, **dict(connection.config.get("statuses") or {})}


def ticket_label(ticket_id: str) -> str:
    return "vori-" + re.sub(r"[^A-Za-z0-9_-]", "_", ticket_id)


def adf(text: str, footer: str) -> dict[str, Any]:
    """Plain lines as an Atlassian Document Format document, one paragraph per line."""
    paragraphs = [
        {"type": "paragraph", "content": [{"type": "text", "text": line}]}
        for line in [*text.splitlines(), footer] if line.strip()
    ]
    return {"type": "doc", "version": 1, "content": paragraphs}


class JiraAdapter:
    kind = "jira"

    def __init__(self, connection: Connection, env: Mapping[str, str], client: httpx.Client) -> None:
        self._conn = connection
        self._site = str(connection.config["site"]).rstrip("/")
        self._project = str(connection.config["project"])
        email = secret(env, str(connection.config.get("email_env") or ""), "Jira e-mail")
        token = secret(env, connection.token_env, "Jira API token")
        basic = base64.b64encode(f"{email}:{token}".encode()).decode()
        self._headers = {"Authorization": f"Basic {basic}", "Accept": "application/json"}
        self._client = client
        self._names = status_names(connection)

    def _url(self, path: str) -> str:
        return f"{self._site}/rest/api/3/{path}"

    def _issue(self, key: str) -> ExternalIssue:
        return ExternalIssue(key, key, f"{self._site}/browse/{key}")

    def _account_id(self, assignee: str | None) -> str | None:
        user = self._conn.tracker_user(assignee)
        if not user:
            return None
        found = call(self._client, "GET", self._url("user/search"), "Jira: finding a user",
                     headers=self._headers, params={"query": user}).json()
        return str(found[0]["accountId"]) if found else None

    def find(self, ticket: TicketSnapshot, created_after: float) -> ExternalIssue | None:
        jql = f'project = "{self._project}" AND labels = "{ticket_label(ticket.ticket_id)}"'
        found = call(self._client, "POST", self._url("search/jql"), "Jira: searching issues",
                     headers=self._headers, json={"jql": jql, "fields": ["summary"], "maxResults": 1}).json()
        issues = found.get("issues") or []
        return self._issue(str(issues[0]["key"])) if issues else None

    def create(self, ticket: TicketSnapshot) -> ExternalIssue:
        fields: dict[str, Any] = {
            "project": {"key": self._project},
            "summary": ticket.title,
            "issuetype": {"name": str(self._conn.config.get("issue_type") or "Task")},
            "description": adf(ticket.description(), marker(ticket.ticket_id)),
            "labels": ["vori", ticket_label(ticket.ticket_id)],
        }
        if ticket.due_date is not None:
            fields["duedate"] = ticket.due_date.isoformat()
        account = self._account_id(ticket.assignee)
        if account:
            fields["assignee"] = {"accountId": account}
        data = call(self._client, "POST", self._url("issue"), "Jira: creating an issue",
                    headers=self._headers, json={"fields": fields}).json()
        issue = self._issue(str(data["key"]))
        if ticket.status != "todo":
            self.update(issue, ticket, {"status"})
        return issue

    def update(self, issue: ExternalIssue, ticket: TicketSnapshot, fields: set[str]) -> None:
        edit: dict[str, Any] = {}
        if "title" in fields:
            edit["summary"] = ticket.title
        if "due_date" in fields:
            edit["duedate"] = ticket.due_date.isoformat() if ticket.due_date else None
        if "assignee" in fields:
            account = self._account_id(ticket.assignee)
            edit["assignee"] = {"accountId": account} if account else None
        if edit:
            call(self._client, "PUT", self._url(f"issue/{issue.external_id}"), "Jira: editing an issue",
                 headers=self._headers, json={"fields": edit})
        if "status" in fields:
            self._transition(issue, ticket.status)

    def _transition(self, issue: ExternalIssue, status: str) -> None:
        url = self._url(f"issue/{issue.external_id}/transitions")
        available = call(self._client, "GET", url, "Jira: listing transitions",
                         headers=self._headers).json().get("transitions") or []
        wanted = self._names.get(status, status).casefold()

        def target(t: Mapping[str, Any]) -> Mapping[str, Any]:
            return t.get("to") or {}

        chosen = next((t for t in available if str(target(t).get("name", "")).casefold() == wanted
                       or str(t.get("name", "")).casefold() == wanted), None)
        if chosen is None and status in _CATEGORY:
            chosen = next((t for t in available
                           if (target(t).get("statusCategory") or {}).get("key") == _CATEGORY[status]), None)
        if chosen is None:
            return  # the workflow has no such status from here: the card moves, the issue stays
        call(self._client, "POST", url, "Jira: moving an issue", headers=self._headers,
             json={"transition": {"id": str(chosen["id"])}})


def verify(headers: Mapping[str, str], body: bytes, secret_value: str, now: float) -> str:
    signature = header(headers, "X-Hub-Signature")
    if not signature.startswith("sha256=") or not same(signature[7:], hmac_hex(secret_value, body)):
        raise WebhookRejected("bad or missing X-Hub-Signature")
    return fresh_delivery(headers, body, timestamp_field="timestamp",
                          id_header="X-Atlassian-Webhook-Identifier", window_s=REPLAY_WINDOW_S, now=now)


def parse(connection: Connection, body: bytes) -> InboundChange | None:
    data = json.loads(body)
    if data.get("webhookEvent") != "jira:issue_updated":
        return None
    issue = data.get("issue") or {}
    items = (data.get("changelog") or {}).get("items") or []
    moved = next((i for i in items if i.get("field") == "status"), None)
    if moved is None or "key" not in issue:
        return None
    name = str(moved.get("toString") or "").casefold()
    by_name = {v.casefold(): k for k, v in status_names(connection).items()}
    status = by_name.get(name)
    if status is None:
        category = (((issue.get("fields") or {}).get("status") or {}).get("statusCategory") or {}).get("key")
        status = _FROM_CATEGORY.get(str(category))
    if status is None:
        return None
    return InboundChange(str(issue["key"]), status, f"Jira {issue['key']} moved to {moved.get('toString')}")
