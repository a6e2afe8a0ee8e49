"""The minutes writer on speech-recognition text: the forms Whisper gives (segments cut mid-turn,
lost punctuation, misheard names, dropped little words) still yield the items said."""

from __future__ import annotations

import datetime

from domain.extraction import extract_minutes
from domain.extraction_base import Names
from domain.minutes import Minutes, Utterance
from domain.naming import apply_names

MEETING = datetime.date(2026, 11, 23)  # a Monday
FRIDAY = datetime.date(2026, 11, 27)


def segments(*lines: tuple[str, str, int, int]) -> Minutes:
    return extract_minutes([Utterance(sp, text, a, b) for sp, text, a, b in lines], MEETING)


def owned(m: Minutes) -> list[tuple[str | None, str, datetime.date | None]]:
    return [(a.assignee, a.task, a.due_date) for a in m.action_items]


def test_a_turn_cut_mid_sentence_into_two_segments_reads_as_one_request() -> None:
    m = segments(
        ("Ruth", "Jonah, could you look into the search", 0, 2100),
        ("Ruth", "indexing job by Friday?", 2100, 3500),
        ("Jonah", "Sure.", 4200, 4800),
    )
    assert owned(m) == [("Jonah", "look into the search indexing job", FRIDAY)]


def test_a_capitalised_segment_ends_the_unpunctuated_sentence_before_it() -> None:
    m = segments(
        ("Rhea", "morning everyone so main thing this sprint is the mobile checkout", 0, 4000),
        ("Rhea", "Kenji, you will take the Apple Pay integration.", 4000, 6500),
        ("Kenji", "Yeah, that's mine.", 7000, 8000),
    )
    assert [(a.assignee, a.task) for a in m.action_items] == [("Kenji", "take the Apple Pay integration")]


def test_separate_finished_turns_of_one_speaker_stay_apart() -> None:
    # A pause between two finished sentences: "that" in the second is no reference into the first
    # turn's words joined by accident, and both items keep their own owner.
    m = segments(
        ("Maya", "Priya, please send the wireframes to the design channel.", 0, 3000),
        ("Maya", "I'll write up the sprint goals today.", 4500, 7000),
    )
    assert [(a.assignee, a.task) for a in m.action_items] == [
        ("Priya", "send the wireframes to the design channel"),
        ("Maya", "write up the sprint goals"),
    ]


def test_a_misheard_name_of_a_speaker_still_addresses_that_speaker() -> None:
    m = segments(
        ("Ruth", "May, could you set up the alerting for the payment webhooks?", 0, 3000),
        ("Mei", "Yes, I'll have it running by Monday.", 3500, 5000),
        ("Sven", "Okay.", 5500, 6000),
    )
    assert owned(m) == [("Mei", "set up the alerting for the payment webhooks", datetime.date(2026, 11, 30))]


def test_a_heard_name_resolves_only_to_one_speaker_who_sounds_like_it() -> None:
    assert Names(["Ruth", "Mei"]).resolve_heard("May") == "Mei"
    assert Names(["Kim", "Ade"]).resolve_heard("kin") == "Kim"
    assert Names(["Tim", "Tom"]).resolve_heard("Tam") is None  # two fit: nobody
    assert Names(["Ruth", "Mei"]).resolve_heard("Max") is None
    assert Names(["Ruth", "Mei"]).resolve_heard("Ruth") == "Ruth"


def test_a_turn_handed_over_without_a_question_mark() -> None:
    taken = segments(
        ("Moe", "Next, the slow search on the admin page, Luca.", 0, 3000),
        ("Luca", "I'll take it. Probably needs an index.", 3500, 6000),
    )
    assert [(a.assignee, a.task) for a in taken.action_items] == [("Luca", "the slow search on the admin page")]
    news = segments(
        ("Moe", "Next, the slow search on the admin page, Luca.", 0, 3000),
        ("Luca", "Yep, done, it was a missing index.", 3500, 6000),
    )
    assert news.action_items == ()


def test_a_dropped_it_before_the_time_still_points_at_the_work_just_named() -> None:
    m = segments(
        ("Hana", "Marco, the invoice PDF export breaks for German customers. Can you look into this week?", 0, 5000),
        ("Marco", "Yes, I'll take it.", 5500, 7000),
    )
    [item] = m.action_items
    assert item.assignee == "Marco"
    assert "invoice PDF export" in item.task


def test_a_comma_after_a_short_lead_in_keeps_the_noun_for_that_template() -> None:
    m = segments(
        ("Moe", "Top card, the refund emails go out without the order number. Priya, can you fix that template?", 0, 5000),
        ("Priya", "Yeah, should be quick.", 5500, 6500),
    )
    assert [(a.assignee, a.task) for a in m.action_items] == [("Priya", "fix the template for the refund emails")]


def test_any_takers_without_a_question_mark_and_a_bare_me() -> None:
    m = segments(
        ("Mara", "The CSV import fails on semicolons. Any takers.", 0, 3000),
        ("Dev", "me", 3500, 4000),
    )
    assert [(a.assignee, a.task) for a in m.action_items] == [("Dev", "The CSV import fails on semicolons")]


def test_a_lost_ill_before_a_day_to_come_is_still_a_promise() -> None:
    m = segments(("Ana", "Thanks all. I post the slides in the channel today.", 0, 3000))
    assert owned(m) == [("Ana", "post the slides in the channel", MEETING)]
    habit = segments(("Ana", "I post the slides in the channel every Monday.", 0, 3000))
    assert habit.action_items == ()


def status_of(m: Minutes) -> list[tuple[str | None, str, str]]:
    return [(s.speaker, s.subject, s.status) for s in m.status_updates]


def test_a_report_run_into_a_short_lead_sentence_keeps_its_subject() -> None:
    m = segments(("Carmen", "Yes, first thing, procurement signed the vendor renewal yesterday, so that one is closed.", 0, 5000))
    [(who, subject, status)] = status_of(m)
    assert (who, status) == ("Carmen", "done")
    assert "vendor renewal" in subject


def test_a_comma_where_a_full_stop_was_still_reports_the_fix() -> None:
    m = segments(("Vik", "The memory leak turned out to be the image cache, fixed it last night.", 0, 4000))
    assert [(who, status) for who, _, status in status_of(m)] == [("Vik", "done")]
    assert "memory leak" in m.status_updates[0].subject


def test_sign_off_written_apart_is_still_waiting_for_sign_off() -> None:
    m = segments(("Lucy", "The SSO copy is with legal for sign off.", 0, 3000))
    assert status_of(m) == [("Lucy", "The SSO copy", "in_progress")]


def test_will_do_heard_as_well_do_is_a_yes() -> None:
    m = segments(
        ("Sofia", "Raj, can you chase the hosting provider today?", 0, 3000),
        ("Raj", "We'll do...", 3500, 4000),
    )
    assert owned(m) == [("Raj", "chase the hosting provider", MEETING)]


def test_a_name_heard_as_no_speakers_goes_to_the_one_who_says_yes_for_themselves() -> None:
    m = segments(
        ("Sofia", "Man, can you migrate the billing service to the new queue?", 0, 3000),
        ("Ben", "Yes, I can do that.", 3500, 4500),
        ("Mei", "Okay.", 5000, 5500),
    )
    assert [(a.assignee, a.task) for a in m.action_items] == [("Ben", "migrate the billing service to the new queue")]
    # Someone else offering to help the one named does not take the work from them.
    helped = segments(
        ("Ruth", "Alma, can you fix the VAT rate on the invoices?", 0, 3000),
        ("Noor", "I can pair with Alma on that if she wants.", 3500, 5000),
    )
    assert [a.assignee for a in helped.action_items] != ["Noor"]


def test_a_bare_please_after_a_lost_name_is_taken_by_who_says_yes() -> None:
    m = segments(
        ("Vera", "A share, please draft the DPA with legal by Friday.", 0, 3000),
        ("Asha", "Will do.", 3500, 4000),
    )
    assert owned(m) == [("Asha", "draft the DPA with legal", FRIDAY)]


def test_a_lost_ill_in_planning_talk_without_a_day() -> None:
    assert owned(segments(("Nina", "And I write up the hiring plan for Q1.", 0, 3000))) == [
        ("Nina", "write up the hiring plan for Q1", None)
    ]
    assert segments(("Nina", "I write up the release notes every sprint.", 0, 3000)).action_items == ()


def test_an_aside_after_a_full_stop_still_says_the_name_is_a_person() -> None:
    m = segments(
        ("Hana", "And assign the iOS signing issue to Tom. He has the certificates.", 0, 4000),
        ("Mark", "Okay.", 4500, 5000),
    )
    assert [(a.assignee, a.task) for a in m.action_items] == [("Tom", "the iOS signing issue")]


def test_i_need_you_to_after_a_misheard_name_and_by_heard_as_my() -> None:
    m = segments(
        ("Dana", "Hi, Rope. I need you to draft the API deprecation notice my next Wednesday.", 0, 4000),
        ("Hiro", "We'll do.", 4500, 5000),
    )
    assert owned(m) == [("Hiro", "draft the API deprecation notice", datetime.date(2026, 12, 2))]


def test_a_name_spelled_another_way_that_sounds_the_same() -> None:
    assert Names(["Ken", "Ruth"]).resolve_heard("Can") == "Ken"


def test_a_slip_and_its_reason_split_by_a_full_stop_is_blocked() -> None:
    m = segments(("Ines", "The SSO invoice slipped to next week. The vendor hasn't sent it.", 0, 4000))
    assert [(who, status) for who, _, status in status_of(m)] == [("Ines", "blocked")]
    assert "SSO invoice" in m.status_updates[0].subject


def test_a_topic_heard_as_its_own_sentence_still_names_the_report() -> None:
    m = segments(("Ade", "Dark mode. The contrast fix is in QA.", 0, 3000))
    assert status_of(m) == [("Ade", "Dark mode: the contrast fix", "in_progress")]
    greeting = segments(("Maya", "Quick sync. The release is on track.", 0, 3000))
    assert status_of(greeting) == [("Maya", "The release", "in_progress")]


def test_a_remark_between_the_work_and_the_progress_on_it() -> None:
    m = segments(("Eli", "I went through the accessibility findings. Most are small. I'm about 40% done with the fixes.", 0, 5000))
    assert status_of(m) == [("Eli", "the accessibility findings", "in_progress")]


def test_a_lost_is_before_the_state() -> None:
    signed = segments(("Mei", "Email sequence went live Thursday, contract signed, legal came back Friday.", 0, 4000))
    assert ("Mei", "contract", "done") in status_of(signed)
    waiting = segments(("Asha", "Legal still sitting on the DPA.", 0, 3000))
    assert [(who, status) for who, _, status in status_of(waiting)] == [("Asha", "blocked")]
    assert "DPA" in waiting.status_updates[0].subject


def test_a_name_cut_off_by_a_full_stop_still_heads_the_request() -> None:
    m = segments(
        ("Maya", "Let's go with the current email for now. Priya. Please send the wireframes to the design channel.", 0, 5000),
        ("Priya", "Of course.", 5500, 6000),
    )
    assert [(a.assignee, a.task) for a in m.action_items] == [("Priya", "send the wireframes to the design channel")]


def test_a_misheard_name_answered_with_will_do() -> None:
    m = segments(
        ("Lena", "Raise. Please check the retention setting on the old cluster by tomorrow.", 0, 4000),
        ("Grace", "We'll do.", 4500, 5000),
        ("Omar", "I'll be out Thursday afternoon.", 5500, 7000),
    )
    assert owned(m)[0] == ("Grace", "check the retention setting on the old cluster", datetime.date(2026, 11, 24))


def test_with_diarization_labels_a_named_colleague_keeps_the_work() -> None:
    # S-labels name nobody yet: "Tom" may well be S2, so the name said stays the owner.
    m = segments(
        ("S1", "Tom, can you upgrade staging to Node 22?", 0, 3000),
        ("S2", "Sure, I'll get it done by Friday.", 3500, 5000),
    )
    assert owned(m) == [("Tom", "upgrade staging to Node 22", FRIDAY)]


def test_a_question_and_its_yes_in_one_segment_of_a_diarized_track() -> None:
    m = segments(
        ("S1", "Finn, could you build the pricing table component by Friday? Sure, Friday works.", 0, 7000),
        ("S3", "We decided to skip the redesign this time.", 7500, 10000),
    )
    assert owned(m) == [("Finn", "build the pricing table component", FRIDAY)]
    # A named speaker's own track cannot hold someone else's yes: no item from asking alone.
    own_track = segments(
        ("Maya", "Finn, could you build the pricing table component by Friday? Sure, I know it's a lot.", 0, 7000),
        ("Finn", "Not this week, sorry.", 7500, 9000),
    )
    assert own_track.action_items == ()


def test_with_diarization_labels_a_capitalised_name_addresses_without_a_comma() -> None:
    m = segments(
        ("S1", "Okay Sam can you escalate the firewall request tomorrow?", 0, 4000),
        ("S4", "Sure, I'll message him right after this.", 4500, 6000),
    )
    assert [(a.assignee, a.task) for a in m.action_items] == [("Sam", "escalate the firewall request")]
    inner = segments(
        ("S1", "Before we start, Yuki, are you still okay to own the search relevance tuning? Yes, still mine.", 0, 6000),
        ("S2", "Okay.", 6500, 7000),
    )
    assert [(a.assignee, a.task) for a in inner.action_items] == [("Yuki", "own the search relevance tuning")]


def test_a_diarized_segment_naming_someone_then_asking_and_answered_inside() -> None:
    m = segments(
        ("S1", "Tom, we need staging upgraded to Node 22. Can you take that? Sure, I'll get it done by Friday.", 0, 8000),
        ("S2", "Okay.", 8500, 9000),
    )
    [item] = m.action_items
    assert (item.assignee, item.due_date) == ("Tom", FRIDAY)
    assert "staging" in item.task


def test_a_named_label_still_holds_the_reply_inside_its_segment() -> None:
    # The flow names S1 "Ivan" before the minutes: the segment is still one of a mixed track, so
    # "Sure thing." inside it is Ella's yes, as it was under the label.
    lines = [
        ("S3", "I was on call, so I'll draft it tomorrow. Ella.", 0, 3000),
        ("S1", "Can you also update the API changelog? Sure thing.", 3100, 6000),
        ("S2", "Maybe one day we'll get rid of the legacy box.", 6100, 8000),
    ]
    under_labels = [Utterance(sp, text, a, b) for sp, text, a, b in lines]
    named = apply_names(under_labels, {"S1": "Ivan"})
    for said in (under_labels, named):
        m = extract_minutes(said, MEETING)
        assert ("Ella", "update the API changelog") in [(a.assignee, a.task) for a in m.action_items]
    # A per-person track is one voice: Ivan answering his own question takes nothing.
    own_track = [Utterance("Ivan" if sp == "S1" else sp, text, a, b) for sp, text, a, b in lines]
    assert "Ella" not in [a.assignee for a in extract_minutes(own_track, MEETING).action_items]


def test_a_name_mid_sentence_before_can_you_without_a_comma_before_it() -> None:
    m = segments(
        ("S1", "Alright, let's hand out the sprint work Ben, can you migrate the billing service to the new queue?", 0, 6000),
        ("S4", "Yes, I can do that.", 6500, 8000),
    )
    assert [(a.assignee, a.task) for a in m.action_items] == [("Ben", "migrate the billing service to the new queue")]


def test_a_lost_ill_in_a_reply_that_takes_the_work() -> None:
    m = segments(
        ("Maya", "The export timeout is yours.", 0, 2000),
        ("Ava", "Okay, I look at it tomorrow.", 2500, 4000),
    )
    assert [(a.assignee, a.due_date) for a in m.action_items] == [("Ava", datetime.date(2026, 11, 24))]
    assert "export timeout" in m.action_items[0].task


def test_a_question_put_to_someone_else_mid_sentence_is_not_my_subject() -> None:
    m = segments(
        ("Hiro", "The admin mode is, I've got a first draft, Dana, can you review it today?", 0, 4000),
        ("Dana", "Sure.", 4500, 5000),
        ("Eli", "I went through the accessibility findings. Most are small. I'm about 40% done with the fixes.", 5500, 9000),
    )
    assert ("Eli", "the accessibility findings", "in_progress") in status_of(m)


# Mixed one-track meetings: Whisper's segments do not follow the turns, so the name a request
# opens with ends the segment before, and the reply sits inside the request's segment.
THURSDAY = datetime.date(2026, 11, 26)


def test_a_name_that_ends_the_segment_before_addresses_the_request_after_it() -> None:
    m = segments(
        ("S1", "Let's go with the current email for now. Priya.", 0, 3000),
        ("S1", "Please send the wireframes to the design channel once they're ready.", 3400, 6000),
    )
    assert [(a.assignee, a.task) for a in m.action_items] == [
        ("Priya", "send the wireframes to the design channel once they are ready")]


def test_a_name_closing_a_sentence_addresses_the_question_after_it_in_the_same_segment() -> None:
    m = segments(
        (None, "First, the export bug, Felix. Can you fix the CSV export I Thursday? Sure, I'll do it.", 0, 6000),
    )
    assert owned(m) == [("Felix", "fix the CSV export", THURSDAY)]


def test_a_name_said_a_sentence_before_the_question_still_addresses_it() -> None:
    m = segments(
        ("S1", "Yes, still mine. Abe. The Terraform state migration is blocked on you. Can you unblock it "
               "this week? Yeah.", 0, 9000),
    )
    assert [(a.assignee, a.task) for a in m.action_items] == [("Abe", "unblock the Terraform state migration")]


def test_a_bare_name_before_a_statement_is_no_addressee() -> None:
    # Only a request takes the name along: a closing "Thanks, Kai." before news stays thanks.
    m = segments(
        ("S1", "The deploy went fine. Thanks, Kai.", 0, 3000),
        ("S2", "The export job is green again since Tuesday.", 3400, 6000),
    )
    assert m.action_items == ()


def test_a_weekday_closing_a_segment_is_no_name() -> None:
    m = segments(
        ("S1", "We ship on Friday.", 0, 3000),
        ("S1", "Can you update the release notes? Sure.", 3400, 6000),
    )
    assert [a.assignee for a in m.action_items] == [None]


def test_a_reply_inside_an_unaddressed_request_makes_an_item_without_an_owner() -> None:
    m = segments(
        ("S1", "Please write the load balancer migration runbook before the freeze. Yep.", 0, 5000),
        ("S1", "Can you also add a dead letter topic while you're at it? Yup.", 5400, 9000),
    )
    assert [(a.assignee, a.task) for a in m.action_items] == [
        (None, "write the load balancer migration runbook before the freeze"),
        (None, "add a dead letter topic while you are at it"),
    ]


def test_an_open_call_inside_one_segment_needs_someone_to_take_it() -> None:
    # "Can someone …? Yeah, it's been flaky" agrees with the idea; nobody took the work.
    m = segments(("S1", "Can someone check the staging logs? Yeah, staging has been flaky all week.", 0, 5000))
    assert m.action_items == ()


def test_a_topic_and_a_name_run_together_with_commas_still_name_the_work() -> None:
    m = segments(
        ("S1", "I've got five items. The webhook retries, Sam, can you own that? Yep, mine.", 0, 9000),
        ("S1", "Bea, the onboarding tour copy. Sure, I'll take it.", 9400, 12000),
        ("S2", "Jonah, the search indexing job, would that be something you can own?", 12400, 15000),
        ("S3", "Sure, I loan it, should be done by Friday.", 15400, 17000),
    )
    assert [(a.assignee, a.task) for a in m.action_items] == [
        ("Sam", "The webhook retries"),
        ("Bea", "the onboarding tour copy"),
        ("Jonah", "own the search indexing job"),
    ]


def test_a_plan_that_lost_its_will_is_still_a_promise_but_a_habit_is_not() -> None:
    m = segments(
        ("S1", "I rotate the API keys for the partner sandbox tomorrow.", 0, 3000),
        ("S2", "I land the flaky test report on the CI dashboard by Thursday.", 3400, 6000),
        ("S3", "I review the on-call handover every Friday.", 6400, 9000),
        ("S3", "I told the vendor about the outage yesterday.", 9400, 12000),
    )
    assert [(a.assignee, a.task, a.due_date) for a in m.action_items] == [
        ("S1", "rotate the API keys for the partner sandbox", datetime.date(2026, 11, 24)),
        ("S2", "land the flaky test report on the CI dashboard", THURSDAY),
    ]


def test_a_name_heard_as_a_word_that_cannot_be_one_still_puts_the_request_to_whoever_answers() -> None:
    m = segments(
        ("Elsa", "When, can you write the rollback plan for the payment switch by Friday?", 0, 4000),
        ("Gwen", "Sure, I'll write it.", 4500, 5500),
        ("Erik", "Neither can you also bump the elastic search client today.", 6000, 9000),
        ("Gita", "Sure.", 9500, 10000),
    )
    assert owned(m) == [
        ("Gwen", "write the rollback plan for the payment switch", FRIDAY),
        ("Gita", "bump the elastic search client", MEETING),
    ]


def test_a_day_it_will_be_ready_by_answers_a_request_but_a_regret_does_not() -> None:
    asked = ("Maya", "Dev, could you look into why the payment webhook keeps timing out?", 0, 4000)
    m = segments(asked, ("Dev", "I should have something by Thursday.", 4500, 6000))
    assert owned(m) == [("Dev", "look into why the payment webhook keeps timing out", datetime.date(2026, 11, 26))]
    m = segments(asked, ("Dev", "I should have tested the webhook before the release.", 4500, 6000))
    assert m.action_items == ()


def test_an_offer_taken_back_in_the_next_sentence_is_no_item() -> None:
    # Whisper ends the sentence where the script had a comma ("…, oh wait, no, Raj already has it").
    for lines in (
        [("Pia", "I'll take the rate limiter ticket. Oh wait, no, Raj already has it.", 0, 4000)],
        [("Pia", "I'll take the rate limiter ticket.", 0, 2000), ("Pia", "Oh wait, no, Raj already has it.", 2000, 4000)],
        [("Pia", "Let me take the changelog too. No, scratch that, Tess has it.", 0, 4000)],
    ):
        assert segments(*lines, ("Raj", "I'll fix the login bug by Friday.", 4500, 6000)).action_items[0].assignee == "Raj"
        assert len(segments(*lines).action_items) == 0


def test_the_call_run_in_words_whisper_bent_makes_no_item() -> None:
    m = segments(
        ("Theo", "I'll note that now.", 0, 1500),
        ("Ruth", "Great, have a good weekend, I'll stop.", 1500, 3000),
        ("Sam", "I'll end the call now, and everyone.", 3000, 4500),
        ("Kemal", "Let me refresh here at this time.", 4500, 6000),
        ("Bo", "Cudons to Cleo for the fast response.", 6000, 7500),  # "Kudos to Cleo …"
        ("Ana", "Raj to set up the dashboards, and I'll refresh the staging data by Friday.", 7500, 9500),
    )
    assert [(a.assignee, a.task) for a in m.action_items] == [
        ("Raj", "set up the dashboards"), ("Ana", "refresh the staging data")]


def test_an_initialism_whisper_spelled_with_full_stops_is_one_word_and_ends_no_sentence() -> None:
    m = segments(
        ("Vera", "Asha, please draft the DPA with legal by Friday.", 0, 3000),
        ("Asha", "Will do.", 3200, 3800),
        ("Ben", "I'll set up the C.I. cache for the monorepo tomorrow.", 4000, 7000),
    )
    assert owned(m) == [("Asha", "draft the DPA with legal", FRIDAY),
                        ("Ben", "set up the CI cache for the monorepo", datetime.date(2026, 11, 24))]


def test_an_order_answered_inside_its_own_segment_is_the_addressees_not_the_next_voices() -> None:
    m = segments(
        ("S1", "Rob, please build the funnel chart by Friday. Okay, we'll do.", 0, 5000),
        ("S3", "I'll say more next week when the numbers are in.", 5500, 8000),
    )
    assert owned(m) == [("Rob", "build the funnel chart", FRIDAY)]
