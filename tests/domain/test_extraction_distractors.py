"""Sentences that look like tasks but are not, said in a meeting between two real items (issue 17,
round 5). The lists were written as a probe after the round-5 meetings of eval/minutes and scored
on the rules of that round before their own fixes (44 of 275 taken); the rules were then changed
by kind of construction: the meeting's own running (chat, tabs, recording, clock, order of
speakers, "take that offline"), whereabouts and leave, food and rounds for the room, feelings,
impossibility idioms and sarcastic openers, hearsay, Korean absences and turn-taking."""

from __future__ import annotations

import datetime
from pathlib import Path

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
    # Round 8: keeping the board, and one's own list.
    '제가 티켓 닫을게요',
    '티켓은 완료로 옮길게요',
    '보드 정리는 제가 할게요',
    '그건 제가 할 일 목록에 넣어 둘게요',
]


# A third probe (retro resolutions, conditions said first, speaking order, invitations to the room,
# plans and facts about dates that give nobody work): 31 of 262 taken before its fixes.
_EN += [
    "Next time I'll try to estimate better",
    'I want to grow into a lead role',
    "I'd like to do more frontend work",
    "We'll meet weekly on Tuesdays",
    "We'll use Slack for updates",
    "Let's meet again next Tuesday",
    'Same as yesterday, no blockers',
    'This one can wait',
    "Let's not fix that, it's cosmetic",
    "Won't fix, it's by design",
    "Next quarter we'll tackle the redesign",
    'In Q3 we plan to migrate to Kubernetes',
    "We're going to launch in March",
    "Great work everyone, I'll buy you all a beer",
    "I'll be honest, this took longer than expected",
    "I'll let the numbers speak for themselves",
    "I'll admit I was wrong about the cache",
    'Let me just say thanks to the whole team',
    "I'll remember that for next time",
    "I'll try harder next sprint",
    "I'm going to be more careful with estimates",
    "I'll do better at updating tickets",
    'We should all write more tests',
    'Everyone should update their tickets before standup',
    "Let's all try to be on time",
    'We need to communicate better',
    "I'd suggest we drop the feature",
    'My suggestion would be to wait',
    'How about Ana takes the docs?',
    'What if Tom looked at the logs?',
    'Maybe Ben could review it?',
    'Tom could probably do it',
    'Someone from ops could look at it',
    'Should Priya own the rollout?',
    'I hope legal signs off this week',
    'I expect the vendor to reply Monday',
    'Hopefully the fix lands tomorrow',
    'The build should be green by Friday',
    "It'll probably be done next week",
    'The migration will take two weeks',
    'The release is planned for Thursday',
    'The deadline is Friday',
    'The demo is on Thursday at three',
    'We have the board meeting on Monday',
    'My flight leaves at six',
    "I'm presenting at the meetup next week",
    "I'm interviewing a candidate at two",
    "I'm in workshops all day tomorrow",
    "I'm on call this week",
    "I'll be on call next week",
    "I'm covering for Sam while he's out",
    "I'll be around if anyone needs me",
    "I'll be online later tonight",
    "I'll be reachable on my phone",
    'Feel free to ping me',
    'Reach out if you have questions',
    'Send me a message if anything breaks',
    'Let me know what you think',
    "Let's keep an eye on the error rate",
    "We'll keep monitoring it",
    "Let's wait and see",
    "Let's hope for the best",
    'Fingers crossed for the release',
    "I'll cross my fingers",
    "I'll pray to the demo gods",
    "We'll have cake on Friday for Ana's birthday",
    "Don't forget it's Ana's last day on Friday",
    'Happy birthday, Ana',
    'Welcome back, Tom',
    'Thanks for joining, everyone',
    "Thanks, that's all from me",
    'Nothing from me today',
    'Nothing new on my side',
    "I'll pass today",
    'Let me go last today',
    "I'll go after Ben",
    "Ben, you're up",
    'Ana, over to you',
    'Go ahead, Tom',
    'Who wants to go first?',
    "Let's start with Ana",
    "Let's hear from design first",
    'Let me quickly recap last week',
    "I'll recap the decisions at the end",
    "I'll read out the action items at the end",
    'Let me summarise what we agreed',
    'To summarise, we ship Thursday',
    "I'm going to mute, my dog is barking",
    "Sorry, I'll be right there",
    'Give me a second to find it',
    "One sec, I'm looking for the link",
    'I lost my train of thought',
    "I'll try to dial back in",
    'Can you hear me now?',
    "You're on mute, Ben",
    'I already told Ana about it',
    'I already fixed it this morning, actually',
    'I deployed it an hour ago',
    'We merged that yesterday',
    "I've been on the incident all week",
    'I spent Friday on the audit',
    'I looked into it last week, nothing obvious',
    'I handed the report to finance yesterday',
    'I was out sick yesterday, so nothing new',
    "I didn't get to the docs",
    "I couldn't finish the tests",
    'I ran out of time on the review',
    'I never heard back from legal',
    'Ana was supposed to send it',
    'Tom wanted to look at it, I think',
    "The team said they'd handle it",
    "They told us they'd ship it in March",
    'My manager asked me to focus on hiring',
    'Legal said they would review it eventually',
    "I can't promise anything",
    "I can't do Friday",
    "I'm not sure I can do it",
    "I don't think I'll have time",
    "I'd rather someone else took it",
    "I'm too busy this sprint",
    'Not me, sorry',
    'No capacity this week, sorry',
    "I'll have to decline that one",
    'Happy to help where I can',
    "I'm around if you need a hand",
    'If it helps, I could do a quick review',
    "If there's time, I'll look at the flaky test",
    'If Ana is busy, I can step in',
    "If the build fails again, I'll revert",
    "Should it break, I'll roll it back",
    'In case of trouble, call me',
    'I might do it tomorrow if I get a chance',
    'I may look into it later',
    'I could probably squeeze it in',
    "I'll see what I can do",
    "I'll try, no promises",
    "I'll do my best",
    "I'll see if I can find time",
    "Let's see if we can fit it in",
    'We might need to push the release',
    'We may have to cut scope',
    'Let me think about it',
    "I'll have a think",
    "I'll sleep on it",
]

_KO += [
    '다음에는 추정을 더 잘해 볼게요',
    '다음 스프린트엔 좀 더 신경 쓰겠습니다',
    '앞으로 티켓 업데이트를 잘 하겠습니다',
    '매주 화요일에 모이기로 하죠',
    '다음 주 화요일에 다시 모이죠',
    '어제랑 같고 블로커는 없습니다',
    '이건 좀 미뤄도 될 것 같아요',
    '그건 고치지 말죠, 디자인 의도예요',
    '다음 분기에는 리디자인을 해야죠',
    '3분기에 쿠버네티스로 옮길 계획입니다',
    '3월에 출시할 예정입니다',
    '다들 수고 많으셨어요',
    '솔직히 생각보다 오래 걸렸네요',
    '숫자가 다 말해 주네요',
    '제가 캐시 얘기는 틀렸던 것 같아요',
    '팀 전체에 감사드립니다',
    '다음엔 더 조심하겠습니다',
    '다들 테스트를 좀 더 쓰면 좋겠어요',
    '스탠드업 전에 티켓 업데이트 부탁드려요',
    '다들 시간 좀 지켜 주세요',
    '소통을 더 잘해야 할 것 같아요',
    '그 기능은 빼는 게 어떨까 싶어요',
    '민지 씨가 문서를 맡으면 어떨까요?',
    '준호 씨가 로그 보면 어떨까요?',
    '법무팀이 이번 주에 승인해 주면 좋겠네요',
    '벤더가 월요일쯤 답 줄 것 같아요',
    '내일이면 수정이 들어갈 거예요',
    '빌드는 금요일까지 초록불이 될 거예요',
    '마이그레이션은 2주 정도 걸릴 거예요',
    '릴리스는 목요일로 잡혀 있어요',
    '마감은 금요일입니다',
    '데모는 목요일 세 시예요',
    '월요일에 이사회가 있어요',
    '제 비행기가 여섯 시라서요',
    '다음 주에 밋업 발표가 있어요',
    '두 시에 면접이 있습니다',
    '내일은 하루 종일 워크숍이에요',
    '이번 주 온콜은 제가 합니다',
    '다음 주에 제가 온콜이에요',
    '준호 씨 없는 동안 제가 대신 봅니다',
    '필요하시면 언제든 불러 주세요',
    '편하게 연락 주세요',
    '질문 있으면 슬랙으로 주세요',
    '의견 주시면 감사하겠습니다',
    '에러율은 계속 지켜보죠',
    '일단 지켜보죠',
    '잘 되길 바랍니다',
    '금요일에 민지 씨 생일 케이크 있어요',
    '금요일이 민지 씨 마지막 날이에요',
    '민지 씨 생일 축하해요',
    '준호 씨 돌아오신 거 환영해요',
    '참석해 주셔서 감사합니다',
    '저는 여기까지입니다',
    '오늘은 특별한 거 없습니다',
    '저는 패스할게요',
    '제가 마지막에 할게요',
    '준호 씨 다음에 할게요',
    '민지 씨 차례예요',
    '누가 먼저 하실래요?',
    '민지 씨부터 시작하죠',
    '디자인팀 얘기부터 들어 보죠',
    '지난주 내용 간단히 정리할게요',
    '결정 사항은 마지막에 정리하겠습니다',
    '액션 아이템은 끝에 읽어 드릴게요',
    '정리하면 목요일에 배포합니다',
    '잠깐 음소거할게요',
    '잠시만요, 금방 갈게요',
    '잠깐만요, 찾아볼게요',
    '다시 들어올게요',
    '제 목소리 들리세요?',
    '준호 씨 음소거 되어 있어요',
    '민지 씨한테 이미 말했어요',
    '오늘 아침에 이미 고쳤어요',
    '한 시간 전에 배포했어요',
    '어제 머지했습니다',
    '이번 주는 내내 장애 대응만 했어요',
    '금요일은 감사 대응으로 보냈어요',
    '지난주에 봤는데 별거 없었어요',
    '어제 재무팀에 보고서 넘겼어요',
    '어제 아파서 쉬었습니다',
    '문서는 손도 못 댔어요',
    '테스트는 다 못 끝냈어요',
    '법무팀에서 아직 답이 없어요',
    '민지 씨가 보내기로 했었어요',
    '준호 씨가 보겠다고 했던 것 같아요',
    '그 팀에서 처리한다고 했어요',
    '3월에 나온다고 했어요',
    '팀장님이 채용에 집중하라고 하셨어요',
    '약속은 못 드리겠어요',
    '금요일은 안 돼요',
    '제가 할 수 있을지 모르겠어요',
    '시간이 없을 것 같아요',
    '다른 분이 맡아 주시면 좋겠어요',
    '이번 스프린트는 너무 바빠요',
    '저는 어려워요, 죄송해요',
    '이번 주는 여유가 없어요, 죄송합니다',
    '제가 할 수 있는 건 도울게요',
    '도움 필요하면 말씀하세요',
    '빌드가 또 실패하면 되돌리겠습니다',
    '혹시 깨지면 롤백할게요',
    '문제 생기면 전화 주세요',
    '내일 여유 되면 해 볼게요',
    '나중에 볼 수도 있어요',
    '어떻게든 끼워 넣어 볼게요',
    '한번 알아볼게요',
    '해 보긴 할게요, 장담은 못 해요',
    '최선을 다하겠습니다',
    '시간 되는지 볼게요',
    '일정에 넣을 수 있을지 보죠',
    '릴리스를 미뤄야 할 수도 있어요',
    '범위를 줄여야 할지도 몰라요',
    '생각 좀 해 볼게요',
    '팀이랑 먼저 얘기해 볼게요',
    '하룻밤 자고 생각해 볼게요',
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
        ([("Cara", "If that works for you, I'll take the export bug.")], "Cara", "export bug"),
        ([("Cara", "I'll get better error messages into the importer by Friday.")], "Cara", "error messages"),
        ([("Cara", "When the PR is merged, I'll deploy the fix to staging.")], "Cara", "deploy the fix"),
        ([("지훈", "민지 씨, 금요일까지 피드백 주세요."), ("민지", "네.")], "민지", "피드백"),
        ([("민호", "앞으로 배포는 제가 맡겠습니다.")], "민호", "배포"),
        ([("민호", "제가 먼저 로그 확인하겠습니다.")], "민호", "로그 확인"),
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


# Work whose words overlap the distractor rules of round 5 (leave, take … off, join, open, pass,
# hand over, round, step in, order, buy, remember, better, a condition with a date, channel, share,
# switch, close, end, background, walk through, summarise, reconnect; 혹시, 화면, 패스워드): all
# still items, as they were before round 5.
@pytest.mark.parametrize(
    ("lines", "who", "word"),
    [
        ([("Maya", "Ben, can you leave the old endpoint in place until the mobile release?"), ("Ben", "Sure.")], "Ben", "old endpoint"),
        ([("Cara", "I'll take the old banner off the homepage tomorrow.")], "Cara", "old banner"),
        ([("Cara", "I'll join the incident review on Thursday and write up the timeline.")], "Cara", "timeline"),
        ([("Cara", "I'll open a ticket with the vendor about the webhook delays.")], "Cara", "ticket"),
        ([("Cara", "I'll pass the contract to legal for review tomorrow.")], "Cara", "contract"),
        ([("Cara", "I'll hand the pager rotation over to Ben next week.")], "Cara", "pager rotation"),
        ([("Cara", "I'll run another round of load tests on staging tomorrow.")], "Cara", "load tests"),
        ([("Cara", "I'll step in as release manager for 4.2.")], "Cara", "release manager"),
        ([("Cara", "I'll order the new laptops for the interns by Friday.")], "Cara", "laptops"),
        ([("Cara", "I'll buy the domain for the new landing page today.")], "Cara", "domain"),
        ([("Cara", "I'll remember to rotate the keys on Friday.")], "Cara", "rotate the keys"),
        ([("Cara", "I'll make the error messages better by Friday.")], "Cara", "error messages"),
        ([("Cara", "If the vendor doesn't reply by Wednesday, I'll escalate to their account manager.")], "Cara", "escalate"),
        ([("Cara", "Next time we deploy I'll write the runbook first.")], "Cara", "runbook"),
        ([("Cara", "I'll post the release notes in the changelog channel tomorrow.")], "Cara", "release notes"),
        ([("Cara", "I'll share the deck with marketing by Friday.")], "Cara", "deck"),
        ([("Cara", "I'll switch the staging database to the new cluster by Thursday.")], "Cara", "staging database"),
        ([("Cara", "I'll close out the Q4 budget by Friday.")], "Cara", "Q4 budget"),
        ([("Cara", "I'll end the free trial for inactive accounts next week.")], "Cara", "free trial"),
        ([("Cara", "I'll reconnect the billing webhook to the new endpoint tomorrow.")], "Cara", "billing webhook"),
        ([("Maya", "Ben, can you give legal some background on the DPA by Thursday?"), ("Ben", "Sure.")], "Ben", "DPA"),
        (
            [("Maya", "Ben, can you walk the support team through the new refund flow on Friday?"), ("Ben", "Yes.")],
            "Ben",
            "refund flow",
        ),
        (
            [("Maya", "Ben, could you summarise the survey results for the all-hands?"), ("Ben", "Sure, by Thursday.")],
            "Ben",
            "survey results",
        ),
        ([("지훈", "민지 씨, 혹시 금요일까지 API 문서 업데이트 가능할까요?"), ("민지", "네, 가능합니다.")], "민지", "API 문서"),
        ([("민호", "혹시 몰라서 제가 내일까지 백업을 한 번 더 떠 두겠습니다.")], "민호", "백업"),
        ([("민호", "제가 다음 주 월요일까지 화면 설계서 작성하겠습니다.")], "민호", "화면 설계서"),
        ([("민호", "화면 공유 기능 버그는 제가 금요일까지 고치겠습니다.")], "민호", "화면 공유 기능 버그"),
        ([("민호", "패스워드 정책 변경은 제가 금요일까지 적용하겠습니다.")], "민호", "패스워드 정책"),
    ],
)
def test_work_near_the_new_distractor_kinds_is_still_an_item(
    lines: list[tuple[str, str]], who: str, word: str
) -> None:
    m = _minutes(lines)
    assert [a.assignee for a in m.action_items] == [who]
    assert word in m.action_items[0].task


# Asked of someone in the call, to be done there and then; a yes makes none of them an item.
_ASKED_NOW = [
    ("Ben, can you share your screen?", "Sure."),
    ("Ben, could you go back a slide?", "Sure."),
    ("Ben, can you repeat that?", "Sure."),
    ("Ben, could you speak up a bit?", "Yes, sorry."),
    ("Ben, can you scroll down?", "Yep."),
    ("Ben, can you give us a quick update?", "Sure."),
    ("Ben, could you walk us through the numbers?", "Sure."),
    ("Ben, can you introduce yourself?", "Sure."),
    ("Ben, can you turn your camera on?", "Sure."),
    ("Ben, could you share the agenda on screen?", "Sure."),
    ("Ben, can you stay on after the call for a minute?", "Sure."),
    ("Ben, can you explain the spike?", "Sure, it was a bad deploy."),
    ("Ben, can you let everyone in from the waiting room?", "Sure."),
    # Round 9: the room itself, now.
    ("Ben, can you give me a second?", "Sure."),
    ("Ben, can you close the door?", "Sure."),
    ("Ben, can you turn up the volume?", "Sure."),
    ("Ben, could you speak a bit closer to the mic?", "Sure, better?"),
    ("Ben, could you drive the board today?", "Sure."),
    ("Ben, can you take us through your update?", "Sure."),
    ("Ben, can you hold that thought?", "Sure."),
    ("Ben, can you confirm you can hear me?", "Yes."),
    ("Ben, can you give us a thumbs up when you're back?", "Sure."),
    ("민수 씨, 다시 한 번 말씀해 주시겠어요?", "네."),
    ("민수 씨, 마이크 좀 꺼 주세요.", "네, 죄송합니다."),
    ("민수 씨, 링크 채팅창에 올려 주세요.", "네."),
    ("민수 씨 먼저 말씀해 주세요.", "네."),
    ("민수 씨, 진행 상황 짧게 공유해 주세요.", "네, 결제 API는 거의 끝났습니다."),
    ("민수 씨, 카메라 좀 켜 주세요.", "네."),
    ("민수 씨, 한 장 앞으로 넘겨 주세요.", "네."),
    ("민수 씨, 자기소개 부탁드립니다.", "네."),
    ("민수 씨, 회의 끝나고 잠깐 남아 주세요.", "네."),
    ("민수 씨, 설명 좀 해 주세요.", "네, 캐시 문제였습니다."),
    ("민수 씨, 화면 좀 키워 주세요.", "네."),
]


@pytest.mark.parametrize(("ask", "answer"), _ASKED_NOW)
def test_a_request_for_the_meeting_itself_is_no_item(ask: str, answer: str) -> None:
    lead, who = ("Maya", "Ben") if ask.isascii() else ("지훈", "김민수")
    assert _minutes([(lead, ask), (who, answer)]).action_items == ()


@pytest.mark.parametrize(
    ("ask", "who", "word"),
    [
        ("Ben, can you give us an update on the migration by Friday?", "Ben", "migration"),
        ("Ben, can you explain the new pricing to the sales team by Thursday?", "Ben", "pricing"),
        ("민수 씨, 금요일까지 진행 상황 공유해 주세요.", "김민수", "진행 상황"),
    ],
)
def test_the_same_request_with_a_due_date_is_an_item(ask: str, who: str, word: str) -> None:
    lead = "Maya" if ask.isascii() else "지훈"
    m = _minutes([(lead, ask), (who, "Sure." if ask.isascii() else "네.")])
    assert [a.assignee for a in m.action_items] == [who]
    assert word in m.action_items[0].task


# "We", "let's", everyone and no one: plans for the room, reminders, thanks (all but two were left
# alone before; "Remember to …" and "Kudos to Ana …" read as a name, then an item).
_TO_THE_ROOM = [
    "We'll need to think about pricing at some point",
    'We should celebrate after the launch',
    "Let's circle back on that next week",
    "Let's sync offline about the budget",
    "We'll discuss it next week",
    "We'll revisit in Q2",
    "Let's talk about it at the retro",
    'We need to be careful with the migration',
    'We have to get better at estimates',
    "Let's make sure we don't repeat that",
    "Let's keep the scope small",
    "We'll have a retro on Friday",
    "Let's do a team lunch next week",
    'We should grab drinks after the release',
    "We'll get there",
    "We'll manage",
    "We'll sort it out eventually",
    "We're going to have a busy week",
    "We're going to need more people",
    "Let's take a quick break",
    "Let's give it another week and see",
    "Let's table that for now",
    "Let's move the discussion to Slack",
    "Let's pick this up tomorrow",
    "Let's park it",
    "Let's continue next time",
    'The team will be at the offsite on Thursday',
    'Everyone is welcome to join the demo',
    'Somebody will have to own it eventually',
    'Whoever finishes first can take the next ticket',
    'Anyone who wants to can review the PR',
    "Let's all read the RFC before Friday",
    'Please everyone update your tickets',
    'Everybody please fill in the survey by Friday',
    'You all should check the new guidelines',
    "Let's not forget the holiday party",
    "Don't forget the all-hands on Thursday",
    'Remember to submit your timesheets',
    'Reminder that Monday is a holiday',
    'The office is closed on Friday',
    'Oh, and the coffee machine is fixed',
    'Thanks Ben for fixing the build',
    'Kudos to Ana for the release',
    'Shout out to the support team',
    'Good job everyone',
    '가격 정책은 나중에 생각해 봐야겠네요',
    '출시 끝나고 다 같이 축하해요',
    '다음 주에 다시 얘기하죠',
    '예산은 따로 얘기하죠',
    '2분기에 다시 보죠',
    '회고 때 얘기해요',
    '마이그레이션은 조심해야 합니다',
    '추정은 좀 더 잘해야겠어요',
    '같은 실수 반복하지 않도록 하죠',
    '범위는 작게 가져가죠',
    '금요일에 회고 있습니다',
    '다음 주에 팀 점심 해요',
    '출시 끝나면 한잔해요',
    '어떻게든 되겠죠',
    '이번 주는 바쁘겠네요',
    '사람이 더 필요할 것 같아요',
    '잠깐 쉬었다 하죠',
    '일주일만 더 지켜보죠',
    '그건 일단 보류하죠',
    '슬랙에서 이어서 얘기해요',
    '내일 이어서 하죠',
    '다음에 계속하죠',
    '목요일에 팀 전체가 워크숍 갑니다',
    '데모는 누구나 참석하셔도 돼요',
    '다들 금요일 전까지 RFC 읽어 주세요',
    '다들 티켓 업데이트 해 주세요',
    '모두 설문 작성 부탁드립니다',
    '연말 파티 잊지 마세요',
    '목요일 전사 회의 잊지 마세요',
    '타임시트 제출하는 거 잊지 마세요',
    '월요일은 공휴일입니다',
    '금요일에 사무실 닫아요',
    '커피 머신 고쳐졌어요',
    '빌드 고쳐 주신 민수 씨 감사합니다',
    '지원팀 수고 많으셨습니다',
    '다들 고생하셨어요',
]


@pytest.mark.parametrize("text", _TO_THE_ROOM)
@pytest.mark.parametrize("lead", [True, False])
def test_talk_to_the_room_is_no_item(text: str, lead: bool) -> None:
    speaker = ("Maya" if lead else "Ben") if text.isascii() else ("지훈" if lead else "민수")
    assert _minutes([(speaker, f"{text}.")]).action_items == ()


@pytest.mark.parametrize(
    "text",
    [
        "원인은 아직 모르겠지만 로그인 버그는 고치는 중입니다.",
        "로그인 버그는 언제 끝날지 모르겠어요, 아직 진행 중입니다.",
        "결제 API는 막히면 안 되니까 지금 테스트 중입니다.",
    ],
)
def test_a_korean_report_with_a_doubt_or_a_condition_is_still_a_report(text: str) -> None:
    m = _minutes([("민호", text)])
    assert [(s.speaker, s.status) for s in m.status_updates] == [("민호", "in_progress")]
    assert m.action_items == ()


# The round-3 ways of giving work out ("X is on me", "goes to Ana", "let's have Ana …", "put Ana
# down for …", "Ana will …", "Tom, … is yours", "you're on …") said about treats, blame, turns,
# seats and lists: 22 of 120 taken before.
_GIVEN_OUT_LOOKALIKES = [
    [("Ben", "This round is on me.")],
    [("Ben", "The delay is on me, sorry.")],
    [("Maya", "Ben takes over as host next week.")],
    [("Maya", "Ben, you're on camera.")],
    [("Maya", "Ben, you're on the list for the offsite.")],
    [("Maya", "Ben, you're on the invite.")],
    [("Maya", "Ana, you're on the agenda after Ben.")],
    [("Maya", "Let's get Theo a welcome gift.")],
    [("Maya", "Put Ana down for the vegetarian meal.")],
    [("Maya", "Let's have Ana join the next planning."), ("Ana", "Sure.")],
    [("Maya", "Let's have Ben sit in on the interviews as an observer.")],
    [("Maya", "The last slice goes to Ana."), ("Ana", "Sure.")],
    [("Maya", "The floor goes to Ana."), ("Ana", "Sure.")],
    [("Maya", "Tom, the floor is yours.")],
    [("Maya", "Tom, the stage is yours.")],
    [("Maya", "Ana will present next.")],
    [("Maya", "Ana will be joining us late.")],
    [("Maya", "Ben will have his laptop back tomorrow.")],
    [("Maya", "Drinks are on me tonight.")],
    [("Maya", "The credit goes to Ana.")],
    [("Maya", "Who's presenting first?"), ("Ben", "That's me.")],
    [("Maya", "Whose laptop is this?"), ("Ben", "That's mine.")],
    [("Maya", "Who wants coffee?"), ("Ben", "Me, please.")],
    [("Maya", "Ben is going to hate this.")],
    [("Maya", "The keynote will be given by the CEO.")],
    [("Maya", "Ana, you're next.")],
]


@pytest.mark.parametrize("lines", _GIVEN_OUT_LOOKALIKES)
def test_treats_blame_turns_and_seats_are_not_work_given_out(lines: list[tuple[str, str]]) -> None:
    assert _minutes(lines).action_items == ()


@pytest.mark.parametrize(
    ("lines", "who", "word"),
    [
        ([("Maya", "Ana will present the Q3 numbers at the all-hands on Friday.")], "Ana", "Q3 numbers"),
        ([("Maya", "Ben will demo the new dashboard next week.")], "Ben", "new dashboard"),
        ([("Ben", "I'll join the on-call rotation next month.")], "Ben", "on-call rotation"),
        ([("Ben", "Third, the headcount plan, that's on me, due end of month.")], "Ben", "headcount plan"),
        ([("Maya", "The pricing page update is on Ana."), ("Ana", "Okay.")], "Ana", "pricing page"),
        ([("Maya", "Let's get Theo to write the welcome guide.")], "Theo", "welcome guide"),
        ([("Maya", "Put Mark down for the security review.")], "Mark", "security review"),
    ],
)
def test_work_given_out_the_same_way_is_still_an_item(lines: list[tuple[str, str]], who: str, word: str) -> None:
    m = _minutes(lines)
    assert [a.assignee for a in m.action_items] == [who]
    assert word in m.action_items[0].task


@pytest.mark.parametrize(
    "reply",
    ["Sure, in my dreams.", "I'll think about it.", "Hmm, let me see how the week goes.", "Yeah right."],
)
def test_a_reply_that_is_no_yes_makes_no_item(reply: str) -> None:
    m = _minutes([("Maya", "Ravi, can you update the runbook?"), ("Ravi", reply)])
    assert m.action_items == ()


def test_relief_after_a_yes_is_no_item_of_its_own() -> None:
    m = _minutes(
        [
            ("Maya", "Ravi, can you update the runbook?"),
            ("Ravi", "Sure."),
            ("Maya", "Great, I'll stop worrying about it then."),
        ]
    )
    assert [(a.assignee, a.task) for a in m.action_items] == [("Ravi", "update the runbook")]


# Other people's plans, habits, offers and news, told by the lead (one of 50 taken before: "HR will
# send the survey on Monday", a department read as a person).
_OTHERS_PLANS = [
    "Tom said he'd look into the flaky tests.",
    "Tom said he'll fix the flaky tests.",
    "Tom mentioned he's going to update the wiki.",
    "Priya told me she'll handle the invoices.",
    'Sara says she will send the contract Monday.',
    "According to Ravi, he'll finish the export tomorrow.",
    "Ravi asked me to tell you he'll be late.",
    'Tom wants to refactor the parser.',
    'Ana is planning to rewrite the importer.',
    'Ana is thinking about rewriting the importer.',
    'Ana might take the docs.',
    'Ana would be good for the docs.',
    'Ana usually does the release notes.',
    'Ana normally handles the invoices.',
    'Ana did the release notes last time.',
    'Ana was going to write the runbook.',
    'Ana was supposed to send the deck.',
    'Ana promised to send the deck last week.',
    'Ana offered to help with the migration.',
    'Ana volunteered for the offsite planning last year.',
    "Ben's team will probably handle the certs.",
    "The platform team said they'll upgrade the cluster.",
    'The vendor is going to ship a fix next week.',
    'Legal is going to review the terms eventually.',
    'HR will send the survey on Monday.',
    'Finance is going to look at the budget.',
    'IT will replace the projector.',
    'The agency will deliver the assets Friday.',
    'The client will send the feedback Thursday.',
    'Marketing will announce the launch.',
    'Ops is going to rotate the keys.',
    'Somebody from ops will rotate the keys.',
    "Tom's manager wants him to focus on hiring.",
    'My manager asked me to write more docs.',
    'The CEO wants us to ship faster.',
    "Ana's plan is to migrate in March.",
    "Ana's idea was to cache the results.",
    'Ana suggested we cache the results.',
    'Ben proposed moving the standup.',
    'Ben thinks we should drop IE support.',
    "Ben's going to love the new laptop.",
    'Ben will be thrilled.',
    'Ben is presenting at the conference in May.',
    'Ben is speaking at the meetup next week.',
    'Ben is interviewing candidates all day.',
    'Ben is moving to the platform team next month.',
    'Ben is leaving the company in March.',
    'Ana is joining the team on Monday.',
    'Ana starts on Monday.',
    'Ana will start on the 15th.',
]


@pytest.mark.parametrize("text", _OTHERS_PLANS)
def test_someone_elses_plan_told_by_the_lead_is_no_item(text: str) -> None:
    roll_call = [("Maya", "Hi all."), ("Tom", "Hi."), ("Ana", "Hi."), ("Ben", "Hi."), ("Ravi", "Hi.")]
    assert _minutes([("Maya", text), ("Tom", "Okay.")]).action_items == ()
    assert _minutes([*roll_call, ("Maya", text)]).action_items == ()


# A working day's shape and a person's own time, said in a standup (14 of 50 taken before; reading,
# skimming and watching dashboards were left out as possible work).
_OWN_TIME = [
    "Today I'm mostly in meetings.",
    "I'm in back-to-back meetings today.",
    "I'm in interviews all afternoon.",
    "I'm at the dentist this afternoon.",
    "I'm WFH tomorrow.",
    "I'm remote tomorrow.",
    "I'm on a half day Friday.",
    "I'm doing the school run at three.",
    "I'm heading out early today.",
    "I'm off sick tomorrow probably.",
    "I'll be in and out today.",
    "I'll be slow to respond today.",
    "I'll be offline after four.",
    "I'll be on my phone only.",
    "I'll be at the client site Thursday.",
    "I'll be in the Berlin office next week.",
    "I'll be on the train during standup tomorrow.",
    "I'll be flying back Thursday night.",
    "I'll be at my kid's recital Friday afternoon.",
    "I'll be on jury duty next week.",
    "I'll be in training all day Wednesday.",
    "I'll be at the offsite, so ping me on Slack.",
    "I'll take a long lunch today.",
    "I'll log off early today.",
    "I'll sign off at three.",
    "I'll head out at four.",
    "I'll leave a bit early today.",
    "I'll be back after lunch.",
    "I'll catch up on email this afternoon.",
    "I'll catch up on sleep this weekend.",
    "I'll do my expenses at some point.",
    "I'll finally take a vacation in March.",
    "I'll get a haircut before the offsite.",
    "I'll watch the keynote later.",
    "I'll look at it when I get a chance.",
    "I'll get to it eventually.",
    "I'll get around to it at some point.",
    "I'll circle back on that.",
    "I'll noodle on it.",
    "I'll chew on that.",
    "I'll keep that in my back pocket.",
]


@pytest.mark.parametrize("text", _OWN_TIME)
def test_a_working_days_shape_is_no_item(text: str) -> None:
    assert _minutes([("Ben", text)]).action_items == ()


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("I'll sign off on the design by Friday.", "design"),
        ("I'll leave a comment on the PR today.", "comment"),
        ("I'll log the outage in the incident tracker.", "outage"),
        ("I'll book a trip to the client site for the kickoff.", "client site"),
        ("I'll catch up with Ana on the pricing doc tomorrow.", "pricing doc"),
    ],
)
def test_work_that_sounds_like_a_working_days_shape_is_still_an_item(text: str, word: str) -> None:
    m = _minutes([("Ben", text)])
    assert [a.assignee for a in m.action_items] == ["Ben"]
    assert word in m.action_items[0].task


# Jokes and stock phrases (34 of 50 taken before): feelings and the body, debts of thanks,
# keepsakes, laughter in the sentence, idioms.
_JOKES = [
    "I'll fix it in post.",
    "I'll blame it on the intern.",
    "I'll add it to the pile.",
    "I'll put it on my wishlist.",
    "I'll write a strongly worded letter.",
    "I'll file that under later.",
    "I'll get my people to call your people.",
    "I'll pretend I didn't hear that.",
    "I'll allow it.",
    "I'll never financially recover from this.",
    "I'll just quit then, haha.",
    "I'll take that as a compliment.",
    "I'll bite.",
    "I'll play along.",
    "I'll be the judge of that.",
    "I'll drink to that.",
    "I'll hold you to that.",
    "I'll let it slide this time.",
    "I'll have what she's having.",
    "I'll see myself out.",
    "I'll eat my hat if that ships on time.",
    "I'll tell my grandkids about this release.",
    "I'll frame that error message.",
    "I'll print this and put it on the fridge.",
    "I'll put that on a t-shirt.",
    "I'll start a support group for people who touched the billing code.",
    "I'll retire before that gets fixed.",
    "I'll name my next cat after that bug.",
    "I'll light a candle for the build.",
    "I'll send thoughts and prayers to the on-call person.",
    "I'll believe it when I see it.",
    "I'll take it from here, kidding, it's all yours.",
    "I'll go cry in a corner.",
    "I'll go lie down.",
    "I'll need therapy after this sprint.",
    "I'll bring popcorn for the postmortem.",
    "I'll buy whoever fixes it a beer.",
    "I'll owe you one.",
    "I'll owe you a coffee for that.",
    "I'll make it up to you.",
    "I'll keep my fingers crossed.",
    "I'll stay positive.",
    "I'll take one for the team.",
    "I'll be there in spirit.",
    "I'll be cheering from the sidelines.",
    "We'll laugh about this one day.",
    "We'll always have the staging outage.",
    "We'll get through it.",
    "We'll see who's right.",
    "We'll agree to disagree.",
]


@pytest.mark.parametrize("text", _JOKES)
def test_a_joke_is_no_item(text: str) -> None:
    assert _minutes([("Ben", text)]).action_items == ()


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("I'll retire the legacy endpoint by Friday.", "legacy endpoint"),
        ("I'll frame the problem statement for the RFC.", "problem statement"),
        ("I'll add the flaky tests to the quarantine list.", "flaky tests"),
        ("Kidding aside, I'll fix the importer by Friday.", "importer"),
    ],
)
def test_work_in_words_a_joke_also_uses_is_still_an_item(text: str, word: str) -> None:
    m = _minutes([("Ben", text)])
    assert [a.assignee for a in m.action_items] == ["Ben"]
    assert word in m.action_items[0].task


# Korean with "제가" and a promise ending, of the kinds the issue lists (나중에 …, 혹시 …면, 화면 공유,
# 회의 마치겠습니다, 지난주에 …했어요, …하면 좋겠어요) and more: 12 of 56 taken before.
_KO_FIRST_PERSON = [
    '제가 나중에 한번 정리해 볼게요.',
    '나중에 제가 로그 구조를 바꿔 볼게요.',
    '나중에 API 문서도 제가 손볼게요.',
    '언제 한번 제가 테스트 코드를 정리하겠습니다.',
    '나중에 기회 되면 제가 리팩토링하겠습니다.',
    '제가 다음에 시간 날 때 보겠습니다.',
    '제가 화면 공유해 드릴게요.',
    '제가 화면 공유 먼저 하겠습니다.',
    '제가 화면을 잠깐 공유하겠습니다.',
    '제가 화면 보여 드릴게요.',
    '제가 공유한 화면 보이시죠?',
    '회의 마치겠습니다.',
    '이만 회의 마치도록 하겠습니다.',
    '오늘 회의는 여기서 끝내겠습니다.',
    '그럼 오늘은 이만 줄이겠습니다.',
    '제가 지난주에 배포 스크립트 수정했어요.',
    '지난주에 제가 고객사에 견적서 보냈습니다.',
    '제가 어제 로그 다 정리해 놨어요.',
    '이미 제가 티켓 닫았습니다.',
    '제가 지난 스프린트에 이미 했던 거예요.',
    '대시보드가 좀 더 빨라지면 좋겠어요.',
    '제가 문서화를 좀 더 하면 좋겠어요.',
    '제가 테스트를 더 쓰면 좋을 것 같아요.',
    '저도 그거 해 보고 싶어요.',
    '저는 프론트 작업을 더 해 보고 싶어요.',
    '제가 리드 역할을 해 보고 싶습니다.',
    '혹시 제가 시간이 되면 리뷰하겠습니다.',
    '혹시 빌드가 깨지면 제가 롤백하겠습니다.',
    '혹시 필요하면 제가 도와드리겠습니다.',
    '만약 예산이 나오면 제가 외주 업체 알아보겠습니다.',
    '여유가 생기면 제가 캐시 쪽 보겠습니다.',
    '제가 할 수 있으면 하겠습니다.',
    '제가 점심 먹고 올게요.',
    '제가 커피 살게요.',
    '제가 오늘 저녁 쏘겠습니다.',
    '제가 금요일에 휴가라서 목요일까지만 있습니다.',
    '제가 다음 주에 출장이라 회의 못 들어옵니다.',
    '제가 내일 좀 늦게 들어오겠습니다.',
    '제가 오늘 일찍 퇴근하겠습니다.',
    '제가 잠깐 통화 좀 하고 오겠습니다.',
    '제가 민지 씨한테 넘기겠습니다, 발표요.',
    '다음은 제가 발표하겠습니다.',
    '제가 먼저 말씀드리겠습니다.',
    '제가 간단히 정리하겠습니다, 오늘 결정 사항은 세 가지입니다.',
    '제가 회의록 링크 채팅에 올릴게요.',
    '제가 녹화 멈추겠습니다.',
    '제가 농담으로 한 말이에요.',
    '제가 그걸 어떻게 다 해요, 하하.',
    '그건 제가 하면 안 될 것 같아요.',
    '그건 제가 못 하겠습니다.',
    '저는 이번에는 빠지겠습니다.',
    '이번 건은 제가 안 맡겠습니다.',
    '그건 인프라팀에서 하겠죠.',
    '그건 누군가 하겠죠.',
    '민수 씨가 한다고 했던 것 같은데요.',
    '팀장님이 하신대요.',
]


@pytest.mark.parametrize("text", _KO_FIRST_PERSON)
def test_korean_first_person_talk_that_promises_nothing_is_no_item(text: str) -> None:
    assert _minutes([("민호", text)]).action_items == ()


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("회의 끝나고 제가 회의록 공유하겠습니다.", "회의록"),
        ("제가 다음 주에 배포하겠습니다.", "배포"),
        ("제가 늦게까지 남아서 배포 마무리하겠습니다.", "배포"),
        ("다음은 제가 결제 모듈 테스트 코드 작성하겠습니다.", "테스트 코드"),
        ("녹화 파일은 제가 오늘 공유하겠습니다.", "녹화 파일"),
        ("티켓 닫힘 버그는 제가 금요일까지 고칠게요.", "버그"),
        ("지라 자동화 스크립트는 제가 정리할게요.", "자동화"),
    ],
)
def test_korean_work_in_the_same_words_is_still_an_item(text: str, word: str) -> None:
    m = _minutes([("민호", text)])
    assert [a.assignee for a in m.action_items] == ["민호"]
    assert word in m.action_items[0].task


@pytest.mark.parametrize("reply", ["Sure, I'll need Ana's help though.", "Yes, I'll need the specs first."])
def test_a_yes_that_names_a_need_is_still_the_yes(reply: str) -> None:
    m = _minutes([("Maya", "Ben, can you update the runbook by Friday?"), ("Ben", reply)])
    assert [(a.assignee, a.task, a.due_date) for a in m.action_items] == [("Ben", "update the runbook", FRIDAY)]


def test_a_need_is_no_item_but_needing_to_do_something_is() -> None:
    assert _minutes([("Ben", "I'll need the final numbers from finance by Friday.")]).action_items == ()
    m = _minutes([("Ben", "I'll need to renew the certificate by Friday.")])
    assert [(a.assignee, a.due_date) for a in m.action_items] == [("Ben", FRIDAY)]


@pytest.mark.parametrize(
    "reply",
    [
        "Yeah, staging has been flaky all week.",
        "Yes, that would be good.",
        "Yeah, someone should.",
        "Yeah, good idea.",
        "Okay, moving on then.",
    ],
)
def test_an_open_call_agreed_with_but_not_taken_is_no_item(reply: str) -> None:
    assert _minutes([("Maya", "Can someone check the staging logs?"), ("Ben", reply)]).action_items == ()


@pytest.mark.parametrize(
    "reply",
    [
        "Sure.",
        "Sure, I can do it today.",
        "Yep, on it.",
        "Sure, no problem at all.",
        "Sounds good, happy to help.",
        "Yeah, count me in.",
        "Okay, that one's mine.",
        "Yep, leave it with me.",
        "Will do!",
    ],
)
def test_an_open_call_taken_is_an_item(reply: str) -> None:
    m = _minutes([("Maya", "Can someone check the staging logs?"), ("Ben", reply)])
    assert [(a.assignee, a.task) for a in m.action_items] == [("Ben", "check the staging logs")]


def test_korean_open_call_agreed_with_but_not_taken_is_no_item() -> None:
    asked = ("지훈", "누가 로그 정리해 줄 수 있을까요?")
    assert _minutes([asked, ("민호", "네, 좋은 생각이에요.")]).action_items == ()
    assert [a.assignee for a in _minutes([asked, ("민호", "제가 할게요.")]).action_items] == ["민호"]


@pytest.mark.parametrize(
    "reply",
    [
        "Yeah, about that, I already did.",
        "Yes, I looked yesterday, nothing there.",
        "Sure, I checked them this morning, all clean.",
        "Yeah, that makes sense, but I'm slammed.",
    ],
)
def test_a_yes_that_says_it_is_done_already_or_declines_is_no_item(reply: str) -> None:
    assert _minutes([("Maya", "Ben, could you check the staging logs?"), ("Ben", reply)]).action_items == ()


def test_a_yes_with_a_day_away_is_still_a_yes() -> None:
    m = _minutes([("Maya", "Ben, could you check the staging logs by Friday?"), ("Ben", "Okay, but I'm out Wednesday.")])
    assert [(a.assignee, a.due_date) for a in m.action_items] == [("Ben", FRIDAY)]


# Round 6 (issue 17): kinds the 19 round-6 meetings of eval/minutes showed the rules still took,
# said here in other words than in those meetings. Every sentence was taken before round 6.
_ROUND_6 = {
    "life outside work": [
        "I'm going to pick up my daughter at three",
        "I'll pick up my son from school",
        "I'll call my mom after this",
        "I'll walk the dog at lunch",
        "I'm going to take my cat to the vet",
        "I'll drive my wife to the airport tomorrow",
        "I'll text my brother about dinner",
        "I'll water the plants at home",
        "I'll call the plumber tonight",
        "I'll go to the bank at lunch",
        "I'm going to Lisbon for the weekend",
        "I'll catch the early train tomorrow",
        "I'll send you the photos from the wedding",
    ],
    "finding one's way around the call": [
        "Let me find the right tab",
        "Let me find the link",
        "Let me refresh the page",
        "Let me refresh",
        "Let me switch tabs",
        "I'll jump to the demo",
        "I'm going to jump to the next item",
        "I'll extend the meeting by ten minutes",
        "I'll post the zoom link",
        "I'll drop the zoom link in the invite",
        "I'm happy to take questions",
        "I'll watch the recording later",
        "I'll catch up on the recording later",
        "Let me refresh the contract page, it timed out",
    ],
    "deferring to others": [
        "I'll defer to Ana on that",
        "I'll leave that to the data team",
        "I'll let the designers decide",
        "I'll go with whatever the team decides",
        "I'll support whatever we pick",
        "I'll trust your judgement",
    ],
    "an offer taken back in the same breath": [
        "I'll take it, oh wait, no, Ana already has it",
        "Let me take that, no, scratch that, Ben's closer to it",
    ],
    "sarcasm told by what is promised": [
        "Sure, and I'll win the lottery",
        "Right, I'll just ask the compiler nicely",
        "Great, I'll just tell the customer it's a feature",
        "Sure, I'll just fix all of prod by lunch, no problem",
        "I'll put it on my list of things to never do",
        "I'll get to it in the next life",
        "I'll get to it sometime next century",
        "I'll do it the day pigs fly",
    ],
    "carrying on with one's own work, the day's shape": [
        "The migration is on staging, I'll keep an eye on it",
        "I'll keep chipping away at the backlog",
        "I'll keep plugging away at it",
        "I'll be pairing with Ana most of the day",
        "I'll spend the afternoon on code reviews",
    ],
    "another team's deliverable to us, another company's own work": [
        "The data team will send us the schema next week",
        "The design team will send the final mockups on Thursday",
        "The design team is going to deliver the new icons Friday",
        "The platform team will get back to us by Wednesday",
        "The backend team will give us the new endpoint by Thursday",
        "The mobile team will ship their release on the 15th",
        "The vendor team will patch the SDK next sprint",
        "Our partners at Acme will send the data dump tomorrow",
    ],
    "praise, outside companies, what one keeps saying": [
        "Shout-out to the support team",
        "Stripe will roll out the new API in March",
        "Every sprint I say I'll write more tests",
    ],
}


# Work in the words of the round-6 kinds: refresh, find, link, switch, go through, extend, bank,
# weekend, call, recording, questions, leave, let … know, Zoom, "never mind" before the promise,
# "themselves", a family plan. All items before round 6 and after.
@pytest.mark.parametrize(
    ("lines", "word"),
    [
        ([("Cara", "I'll refresh the pricing page copy by Friday.")], "pricing page"),
        ([("Cara", "I'll find the root cause of the memory leak by Thursday.")], "memory leak"),
        ([("Cara", "I'll fix the broken link on the docs page tomorrow.")], "broken link"),
        ([("Cara", "I'll go through the support tickets and close the stale ones by Friday.")], "support tickets"),
        ([("Cara", "I'll extend the free trial for Acme by two weeks.")], "free trial"),
        ([("Cara", "I'll send the bank details to finance by Friday.")], "bank details"),
        ([("Cara", "I'll call the customer about the refund tomorrow.")], "refund"),
        ([("Cara", "I'll prepare the on-call rota for the weekend.")], "on-call rota"),
        ([("Cara", "I'll let the customer know about the outage today.")], "customer"),
        ([("Cara", "I'll add the Zoom integration to the settings page by Friday.")], "Zoom integration"),
        ([("Cara", "I'll upload the recording of the demo to the wiki today.")], "recording"),
        ([("Cara", "I'll take the questions from the survey and group them by Friday.")], "survey"),
        ([("Cara", "Never mind, I'll fix the login bug myself by Friday.")], "login bug"),
        ([("Cara", "I'll fix the scheduler so the jobs deploy themselves.")], "scheduler"),
        ([("Cara", "I'll ask Stripe support about the payout delays tomorrow.")], "payout delays"),
        ([("Cara", "I'll walk the new hire through the deploy process on Thursday.")], "deploy process"),
        ([("Cara", "I'll update the family plan pricing by Friday.")], "family plan"),
        ([("Cara", "I'll sync with my partner team about the API by Friday.")], "partner team"),
        ([("Cara", "I'll keep an eye on the error rate after the deploy on Thursday.")], "error rate"),
        ([("Cara", "I'll spend some time on the flaky checkout test tomorrow.")], "flaky checkout test"),
        ([("Maya", "Ben, can you fix the page refresh bug by Friday?"), ("Ben", "Sure.")], "page refresh bug"),
        ([("Maya", "Ben, can you find the right vendor for the pen test by Friday?"), ("Ben", "Sure.")], "pen test"),
    ],
)
def test_work_in_the_words_of_the_round_6_kinds_is_still_an_item(lines: list[tuple[str, str]], word: str) -> None:
    m = _minutes(lines)
    assert [a.assignee for a in m.action_items] == [lines[-1][0] if len(lines) == 1 else "Ben"]
    assert word in m.action_items[0].task


@pytest.mark.parametrize(
    "text",
    [
        "The support team will update the refund macros before launch.",
        "The support team will send the apology email to affected customers.",
    ],
)
def test_work_the_lead_gives_our_own_team_is_still_an_item(text: str) -> None:
    m = _minutes([("Maya", text)])
    assert [a.assignee for a in m.action_items] == ["Support team"]


def test_where_the_next_draft_shows_up_names_no_new_task() -> None:
    report = _minutes([("Pia", "The migration guide is about half written. I'll have a draft in the wiki by Thursday.")])
    assert [a.task for a in report.action_items] == []
    m = _minutes(
        [("Maya", "Pia, can you write the migration guide?"), ("Pia", "Sure, I'll have a draft in the wiki by Thursday.")]
    )
    assert [(a.assignee, a.due_date) for a in m.action_items] == [("Pia", THURSDAY)]
    assert "migration guide" in m.action_items[0].task


# Items the round-6 meetings were reworded around before their commit (see eval/minutes/README.md).
def test_an_offer_with_a_day_is_a_promise() -> None:
    m = _minutes([("Lena", "Next, invoices show the wrong VAT rate."), ("Cara", "That's billing. I can fix the VAT lookup by Thursday.")])
    assert [(a.assignee, a.due_date) for a in m.action_items] == [("Cara", THURSDAY)]
    assert "VAT lookup" in m.action_items[0].task
    later = _minutes([("Cara", "I'll build the new checkout page. I can have it on staging by Thursday.")])
    assert [(a.assignee, a.task, a.due_date) for a in later.action_items] == [("Cara", "build the new checkout page", THURSDAY)]


def test_fair_enough_is_a_yes() -> None:
    m = _minutes([("Lena", "Tariq, can you set up DKIM for the mail domain by Friday?"), ("Tariq", "Fair enough, yes.")])
    assert [(a.assignee, a.due_date) for a in m.action_items] == [("Tariq", FRIDAY)]


# Round 7 (the lead, after round 6; written as a probe of meeting idioms, each kind taken by the
# rules before it): being there or not, one's stance in the talk, a retro's resolutions, waiting
# and choosing to stay put, and talk about the talk itself.
_ROUND_7 = {
    "being there or not": [
        "I'll skip the retro this week",
        "I'm going to have to leave early",
        "I'll join the call from my phone",
        "I'll drop off in ten minutes",
    ],
    "a stance in the talk": [
        "I'm going to push back on that",
        "I'll let Ana answer that",
        "I'll add to what Ana said",
        "I'll piggyback on that",
        "I'm going to go out on a limb and say it ships Friday",
        "I'll wager the vendor misses the date",
        "I'm going to play it by ear",
        "Let me put my product hat on",
        "Let me play back what I heard",
        "I'll take the blame for that one",
    ],
    "a retro's resolution": [
        "Going forward I'll try to keep PRs smaller",
        "From now on I'll write the tests first",
    ],
    "waiting, staying put, vague": [
        "I'll wait for Ana's numbers before I say anything",
        "I'll stick with Postgres for now",
        "I'll have to check",
        "I'll ask around",
        "I'll try to look at it, no promises",
        "I'll finish my coffee first",
        "I'll leave you to it",
    ],
    "talk about the talk": [
        "I'll take that on board",
        "I'll take that into account",
        "I'll bear that in mind",
        "I'll shout if I get stuck",
        "I'll reach out if I have questions",
        "I'll update you next week",
        "I'll report back next standup",
        "I'll give an update on Thursday",
        "I'll follow up offline",
        "I'll pass it to Cara",
        "I'll recap for those who joined late",
        "I'll go through the tickets one by one",
        "I'll note it for the minutes",
        "I'll put it in the parking lot",
        "I'll park that for now",
        "I'll leave the rest for next week",
    ],
}


# Round 8: kinds found by saying, one at a time, what people say in meetings that is not work.
_ROUND_8 = {
    "conceding, deferring, agreeing": [
        "I'll give you that, the migration went smoothly",
        "I'll grant you the API is messy",
        "I'll follow your lead",
        "I'm going to have to disagree",
        "I'll stand corrected",
        "I'll take the win",
        "I'll leave the details to the doc",
    ],
    "waiting to see, to know, to commit": [
        "I'll wait and see what legal says",
        "I'll know more after the vendor call",
        "I'll have to check with my manager first before I commit to anything",
    ],
    "someone else's words": [
        "My old team would say, I'll ship it tomorrow, and never did",
        "The ticket says: I will migrate the database by Friday",
        "I'll fix it, said no one ever",
        "I'll get right on that, said nobody",
    ],
    "being there or not, and fun": [
        "I'll try the new laptop setup at home, just for fun",
        "I'll be watching the game tonight, so no late pings please",
        "I'm going to try the new espresso place after this",
        "I'll take Friday as a comp day",
        "I keep saying I'll clean up the wiki, and I never do",
        "I'll consider it",
        "I'll second Ana's point about scope",
        "I'll skip the demo this week",
        "I'm going to miss the offsite",
    ],
    "keeping the board and one's own lists": [
        "The migration is done, I'll close the ticket",
        "I'll move the ticket to done",
        "I'll mark it as done on the board",
        "I'll update the ticket status after this",
        "I'll drag the card to review",
        "I'll put it on my list",
        "I'll set a reminder",
        "I'll ping you",
    ],
    "carrying on, watching, letting be": [
        "The fix is merged, I'll keep monitoring it",
        "The import job is green again, I'll leave it running",
        "The dashboard is live, I'll let it bake for a week",
    ],
    "running the meeting": [
        "I'll quickly go over the numbers",
        "I'll walk you through the new design",
        "I'll give a quick overview of where we are",
        "I'll wrap us up",
        "I'll close us out",
        "I'll keep the intro short",
        "I'll facilitate today",
        "I'll screen share the Grafana board",
        "I'll call on people one by one",
        "I'll moderate the questions",
    ],
    "the call and the talk, asked": [
        "Would you mind muting, there's an echo?",
        "Could you imagine if we shipped on time for once?",
        "Ana, can you hear the echo too?",
        "Ana, can you remind me what SLO stands for?",
    ],
}


@pytest.mark.parametrize("first", [True, False])
@pytest.mark.parametrize(
    "text", [text for rounds in (_ROUND_6, _ROUND_7, _ROUND_8) for texts in rounds.values() for text in texts]
)
def test_round_6_to_8_distractor_is_not_taken_and_the_items_around_it_are(text: str, first: bool) -> None:
    _check(_EN_ITEMS, text, first, [("Ben", "release notes"), ("Cara", "login bug")])


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("I'll update the team wiki with the new runbook by Friday.", "team wiki"),
        ("I'll recap the Q3 numbers for the board deck by Monday.", "Q3 numbers"),
        ("I'll report back to the board on the audit findings next month.", "audit findings"),
        ("I'll pass the invoices to finance by Friday.", "invoices"),
        ("I'll brief the new hires on the deploy process on Monday.", "new hires"),
        ("I'll join the vendor call to present the roadmap.", "roadmap"),
        ("I'll wait for legal and then send the contract.", "contract"),
        ("I'll go through the security questionnaire by Friday.", "security questionnaire"),
        ("I'll take the support rotation next week.", "support rotation"),
        ("As I said, I'll send the vendor contract to legal by Friday.", "vendor contract"),
        ("I'll take the point on the vendor migration.", "vendor migration"),
        ("I'll present the demo at the all-hands on Friday.", "demo"),
        ("I'll grant the contractors access to the staging cluster.", "staging cluster"),
        ("I'll wait for the vendor call and then update the pricing page.", "pricing page"),
        ("I'll check with legal and send the contract by Friday.", "contract"),
        ("I'll update the Jira ticket with the repro steps by Friday.", "repro steps"),
        ("I'll move the cron jobs to the new scheduler.", "cron jobs"),
        ("I'll close the gap in the audit logging.", "audit logging"),
        ("I'll add comments to the config parser.", "config parser"),
        ("I'll set up the monitoring for the import job.", "import job"),
        ("I'll go over the contract with legal by Friday.", "contract"),
        ("I'll walk the new hires through the deploy process on Monday.", "deploy process"),
        ("I'll host the vendor workshop next Tuesday.", "vendor workshop"),
        ("I'll go through the audit findings by Thursday.", "audit findings"),
    ],
)
def test_work_in_the_words_of_the_round_7_and_8_kinds_is_still_an_item(text: str, word: str) -> None:
    m = _minutes([("Cara", text)])
    assert [a.assignee for a in m.action_items] == ["Cara"]
    assert word in m.action_items[0].task


# Round 8, across turns: an item taken back after someone spoke up, a yes taken back in the same
# breath, asked not to, a trip, a question for an explanation.
@pytest.mark.parametrize(
    ("lines", "want"),
    [
        ([("Ben", "I'll rewrite the importer this sprint."), ("Ana", "Actually, Cara already rewrote it last week."),
          ("Ben", "Oh, then never mind.")], []),
        ([("Ben", "I'll set up the staging alerts."), ("Ana", "Please don't, the platform team owns those now."),
          ("Ben", "Got it, I'll leave them alone.")], []),
        ([("Ana", "Ben, can you handle the release notes?"),
          ("Ben", "Sure. Wait, no, I'm on leave next week. Cara, could you?"),
          ("Cara", "No problem, I'll take them.")], [("Cara", "release notes")]),
        ([("Ana", "Ben, are you going to the conference?"), ("Ben", "I am, I'll fly out Monday.")], []),
        ([("Ana", "Ben, can you help me understand the error?"), ("Ben", "Sure, it's a timeout in the proxy.")], []),
    ],
)
def test_round_8_taken_back_or_not_work_across_turns(lines: list[tuple[str, str]], want: list[tuple[str, str]]) -> None:
    m = _minutes([*lines, ("Cara", "I'll fix the login bug by Thursday.")])
    got = [(a.assignee, a.task) for a in m.action_items]
    assert [who for who, _ in got] == [who for who, _ in want] + ["Cara"]
    assert all(word in task for (_, task), (_, word) in zip(got, want, strict=False))


@pytest.mark.parametrize(
    "lines",
    [
        # Someone spoke, but the item is not taken back: "never mind that" goes on about the work.
        [("Ben", "I'll rewrite the importer by Friday."), ("Ana", "Cara rewrote the exporter last week."),
         ("Ben", "Never mind that, the importer still needs it.")],
        # Nobody spoke up in between: the speaker's own "never mind" is about something else.
        [("Ben", "I'll rewrite the importer by Friday. The exporter is fine, never mind.")],
        # A yes that stays a yes.
        [("Ana", "Ben, can you rewrite the importer by Friday?"), ("Ben", "Sure. No worries.")],
    ],
)
def test_an_item_not_taken_back_stays(lines: list[tuple[str, str]]) -> None:
    m = _minutes(lines)
    assert [(a.assignee, "importer" in a.task) for a in m.action_items] == [("Ben", True)]


@pytest.mark.parametrize(
    "lines",
    [
        [("Rita", "Then the admin audit log. Who wants it?"),
         ("Tess", "I can take it. Actually, never mind. Uma knows that code better."),
         ("Uma", "Yeah, I'll take it.")],
        [("Rita", "Then the admin audit log. Who wants it?"), ("Tess", "I can take it."),
         ("Rita", "Hmm, Uma knows that code better."), ("Tess", "Oh, never mind then."), ("Uma", "Yeah, I'll take it.")],
        # One turn Whisper cut in two, the take-back in the second segment.
        [("Rita", "Then the admin audit log. Who wants it?"), ("Tess", "I can take it. Actually."),
         ("Tess", "Never mind. Who knows that code better?"), ("Uma", "I'll take it.")],
    ],
)
def test_work_taken_back_goes_to_the_one_who_takes_it_over(lines: list[tuple[str, str]]) -> None:
    m = _minutes(lines)
    assert [(a.assignee, a.task) for a in m.action_items] == [("Uma", "the admin audit log")]



# Round 9 (issue 17): a probe of 473 sentences written for this round, of kinds the own set had few
# of, took 135 on the rules before it, 11 after (7 of them follow-ups kept as work on purpose: "I'll
# post the slides after the call", "I'll ask my manager"; a further 30 written after the changes,
# none); the
# rules were changed by kind: talk about the talk ("I'll
# note that …", "let me put it differently"), what is shown or done in the call now ("let me demo
# the new flow", "I'll paste them here, one sec"), choosing and voting in the room, idioms of
# stance, a day's own errands, and an offer turned down with "but".
_ROUND_9: dict[str, list[str]] = {
    "talk about the talk": [
        "I'll note that the build was green all week",
        "I'll point out that we are over budget",
        "I'll mention the parking lot is full again",
        "I'll just add that the customer was happy",
        "I'll remind everyone that the office is closed on Monday",
        "I'll stress that the freeze starts Monday",
        "I'll happily admit the old design was better",
        "I'll summarize: we shipped, nothing broke",
        "I'll put it this way, the numbers are not great",
        "Let me put it differently",
        "I'll make this quick, the rollout went fine",
        "I'll give credit to the QA team for catching that",
        "I'll add a plus one to that",
        "I'll stop talking now",
        "Let me finish my thought",
        "I'll keep my answer short",
        "I'll skip the details",
        "I'll spare you the backstory",
    ],
    "shown or done in the call, now": [
        "I'll demo it right now",
        "I'll show you the new screen now",
        "Let me demo the new flow",
        "Let me read you the error message",
        "Let me answer Kim's question first",
        "Let me introduce our new teammate, Lina",
        "I'll let Sam explain the rest",
        "I'll read the question from the chat",
        "I'll rejoin, my audio is broken",
        "I'll switch to my phone",
        "Let me check, yes, it's already merged",
        "I'll grab the notes from the last meeting and paste them here, one sec",
        "I'll hand the mic to Dana",
        "I'll start the timer",
        "I'll count to three and we all vote",
        "I'll call it: we ship Friday",
        "I'll put it to a vote",
        "Dan will join us later",
        "Jenkins will run the nightly build as usual",
    ],
    "choosing, stances and idioms": [
        "I'll go with option B",
        "I'll vote for the second design",
        "I'll do whatever the team decides",
        "I'll go with the flow",
        "I'll cross that bridge when we come to it",
        "I'll see what happens",
        "I'll live with the current design for now",
        "I'm gonna sit this one out",
        "I'm going to trust the numbers",
        "I'll take your silence as agreement",
        "I'll take that bet",
        "I'll keep an open mind",
        "I'll put on my manager hat for a second",
        "I'll give it a week and see",
        "I'll get out of your hair",
        "I'll raise a glass to that",
        "I'll refactor the cache one of these years",
        "I'll miss the old office",
        "I'll keep you honest on that",
        "I'm going to keep quiet on this one",
    ],
    "telling, conceding and taking part in the talk": [
        "I'll let you in on a secret, the demo was held together with tape",
        "I'll tell you a funny story after the meeting",
        "I'll keep this between us",
        "I'll give you a hint: it's DNS",
        "I'll count that as a win",
        "I'll have you know I wrote tests this time",
        "I'll give it to you, that was clever",
        "I'll put my money on Friday",
        "I'll answer for Dan, he's out: it's done",
        "I'll speak for the whole team here, we're tired",
        "I'm going to abstain",
        "I'll sit back and listen today",
        "I'm going to stay out of this one",
        "I'll be waiting for the vendor's answer like everyone else",
        "I'll play the customer for this role-play",
        "I'll keep the notes",
    ],
    "fate, sayings and manners in the room": [
        "As I always say, I'll sleep when I'm dead",
        "What I'll do is nothing, honestly",
        "I'll get blamed for it anyway",
        "I'll take my chances",
        "I'll leave it at that",
        "I'll rest my case",
        "I'll save the rant for the retro",
        "I'll come back to that",
        "I'll stick around after the call",
        "I'll keep my answer to myself",
        "I'll see everyone at standup",
        "I'll help where I can",
        "I'll play nice",
        "I'll reboot and rejoin",
        "I'll raise my hand next time",
        "I'll type my question in the chat",
    ],
    "one's own day": [
        "I'll treat myself to a nice dinner after this launch",
        "I'll take the last slice of pizza",
        "I'll pick up the kids at four",
        "I'll go for a run at lunch",
        "I'll fix dinner tonight, it's my turn",
        "I'll sign up for the book club",
        "I'll take the rest of the day off",
        "I'll send my love to the support team, they had a rough week",
        "I'll bring it up with my therapist",
        "I'll try to stay awake",
    ],
    "an offer turned down in the same breath": [
        "I'd be happy to help, but I'm swamped until June",
        "I'd love to take the audit, but I'm on support all month",
    ],
}


@pytest.mark.parametrize("first", [True, False])
@pytest.mark.parametrize("text", [text for texts in _ROUND_9.values() for text in texts])
def test_round_9_distractor_is_not_taken_and_the_items_around_it_are(text: str, first: bool) -> None:
    _check(_EN_ITEMS, text, first, [("Ben", "release notes"), ("Cara", "login bug")])


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("I'll mention the outage in the customer newsletter.", "newsletter"),
        ("I'll note the new limits in the runbook by Friday.", "runbook"),
        ("I'll show the prototype to the customer on Thursday.", "prototype"),
        ("Let me check the Stripe webhooks and report back tomorrow.", "Stripe webhooks"),
        ("I'll demo the export to Globex next week.", "export"),
        ("I'll answer the vendor's email today.", "email"),
        ("I'll introduce you to their CTO by email.", "CTO"),
        ("I'll switch the billing job to the new queue.", "billing job"),
        ("I'll remind the finance team to approve the invoices by Friday.", "invoices"),
        ("I'll present the roadmap to the board next month.", "roadmap"),
        ("I'll stress test the API before the launch.", "API"),
        ("I'll treat the flaky test as a blocker and fix it tomorrow.", "flaky test"),
        ("I'll skip the legacy endpoint in the migration script.", "legacy endpoint"),
        ("If that's okay with everyone, I'll take the export bug.", "export bug"),
        ("If nobody objects, I'll take the export bug.", "export bug"),
        ("I'll call it a bug and fix it by Friday.", "bug"),
        ("I'll join the platform team's planning to present the migration.", "migration"),
        ("I'll play the new onboarding video for the sales team on Friday.", "onboarding video"),
        ("I'll answer the customer's questions about the SLA by email.", "SLA"),
        ("I'll listen to the customer call recording and write up the findings.", "findings"),
        ("I'll post the slides after the call.", "slides"),
        ("I'll close the door on the old API by Friday.", "old API"),
        ("I'll take the sales team through the new pricing on Monday.", "new pricing"),
        ("I'll turn off the old cron jobs.", "cron jobs"),
        ("I'll send the contract to legal in a bit.", "contract"),
        ("I'll come back to that ticket tomorrow with numbers.", "ticket"),
        ("I'll save the logs for the postmortem.", "logs"),
        ("I'll restart the staging cluster tonight.", "staging cluster"),
        ("I'll help the support team with the backlog this week.", "backlog"),
        ("I'll type up the notes from the customer call.", "customer call"),
    ],
)
def test_work_in_the_words_of_the_round_9_kinds_is_still_an_item(text: str, word: str) -> None:
    m = _minutes([("Cara", text)])
    assert [a.assignee for a in m.action_items] == ["Cara"]
    assert word in m.action_items[0].task


def test_an_offer_taken_back_once_the_work_turns_out_done_is_no_item() -> None:
    m = _minutes([("Ben", "I'll take the export bug."), ("Ana", "Actually I fixed it this morning."),
                  ("Ben", "Oh great, never mind then."), ("Cara", "I'll fix the login bug by Thursday.")])
    assert [a.assignee for a in m.action_items] == ["Cara"]


# Round 10: the distractors that the meetings of eval/minutes_round10 (written from a brief by people
# who had not read the rules) got past the rules of the day, 35 of 313, with more of each kind.
_ROUND_10: dict[str, list[str]] = {
    "feelings and reactions": [
        "Side note, I'm going to end up hating the word seamless by the end of this week",
        "I'm going to end up dreading every standup at this rate",
        "If she says no, I'm going to take it personally",
        "I'm going to grumble about it, but yes",
        "I'm going to grumble about the new linter all week",
        "I will survive",
        "I'll survive, somehow",
        "I'm going to have a hundred questions, I warn you",
        "I'm going to have so many questions about this",
        "Okay, I'll stop gushing now",
        "I'll stop ranting now",
    ],
    "a habit or a state for a while": [
        "Fair warning, I'm going to be refreshing the analytics every five minutes that week",
        "I'll be checking the dashboard every five minutes tonight",
        "Honestly I'm gonna be dreaming about this red border tonight",
        "I'm going to be losing sleep over this launch",
        "I'm going to be shoveling that driveway until April, honestly",
        "I'll be shoveling snow all weekend",
    ],
    "jokes told by what is promised": [
        "I'll name my firstborn after you",
        "I'm going to name my dog after the release",
        "I'll name it Gerald",
        "I'm going to get that tattooed",
        "I'll get that framed",
        "I'll deny it in court",
        "I'll deny everything",
        "I swear, if it dies one more time I'm going to adopt it and take it home",
        "I'm planning to eat my weight in pastries",
        "I'm going to eat my words on that one",
        "I'm going to steal her way of explaining consistent hashing, by the way",
        "I'm going to steal that analogy for my talk",
        "I'll bring you back a waffle, I'm not promising it'll be warm",
        "I'll bring you all some cookies next time",
        "I'll buy one specifically for the occasion",
        "Can I just say, whoever keeps booking the big room for one person, I'm going to find you",
        "Fun fact, I'm going to unsubscribe the minute it lands in my inbox",
    ],
    "greetings and remarks passed on": [
        "I'll let Doug know everyone says hi",
        "I'll say hi to Priya for you",
        "I'll tell customer success you called it a fun fact",
        "I'll tell Marco you called it a masterpiece",
    ],
    "a stance or a move in the talk": [
        "I'm going to push back a little on the queue choice",
        "I'm going to push back a bit on that estimate",
        "I'm going to answer no again, for the record",
        "I'm going to answer yes to all of those, for speed",
        "Okay, I'm going to call that a wrap, we look good",
        "I'll call it a day after this",
        "Okay, I'm going to go stare at the roadmap until it makes sense",
        "Okay, I'm going to go stare at the logs until they confess",
        "I'm going to stop using the phrase 'quick migration' forever, by the way",
        "I'm going to stop saying the word synergy",
    ],
    "what happens to someone or something": [
        "Tomas will learn soon enough that nobody reads the wiki",
        "Raj will learn the hard way",
        "Realm is going to get deprecated any day now",
        "The old API is going to get deprecated soon enough",
        "Felix will definitely get lost again",
        "Kim will get bored of the dashboard in a week",
    ],
    "done in the call, now": [
        "I'll drop the link in chat right now",
        "I'll paste the doc link in the chat",
    ],
}


@pytest.mark.parametrize("first", [True, False])
@pytest.mark.parametrize("text", [text for texts in _ROUND_10.values() for text in texts])
def test_round_10_distractor_is_not_taken_and_the_items_around_it_are(text: str, first: bool) -> None:
    _check(_EN_ITEMS, text, first, [("Ben", "release notes"), ("Cara", "login bug")])


@pytest.mark.parametrize(
    ("ask", "answer"),
    [
        ("Paul, could you try clicking export on the monthly report right now while I watch the logs?", "Sure, clicking now."),
        ("Ben, can you refresh the page right now while I watch the logs?", "Sure."),
        ("Can you see the sheet?", "Yes."),
        ("Can you see the dashboard?", "Yes, I can."),
        ("Ben, can you see my screen?", "Yep."),
    ],
)
def test_a_request_done_in_the_call_while_someone_watches_is_no_item(ask: str, answer: str) -> None:
    who = "Paul" if ask.startswith("Paul") else "Ben"
    assert _minutes([("Maya", ask), (who, answer)]).action_items == ()


@pytest.mark.parametrize(
    ("lines", "word"),
    [
        ([("Cara", "I'll complain to the vendor about the SLA breach by Friday.")], "SLA breach"),
        ([("Cara", "I'll celebrate later, first I'll fix the login bug by Friday.")], "login bug"),
        ([("Cara", "I'll name the new service after the billing domain by Friday.")], "new service"),
        ([("Cara", "I'll get the contract signed by Friday.")], "contract"),
        ([("Cara", "I'll bring the printed agendas to the offsite.")], "printed agendas"),
        ([("Cara", "I'll tell the vendor we need the contract by Friday.")], "vendor"),
        ([("Cara", "I'll answer the security questionnaire by Friday.")], "security questionnaire"),
        ([("Cara", "I'll push back on the vendor's renewal price by Friday.")], "renewal price"),
        ([("Cara", "I'll post the summary in the team channel.")], "summary"),
        ([("Maya", "Cara, can you see if the vendor can ship earlier?"), ("Cara", "Sure, by Friday.")], "vendor"),
        ([("Cara", "I'll learn the new billing API before the migration next week.")], "billing API"),
        ([("Cara", "I'll unsubscribe the inactive users by Friday.")], "inactive users"),
        ([("Cara", "I'll be testing the release candidate tomorrow.")], "release candidate"),
        ([("Cara", "I'll frame the problem statement in the design doc by Friday.")], "problem statement"),
        ([("Cara", "I'll take the laptop home and reimage it tomorrow.")], "laptop"),
    ],
)
def test_work_in_the_words_of_the_round_10_kinds_is_still_an_item(lines: list[tuple[str, str]], word: str) -> None:
    m = _minutes(lines)
    assert [a.assignee for a in m.action_items] == ["Cara"]
    assert word in m.action_items[0].task


# The probe lists of rounds 10, 12, 13 and 14 (tests/domain/data/, each with its brief and its
# before/after in its header): who takes the work in an "items" line is the one who answers, or the
# one the order names.
_PROBE_FILES = {
    "round10_requests.txt": "answers",
    "round12_replies.txt": "answers",
    "round13_instructions.txt": "named",
    "round14_statements.txt": "named",
}


def _probe_lines(section: str) -> list[object]:
    """Every exchange under ``# not items`` or ``# items`` in the probe lists, as (file, line)."""
    out: list[object] = []
    for name in _PROBE_FILES:
        current = None
        for n, line in enumerate((Path(__file__).parent / "data" / name).read_text(encoding="utf-8").splitlines(), 1):
            line = line.strip()
            if line.startswith("# not items"):
                current = "not items"
            elif line.startswith("# items"):
                current = "items"
            elif line and not line.startswith("#") and current == section:
                out.append(pytest.param(name, line, id=f"{name}:{n}"))
    return out


def _exchange(line: str) -> Minutes:
    turns = [turn.strip().partition(":") for turn in line.split("||")]
    return _minutes([(who.strip(), text.strip()) for who, _, text in turns])


# Round 11: what eval/minutes_round11 (written from the same brief) got past the rules of round 10,
# 9 of 49, with more of each kind.
_ROUND_11: dict[str, list[str]] = {
    "a stance, or a habit to quit or keep": [
        "I'm going to blame the new laptop for everything this week",
        "I'm going to keep complaining about them until somebody deletes them, just so everyone knows",
        "I'll keep nagging you until it's fixed",
        "Guess I'll have to stop using the new-person excuse",
        "I'll stop checking Slack after six",
    ],
    "food left or brought for someone": [
        "I'll leave a sandwich on your desk",
        "I'll bring some in Monday, calm down",
        "I'll bake a cake for the launch",
    ],
    "the room's mood": ["I know it's Monday, so I'll try to keep the energy up"],
    "what someone is like": [
        "Dmitri will happily tell you about every edge case",
        "Priya will gladly explain the whole history of the billing service",
    ],
}


@pytest.mark.parametrize("first", [True, False])
@pytest.mark.parametrize("text", [text for texts in _ROUND_11.values() for text in texts])
def test_round_11_distractor_is_not_taken_and_the_items_around_it_are(text: str, first: bool) -> None:
    _check(_EN_ITEMS, text, first, [("Ben", "release notes"), ("Cara", "login bug")])


def test_a_habit_asked_to_stop_is_no_item() -> None:
    m = _exchange("Ana: Felix, can you stop drawing mustaches on the stakeholder avatars in Figma, by the way? || Felix: Fine.")
    assert m.action_items == ()


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("I'll get the cookie banner fixed by Friday.", "cookie banner"),
        ("I'll stop the old cron job on Friday.", "cron job"),
        ("I'll keep the staging cluster running until the demo.", "staging cluster"),
        ("I'll bring some examples of the new reports to the review.", "new reports"),
        ("I'll happily review the export PR by Thursday.", "export PR"),
        ("I'll order the new laptops for the interns by Friday.", "new laptops"),
        ("I'll put the sandwich shop's invoice into the expense tool by Friday.", "invoice"),
    ],
)
def test_work_in_the_words_of_the_round_11_kinds_is_still_an_item(text: str, word: str) -> None:
    m = _minutes([("Cara", text)])
    assert [a.assignee for a in m.action_items] == ["Cara"]
    assert word in m.action_items[0].task


@pytest.mark.parametrize(("name", "line"), _probe_lines("not items"))
def test_a_probe_exchange_that_gives_out_no_work_makes_no_item(name: str, line: str) -> None:
    assert _exchange(line).action_items == ()


@pytest.mark.parametrize(("name", "line"), _probe_lines("items"))
def test_a_probe_exchange_that_gives_out_work_is_one_persons_item(name: str, line: str) -> None:
    m = _exchange(line)
    if _PROBE_FILES[name] == "answers":
        who = line.split("||")[1].partition(":")[0].strip()
        assert [a.assignee for a in m.action_items] == [who]
    else:
        speaker, _, lead = line.split("||")[0].partition(":")
        assert len(m.action_items) == 1 and m.action_items[0].assignee not in (None, speaker.strip())
        assert m.action_items[0].assignee in lead


# Said to a named person, of kinds the probe lists led to, written by the rules' author.
_SAID_TO_A_NAMED_PERSON: dict[str, list[str]] = {
    "a prohibition or a friend's favour": [
        "Ana: Ben, please don't touch the prod database this week. || Ben: Got it.",
        "Ana: Ben, can you send me that cat video after? || Ben: Sure.",
        "Ana: Ben, can you save me a seat at lunch? || Ben: Sure.",
        "Ana: Ben, can you recommend a good dentist? || Ben: Sure, mine is great.",
        "Ana: Ben, you should really try the new ramen place. || Ben: I will.",
    ],
    "a please for the talk or one's own good": [
        "Ana: Ben, please keep me posted.",
        "Ana: Ben, please remind me after the call.",
        "Ana: Ben, please go home early today.",
        "Ana: Ben, please stay on the line after.",
        "Ana: Ben, please help yourself to the cake.",
        "Ana: Ben, please continue.",
        "Ana: Ben, please finish your thought.",
        "Ana: Ben, please remember to breathe.",
        "Ana: Ben, please ask your questions in the channel.",
        "Ana: Ben, please keep an eye on the chat.",
        "Ana: Ben, please prioritize your health.",
        "Ana: Ben, please try the new coffee machine.",
        "Ana: Ben, please double-check before you merge next time.",
        "Ana: Ben, relax, it's fine.",
        "Ana: Ben, take your time.",
    ],
    "a social duty or perk": [
        "Ana: Ben, you own the snack budget now, congrats.",
        "Ana: Ben, you're in charge of the playlist for the offsite.",
        "Ana: Ben, you should come to the party on Friday.",
        "Ana: Ben, you're on the invite for Thursday.",
        "Ana: Ben, you take the window seat.",
        "Ana: Ben, you need to see the new coffee machine.",
        "Ana: Ben, you will present first at the demo.",
        "Ana: Ben, you're on snack duty this week.",
        "Ana: Ben, you're on cake duty.",
    ],
    "a turn to speak, or blame said as 'on you'": [
        "Hiro: Nina, your turn to talk, go ahead.",
        "Abby: Greg, that typo in the sales deck is on you, but honestly nobody noticed.",
    ],
}


@pytest.mark.parametrize("line", [line for lines in _SAID_TO_A_NAMED_PERSON.values() for line in lines])
def test_said_to_a_named_person_but_no_work_is_no_item(line: str) -> None:
    assert _exchange(line).action_items == ()


@pytest.mark.parametrize(
    ("line", "word"),
    [
        ("Ana: Ben, don't forget to send the invoice to finance by Friday. || Ben: Will do.", "invoice"),
        ("Ana: Ben, can you send me the video of the demo by Friday? || Ben: Sure.", "video of the demo"),
        ("Ana: Ben, can you recommend a vendor for the pen test by Friday? || Ben: Sure.", "pen test"),
        ("Ana: Ben, can you take us through the agenda for the offsite by Friday? || Ben: Sure.", "agenda"),
        ("Ana: Ben, you own the billing API migration now.", "billing API migration"),
        ("Ana: Ben, you're on the incident rotation this week.", "incident rotation"),
        ("Ana: Ben, you will present the roadmap to the board on Friday.", "roadmap"),
        ("Ana: Ben, you own the gift card feature.", "gift card feature"),
        ("Ana: Ben, you're on the party planning app bug.", "party planning app bug"),
    ],
)
def test_work_said_to_a_named_person_in_the_same_words_is_their_item(line: str, word: str) -> None:
    m = _exchange(line)
    assert [a.assignee for a in m.action_items] == ["Ben"] and word in m.action_items[0].task
