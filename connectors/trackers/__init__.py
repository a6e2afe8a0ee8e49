"""Adapters of the outside trackers VORI keeps in sync with its tickets (docs/trackers.md):
GitHub Issues, Jira Cloud and Linear, one module each, and the dispatch by kind."""

from __future__ import annotations

import json
from collections.abc import Mapping

import httpx

from connectors.trackers import github, jira, linear
from connectors.trackers.base import (
    KINDS,
    Adapter,
    Connection,
    ExternalIssue,
    InboundChange,
    TicketSnapshot,
    TrackerConfigError,
    TrackerError,
    WebhookRejected,
    marker,
)

__all__ = [
    "KINDS", "Adapter", "Connection", "ExternalIssue", "InboundChange", "TicketSnapshot",
    "TrackerConfigError", "TrackerError", "WebhookRejected", "make_adapter", "marker",
    "parse_webhook", "verify_webhook",
]


def make_adapter(connection: Connection, env: Mapping[str, str], client: httpx.Client) -> Adapter:
    """The adapter of a connection, its secrets read from ``env`` now (TrackerConfigError if unset)."""
    if connection.kind == "github":
        return github.GitHubAdapter(connection, env, client)
    if connection.kind == "jira":
        return jira.JiraAdapter(connection, env, client)
    if connection.kind == "linear":
        return linear.LinearAdapter(connection, env, client)
    raise TrackerError(f"unknown tracker kind {connection.kind!r}", retryable=False)


def verify_webhook(kind: str, headers: Mapping[str, str], body: bytes, secret_value: str,
                   now: float) -> str:
    """The delivery id of an authentic, fresh delivery; :class:`WebhookRejected` otherwise."""
    if kind == "github":
        return github.verify(headers, body, secret_value, now)
    if kind == "jira":
        return jira.verify(headers, body, secret_value, now)
    if kind == "linear":
        return linear.verify(headers, body, secret_value, now)
    raise WebhookRejected(f"unknown tracker kind {kind!r}")


def parse_webhook(connection: Connection, headers: Mapping[str, str], body: bytes) -> InboundChange | None:
    """The status change a verified delivery reports, or None for anything else."""
    try:
        if connection.kind == "github":
            return github.parse(headers, body)
        if connection.kind == "jira":
            return jira.parse(connection, body)
        return linear.parse(connection, body)
    except (ValueError, KeyError, TypeError, AttributeError, json.JSONDecodeError):
        return None
