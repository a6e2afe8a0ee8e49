"""Score the offline minutes writer on the labelled meetings in eval/minutes (see its README).

    python bench/minutes_eval.py [--dir DIR] [--asr DIR] [--verbose] [--llm-replay FILE]

By default scores both eval/minutes (written alongside the rules) and eval/minutes_heldout (written
from a brief without reading the rules), one table each, then one summary line per set; ``--dir``
scores just that directory. Prints action-item precision/recall/F1, due-date accuracy, status-update
accuracy, ticket routing, decisions and distractors taken, by language and overall; with ``--asr``
the same figures for the ASR transcripts of the same meetings (scored against the clean labels).
With ``--llm-replay FILE`` each set is scored a second time with the offline items passed through
``connectors.llm.OpenAIMinutesChecker``, talking to a local OpenAI-compatible server that answers
from FILE (``{"answers": {meeting_id: {"items": [...]}}}``; a meeting without an entry gets no
verdicts), and prints what the check changed. Always exits 0 once the sets are read: the figures
are for people, not a gate.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from domain.extraction import extract_minutes
from domain.extraction_words import key_words, overlap
from domain.minutes import ActionItem, Minutes, StatusUpdate, Utterance
from domain.tickets import (
    TicketRef,
    find_matching_ticket,
    find_ticket_for_status,
    same_person,
    ticket_id_for,
)

ACTION_SHARE = 0.6  # share of an item's labelled key words its task must contain
STATUS_SHARE = 0.6  # share of a status label's key words its subject must contain
DECISION_SHARE = 0.6


@dataclass(frozen=True)
class Meeting:
    meeting_id: str
    team: str
    date: datetime.date
    language: str
    utterances: tuple[Utterance, ...]
    labels: dict[str, Any]


@dataclass
class Score:
    meetings: int = 0
    labels: int = 0
    predicted: int = 0
    matched: int = 0
    due_right: int = 0
    status_labels: int = 0
    status_right: int = 0
    routable: int = 0
    routed: int = 0
    decision_labels: int = 0
    decisions_predicted: int = 0
    decisions_found: int = 0
    decisions_right: int = 0
    distractors: int = 0
    distractors_taken: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for name in self.__dataclass_fields__:
            if name != "misses":
                setattr(self, name, getattr(self, name) + getattr(other, name))
        self.misses.extend(other.misses)


def _stems(phrases: Iterable[str]) -> tuple[str, ...]:
    out: dict[str, None] = {}
    for phrase in phrases:
        for word in key_words(phrase):
            out.setdefault(word, None)
    return tuple(out)


def coverage(label_keywords: list[str], text: str) -> float:
    wanted = _stems(label_keywords)
    return overlap(wanted, key_words(text)) / len(wanted) if wanted else 0.0


def _who_matches(label: str | None, predicted: str | None) -> bool:
    return (label is None and predicted is None) or same_person(label, predicted)


def load_meetings(directory: Path) -> list[Meeting]:
    meetings = []
    for path in sorted(directory.glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        meetings.append(
            Meeting(
                meeting_id=raw.get("meeting_id", path.stem),
                team=raw.get("team", ""),
                date=datetime.date.fromisoformat(raw["date"]),
                language=raw.get("language", ""),
                utterances=tuple(
                    Utterance(u.get("speaker"), u["text"], int(u["start_ms"]), int(u["end_ms"]))
                    for u in raw["utterances"]
                ),
                labels=raw.get("labels", {}),
            )
        )
    return meetings


def load_asr(directory: Path, clean: list[Meeting]) -> list[Meeting]:
    """ASR transcripts of the clean meetings (same meeting_id), scored against the clean labels."""
    by_id = {m.meeting_id: m for m in clean}
    out = []
    for asr in load_meetings(directory):
        base = by_id.get(asr.meeting_id)
        if base is None:
            print(f"warning: {asr.meeting_id} has no clean twin; skipped", file=sys.stderr)
            continue
        out.append(Meeting(base.meeting_id, base.team, base.date, base.language, asr.utterances, base.labels))
    return out


def _match_actions(labels: list[dict[str, Any]], predicted: tuple[ActionItem, ...]) -> list[tuple[int, int]]:
    pairs = []
    for li, label in enumerate(labels):
        for pi, item in enumerate(predicted):
            share = coverage(label["keywords"], item.task)
            if share >= ACTION_SHARE and _who_matches(label.get("assignee"), item.assignee):
                pairs.append((-share, li, pi))
    used_l: set[int] = set()
    used_p: set[int] = set()
    out = []
    for _, li, pi in sorted(pairs):
        if li not in used_l and pi not in used_p:
            used_l.add(li)
            used_p.add(pi)
            out.append((li, pi))
    return out


def _find_status(
    label: dict[str, Any], updates: tuple[StatusUpdate, ...], used: set[int]
) -> StatusUpdate | None:
    """The update a label is about; each update answers one label at most."""
    candidates = [
        (coverage(label["keywords"], u.subject), i, u)
        for i, u in enumerate(updates)
        if i not in used and _who_matches(label.get("speaker"), u.speaker)
    ]
    good = [c for c in candidates if c[0] >= STATUS_SHARE]
    if not good:
        return None
    # Prefer the update with the right status among those about the labelled subject.
    good.sort(key=lambda c: (c[2].status != label["status"], -c[0], c[1]))
    used.add(good[0][1])
    return good[0][2]


class Board:
    """The team's tickets as the flow would keep them, built from the writer's own action items."""

    def __init__(self) -> None:
        self.tickets: dict[str, list[TicketRef]] = {}
        self.labelled: dict[str, list[dict[str, Any]]] = {}

    def add(self, team: str, minutes: Minutes, labels: list[dict[str, Any]]) -> None:
        tickets = self.tickets.setdefault(team, [])
        for item in minutes.action_items:
            if find_matching_ticket(item, tickets) is None:
                tid = ticket_id_for(team, item.assignee, item.task)
                tickets.append(TicketRef(tid, item.task, item.assignee, "todo"))
        self.labelled.setdefault(team, []).extend(labels)

    def had_ticket(self, team: str, label: dict[str, Any]) -> bool:
        """Whether an earlier meeting of the team labelled this work as an action item."""
        return any(
            same_person(label.get("speaker"), item.get("assignee"))
            and coverage(label["keywords"], " ".join(item["keywords"])) >= STATUS_SHARE
            for item in self.labelled.get(team, [])
        )


Check = Callable[[Minutes, "Meeting"], Minutes]


def score_meeting(meeting: Meeting, board: Board, check: Check | None = None) -> tuple[Score, Minutes]:
    minutes = extract_minutes(meeting.utterances, meeting.date)
    if check is not None:
        minutes = check(minutes, meeting)
    labels = meeting.labels
    s = Score(meetings=1)
    action_labels = labels.get("action_items", [])
    s.labels, s.predicted = len(action_labels), len(minutes.action_items)
    pairs = _match_actions(action_labels, minutes.action_items)
    s.matched = len(pairs)
    for li, pi in pairs:
        want = action_labels[li].get("due_date")
        got = minutes.action_items[pi].due_date
        if (got.isoformat() if got else None) == want:
            s.due_right += 1
        else:
            s.misses.append(
                f"{meeting.meeting_id}: due {got} != {want} for {minutes.action_items[pi].task!r}"
            )
    hit_l = {li for li, _ in pairs}
    hit_p = {pi for _, pi in pairs}
    for li, label in enumerate(action_labels):
        if li not in hit_l:
            s.misses.append(f"{meeting.meeting_id}: missed action {label['assignee']}: {label['keywords']}")
    for pi, item in enumerate(minutes.action_items):
        if pi not in hit_p:
            s.misses.append(
                f"{meeting.meeting_id}: extra action {item.assignee}: {item.task!r} <- {item.quote!r}"
            )

    team_tickets = board.tickets.get(meeting.team, [])
    used: set[int] = set()
    for label in labels.get("status_updates", []):
        s.status_labels += 1
        found = _find_status(label, minutes.status_updates, used)
        if found is not None and found.status == label["status"]:
            s.status_right += 1
        else:
            got = f"{found.status} {found.subject!r}" if found else "nothing"
            s.misses.append(
                f"{meeting.meeting_id}: status {label['speaker']} {label['keywords']}"
                f" {label['status']} -> {got}"
            )
        if board.had_ticket(meeting.team, label):
            s.routable += 1
            ticket = find_ticket_for_status(found, team_tickets) if found else None
            if (
                ticket is not None
                and found is not None
                and found.status == label["status"]
                and same_person(label.get("speaker"), ticket.assignee)
                and coverage(label["keywords"], ticket.title) >= STATUS_SHARE
            ):
                s.routed += 1
            else:
                s.misses.append(
                    f"{meeting.meeting_id}: routing {label['keywords']}"
                    f" -> {ticket.title if ticket else None!r}"
                )

    decision_labels = labels.get("decisions", [])
    s.decision_labels, s.decisions_predicted = len(decision_labels), len(minutes.decisions)
    s.decisions_found = sum(
        1
        for d in decision_labels
        if any(coverage(d["keywords"], p.text) >= DECISION_SHARE for p in minutes.decisions)
    )
    s.decisions_right = sum(
        1
        for p in minutes.decisions
        if any(coverage(d["keywords"], p.text) >= DECISION_SHARE for d in decision_labels)
    )
    distractors = [d.casefold() for d in labels.get("distractors", [])]
    s.distractors = len(distractors)
    for d in distractors:
        if any(d in item.quote.casefold() for item in minutes.action_items):
            s.distractors_taken += 1
            s.misses.append(f"{meeting.meeting_id}: distractor taken: {d!r}")
    board.add(meeting.team, minutes, action_labels)
    return s, minutes


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.2f}" if b else "  - "


def _f1(s: Score) -> tuple[float, float, float]:
    p = s.matched / s.predicted if s.predicted else 0.0
    r = s.matched / s.labels if s.labels else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _row(name: str, s: Score) -> str:
    p, r, f1 = _f1(s)
    return (
        f"{name:<6}{s.meetings:>4}{s.labels:>6}{s.predicted:>6}{s.matched:>6}"
        f"{p:>7.2f}{r:>7.2f}{f1:>7.2f}{_ratio(s.due_right, s.matched):>7}"
        f"{s.status_labels:>6}{_ratio(s.status_right, s.status_labels):>7}"
        f"{_ratio(s.routed, s.routable):>7}"
        f"{_ratio(s.decisions_right, s.decisions_predicted):>7}"
        f"{_ratio(s.decisions_found, s.decision_labels):>7}"
        f"{s.distractors_taken:>4}/{s.distractors:<3}"
    )


def run(meetings: list[Meeting], title: str, verbose: bool, check: Check | None = None) -> Score:
    by_lang: dict[str, Score] = {}
    total = Score()
    board = Board()
    for meeting in sorted(meetings, key=lambda m: (m.team, m.date, m.meeting_id)):
        s, _ = score_meeting(meeting, board, check)
        by_lang.setdefault(meeting.language, Score()).add(s)
        total.add(s)
    print(f"\n{title}")
    print(
        f"{'lang':<6}{'mtg':>4}{'gold':>6}{'pred':>6}{'hit':>6}{'P':>7}{'R':>7}{'F1':>7}{'due':>7}"
        f"{'st.n':>6}{'st.acc':>7}{'route':>7}{'dec.P':>7}{'dec.R':>7}{'distr':>8}"
    )
    for lang in sorted(by_lang):
        print(_row(lang, by_lang[lang]))
    print(_row("all", total))
    if verbose:
        for miss in total.misses:
            print("  -", miss)
    return total


def _summary(name: str, s: Score) -> str:
    return (
        f"{name:<40} F1 {_f1(s)[2]:.2f}  due {_ratio(s.due_right, s.matched)}"
        f"  st.acc {_ratio(s.status_right, s.status_labels)}  route {_ratio(s.routed, s.routable)}"
        f"  distractors taken {s.distractors_taken}/{s.distractors}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    root = Path(__file__).resolve().parent.parent
    parser.add_argument(
        "--dir",
        type=Path,
        default=None,
        help="score only this directory (default: eval/minutes and eval/minutes_heldout)",
    )
    parser.add_argument("--asr", type=Path, default=None, help="ASR transcripts of the same meetings")
    parser.add_argument("--verbose", "-v", action="store_true", help="list every miss")
    parser.add_argument(
        "--llm-replay",
        type=Path,
        default=None,
        help="also score with the LLM check, answered from this JSON file by a local server",
    )
    args = parser.parse_args(argv)
    dirs = (
        [args.dir] if args.dir is not None else [root / "eval" / "minutes", root / "eval" / "minutes_heldout"]
    )
    for directory in dirs:
        if not directory.is_dir():
            print(f"no such directory: {directory}", file=sys.stderr)
            return 2
    sets = [(directory, load_meetings(directory)) for directory in dirs]
    print(
        "action items: a hit needs the labelled assignee and >= 60% of the labelled key words"
        " in the task;"
        "\nstatus: labelled speaker, >= 60% of key words in the subject, right status;"
        " route: the update lands on the right ticket"
    )
    totals = [
        (f"clean {_shown(directory, root)}", run(clean, f"clean text ({directory})", args.verbose))
        for directory, clean in sets
    ]
    if args.asr is not None:
        if not args.asr.is_dir():
            print(f"no such directory: {args.asr}", file=sys.stderr)
            return 2
        clean = [meeting for _, meetings in sets for meeting in meetings]
        totals.append(
            (
                f"ASR {_shown(args.asr, root)}",
                run(load_asr(args.asr, clean), f"ASR transcripts ({args.asr})", args.verbose),
            )
        )
    if args.llm_replay is not None:
        totals.extend(_with_replay(args.llm_replay, sets, root, args.verbose))
    if len(totals) > 1:
        print("\nsummary")
        for name, total in totals:
            print(_summary(name, total))
    return 0


@contextmanager
def _replay_server(answers: dict[str, Any]) -> Iterator[str]:
    """A local OpenAI-compatible /v1/chat/completions answering by the "Meeting: <id>" line."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            user = next((m["content"] for m in body["messages"] if m["role"] == "user"), "")
            found = re.match(r"Meeting: (\S+)", user)
            content = json.dumps(answers.get(found[1] if found else "", {"items": []}))
            payload = json.dumps({
                "id": "replay", "object": "chat.completion", "created": 0, "model": "replay",
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": content}}],
            }).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def _with_replay(
    path: Path, sets: list[tuple[Path, list[Meeting]]], root: Path, verbose: bool
) -> list[tuple[str, Score]]:
    from connectors.llm import OpenAIMinutesChecker
    from connectors.settings import Settings

    answers = json.loads(path.read_text(encoding="utf-8")).get("answers", {})
    out = []
    with _replay_server(answers) as url:
        checker = OpenAIMinutesChecker(Settings(llm_base_url=url, llm_model="replay", llm_max_retries=0))
        for directory, meetings in sets:
            changes: list[str] = []

            def check(minutes: Minutes, meeting: Meeting, changes: list[str] = changes) -> Minutes:
                done = checker.check(minutes, meeting.utterances, meeting.date, title=meeting.meeting_id)
                changes.extend(f"{meeting.meeting_id}: {c}" for c in done.changes)
                return done.minutes

            name = f"LLM check {_shown(directory, root)}"
            total = run(meetings, f"with the LLM check replayed from {path} ({directory})", verbose, check)
            print(f"the check changed or ignored {len(changes)} thing(s):")
            for line in changes:
                print("  -", line)
            out.append((name, total))
    return out


def _shown(directory: Path, root: Path) -> str:
    try:
        return str(directory.resolve().relative_to(root))
    except ValueError:
        return str(directory)


if __name__ == "__main__":
    raise SystemExit(main())
