"""Naming diarization labels: from voiceprints and from the conversation, one-to-one, stable."""

from __future__ import annotations

import numpy as np

from domain.extraction import extract_minutes
from domain.minutes import Utterance
from domain.naming import Member, apply_names, korean_name, korean_names_in, name_speakers

ROSTER = [Member("Bob", ("Robert",)), Member("Alice"), Member("김민수"), Member("박지현")]


def said(*turns: tuple[str, str]) -> list[Utterance]:
    return [Utterance(who, text, i * 4000, i * 4000 + 3500) for i, (who, text) in enumerate(turns)]


def names(mapping: dict[str, object]) -> dict[str, str]:
    return {k: v.name for k, v in mapping.items()}  # type: ignore[attr-defined]


def test_the_one_addressed_and_answering_is_named_and_gets_the_ticket() -> None:
    utts = said(
        ("S1", "Bob, can you update the invoice email template?"),
        ("S2", "Sure, I'll update the invoice email template by Friday."),
        ("S1", "Great, thanks."),
    )
    mapping = name_speakers(utts, ROSTER)
    assert names(mapping) == {"S2": "Bob"}
    assert mapping["S2"].how == "addressed" and 0.5 <= mapping["S2"].confidence < 1
    import datetime

    minutes = extract_minutes(apply_names(utts, mapping), datetime.date(2025, 3, 3), "en")
    assert [a.assignee for a in minutes.action_items] == ["Bob"]


def test_introductions_and_thanks_name_speakers_and_evidence_accumulates() -> None:
    utts = said(
        ("S1", "Hi everyone, this is Alice. Let's start with the release."),
        ("S2", "I finished the migration yesterday."),
        ("S1", "Thanks, Bob. What about the dashboard?"),
        ("S2", "It's blocked on the API."),
    )
    mapping = name_speakers(utts, ROSTER)
    assert names(mapping) == {"S1": "Alice", "S2": "Bob"}
    assert mapping["S1"].how == "introduced" and mapping["S2"].how == "thanked"
    # a second piece of evidence for the same pair raises the confidence
    more = name_speakers([*utts, *said(("S1", "Bob, could you check the logs?"))[0:1],
                          Utterance("S2", "Sure, I will.", 99_000, 99_500)], ROSTER)
    assert more["S2"].name == "Bob" and more["S2"].confidence > mapping["S2"].confidence


def test_a_name_spoken_but_not_listed_is_used_only_with_enough_evidence() -> None:
    intro = name_speakers(said(("S1", "Hello, I'm Carol and I run support.")), ROSTER)
    assert names(intro) == {"S1": "Carol"}
    assert intro["S1"].confidence < 0.8  # less than a roster member would get
    thanked_once = name_speakers(said(("S1", "The build is green."), ("S2", "Thanks, Dave.")), ROSTER)
    assert thanked_once == {}


def test_words_that_are_not_names_never_name_anyone() -> None:
    utts = said(
        ("S1", "Welcome to the sprint review."),
        ("S2", "I'm done with the staging deploy."),
        ("S1", "This is Stripe's problem, not ours."),
        ("S2", "Thanks, Team."),
    )
    assert name_speakers(utts, ROSTER, not_names=["Stripe"]) == {}
    # only S-labels are named: a speaker a per-person track carried stays as it is
    assert name_speakers(said(("Dana", "Bob, can you do it?"), ("Erin", "Sure, I'll do it.")), ROSTER) == {}


def test_conflicts_resolve_one_to_one_by_confidence() -> None:
    utts = said(
        ("S1", "I'm Bob."),
        ("S2", "Bob, can you take the report?"),
        ("S3", "Sure, I'll take it."),
        ("S2", "Thanks, Bob."),
    )
    mapping = name_speakers(utts, ROSTER)
    # S1 introduced itself (0.8); S3 was addressed and thanked (1-(0.4*0.5) = 0.8) -> a tie goes
    # to the lower label; S3 does not get the same name.
    assert names(mapping) == {"S1": "Bob"}
    stronger = name_speakers([*utts, Utterance("S2", "Bob, and the slides too?", 20_000, 21_000),
                              Utterance("S3", "Yes, I can.", 22_000, 23_000)], ROSTER)
    assert names(stronger) == {"S3": "Bob"}


def test_a_persons_naming_wins_and_takes_the_name_out_of_the_contest() -> None:
    utts = said(("S1", "Bob, can you do the invoices?"), ("S2", "Sure, I'll do them."))
    mapping = name_speakers(utts, ROSTER, fixed={"S2": "Robert Lee"})
    assert names(mapping) == {"S2": "Robert Lee"} and mapping["S2"].how == "person"
    mapping = name_speakers(utts, ROSTER, fixed={"S3": "Bob"})
    assert names(mapping) == {"S3": "Bob"}


def test_aliases_resolve_to_the_member() -> None:
    utts = said(("S1", "Robert, can you review it?"), ("S2", "Yes, I'll review it today."))
    assert names(name_speakers(utts, ROSTER)) == {"S2": "Bob"}


def test_korean_names_with_particles_and_honorifics() -> None:
    assert korean_name("민수님이") == "민수"
    assert korean_name("지현씨가") == "지현"
    assert korean_names_in("지현 씨가 어제 끝냈고 민수님이 배포할 거예요. 팀장님도 봤어요.") == ["지현", "민수"]
    utts = said(
        ("S1", "민수 씨, 결제 문서 업데이트해 주실 수 있나요?"),
        ("S2", "네, 제가 금요일까지 할게요."),
        ("S3", "저는 박지현입니다. 로그인 버그는 해결했어요."),
        ("S1", "지현 씨 감사합니다."),
    )
    mapping = name_speakers(utts, ROSTER)
    assert names(mapping) == {"S2": "김민수", "S3": "박지현"}
    assert mapping["S3"].confidence > mapping["S2"].confidence  # introduced and thanked


def test_voiceprints_name_labels_above_the_threshold_one_to_one() -> None:
    rng = np.random.default_rng(7)
    bob, alice = rng.normal(size=256), rng.normal(size=256)
    members = [Member("Bob", voiceprint=tuple(bob)), Member("Alice", voiceprint=tuple(alice))]
    voices = {
        "S1": alice + 0.2 * rng.normal(size=256),
        "S2": bob + 0.2 * rng.normal(size=256),
        "S3": rng.normal(size=256),  # nobody enrolled
    }
    mapping = name_speakers([], members, voices=voices)
    assert names(mapping) == {"S1": "Alice", "S2": "Bob"}
    assert all(m.how == "voice" for m in mapping.values())
    # two labels close to one print: only the closer one gets it
    voices2 = {"S1": bob + 0.1 * rng.normal(size=256), "S2": bob + 0.3 * rng.normal(size=256)}
    assert names(name_speakers([], members, voices=voices2)) == {"S1": "Bob"}


def test_the_same_utterances_give_the_same_mapping() -> None:
    utts = said(
        ("S1", "Hi, this is Alice."),
        ("S2", "I'm Bob."),
        ("S1", "Bob, can you take the release notes?"),
        ("S2", "Sure, I'll take them."),
        ("S3", "Thanks, Alice."),
    )
    first = name_speakers(utts, ROSTER)
    for _ in range(3):
        assert name_speakers(list(utts), list(ROSTER)) == first
        assert name_speakers(list(reversed(utts)), ROSTER) == first  # read in time order anyway


def test_work_given_in_the_third_person_and_taken_up_names_the_next_speaker() -> None:
    utts = said(
        ("S1", "Felix will take care of the staging database upgrade over the weekend."),
        ("S2", "Right, I'll start Saturday morning and should be done by Monday."),
        ("S1", "Let's have Alice do the password reset emails."),
        ("S3", "Sure, I'll get them out by Wednesday."),
    )
    roster = [*ROSTER, Member("Felix")]
    assert names(name_speakers(utts, roster)) == {"S2": "Felix", "S3": "Alice"}
    # Said in passing, with no one taking it up, the same name is not enough.
    passing = said(("S1", "Felix will take care of the upgrade."), ("S2", "The dashboard is still slow."))
    assert name_speakers(passing, roster) == {}


def test_a_handover_names_the_next_speaker() -> None:
    utts = said(("S1", "That's the numbers. I'll hand it back to Alice to close."),
                ("S2", "Thanks all, I'll post the slides in the channel today."))
    assert names(name_speakers(utts, ROSTER)) == {"S2": "Alice"}


TEAM = [Member("Vera"), Member("Hugo"), Member("Asha"), Member("Ben")]
PLANNING = (
    ("S1", "Alright, let's begin. Hugo, the billing migration needs an owner, can you own it?"),
    ("S2", "Yes, I'll own it."),
    ("S1", "Asha, please draft the DPA with legal by Friday."),
    ("S3", "Will do."),
    ("S4", "I'll set up the CI cache for the monorepo tomorrow."),
    ("S1", "And I'll finish the accessibility checklist myself."),
)


def test_the_last_label_takes_the_last_member_when_everyone_listed_spoke() -> None:
    # Every member spoke, three labels are named or ruled out: S1 said Hugo and Asha, so S1 is
    # not them; of Vera and Ben, S1 and S4 are left, and nothing tells them apart.
    mapping = name_speakers(said(*PLANNING), TEAM)
    assert names(mapping) == {"S2": "Hugo", "S3": "Asha"}
    # Once one of them is named, the other is the member left.
    more = said(*PLANNING, ("S4", "The CI cache should halve the build time."),
                ("S2", "Thanks, Ben, that will help."))
    mapping = name_speakers(more, TEAM)
    assert names(mapping) == {"S2": "Hugo", "S3": "Asha", "S4": "Ben", "S1": "Vera"}
    assert mapping["S1"].how == "remaining" and mapping["S1"].confidence < mapping["S2"].confidence


def test_a_name_that_ends_the_segment_before_a_request_is_said_with_the_request() -> None:
    # One mixed track: Whisper ends a segment (here under S3's label) with the name the next
    # request opens with. The name belongs to the request: S1 asks Abe, and S3, who says yes, is
    # Abe, not the one who "said" his name.
    utts = said(
        ("S1", "Let's go through the design review."),
        ("S2", "The dark mode contrast is fixed."),
        ("S3", "We still need the retention notice on this page. Abe."),
        ("S1", "Can you get the exact retention period from legal?"),
        ("S3", "Sure, I'll ask legal today."),
    )
    mapping = name_speakers(utts, TEAM_DESIGN)
    assert names(mapping) == {"S3": "Abe"} and mapping["S3"].how == "addressed"


TEAM_DESIGN = [Member("Yara"), Member("Zane"), Member("Abe"), Member("Ines")]


def test_the_one_handed_the_floor_is_the_next_voice_whatever_it_says() -> None:
    # Not a request: Ana's own plan after "I'll hand it back to Ana" still answers the hand-over.
    utts = said(
        ("S1", "That's all from me. I'll hand it back to Ana to close."),
        ("S2", "I'll be brief. Thanks all, I'll post the slides in the channel tonight."),
    )
    assert names(name_speakers(utts, [*TEAM_DESIGN, Member("Ana")])) == {"S2": "Ana"}
    # A request answered by a plan of the next voice's own is not theirs to answer.
    asked = said(
        ("S1", "Ana, please rewrite the CSV export before the release."),
        ("S2", "I'll set up alerts for the staging cluster this afternoon."),
    )
    assert "S2" not in name_speakers(asked, [*TEAM_DESIGN, Member("Ana")])


def test_praise_gives_no_work_so_the_next_plan_is_not_the_praised_ones() -> None:
    team = [Member("Bo"), Member("Cleo"), Member("Dev")]
    praised = said(("S3", "Kudos to Cleo for the fast response."),
                   ("S1", "I'll write the post-mortem and share it with support by Friday."))
    assert "S1" not in name_speakers(praised, team)
    given = said(("S3", "Let's have Cleo write the post-mortem."), ("S1", "Right, I'll write it by Friday."))
    assert names(name_speakers(given, team)) == {"S1": "Cleo"}


def test_a_name_whose_reply_shares_the_segment_does_not_count_against_its_label() -> None:
    # "… so Raj covers support." and Raj's "I'll handle the support rotation" in one segment:
    # two voices under one label, so the label saying "Raj" says nothing against it being Raj,
    # and the elimination does not pair it with another member.
    team = [Member("Pia"), Member("Quinn"), Member("Raj")]
    utts = said(
        ("S1", "Let's plan the week. Quinn, please draft the Q1 goals by Friday."),
        ("S2", "Sure, I'll draft them."),
        ("S3", "Tom will be out all next week, so Raj covers support. I'll handle the support rotation next week."),
    )
    # Before, S3 "said" Raj, so the elimination made S1 Raj and S3 Pia: both wrong.
    assert names(name_speakers(utts, team)) == {"S2": "Quinn"}


def test_the_one_who_hands_out_the_work_is_the_member_nobody_named() -> None:
    # S1 opens and turns to Hugo and Asha, S2 thanks Ben, a guest joins late: Vera's name is
    # never said, and the one handing out the work by name is the member nobody names.
    chaired = said(*PLANNING, ("S4", "The CI cache should halve the build time."),
                   ("S2", "Thanks, Ben, that will help."), ("S5", "Sorry I'm late, traffic."))
    mapping = name_speakers(chaired, TEAM)
    assert mapping["S1"].name == "Vera" and mapping["S1"].how == "remaining"
    assert mapping["S1"].confidence < mapping["S2"].confidence and "S5" not in mapping
    # A label too few (the diarization joined two voices): still the chair is the one unnamed.
    merged = said(*PLANNING[:4], ("S2", "Ben says the CI cache will halve the build time."))
    assert name_speakers(merged, TEAM)["S1"].name == "Vera"


def test_nobody_is_taken_for_the_chair_without_one_member_left_unnamed() -> None:
    # Vera and Ben both unnamed: either could be S1.
    assert "S1" not in name_speakers(said(*PLANNING), TEAM)
    # The first voice said one name only: no sign it ran the meeting.
    one = said(("S1", "Let's begin. Hugo, can you own the billing migration?"), ("S2", "Yes, I'll own it."),
               ("S3", "Asha here. Ben says the CI cache is done."))
    assert "S1" not in name_speakers(one, TEAM)
    # Another voice named as many people as the first: who chairs is not clear.
    busier = said(("S1", "Morning. Hugo, Asha, anything new?"), ("S2", "Ben and Asha, please review my PR."),
                  ("S3", "Sure."))
    assert "S1" not in name_speakers(busier, TEAM)
    # A member who did not come is as unnamed as the chair: nothing is guessed.
    chaired = said(*PLANNING[:4], ("S2", "Ben says the CI cache will halve the build time."))
    assert "S1" not in name_speakers(chaired, [*TEAM, Member("Zoe")])


def test_no_member_is_left_over_when_the_meeting_and_the_roster_differ() -> None:
    more = said(*PLANNING, ("S4", "The CI cache should halve the build time."),
                ("S2", "Thanks, Ben, that will help."))
    # A fifth voice, or a sixth member who did not speak: the one left is not known (S1 is
    # named with a fifth voice only as the one who hands out the work, see the chair above).
    late = name_speakers([*more, Utterance("S5", "Sorry I'm late, traffic.", 60000, 63000)], TEAM)
    assert "S5" not in late and late["S1"].name == "Vera"
    assert "S1" not in name_speakers(more, [*TEAM, Member("Zoe")])
    # A per-person track names its speaker itself: nothing is inferred by elimination then.
    tracks = [*more, Utterance("Zoe", "I'll review the checklist.", 70000, 73000)]
    assert "S1" not in name_speakers(tracks, [*TEAM, Member("Zoe")])


def test_a_plan_of_ones_own_after_a_request_does_not_answer_it() -> None:
    roster = [*ROSTER, Member("Kai"), Member("Nora")]
    # Kai was asked and did not answer: the next voice gives an item of its own.
    other = said(("S1", "Kai, please rewrite the CSV export, it times out on big accounts."),
                 ("S3", "I'll set up alerts for the staging cluster before the release."))
    assert name_speakers(other, roster) == {}
    # Taken up, in other words or by referring back, it does.
    for reply in ("I'll rewrite the export tomorrow, the big accounts first.", "I'll look at it after lunch today.",
                  "Sure, I'll set that up before the release."):
        assert names(name_speakers(said(("S1", other[0].text), ("S3", reply)), roster)) \
            == {"S3": "Kai"}, reply


def test_an_answer_heard_inside_the_askers_turn_keeps_the_name_from_the_next_voice() -> None:
    # Two voices under one label: "Works for me." is Priya's; Marco speaks next with a plan of
    # his own ("this week" is a time, not a reference back to the request).
    roster = [*ROSTER, Member("Priya"), Member("Marco")]
    utts = said(("S1", "Priya, you own the onboarding wireframes. Due Thursday. Works for me."),
                ("S3", "I'm going to upgrade the Postgres cluster to version 16 this week."))
    assert name_speakers(utts, roster) == {}
