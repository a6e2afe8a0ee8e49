"""Per-team quotas at the edge: pure bookkeeping of what a team has sent lately.

The gateway asks :class:`EdgeQuotas` before it produces anything; the answer is all or nothing for
one request (every record fits, or the request is refused whole with a ``Retry-After``). Memory is
bounded: at most ``max_teams`` teams and ``max_meetings`` meetings are remembered, the least
recently used forgotten first. Counts are per gateway process; time is passed in (``now``, any
monotonic clock in seconds), so nothing here reads a clock.
"""

from __future__ import annotations

import math
from collections import OrderedDict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from domain.errors import DomainError

WINDOW_S = 60.0
SLOTS = 60  # the window is kept in 1 s slots: a fixed cost per team, at most 1 s of imprecision


class QuotaExceeded(DomainError):
    """A request over a quota; ``retry_after_s`` is when it could fit (whole seconds, >= 1)."""

    def __init__(self, reason: str, retry_after_s: float) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after_s = max(1, math.ceil(retry_after_s))


@dataclass(frozen=True)
class QuotaLimits:
    records_per_request: int = 100
    new_meetings_per_minute: int = 30
    audio_seconds_per_minute: float = 3600.0
    sources_per_meeting: int = 16


class SlidingWindow:
    """How much each key used in the last ``window_s`` seconds, against one limit.

    The window is cut into ``slots`` slots, so a key costs at most ``slots`` entries however many
    requests it makes.
    """

    def __init__(
        self, limit: float, *, window_s: float = WINDOW_S, slots: int = SLOTS, max_keys: int = 10_000
    ) -> None:
        self.limit = limit
        self._slot_s = window_s / slots
        self._slots = slots
        self._max_keys = max_keys
        self._used: OrderedDict[str, deque[list[float]]] = OrderedDict()  # [slot, amount]

    def _slot(self, now: float) -> int:
        return math.floor(now / self._slot_s)

    def _live(self, key: str, now: float) -> deque[list[float]]:
        entries = self._used.get(key)
        if entries is None:
            return deque()
        oldest = self._slot(now) - self._slots
        while entries and entries[0][0] <= oldest:
            entries.popleft()
        if not entries:
            del self._used[key]
        return entries

    def used(self, key: str, now: float) -> float:
        return sum(amount for _, amount in self._live(key, now))

    def wait_for(self, key: str, amount: float, now: float) -> float:
        """Seconds until ``amount`` more fits (0: it fits now; inf: it never will)."""
        if amount <= 0:
            return 0.0
        if amount > self.limit:
            return math.inf
        entries = self._live(key, now)
        excess = sum(a for _, a in entries) + amount - self.limit
        if excess <= 1e-9:
            return 0.0
        for slot, used in entries:  # oldest first: wait until enough of them have expired
            excess -= used
            if excess <= 1e-9:
                return max(0.0, (slot + self._slots) * self._slot_s - now)
        return math.inf

    def add(self, key: str, amount: float, now: float) -> int:
        """Count ``amount`` for ``key`` now; returns the slot, for :meth:`give_back`."""
        slot = self._slot(now)
        if amount <= 0:
            return slot
        entries = self._live(key, now)
        if key not in self._used:
            self._used[key] = entries
            while len(self._used) > self._max_keys:
                self._used.popitem(last=False)
        self._used.move_to_end(key)
        if entries and entries[-1][0] == slot:
            entries[-1][1] += amount
        else:
            entries.append([float(slot), amount])
        return slot

    def give_back(self, key: str, amount: float, slot: int, now: float) -> None:
        """Undo an :meth:`add` whose request failed on our side; a no-op once its slot expired."""
        for entry in self._live(key, now):
            if entry[0] == slot:
                entry[1] = max(0.0, entry[1] - amount)
                return


@dataclass
class Grant:
    """What one request took, so that it can be given back if the request fails on our side."""

    team: str
    new_meetings: int
    audio_seconds: float
    meetings_slot: int
    audio_slot: int
    given_back: bool = field(default=False)


class EdgeQuotas:
    """Records per request, new meetings and audio seconds per team per minute, sources per meeting.

    A meeting counts as new the first time this process sees it for a team (so after a restart a
    team's live meetings count once more). Sources are remembered per (team, meeting) for the
    ``max_meetings`` most recently used meetings.
    """

    def __init__(
        self, limits: QuotaLimits, *, max_teams: int = 10_000, max_meetings: int = 50_000
    ) -> None:
        self.limits = limits
        self._new_meetings = SlidingWindow(limits.new_meetings_per_minute, max_keys=max_teams)
        self._audio = SlidingWindow(limits.audio_seconds_per_minute, max_keys=max_teams)
        self._max_meetings = max_meetings
        self._sources: OrderedDict[tuple[str, str], set[str]] = OrderedDict()

    def check_records(self, count: int) -> None:
        limit = self.limits.records_per_request
        if count > limit:
            raise QuotaExceeded(
                f"{count} records in one request; at most {limit} are accepted: send them in "
                f"smaller requests",
                1.0,
            )

    def take(
        self, team: str, streams: Iterable[tuple[str, str]], audio_seconds: float, now: float
    ) -> Grant:
        """Count a request's (meeting, source) pairs and audio, or raise without counting any."""
        wanted: dict[str, set[str]] = {}
        for meeting, source in streams:
            wanted.setdefault(meeting, set()).add(source)
        max_sources = self.limits.sources_per_meeting
        new = 0
        for meeting, sources in wanted.items():
            known = self._sources.get((team, meeting))
            if known is None:
                new += 1
                known = set()
            total = len(known | sources)
            if total > max_sources:
                raise QuotaExceeded(
                    f"meeting {meeting!r} would have {total} sources; at most {max_sources} "
                    f"are accepted per meeting",
                    WINDOW_S,
                )
        self._fits(self._new_meetings, team, new, "new meetings", now)
        self._fits(self._audio, team, audio_seconds, "seconds of audio", now)
        for meeting, sources in wanted.items():
            key = (team, meeting)
            self._sources.setdefault(key, set()).update(sources)
            self._sources.move_to_end(key)
        while len(self._sources) > self._max_meetings:
            self._sources.popitem(last=False)
        return Grant(
            team,
            new,
            audio_seconds,
            self._new_meetings.add(team, new, now),
            self._audio.add(team, audio_seconds, now),
        )

    def give_back(self, grant: Grant, now: float) -> None:
        """Return a failed request's new meetings and audio to its team's quota (once)."""
        if grant.given_back:
            return
        grant.given_back = True
        self._new_meetings.give_back(grant.team, grant.new_meetings, grant.meetings_slot, now)
        self._audio.give_back(grant.team, grant.audio_seconds, grant.audio_slot, now)

    @staticmethod
    def _fits(window: SlidingWindow, team: str, amount: float, what: str, now: float) -> None:
        wait = window.wait_for(team, amount, now)
        if wait <= 0:
            return
        limit = f"{window.limit:g} {what} per team per minute"
        if math.isinf(wait):
            raise QuotaExceeded(
                f"this request alone holds {amount:g} {what}, over the quota of {limit}: send "
                f"it in smaller requests",
                WINDOW_S,
            )
        used = window.used(team, now)
        raise QuotaExceeded(
            f"quota of {limit} reached ({used:g} used in the last minute, this request needs "
            f"{amount:g} more)",
            wait,
        )
