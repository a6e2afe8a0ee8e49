"""Sentences that look like tasks but are not, said in a meeting between two real items (issue 17,
round 5). The lists were written as a probe after the round-5 meetings of eval/minutes and scored
on the rules of that round before their own fixes (44 of 275 taken); the rules were then changed
by kind of construction: the meeting's own running (chat, tabs, recording, clock, order of
speakers, "take that offline"), whereabouts and leave, food and rounds for the room, feelings,
impossibility idioms and sarcastic openers, hearsay, Korean absences and turn-taking."""

from __future__ import annotations

import datetime

import pytest

from domain.extraction import extract_minutes
from domain.minutes import Minutes, Utterance

MONDAY = datetime.date(2027, 2, 1)
THURSDAY = datetime.date(2027, 2, 4)
FRIDAY = datetime.date(2027, 2, 5)


def _minutes(lines: list[tuple[str, str]]) -> Minutes:
    utts = [Utterance(sp, text, i * 5000, i * 5000 + 4000) for i, (sp, text) in enumerate(lines)]
    return extract_minutes(utts, MONDAY)


def _sentence(text: str) -> str:
    return text if text.endswith(("?", "!")) else f"{text}."


_EN = [
    "I'll be out Friday",
    "I'll be off next Monday",
    "I'm out on Friday",
    "I'm off tomorrow afternoon",
    "I won't be here Thursday",
    "I'll be away next week",
    "I'll be on leave next week",
    "I'll be OOO Friday",
    "I'll be out of office until Tuesday",
    "I'm away the week of the 20th",
    "I'll be on PTO the week after",
    "I'll be in Berlin next week",
    "I'll be at a customer site Thursday",
    "I'll be offline tomorrow morning",
    "I'll be late to standup tomorrow",
    "I'll be working half days this week",
    "I'm taking Monday off",
    "I'll take Friday off",
    'I need to leave early today',
    'I have to leave at four',
    'I have to pick up my kids at five',
    "I'm going to the doctor tomorrow",
    "I'll be back on Wednesday",
    "I'll join late tomorrow",
    "I'll miss standup tomorrow",
    "I'll grab lunch",
    "I'll grab lunch with the new hire after this",
    "I'm going to get coffee, anyone want one?",
    "I'll order pizza for the demo",
    "I'll bring donuts on Friday",
    "Let's grab a drink after work",
    "I'll see you all at the offsite",
    'We should get dinner sometime',
    "I'll buy the first round",
    'Have a good weekend, everyone',
    "I'll get the next coffee",
    'Let me share my screen',
    "I'll share my screen",
    'Can everyone see my screen?',
    "I'll hand over to Priya",
    'Over to you, Sam',
    "I'll pass it over to Sam",
    "I'll let Sam take it from here",
    'Sam, take it away',
    "I'll start",
    "I'll kick us off",
    "I'll go next",
    "I'll keep it short",
    "I'll be brief",
    "I'll make this quick",
    "I'll try to keep this under ten minutes",
    'Let me pull up the board',
    'Let me open the Jira board',
    "I'll pull up the sprint board",
    "I'll put the link in chat",
    "I'll drop the link in the chat",
    "I'll stop sharing now",
    "I'll stop recording",
    "I'll start recording",
    "Let's get through the agenda",
    "Let's go through the tickets",
    "Let's do a quick round",
    "Let's wrap up",
    "I'll give you ten minutes back",
    "I'll end it here",
    "I'll wrap up there",
    "Let's take five",
    "Let's take a five minute break",
    'Back in five',
    'If we had budget we could hire a designer',
    "If I had more time I'd refactor the parser",
    'We could always switch to GraphQL',
    'In theory I could do it over the weekend',
    'If legal approves, we might launch early',
    'Hypothetically, we could drop IE support',
    'Suppose we moved to weekly sprints',
    'Imagine if we had a real staging environment',
    'Someday we should rewrite the billing service',
    'It would be nice to have better logs',
    "It'd be nice to automate the release",
    'I wish we had more tests',
    "Ideally we'd have a design system",
    'We really should clean up the wiki someday',
    "One of these days I'll fix the build script",
    'At some point we need to upgrade Java',
    "Eventually we'll need a new CI",
    'Would be great to get more metrics',
    "I'd love to see a dashboard for that",
    'Someone should really write docs for this',
    'I already sent the report',
    'I sent the email yesterday',
    "I've already booked the room",
    'I fixed that last week',
    'We already migrated the database',
    'I updated the ticket this morning',
    'I did the review yesterday',
    'I talked to legal on Monday',
    "I've pinged him twice",
    'Last week I cleaned up the flags',
    'I set up the alerts already',
    "Sure, I'll have it done by yesterday",
    "I'll just work 25 hours a day then",
    "I'll add it to my infinite list",
    "Sure, and I'll also fly to the moon",
    "I'll fix it with my magic wand",
    "Yeah right, I'll get to it next year",
    "Oh sure, I'll rewrite it all tonight, no problem",
    "I'll sacrifice a goat to the build gods",
    "I can't this week",
    "I can't take it, sorry",
    'Not this sprint',
    "I don't have time for the docs",
    "I'll have to say no to that one",
    "I'm at capacity",
    "Can't, I'm on the audit",
    "That's not something I can take on",
    "I won't be able to do the review",
    'Can someone look into the build failures?',
    'Should we update the docs?',
    "Who's handling the release?",
    'Do we need to tell support?',
    'Would anyone be up for reviewing my PR?',
    'Is it worth upgrading?',
    'Should I write a doc?',
    'Do you want me to take a look?',
    'Want me to file a ticket?',
    'Someone should update the status page',
    'Somebody needs to tell the client',
    'Someone has to own on-call',
    'Marketing should announce it',
    'Legal needs to sign off',
    'The vendor needs to fix their SDK',
    'IT should really upgrade our laptops',
    "She said she'd send it",
    'He mentioned he would look at it',
    "Tom said he'll fix it",
    'Apparently Sara will take care of it',
    "The client says they'll sign next week",
    "Ana told me she'd handle the invoices",
    'Dev said he was going to update the wiki',
    'I could help if you need',
    'I can help if needed',
    'If you want, I can take a look',
    'I can pair with you if that helps',
    'Let me know if you need anything',
    "I'm happy to help if you get stuck",
    "If it's still broken tomorrow, I'll look at it",
    "If I have time I'll write the tests",
    'Let me think out loud',
    'Let me be clear',
    'Let me rephrase',
    'Let me back up a second',
    'Let me ask a question',
    "I'll give you some context",
    "I'm not going to touch the payments code",
    "We won't do the migration this sprint",
    "I'm not doing the release notes this time",
    "Don't worry about the docs",
    'No need to update the tests',
    "I would have fixed it if I'd known",
    'I was planning to write tests but ran out of time',
    'I had planned to migrate last sprint',
    "I've been working on the parser",
    'I was going to ask about the budget',
    "I'll let you all get back to work",
    "I'll save my questions for the end",
    "I'll try to be on time tomorrow",
    "I'll leave that to the experts",
    "I'll keep my camera off, bad connection",
    "I'll take the last five minutes for questions",
    'Let me take this one offline with Ana',
    "I'll take that offline",
    "I'll answer that in the next slide",
    "I'll skip the intro",
    "I'll skip ahead to the demo",
    "We'll see",
    "We'll figure it out",
    "We'll cross that bridge later",
    "I'll leave you with one thought",
    "I'll be the bad guy here",
    "I'll be in touch",
    "I'll catch you later",
    "We'll talk tomorrow",
    "I'll shut up now",
    "I'll let that sink in",
    "I'll hold off on the refactor for now",
    "I'll wait for legal before touching it",
    "I'll get back to it after my vacation",
]

_KO = [
    '저 금요일에 휴가예요',
    '다음 주에 출장이라 빠져요',
    '내일 오전 반차 씁니다',
    '저 목요일 오후에 자리 비울게요',
    '오늘 일찍 들어가 볼게요',
    '점심 먹고 올게요',
    '커피 사 올게요',
    '다음 주 월요일에 병원 가요',
    '문서도 정리하면 좋겠어요',
    '테스트 커버리지를 좀 높이면 좋겠습니다',
    '나중에 리팩토링도 하면 좋겠네요',
    'CI 속도가 좀 개선됐으면 좋겠어요',
    '디자인 시스템이 있었으면 해요',
    '모니터링도 좀 강화해야 할 텐데요',
    '언젠가 마이크로서비스로 나눠야죠',
    '나중에 로그 구조도 바꿔 봐요',
    '나중에 시간 되면 캐시도 볼게요',
    '나중에 다시 얘기해요',
    '다음에 여유 있을 때 하죠',
    '혹시 문제 생기면 연락 주세요',
    '만약 배포 실패하면 롤백하겠습니다',
    '필요하면 제가 도와드릴게요',
    '원하시면 제가 볼게요',
    '예산이 나오면 외주를 쓸 수도 있어요',
    '인원이 충원되면 앱도 시작할게요',
    '제가 화면 공유할게요',
    '화면 공유 드릴게요',
    '제 화면 보이시나요?',
    '회의 마치겠습니다',
    '오늘 회의는 여기까지입니다',
    '이만 마치겠습니다',
    '그럼 시작해 볼게요',
    '다음 안건 보겠습니다',
    '민수 씨한테 넘기겠습니다',
    '돌아가면서 공유해 주세요',
    '녹화 시작할게요',
    '잠시만요, 링크 다시 보낼게요',
    '짧게 하겠습니다',
    '간단히 말씀드릴게요',
    '지난주에 배포 끝냈어요',
    '지난주에 고객사에 메일 보냈어요',
    '어제 리뷰 다 했어요',
    '이미 티켓 만들어 뒀어요',
    '저번 주에 서버 증설했습니다',
    '아까 슬랙에 올렸어요',
    '이번 주는 어려울 것 같아요',
    '저는 이번에 못 맡을 것 같습니다',
    '그건 제 담당이 아니라서요',
    '지금은 여력이 없어요',
    '이번 스프린트엔 힘들어요',
    '이거 누가 봐 줄 수 있을까요?',
    '문서 업데이트는 언제 하죠?',
    '배포 날짜 바꿀까요?',
    '로그 확인해 보셨어요?',
    '누가 위키 좀 정리해야겠네요',
    '인프라팀이 알아서 하겠죠',
    '디자인팀에서 시안을 줘야 해요',
    '법무팀 검토가 필요합니다',
    '민지 씨가 다음 주에 한다고 했어요',
    '고객사가 금요일까지 준다고 했어요',
    '팀장님이 검토하신다고 하셨어요',
    '준호 씨가 고쳐 준다고 하던데요',
    '제가 밤새서 다 할게요, 농담입니다',
    '주말에 출근해서 다 고칠게요 ㅋㅋ',
    '서버한테 기도하겠습니다',
    '제가 먼저 시작하겠습니다',
    '오늘은 제가 진행하겠습니다',
    '질문은 마지막에 받겠습니다',
    '그 얘기는 따로 하겠습니다',
    '그건 나중에 따로 얘기할게요',
    '다음 주에 뵙겠습니다',
    '잠깐 쉬었다 하겠습니다',
    '5분만 쉬고 하겠습니다',
    '제가 잠깐 자리 비우겠습니다',
    '마이크 끄겠습니다',
    '카메라 끌게요',
    '채팅창에 링크 올려 드릴게요',
    '제가 요약해 드릴게요',
    '다음 분 말씀해 주세요',
    '그 부분은 제가 잘 몰라서요',
    '언젠가는 해야겠죠',
    '시간 나면 해 볼게요',
    '기회가 되면 같이 하시죠',
    '나중에 한번 보겠습니다',
    '여유 생기면 정리해 둘게요',
]


_EN_ITEMS = [
    ("Maya", "Ben, can you update the release notes by Friday?"),
    ("Ben", "Sure."),
    ("Cara", "I'll fix the login bug by Thursday."),
]
_KO_ITEMS = [
    ("지훈", "서연 씨, 금요일까지 API 문서 업데이트해 주세요."),
    ("서연", "네, 알겠습니다."),
    ("민호", "저는 목요일까지 로그인 버그 고치겠습니다."),
]


def _check(items: list[tuple[str, str]], text: str, first: bool, want: list[tuple[str, str]]) -> None:
    lead, last = items[0][0], items[2][0]
    said = (lead, _sentence(text))
    lines = [said, *items] if first else [*items, (last, _sentence(text))]
    m = _minutes(lines)
    assert not [a for a in m.action_items if text.rstrip(".?!").casefold() in a.quote.casefold()]
    got = [(a.assignee, a.due_date) for a in m.action_items]
    assert got == [(who, FRIDAY if i == 0 else THURSDAY) for i, (who, _) in enumerate(want)]
    assert all(word in a.task for a, (_, word) in zip(m.action_items, want, strict=True))


@pytest.mark.parametrize("first", [True, False])
@pytest.mark.parametrize("text", _EN)
def test_english_distractor_is_not_taken_and_the_items_around_it_are(text: str, first: bool) -> None:
    _check(_EN_ITEMS, text, first, [("Ben", "release notes"), ("Cara", "login bug")])


@pytest.mark.parametrize("first", [True, False])
@pytest.mark.parametrize("text", _KO)
def test_korean_distractor_is_not_taken_and_the_items_around_it_are(text: str, first: bool) -> None:
    _check(_KO_ITEMS, text, first, [("서연", "API 문서"), ("민호", "로그인 버그")])


@pytest.mark.parametrize(
    "lines",
    [
        [("Felix", "Sure, I'll just rewrite the whole thing in Rust over the weekend. Kidding.")],
        [("Felix", "Yeah, and I'll fix the printer while I'm at it."), ("Felix", "Just joking.")],
        [("시우", "그럼 제가 서버를 업고 뛰겠습니다. 농담이고요, 오늘은 캐시 버그 봅니다.")],
    ],
)
def test_a_promise_taken_back_as_a_joke_is_no_item(lines: list[tuple[str, str]]) -> None:
    assert _minutes([*lines, ("Cara", "I'll fix the login bug by Thursday.")]).action_items[0].assignee == "Cara"
    assert len(_minutes(lines).action_items) == 0


def test_the_same_promise_without_the_joke_is_an_item() -> None:
    m = _minutes([("Felix", "Sure, I'll rewrite the importer in Rust over the weekend. It's too slow.")])
    assert [a.assignee for a in m.action_items] == ["Felix"]


def test_a_yes_after_the_askers_next_request_answers_that_one() -> None:
    m = _minutes(
        [
            ("준호", "누가 이거 해 줄 수 있는 분 계세요? 아, 로그 정리요."),
            ("준호", "도윤 씨, 금요일까지 결제 실패 알림 붙여 주세요."),
            ("도윤", "네, 금요일까지 붙이겠습니다."),
        ]
    )
    assert [(a.assignee, a.due_date) for a in m.action_items] == [("도윤", FRIDAY)]
    assert "결제 실패 알림" in m.action_items[0].task


def test_handing_work_over_to_a_colleague_is_still_work() -> None:
    m = _minutes([("Ola", "Sue, please hand over the payment alerts to Per by Friday."), ("Sue", "Sure.")])
    assert [(a.assignee, a.due_date) for a in m.action_items] == [("Sue", FRIDAY)]
    assert "payment alerts" in m.action_items[0].task
    assert _minutes([("Ola", "I'll hand over to Per now.")]).action_items == ()


@pytest.mark.parametrize(
    ("lines", "who", "word"),
    [
        ([("Cara", "I'll rephrase the error messages on the signup form by Friday.")], "Cara", "error messages"),
        ([("Cara", "I'll fix the infinite scroll bug by Thursday.")], "Cara", "infinite scroll"),
        ([("Maya", "Ana will be driving the migration to Postgres 16."), ("Ana", "Yes.")], "Ana", "migration"),
        ([("Cara", "I'll close the session timeout ticket tomorrow.")], "Cara", "session timeout"),
        ([("Cara", "I'll give some background on the billing system to the contractors.")], "Cara", "billing"),
        ([("Cara", "I'll post the release notes in the team chat tomorrow.")], "Cara", "release notes"),
        ([("Cara", "I'll timebox the caching spike to two days.")], "Cara", "caching spike"),
        ([("Cara", "I'll get the cookie banner fixed by Friday.")], "Cara", "cookie banner"),
        ([("Cara", "I'll take the feature flag off tomorrow.")], "Cara", "feature flag"),
        ([("지훈", "민지 씨, 가능하시면 금요일까지 API 문서 업데이트해 주세요."), ("민지", "네, 알겠습니다.")], "민지", "API 문서"),
        (
            [("지훈", "민지 씨, 혹시 시간 되시면 금요일까지 API 문서 검토해 주실 수 있을까요?"), ("민지", "네, 할게요.")],
            "민지",
            "API 문서",
        ),
        ([("지훈", "괜찮으시면 결제 모듈은 민지 씨가 맡아 주세요."), ("민지", "네.")], "민지", "결제 모듈"),
    ],
)
def test_work_that_shares_words_with_a_distractor_kind_is_still_taken(
    lines: list[tuple[str, str]], who: str, word: str
) -> None:
    m = _minutes(lines)
    assert [a.assignee for a in m.action_items] == [who]
    assert word in m.action_items[0].task


def test_two_requests_in_a_row_are_each_answered_by_their_addressee() -> None:
    m = _minutes(
        [
            ("Maya", "Ana, can you take the export bug?"),
            ("Maya", "And Ben, can you review the pricing page?"),
            ("Ana", "Sure."),
            ("Ben", "Yes, will do."),
        ]
    )
    assert [(a.assignee, a.task) for a in m.action_items] == [
        ("Ana", "take the export bug"),
        ("Ben", "review the pricing page"),
    ]
