"""``vori team``: a team's roster and glossary.

    vori team member add --team acme --name Bob [--alias Robert] [--voice sample.wav]
    vori team member list --team acme
    vori team member remove --team acme --name Bob
    vori team glossary add --team acme Stripe Sentry Figma
    vori team glossary list --team acme
    vori team glossary remove --team acme Figma

``--voice`` enrols the member: the sample (any file FFmpeg reads, 10-30 s of the person speaking
is best) becomes a voiceprint, and the meeting's diarization labels whose voice matches it are
named after the member. Roster names and glossary terms are hinted to the recogniser for the
team's meetings and used to correct near-misses.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from connectors.postgres import connect
from connectors.roster_store import (
    RosterInputError,
    TeamMember,
    add_member,
    add_terms,
    forget_learned,
    list_members,
    list_terms,
    remove_member,
    remove_terms,
)
from connectors.settings import Settings
from connectors.voiceprint import VOICE_MODEL, EnrollmentError, voiceprint_of_file

Handler = Callable[[argparse.Namespace, Settings], int]


def _tracker_login(text: str) -> tuple[str, str]:
    kind, sep, login = text.partition("=")
    if not sep or kind.strip() not in ("github", "jira", "linear") or not login.strip():
        raise argparse.ArgumentTypeError(f"{text!r}: use KIND=LOGIN with KIND github, jira or linear")
    return kind.strip(), login.strip()


def _member_add(args: argparse.Namespace, settings: Settings) -> int:
    voiceprint = None
    if args.voice:
        voiceprint = voiceprint_of_file(args.voice)  # before the database: a bad file costs nothing
    with connect(settings.database_url) as conn:
        member = add_member(conn, team=args.team, name=args.name, aliases=args.alias or (),
                            voiceprint=voiceprint, voice_model=VOICE_MODEL if args.voice else None,
                            tracker_usernames=dict(args.tracker or ()))
    enrolled = " (voice enrolled)" if args.voice else ""
    aliases = f" aka {', '.join(member.aliases)}" if member.aliases else ""
    print(f"{member.team}: {member.name}{aliases}{enrolled}")
    return 0


def _member_list(args: argparse.Namespace, settings: Settings) -> int:
    with connect(settings.database_url) as conn:
        members = list_members(conn, args.team)
    for m in members:
        print("\t".join((m.name, ",".join(m.aliases) or "-", _voice_column(m))))
    return 0


def _voice_column(m: TeamMember) -> str:
    """"voice" (enrolled), "learned N (meetings …)" (from meetings), both, or "-"."""
    parts = ["voice"] if m.voiceprint else []
    if m.learned:
        sources = ", ".join(f"{v.meeting_id}/{v.label} {v.how} {v.confidence:.2f}" for _, v in m.learned[:3])
        more = f", +{len(m.learned) - 3}" if len(m.learned) > 3 else ""
        unused = "; unused while enrolled" if m.voiceprint else ""
        parts.append(f"learned {len(m.learned)} ({sources}{more}{unused})")
    return " + ".join(parts) or "-"


def _member_forget(args: argparse.Namespace, settings: Settings) -> int:
    with connect(settings.database_url) as conn:
        n = forget_learned(conn, team=args.team, name=args.name, meeting_id=args.meeting)
    print(f"forgot {n} learned voice(s) of {args.name} in {args.team}")
    return 0


def _member_remove(args: argparse.Namespace, settings: Settings) -> int:
    with connect(settings.database_url) as conn:
        removed = remove_member(conn, team=args.team, name=args.name)
    if not removed:
        print(f"vori team: {args.team} has no member {args.name!r}", file=sys.stderr)
        return 1
    print(f"removed {args.name} from {args.team}")
    return 0


def _glossary_add(args: argparse.Namespace, settings: Settings) -> int:
    with connect(settings.database_url) as conn:
        added = add_terms(conn, team=args.team, terms=args.terms)
    already = len(dict.fromkeys(args.terms)) - len(added)
    print(f"added {len(added)} term(s) to {args.team}" + (f", {already} already there" if already else ""))
    return 0


def _glossary_list(args: argparse.Namespace, settings: Settings) -> int:
    with connect(settings.database_url) as conn:
        for term in list_terms(conn, args.team):
            print(term)
    return 0


def _glossary_remove(args: argparse.Namespace, settings: Settings) -> int:
    with connect(settings.database_url) as conn:
        removed = remove_terms(conn, team=args.team, terms=args.terms)
    missing = {t.casefold() for t in args.terms} - {t.casefold() for t in removed}
    print(f"removed {len(removed)} term(s) from {args.team}")
    if missing:
        print(f"vori team: not in the glossary: {', '.join(sorted(missing))}", file=sys.stderr)
        return 1
    return 0


def _guarded(handler: Handler) -> Handler:
    # A bad name or sample is the user's input: one line and exit 2, like a bad option. An
    # unreachable database is left to `vori`'s main (one line, exit 1).
    def run(args: argparse.Namespace, settings: Settings) -> int:
        try:
            return handler(args, settings)
        except (RosterInputError, EnrollmentError) as exc:
            print(f"vori team: {' '.join(str(exc).split())}", file=sys.stderr)
            return 2

    return run


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """Register ``vori team member …`` and ``vori team glossary …``."""
    team = sub.add_parser("team", help="a team's roster (members, voiceprints) and glossary")
    kinds = team.add_subparsers(dest="team_command", required=True)

    member = kinds.add_parser("member", help="the team's people").add_subparsers(
        dest="member_command", required=True)
    add = member.add_parser("add", help="add a member (or add aliases / a voice to one)")
    add.add_argument("--team", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--alias", action="append", help="another name they go by (repeatable)")
    add.add_argument("--voice", metavar="SAMPLE", help="a recording of them speaking (any format)")
    add.add_argument("--tracker", action="append", type=_tracker_login, metavar="KIND=LOGIN",
                     help="their login on a tracker, e.g. github=octocat (repeatable; docs/trackers.md)")
    add.set_defaults(handler=_guarded(_member_add))
    listing = member.add_parser("list", help="list members: name, aliases, enrolled or learned voice")
    listing.add_argument("--team", required=True)
    listing.set_defaults(handler=_guarded(_member_list))
    remove = member.add_parser("remove", help="remove a member (by name or alias)")
    remove.add_argument("--team", required=True)
    remove.add_argument("--name", required=True)
    remove.set_defaults(handler=_guarded(_member_remove))
    forget = member.add_parser("forget", help="drop the voices learned of a member from meetings")
    forget.add_argument("--team", required=True)
    forget.add_argument("--name", required=True)
    forget.add_argument("--meeting", help="only what was learned from this meeting")
    forget.set_defaults(handler=_guarded(_member_forget))

    glossary = kinds.add_parser("glossary", help="the team's own words").add_subparsers(
        dest="glossary_command", required=True)
    gadd = glossary.add_parser("add", help="add terms (product names, services, jargon)")
    gadd.add_argument("--team", required=True)
    gadd.add_argument("terms", nargs="+", metavar="TERM")
    gadd.set_defaults(handler=_guarded(_glossary_add))
    glist = glossary.add_parser("list", help="list the terms")
    glist.add_argument("--team", required=True)
    glist.set_defaults(handler=_guarded(_glossary_list))
    gremove = glossary.add_parser("remove", help="remove terms")
    gremove.add_argument("--team", required=True)
    gremove.add_argument("terms", nargs="+", metavar="TERM")
    gremove.set_defaults(handler=_guarded(_glossary_remove))
