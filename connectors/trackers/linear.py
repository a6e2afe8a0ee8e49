"""Linear (GraphQL), and Linear's webhooks.

Outbound: ``issueCreate`` (the marker in the description) and ``issueUpdate``; a status becomes
the ``stateId`` of the team's workflow state with the mapped name (or, failing that, of the
state type: unstarted, started, completed). The team, its states and users are looked up by
key, name and e-mail. Before a create, ``issues`` filtered on the team and the marker in the
description finds an issue a lost answer left behind. The API key goes in ``Authorization``.

Inbound: ``Issue`` ``update`` events whose ``updatedFrom`` has a ``stateId``, signed with
``Linear-Signature`` (hex HMAC-SHA256 of the body), ``webhookTimestamp`` within a minute,
id ``Linear-Delivery``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from connectors.trackers.base import (
    Connection,
    ExternalIssue,
    InboundChange,
    TicketSnapshot,
    TrackerError,
    WebhookRejected,
    call,
    fresh_delivery,
    header,
    hmac_hex,
    marker,
    same,
    secret,
)

DEFAULT_API_URL = "https://api.linear.app/graphql"
DEFAULT_STATUS_NAMES = {"todo": "Todo", "in_progress": "In Progress", "blocked": "Blocked", "done": "Done"}
_TYPE = {"todo": "unstarted", "in_progress": "started", "done": "completed"}
_FROM_TYPE = {"triage": "open", "backlog": "open", "unstarted": "open", "started": "in_progress",
              "completed": "done", "canceled": "done"}
REPLAY_WINDOW_S = 60

_TEAM = """query($key: String!) { teams(filter: {key: {eq: $key}}) {
  nodes { id states { nodes { id name type } } } } }"""
_FIND = """query($key: String!, $marker: String!) {
  issues(filter: {team: {key: {eq: $key}}, description: {contains: $marker}}, first: 1) {
    nodes { id identifier url } } }"""
_USER = """query($u: String!) { users(filter: {or: [{email: {eq: $u}}, {displayName: {eq: $u}},
  {name: {eq: $u}}]}) { nodes { id } } }"""
_CREATE = """mutation($input: IssueCreateInput!) { issueCreate(input: $input) {
  success issue { id identifier url } } }"""
_UPDATE = """mutation($id: String!, $input: IssueUpdateInput!) { issueUpdate(id: $id, input: $input) {
  success } }"""


def status_names(connection: Connection) -> dict[str, str]:
    return {**DEFAULT_STATUS_NAMES, **dict(connection.config.get("statuses") or {})}


class LinearAdapter:
    kind = "linear"

    def __init__(self, connection: Connection, env: Mapping[str, str], client: httpx.Client) -> None:
        self._conn = connection
        self._key = str(connection.config["team_key"])
        self._url = str(connection.config.get("api_url") or DEFAULT_API_URL)
        self._headers = {"Authorization": secret(env, connection.token_env, "Linear API key"),
                         "Content-Type": "application/json"}
        self._client = client
        self._team: dict[str, Any] | None = None

    def _gql(self, query: str, variables: Mapping[str, Any], what: str) -> dict[str, Any]:
        # GraphQL errors come as 200 or 400 with an `errors` list; a rate limit says RATELIMITED.
        response = call(self._client, "POST", self._url, f"Linear: {what}", accept=(400,),
                        headers=self._headers, json={"query": query, "variables": dict(variables)})
        body = response.json()
        errors = body.get("errors") or []
        if errors:
            codes = {str((e.get("extensions") or {}).get("code", "")) for e in errors}
            message = "; ".join(str(e.get("message", "")) for e in errors)[:300]
            raise TrackerError(f"Linear: {what}: {message}", retryable="RATELIMITED" in codes,
                               status=response.status_code)
        data: dict[str, Any] = body.get("data") or {}
        return data

    def _team_info(self) -> dict[str, Any]:
        if self._team is None:
            nodes = self._gql(_TEAM, {"key": self._key}, "finding the team")["teams"]["nodes"]
            if not nodes:
                raise TrackerError(f"Linear: no team with key {self._key}", retryable=False, status=404)
            self._team = nodes[0]
        return self._team

    def _state_id(self, status: str) -> str | None:
        states = self._team_info()["states"]["nodes"]
        wanted = status_names(self._conn).get(status, status).casefold()
        chosen = next((s for s in states if str(s["name"]).casefold() == wanted), None)
        if chosen is None and status in _TYPE:
            chosen = next((s for s in states if s.get("type") == _TYPE[status]), None)
        return str(chosen["id"]) if chosen else None

    def _user_id(self, assignee: str | None) -> str | None:
        user = self._conn.tracker_user(assignee)
        if not user:
            return None
        nodes = self._gql(_USER, {"u": user}, "finding a user")["users"]["nodes"]
        return str(nodes[0]["id"]) if nodes else None

    @staticmethod
    def _issue(node: Mapping[str, Any]) -> ExternalIssue:
        return ExternalIssue(str(node["id"]), str(node["identifier"]), str(node.get("url", "")))

    def find(self, ticket: TicketSnapshot, created_after: float) -> ExternalIssue | None:
        nodes = self._gql(_FIND, {"key": self._key, "marker": marker(ticket.ticket_id)},
                          "searching issues")["issues"]["nodes"]
        return self._issue(nodes[0]) if nodes else None

    def create(self, ticket: TicketSnapshot) -> ExternalIssue:
        fields: dict[str, Any] = {
            "teamId": self._team_info()["id"],
            "title": ticket.title,
            "description": f"{ticket.description()}\n\n{marker(ticket.ticket_id)}",
        }
        if ticket.due_date is not None:
            fields["dueDate"] = ticket.due_date.isoformat()
        user_id = self._user_id(ticket.assignee)
        if user_id:
            fields["assigneeId"] = user_id
        state_id = self._state_id(ticket.status)
        if state_id:
            fields["stateId"] = state_id
        made = self._gql(_CREATE, {"input": fields}, "creating an issue")["issueCreate"]
        if not made.get("success") or not made.get("issue"):
            raise TrackerError("Linear: issueCreate did not succeed", retryable=False)
        return self._issue(made["issue"])

    def update(self, issue: ExternalIssue, ticket: TicketSnapshot, fields: set[str]) -> None:
        edit: dict[str, Any] = {}
        if "title" in fields:
            edit["title"] = ticket.title
        if "due_date" in fields:
            edit["dueDate"] = ticket.due_date.isoformat() if ticket.due_date else None
        if "assignee" in fields:
            edit["assigneeId"] = self._user_id(ticket.assignee)
        if "status" in fields:
            state_id = self._state_id(ticket.status)
            if state_id:
                edit["stateId"] = state_id
        if edit:
            done = self._gql(_UPDATE, {"id": issue.external_id, "input": edit}, "updating an issue")
            if not done["issueUpdate"].get("success"):
                raise TrackerError("Linear: issueUpdate did not succeed", retryable=False)


def verify(headers: Mapping[str, str], body: bytes, secret_value: str, now: float) -> str:
    if not same(header(headers, "Linear-Signature"), hmac_hex(secret_value, body)):
        raise WebhookRejected("bad or missing Linear-Signature")
    return fresh_delivery(headers, body, timestamp_field="webhookTimestamp", id_header="Linear-Delivery",
                          window_s=REPLAY_WINDOW_S, now=now)


def parse(connection: Connection, body: bytes) -> InboundChange | None:
    data = json.loads(body)
    issue = data.get("data") or {}
    if data.get("type") != "Issue" or data.get("action") != "update" or "id" not in issue:
        return None
    if "stateId" not in (data.get("updatedFrom") or {}):
        return None
    state = issue.get("state") or {}
    by_name = {v.casefold(): k for k, v in status_names(connection).items()}
    status = by_name.get(str(state.get("name", "")).casefold()) or _FROM_TYPE.get(str(state.get("type")))
    if status is None:
        return None
    key = issue.get("identifier") or issue["id"]
    return InboundChange(str(issue["id"]), status, f"Linear {key} moved to {state.get('name')}")
