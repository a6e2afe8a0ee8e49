"""The one exception the local stack raises: every failure to fetch, start or stop a service."""

from __future__ import annotations

__all__ = ["InfraError"]


class InfraError(Exception):
    """A local service could not be resolved, started, reached or stopped.

    The message says what failed and, where a child process was involved, ends with the tail of
    its output or log, so the error is actionable without opening files.
    """
