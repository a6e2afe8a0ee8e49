"""Korean rules of the offline minutes writer: commitments, requests, decisions, status reports.

Korean puts the verb last, so the rules read a clause's ending ("하겠습니다", "해 주세요",
"하기로 했습니다", "완료했습니다") and take what comes before it, minus the subject ("제가"), the
addressee ("민수 씨,"), date phrases and particles, as the task or the subject.
"""

# ruff: noqa: E501  -- patterns and word lists read better unbroken (Hangul counts double width)

from __future__ import annotations

import re

from domain.extraction_base import SELF, Commitment, Names, Request, StatusFinding
from domain.extraction_words import key_words, strip_particle
from domain.minutes import Status

_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+|(?<=니다|세요|어요|아요|해요|게요|까요|나요|시다|네요)\s+(?=\S)")
# Syllables with a ㅆ final (했, 됐, 냈, 았 …): "-었고" joins two past reports, which we split.
_PAST = "".join(chr(c) for c in range(0xAC00, 0xD7A4) if (c - 0xAC00) % 28 == 20)
_CLAUSE_SPLIT = re.compile(
    rf"\s*(?:;|(?<=[{_PAST}])고\s*,\s*|(?<=[{_PAST}])고\s+(?=(?:제가|저는|저도|지금|현재|오늘|이제|오후|오전|이따|곧|바로|저녁|\S+[은는]\s)))\s*"
)

_SHARE_SPLIT = re.compile(rf"(?<=[\uac00-\ud7a3][^{_PAST}\s]고)\s*,\s*(?=\S+(?:은|는)\s)")
_QUESTION_END = re.compile(
    r"(?:\?|까요|나요|니까|습니까|을까|할까|가요|인가요|는지요|었나요|셨나요|할래요|실래요|있나요|없나요|건가요|되나요|됐나요|"
    r"었어요\?|죠\?|어때요|어떠세요|어떻습니까|맞나요|괜찮을까요|인지|는지)\s*$"
)
_HEDGE = re.compile(
    r"(?:아마|언젠가|나중에 여유|여유(?:가|되|있)|시간(?:이)?\s*(?:되면|나면|있으면|남으면)|(?:으면|다면|라면|되면|하면|있으면)\s"
    r"|수도 있|지도 모르|면 좋겠|면 좋을|했으면|할까\b|해볼까|생각만|고민해 보|검토만)"
)
# Only for promises and requests (a report may still say "원인은 모르겠지만 고치는 중입니다"):
# "혹시 막히면 말씀 주세요", "필요하시면 …", a condition in any verb form, not only "-하면";
# politeness is no condition ("가능하시면", "괜찮으시면", "시간 되시면 … 해 주세요" still ask).
_HEDGE_TASK = re.compile(
    # "나중에 제가 로그 구조를 바꿔 볼게요", "언제 한번 …": some day, not a promise ("이따가" is today).
    r"(?:^|\s)(?:나중에|언제\s*한번|언젠가|다음에\s*(?:시간|여유|기회))(?=\s)|시간\s*(?:날|있을|될)\s*때|여유\s*(?:있을|될)\s*때|"
    r"모르겠|(?:혹시|만약|만일)\s.*[\uac00-\ud7a3](?<!가능하시)(?<!괜찮으시)(?<!되시)(?<!주시)면\s"
    r"|(?<!주)(?<!가능하)(?<!괜찮으)(?<!되)시면\s|(?:히면|기면|지면)\s"
)
# Interjections and "then" before the real clause; a space or comma must follow so "아이콘" stays.
_DISCOURSE = re.compile(
    r"^(?:그러면|그럼|그렇다면|그러면은|네|예|넵|좋아요|좋습니다|알겠습니다|아|음)(?:[,.!]\s*|\s+)"
)
_PAST_INTENT = re.compile(
    r"(?:하려고 했는데|하려고 했었|하기로 했었는데|하겠다고 했는데|지난\s*(?:주|달|번|분기|해)|작년)"
)

_SELF_SUBJECT = re.compile(
    r"(?:^|\s)(?:제가|저는|저도|내가|난|저희가|저희 팀이|제 쪽에서|저 쪽에서|제쪽에서)(?=\s|$)"
)
# "-겠습니다", "-ㄹ게요" and friends: first-person future, a promise in a meeting.
_COMMIT_END = re.compile(
    r"(?:겠습니다|겠어요|겠음|(?:[\uac00-\ud7a3])게요|(?:[\uac00-\ud7a3])께요|(?:[\uac00-\ud7a3])게|예정입니다|예정이에요|"
    r"려고 합니다|려고 해요|도록 하겠습니다|맡을게요|맡겠습니다)\s*[.!]?$"
)
_SMALL_TALK = re.compile(
    r"(?:시작하겠|시작할게|마치겠|마칠게|넘어가겠|넘어갈게|화면\s*공유(?!\S*\s*(?:기능|버그|오류|모드|권한|설정))|말씀드리겠|말씀드릴게|알겠|감사하겠|"
    r"부탁드리겠|잘 부탁|참고하겠|참고할게|다녀오겠|다녀올게|가보겠|가볼게|들어가|기다리겠|기다릴게|커피|점심|저녁|휴가|"
    r"주말|쉬려|등산|회식|영화|여기까지|짧게 하|간단하게 하|간단히 하|반차|연차|병가|재택|외근|"
    r"퇴근|회식|쉬겠|쉴게|연락드리겠|연락드릴게|명심|기억하겠|노력하겠|열심히|들어볼게|들어보겠|소개하겠|소개할게|"
    r"요약하겠|요약해\s*드리|요약해\s*드릴|정리해서 말씀|자리\s*(?:를\s*)?(?:비우|비울|비워|비웁)|돌아가면서|뵙겠|뵐게|봬요|이만\s*(?:줄이|마치|마칠|끝내|끝낼|하겠|할게|하죠)|(?:늦게|일찍)\s*(?:들어오|들어가|출근|퇴근|합류|참석|나가|오겠|올게)|하고\s*(?:오겠|올게)|^다음은\s+(?:발표|말씀|공유|진행|얘기|소개)|녹화\s*(?:를\s*)?(?:시작|멈추|멈출|중지|끄|끌|종료)|빠지겠|빠질게|^(?:(?:한\s*번|다시|먼저|좀|잠깐|간단히|짧게|\S+\s*(?:씨|님))\s*)*말씀$|(?:마이크|카메라|음소거)\s*(?:좀\s*)?(?:꺼|켜|끄|키|해제)|채팅(?:창|방)?에|(?:한|두)\s*장\s*(?:앞|뒤|다음)|(?:앞|뒤|다음)\s*(?:장|슬라이드)(?:으로|로)?\s*넘|자기\s*소개|(?:잠깐|잠시)\s*남아|화면\s*(?:좀\s*)?(?:키워|크게|줄여)|패스(?=\s*(?:할게|하겠|요|$))|(?:마지막에|먼저)\s*(?:할게|하겠)|(?:편하게|언제든지?|부담 없이)\s|^(?:의견|질문|연락)$|최선을\s*다|잘\s*(?:하겠|할게)|잘해\s*(?:볼게|보겠)|잘\s*$|할 수 있는 (?:건|만큼|선에서)|이어서 하겠|진행하겠습니다$|진행할게요$|"
    # Closing or chairing the meeting: "오늘 회의는 여기서 마무리하겠습니다", "제가 화면을 공유할게요".
    r"여기서\s*(?:마무리|마치|마칠|끝내|끝낼|끝|정리)|회의(?:는|를)?\s*(?:마무리|마치|마칠|끝내|끝낼)|화면(?:을|를)?\s*(?:(?:잠깐|잠시|먼저|좀)\s*)?(?:공유|띄|보여\s*드|넘기|넘길|넘겨)(?!\S*\s*(?:기능|버그|오류|모드|권한|설정))|"
    r"^(?:(?:오늘은|이번에는|이번엔)\s+)?(?:(?:제가|저는)\s+)?(?:회의\s*)?(?:진행|사회)(?:을|를|는)?\s*(?:맡|보|하겠|할게)|"
    # Keeping the board, which the minutes do themselves, and one's own list: "제가 티켓 닫을게요",
    # "티켓은 완료로 옮길게요", "보드 정리는 제가 할게요", "할 일 목록에 넣어 둘게요".
    r"^(?:(?:그|이)\s*)?(?:티켓|카드|이슈|지라)(?:을|를|은|는)?\s*(?:닫|종료|완료\s*처리|(?:완료|진행\s*중|리뷰|검토)(?:로|으로)\s*(?:옮기|옮길|옮겨|이동|바꾸|바꿀|바꿔))"
    r"(?!\S*\s*(?:기능|버그|오류|문제|로직|자동화))|"
    r"^(?:(?:그|이)\s*)?보드\s*정리|할\s*일\s*목록에\s*(?:넣|추가|적))"
)
# The meeting talking about its own agenda ("이번 주 계획부터 정리해 볼게요", "먼저 지난 스프린트 리뷰를
# 하겠습니다"): said without "제가", an agenda word before the verb.
_MEETING_MECHANICS = re.compile(
    r"\S+부터\s+(?:\S+\s+)?(?:정리|시작|보|살펴|얘기|이야기|공유|진행|논의|확인|나눠|나누|배분|분배|짚어|짚고|훑어|점검|체크)\S*\s*$|"
    # "이번 주 일정 간단히 맞춰 보겠습니다": the meeting trying something together, briefly.
    r"(?:간단히|간단하게|짧게|빠르게|다\s*같이|한번)\s+\S+\s*(?:보|봐|볼)?\s*$|"
    r"^(?:먼저|우선|그럼|그러면|다음으로|이어서|오늘은|이번에는|이제)\s+(?:\S+\s+){0,3}?"
    r"(?:계획|안건|순서|진행\s*상황|회고|리뷰|현황|논의|얘기|이야기|소개|브리핑|공지|근황|업데이트)"
    r"(?:을|를|은|는)?\s*(?:간단히\s*|짧게\s*)?(?:진행|공유|정리|시작)?\s*(?:해\s*)?(?:하|보|볼|봐)?\s*$"
)
_REQUEST_END = re.compile(
    r"(?P<verb>\S*?)\s*(?:해\s*주세요|해\s*주시고|해\s*주십시오|해\s*줘요|해\s*주실래요\??|해\s*줄래요\??|"
    r"해\s*주시겠어요\??|해\s*주실\s*수\s*있(?:나요|을까요|어요)\??|해\s*줄\s*수\s*있(?:나요|어요|을까요)\??|"
    r"줄\s*수\s*있(?:나요|어요|을까요)\??|주실\s*수\s*있어요\??|"
    r"부탁드려도\s*될까요\??|부탁해도\s*될까요\??|(?:해\s*)?주시면\s*(?:좋겠습니다|좋겠어요|감사하겠습니다|됩니다|돼요|되겠습니다)|"
    r"부탁드립니다|부탁드려요|부탁해요|부탁합니다|주세요|주시겠어요\??|주실래요\??|주실\s*수\s*있(?:나요|을까요)\??|"
    r"가능할까요\??|가능하세요\??|가능하실까요\??|맡아\s*주세요|맡아\s*주실래요\??|맡아\s*주시겠어요\??)\s*[.!?]?$"
)
_VOCATIVE = re.compile(
    r"^(?P<name>[\uac00-\ud7a3A-Za-z]{1,10}?)\s*(?P<hon>님|씨|선배님|팀장님|매니저님|책임님|대리님|과장님)?\s*[,]\s*(?P<rest>.+)$"
)
_NAMED_SUBJECT = re.compile(
    # "API 문서 업데이트는 민지 씨가 하기로 했습니다": the work first, as the topic.
    r"^(?:(?P<topic>.+?)(?:은|는)\s+(?=\S{1,10}?\s*(?:님|씨|팀장님|선배님|매니저님)(?:이|가|께서)\s))?"
    r"(?P<name>[\uac00-\ud7a3A-Za-z]{1,10}?)\s*(?:님|씨|팀장님|선배님|매니저님)?(?:이|가|께서|은|는)\s+(?P<rest>.*?)\s*"
    r"(?:하기로\s*(?:했습니다|했어요|했고|하셨습니다|하셨어요)|기로\s*(?:했습니다|했어요|하셨습니다)|맡기로\s*(?:했습니다|했어요)|"
    r"하실\s*(?:겁니다|거예요|예정입니다)|할\s*(?:겁니다|거예요|예정입니다)|맡아\s*주시기로\s*(?:했습니다|했어요)|"
    r"해\s*주시기로\s*(?:했습니다|했어요)|담당합니다|담당하기로\s*(?:했습니다|했어요)|맡습니다|맡으실\s*겁니다)\s*[.!]?$"
)
_DATE_WORDS = re.compile(
    r"(?:(?:20\d\d\s*년\s*)?\d{1,2}\s*월\s*\d{1,2}\s*일|다음\s*주\s*초|연말|년말|내일\s*모레|다음\s*주\s*[월화수목금토일]요일|이번\s*주\s*[월화수목금토일]요일|"
    r"[월화수목금토일]요일|다음\s*달\s*말|이번\s*달\s*(?:말|안)|월말|다음\s*주|이번\s*주|주말|금주|내일|모레|오늘|"
    r"\d{1,2}\s*일|하루|이틀|일주일)\s*(?:오전|오후|아침|저녁|중|안|내)?\s*(?:퇴근\s*전|점심\s*전)?\s*(?:까지|안에|내에|내로|중에|중으로|으로|전에|에|쯤)?|"
    r"(?:(?:다음|이번)\s*회의|퇴근|점심)\s*전(?:까지|에)?|"
    r"(?:^|(?<=\s))(?:오전|오후|아침|저녁|점심 전|퇴근 전)(?:까지|에|중에|중으로)?(?=\s|$)"
)

_DONE = re.compile(
    r"(?:완료(?:했|됐|되었|했고|입니다|예요|해서|했어요|돼)|끝(?:냈|났|내서)|마쳤|마무리(?:했|됐|되었|지었)|다\s*(?:했|됐|끝)|"
    r"(?:배포|머지|반영|해결|수정|제출|발송|전달|적용|작성|정리|업데이트|마이그레이션|구현|테스트|리뷰|검토|셋업|설정|"
    r"확인|보냈|올렸|등록|예약|갱신|처리|개발|연동|교체|추가|삭제|변경|완성|개선|최적화|자동화|구축)(?P<noun_end>)\s*(?:을|를|도|은|는|까지)?\s*(?:다\s*)?"
    r"(?:했|됐|되었|완료|마쳤|끝냈|끝났|했어요|했습니다|해\s*뒀|해\s*놨|해\s*두었))"
)
# Past verbs that say the work is out of the door on their own ("시안은 채널에 올렸습니다").
_DONE_PAST = re.compile(
    r"(?:보냈|올렸|넘겼|고쳤|바꿨|만들었|옮겼|붙였|나갔|돌렸|끝냈|마쳤|공유했|배포했|머지했|반영했|"
    r"처리했|해결했|제출했|발송했|전달했|적용했|등록했|예약했|갱신했|완성했|받았|나왔|열렸|풀렸|통과했|"
    r"올라갔|나갔|반영됐|적용됐|머지됐|배포됐|오픈했|런칭했|출시했|"
    # Verbs of change that report a result: "3분에서 20초로 줄였습니다", "일정은 다 잡았습니다".
    r"줄였|늘렸|잡았|맞췄|채웠|없앴|지웠|세웠|뺐|개선했|최적화했|자동화했|구축했|분석했|구현했|추가했|작성했|수정했)"
    # No ending at all: the first half of "다 만들었고 오후에 공유드리겠습니다", split at its "고".
    r"(?:습니다|어요|았어요|고요|죠|네요)?\s*[.!]?$"
)
# "인터뷰 일정은 다 잡았습니다", "캐시 설정도 이미 바꿔 놨어요": any past verb after "다"/"이미",
# and a verb with "놓다"/"두다" (done and left ready), say the work is finished.
_DONE_ANY = re.compile(
    rf"(?:(?:^|\s)(?:다|이미|벌써)\s+(?!못|안)(?:\S+\s+)?\S*[{_PAST}]|"
    r"\S(?:아|어|해|워|와|꿔|춰|둬|려|혀|줘|봐|져|돼|려)\s*(?:놨|놓았|뒀|두었))"
    r"(?:습니다|어요|어|죠|네요|고요)?\s*[.!]?$"
)
_PROGRESS = re.compile(
    # "리뷰 요청해 뒀습니다": handed over for review, the English "out for review".
    r"(?:(?:리뷰|검토|승인|확인|컨펌)\s*(?:을|를)?\s*(?:요청|부탁|받는\s*중|받고\s*있)|"
    r"진행\s*중|작업\s*중|개발\s*중|테스트\s*중|검토\s*중|리뷰\s*중|작성\s*중|수정\s*중|준비\s*중|"
    r"(?:하|만들|고치|쓰|보|짜|돌리|정리하|작성하|진행하|준비하|옮기|붙이|검토하)고\s*있|절반|반\s*정도|\d+\s*(?:%|퍼센트)|"
    r"(?<=\S)\s*중(?:입니다|이에요|이고|이라|이에|이예요)|마무리\s*단계|막바지|시작했|착수했|들어갔|거의\s*(?:다|끝|마무리|완료|됐|되어)|막바지|"
    r"(?:보냈|요청했|전달했|문의했|연락했|넘겼|드렸|올렸)고\s.*(?:기로\s*했|예정|기다리|받을)|아직\s*(?:못|안)\s*(?:끝|했|마)|마무리\s*중|진행하고|계속\s*(?:하|진행))"
)
_BLOCKED = re.compile(
    r"(?:막혀|막혔|막힌|블로킹|블락|블록돼|블록되|차단돼|대기\s*중|대기(?:입니다|예요|이에요|상태)|대기하고\s*있|기다리고\s*있|기다리는\s*중|진행이\s*안|진행을\s*못|진행하지\s*못|"
    r"(?:회신|답변|답|연락|응답|승인)(?:이|을|는|은)?\s*(?:아직\s*)?(?:없|못\s*받|안\s*왔|안\s*와|오지\s*않)|홀드|"
    r"진행\s*못|못\s*하고\s*있|멈춰\s*있|멈췄|멈춘|보류|스톱|걸려\s*있)"
)
_REASON_TOKEN = re.compile(
    r"(?:때문에|중이라|때문이라|(?:어|아|해|라|와|워|려|져|돼|되어|나|없어|있어|않아|못해|안\s*와|안\s*돼|늦어)서)$"
)
_DECISION = re.compile(
    r"(?:기로\s*(?:했습니다|했어요|했죠|했고|합시다|하죠|결정했|정했|합의했)|결정(?:했|됐|되었|하겠|입니다)|"
    r"확정(?:했|됐|되었|입니다|하겠|이에요)|합의(?:했|됐|되었)|(?:으로|로)\s*(?:가죠|갑시다|가겠습니다|하죠|합시다|"
    r"결정|확정|진행하겠습니다|진행하죠|정했|정하죠|가기로)|[\uac00-\ud7a3]시다\s*[.!]?$)"
)
_NOT_DECISION = re.compile(
    r"(?:시작합시다|넘어갑시다|마칩시다|끝냅시다|쉽시다|봅시다|시작하죠|넘어가죠|마치죠|보죠|여기까지)"
)
_ACCEPT = re.compile(
    r"^(?:(?:그건|그거는|그거|그것은|이건|이거는)\s+(?=제가|저희가|제쪽에서))?(?:네|예|넵|넹|알겠습니다|알겠어요|좋아요|좋습니다|그럴게요|그렇게 하겠습니다|그렇게 할게요|물론|"
    r"가능합니다|가능해요|할게요|하겠습니다|제가 할게요|제가 하겠습니다|제가 맡을게요|제가 맡겠습니다|"
    r"오케이|문제없|문제 없|맡겠습니다|맡을게요|당연하죠|그럼요|OK|오케|확인했습니다|제가\s*(?:하죠|할게|해\s*볼게|해\s*보겠|맡죠|맡을|맡겠|챙길|챙기겠|처리할|처리하겠)|"
    r"그렇게\s*(?:하죠|해요|할게요|하겠습니다)|가능할\s*것\s*같|될\s*것\s*같)(?=[\s,.!~]|$|\S*\s|\S*$)"
)
# "배포 체크리스트는 준호 씨한테 넘기겠습니다", "그 건은 민재 씨에게 맡길게요": work handed to someone.
# "검색 속도 개선은 하린 씨 담당으로 할게요": the work put down as someone's.
_IN_CHARGE = re.compile(
    r"^(?P<task>.+?)(?:은|는|을|를)\s+(?P<name>[\uac00-\ud7a3A-Za-z]{1,10}?)\s*(?P<hon>님|씨|팀장님|선배님|매니저님)?\s*"
    r"(?:담당|몫|전담)(?:으로|이에요|입니다|으로\s+(?:할게요|하겠습니다|하죠|합시다|정하죠|정할게요|갈게요))\s*[.!]?$"
)
_HAND_OVER = re.compile(
    r"^(?P<task>.+?)(?:은|는|을|를|도)\s+(?P<name>[\uac00-\ud7a3A-Za-z]{1,10}?)\s*(?P<hon>님|씨|팀장님|선배님|매니저님)?\s*"
    r"(?:한테|에게|께|쪽으로|으로|로)\s+(?:\S+\s+)?(?:넘기|넘길|넘겨|맡기|맡길|맡겨|배정|할당|드리|드릴|이관)\S*\s*[.!]?$"
)
_BACK_OFFER = re.compile(r"^(?:그건|그거는|그거|그것은|그것도|이건|이거는|그\s*건은|그\s*부분은)\s")
_DECLINE = re.compile(
    r"^(?:아니요|아뇨|어렵|힘들|못\s|안\s*될|죄송|이번\s*주는\s*어렵|그건\s*좀)|(?:어려울 것 같|어렵겠|힘들 것 같|못 할 것 같)"
)


# Blocked before progress before done: "아직 못 끝내서 막혀 있습니다" is blocked, not done.
# "요청은 보냈고 금요일에 답을 받기로 했습니다": asked, answer arranged -- under way, not a plan.
_SENT_AND_WAITING = re.compile(
    r"(?:보냈|요청했|전달했|문의했|연락했|넘겼|드렸|올렸)고\s.*(?:기로\s*했|예정|기다리|받을)"
)
_STATUS_ORDER: tuple[tuple[Status, re.Pattern[str]], ...] = (
    ("blocked", _BLOCKED),
    ("in_progress", _PROGRESS),
    ("done", _DONE),
    ("done", _DONE_PAST),
    ("done", _DONE_ANY),
)


def _strip_ending(text: str, pattern: re.Pattern[str]) -> str:
    m = pattern.search(text)
    return text[: m.start()].strip() if m else text


def _clean_task(text: str) -> str:
    text = _DISCOURSE.sub("", text.strip(" ,.!?"))
    text = re.sub(r"^\S{1,10}?\s*(?:님|씨)\s*,\s*", "", text)  # "세라 씨, …": the addressee is not the task
    text = _SELF_SUBJECT.sub(" ", f" {text}").strip()
    text = _DATE_WORDS.sub(" ", text)
    text = re.sub(r"(?:^|\s)(?:일단|먼저|바로|꼭|다시|한번|좀|빨리|최대한|혹시)(?=\s|$)", " ", text)
    text = re.sub(r"\s+", " ", text).strip(" ,.")
    # "요청해 놓", "정리해 둘": the helper verb says it will be ready, not what.
    text = re.sub(r"\s*(?:놓|둘|두|둬|놔)$", "", text).strip()
    # Hanging verb stems ("업데이트하", "정리해") read better as the noun.
    text = re.sub(r"(?:하|해|해서|해서요|하도록|도록|하는 걸로|하는 것으로|할|하려고)$", "", text).strip()
    # "로그인 속도는 (지성 씨가 맡아 주세요)": the topic's particle is not part of the task.
    text = re.sub(r"(?<=[\uac00-\ud7a3]{2})(?:은|는)$", "", text).strip()
    return text


def _is_real_task(task: str) -> bool:
    return bool(task) and not _SMALL_TALK.search(task) and bool(key_words(task))


class KoreanRules:
    def sentences(self, text: str) -> list[str]:
        return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s and s.strip()]

    def clauses(self, sentence: str) -> list[str]:
        out: list[str] = []
        for part in _SENTENCE_END.split(sentence.strip()):
            if _SENT_AND_WAITING.search(part):
                out.append(part)  # "요청은 보냈고 금요일에 답을 받기로 했습니다": one report
                continue
            for c in _CLAUSE_SPLIT.split(part):
                # "견적서는 제가 챙기고, 계약서는 지은 씨가 봐 주세요": work split between people.
                out.extend(d for d in _SHARE_SPLIT.split(c) if d and d.strip())
        return out

    def is_question(self, text: str) -> bool:
        return bool(_QUESTION_END.search(text.strip()))

    def request(self, clause: str, names: Names) -> Request | None:
        text = _DISCOURSE.sub("", clause.strip())
        addressee: str | None = None
        voc = _VOCATIVE.match(text)
        if voc and (voc["hon"] or names.is_known(voc["name"])):
            addressee, text = voc["name"], voc["rest"].strip()
        lead = re.sub(r"^(?:그리고|그럼|그러면|다음으로|다음은|마지막으로|참)\s+", "", text)
        # "리포트 메일 템플릿은 누가 할 수 있을까요?": an open call, taken by whoever says "제가".
        open_call = re.match(
            r"^(?P<task>.+?)(?:은|는|을|를)\s+누가\s+(?:\S+\s+)?(?:할|맡|해|가져가|챙기|챙길|봐|볼)\S*", lead
        ) or re.match(r"^누가\s+(?P<task>.+?)\s*(?:할|맡을|해\s*줄|봐\s*줄|챙길)\s*(?:수\s*있|래요|까요|사람)", lead)
        if open_call is not None and self.is_question(text):
            task = _clean_task(open_call["task"])
            return Request(None, task, needs_answer=True) if _is_real_task(task) else None
        # "가격표 수정은요?": a piece of work put to the room; only someone who takes it owns it.
        bare = re.match(r"^(?P<task>.+?)(?:은|는)요\s*\?$", lead)
        if bare is not None:
            task = _clean_task(bare["task"])
            if _is_real_task(task) and len(key_words(task)) >= 2:
                return Request(addressee, task, needs_answer=True, needs_offer=True)
        m = _REQUEST_END.search(text)
        if m is None or re.search(r"(?:^|\s)(?:다들|여러분|모두|모든\s*분들?)(?:이|께서|은|는|도)?(?=\s|$)", text):
            return None  # "다들 시간 좀 지켜 주세요": said to the room, nobody's item
        if addressee is None:
            # "결제 모듈은 서연 씨가 맡아 주세요": the person named as subject is the addressee.
            named = re.search(
                r"(?:^|\s)(?P<name>[\uac00-\ud7a3]{1,4})\s*(?:님|씨)(?:가|이|께서|는|은)(?=\s|$)",
                text[: m.end()],
            )
            if named is not None:
                addressee = named["name"]
                text = (text[: named.start()] + " " + text[named.end() :]).strip()
                m = _REQUEST_END.search(text)
                if m is None:
                    return None
        question = text.rstrip().endswith("?") or bool(
            re.search(r"(?:까요|나요|래요|겠어요|있어요)\s*$", text.rstrip(" ."))
        )
        task = _clean_task(text[: m.start("verb")] + m["verb"])
        polite = addressee is not None and re.search(r"주시면\s*(?:좋겠|감사)", text)
        if ((_HEDGE.search(text) or _HEDGE_TASK.search(text)) and not polite) or not _is_real_task(task):
            return None
        if re.match(r"^(?:진행\s*상황|근황|현황|상황|업데이트|설명|의견|생각)", task) and not _DATE_WORDS.search(text):
            return None  # "민수 씨, 진행 상황 짧게 공유해 주세요": said for the meeting, now
        if addressee is None:
            # "…해 주세요" to nobody in particular: only an answer ("네, 제가 할게요") says who.
            return Request(None, task, needs_answer=True)
        return Request(addressee, task, needs_answer=question)

    def commitment(self, clause: str, names: Names) -> Commitment | None:
        text = clause.strip()
        if self.is_question(text) or _HEDGE.search(text) or _HEDGE_TASK.search(text) or _PAST_INTENT.search(text):
            return None
        handed = _HAND_OVER.match(_DISCOURSE.sub("", text)) or _IN_CHARGE.match(_DISCOURSE.sub("", text))
        if handed and (names.is_known(handed["name"]) or handed["hon"]):
            task = _clean_task(handed["task"])
            if _is_real_task(task):
                return Commitment(handed["name"], task, reassign=True)
        named = _NAMED_SUBJECT.match(_DISCOURSE.sub("", text))
        if named and (
            names.is_known(named["name"]) or re.search(r"(?:님|씨)", text[: named.end("name") + 3])
        ):
            task = _clean_task(" ".join(t for t in (named["topic"], named["rest"]) if t))
            return Commitment(named["name"], task) if _is_real_task(task) else None
        m = _COMMIT_END.search(text)
        if m is None and _SELF_SUBJECT.search(f" {text}") and not re.search(r"(?:어제|그제|지난\s*주|아까|방금|이미|벌써)", text):
            # "견적서는 제가 챙기고, …": the first half of a split, its promise carried by "제가".
            m = re.search(rf"(?<=[^{_PAST}\s])고\s*,?\s*$", text)
            if m is not None:
                half = _clean_task(text[: m.start()])
                return Commitment(SELF, half) if _is_real_task(half) else None
        if m is None or re.search(r"(?:못|안)\s*\S*(?:겠|게요)|지\s*(?:않|못)\S*(?:겠|게요)", text):
            return None
        body = text[: m.start()]
        # Without "제가" a "-겠습니다" is often the meeting talking about itself ("시작하겠습니다");
        # an object, a date or a named subject makes it a task.
        if not (_SELF_SUBJECT.search(f" {text}") or re.search(r"[을를]\s", body) or _DATE_WORDS.search(body)):
            return None
        # "금요일 퇴근 전까지": leaving work as a deadline, not as what is promised.
        if _SMALL_TALK.search(re.sub(r"(?:퇴근|점심)\s*전(?:까지|에)?", " ", text)) or (
            not _SELF_SUBJECT.search(f" {text}") and _MEETING_MECHANICS.search(body)
        ):
            return None
        task = _clean_task(body + text[m.start() : m.end()])
        task = re.sub(
            r"\s*(?:하겠습니다|하겠어요|할게요|할께요|할게|드리겠습니다|드릴게요|해 드릴게요|해 드리겠습니다|"
            r"겠습니다|겠어요|예정입니다|예정이에요|려고 합니다|려고 해요|도록 하겠습니다|[을를]?\s*맡을게요|[을를]?\s*맡겠습니다)$",
            "",
            task,
        )
        task = _clean_task(
            re.sub(r"(?:[\uac00-\ud7a3])(?:게요|께요|게)$", "", task)
            if task.endswith(("게요", "께요"))
            else task
        )
        if re.search(r"(?:계속|이어서)\s", f"{task} ") and not re.search(r"[을를]\s", task):
            return None
        return Commitment(SELF, task) if _is_real_task(task) else None

    def status(self, clause: str, names: Names) -> StatusFinding | None:
        text = _DISCOURSE.sub("", clause.strip())
        if not text or self.is_question(text) or _HEDGE.search(text):
            return None
        if re.search(r"(?:겠습니다|할게요|주세요|예정|기로|려고)", text) and not _SENT_AND_WAITING.search(text):
            return None  # future, requests and plans are not reports
        found: tuple[Status, re.Match[str]] | None = None
        for status, pattern in _STATUS_ORDER:
            m = pattern.search(text)
            if m is not None:
                found = (status, m)
                break
        if found is None:
            return None
        status_found, m = found
        if status_found == "done" and re.search(r"(?:못|안)\s*(?:했|끝|됐|마)", text):
            status_found = "in_progress"
        if status_found == "done" and re.search(r"\S까지\s*(?:다\s*)?(?:마쳤|끝냈|끝났|완료|했|됐)", text):
            status_found = "in_progress"  # "테스트까지 마쳤고": done up to a step, not the whole work
        # "마이그레이션은 완료했습니다": a task noun inside the match belongs to the subject.
        cut = (
            m.end("noun_end")
            if "noun_end" in m.re.groupindex and m.group("noun_end") is not None
            else m.start()
        )
        head = text[:cut].split()
        reason: str | None = None
        reason_end = next((i for i, tok in enumerate(head) if _REASON_TOKEN.search(tok)), None)
        if reason_end is not None:
            # The topic ("페이지는") ends the subject; "기다리는" is a verb form, not a topic.
            topic = max(
                (
                    i
                    for i in range(reason_end)
                    if re.search(r"[은는]$", head[i])
                    and not re.search(r"(?:하|되|있|없|주|보|오|시|다리|드리)는$", head[i])
                ),
                default=-1,
            )
            reason = " ".join(head[topic + 1 : reason_end + 1])
            head = head[: topic + 1] + head[reason_end + 1 :]
        elif status_found == "blocked":
            tail = re.search(
                r"(?:막혀|막혔|대기\s*중|보류)\S*\s*(?:있습니다|있어요|입니다)?[.,]?\s*(?P<r>.+)$",
                text,
            )
            wait = re.search(r"(?P<r>\S+(?:\s+\S+)?\s*(?:을|를)?\s*기다리고\s*있)", text)
            reason = wait["r"] if wait else (tail["r"].strip(" .") if tail else None)
        if status_found == "blocked" and reason_end is None:
            # "API 키 발급은 외부 업체 회신 대기 중": the topic is the work, the rest what it waits on.
            topic_at = next((i for i, w in enumerate(head) if re.search(r"[은는]$", w) and i > 0), None)
            if topic_at is not None and topic_at < len(head) - 1:
                reason = reason or " ".join(head[topic_at + 1 :])
                head = head[: topic_at + 1]
        subject = _subject(head)
        return StatusFinding(SELF, subject, status_found, reason or None)

    def decision(self, clause: str) -> str | None:
        text = clause.strip()
        if (
            self.is_question(text)
            or _HEDGE.search(text)
            or _NOT_DECISION.search(text)
            or _SENT_AND_WAITING.search(text)
        ):
            return None
        return _DISCOURSE.sub("", text).strip(" .") if _DECISION.search(text) else None

    def acceptance(self, text: str) -> bool | None:
        t = text.strip()
        if _DECLINE.search(t):
            return False
        if _ACCEPT.search(t):
            return True
        # "금요일은 빠듯하고 다음 주 월요일까지는 가능합니다": a yes to another day.
        if re.search(r"(?:가능합니다|가능해요|가능할 것 같|할 수 있(?:습니다|어요|을 것 같)|될 것 같(?:습니다|아요))\s*[.!]?$", t) and not re.search(
            r"(?:불가능|안\s*될|못|어렵)", t
        ):
            return True
        # "그럼 그건 제가 목요일까지 확인하겠습니다": taking "that" on oneself, whatever comes between.
        body = _DISCOURSE.sub("", t)
        if _BACK_OFFER.search(body) and _SELF_SUBJECT.search(f" {body}") and _COMMIT_END.search(body):
            return None if re.search(r"(?:못|안)\s*\S*(?:겠|게요)", body) else True
        return None

    def topic(self, text: str) -> str:
        t = text.strip(" ?")
        voc = _VOCATIVE.match(t)
        if voc and voc["hon"]:
            t = voc["rest"]
        t = re.sub(
            r"\s*(?:어떻게\s*(?:되고\s*있나요|됐나요|되어\s*가나요|돼\s*가요)|어때요|어떠세요|진행\s*상황은?|상황은?|는\s*어떻게.*|은\s*어떻게.*)$",
            "",
            t,
        )
        return " ".join(strip_particle(w) for w in t.split())


_SUBJECT_SKIP = re.compile(
    r"^(?:제가|저는|저도|저희는|저희가|어제|오늘|지난주|지난주에|어제까지|오늘까지|일단|그리고|아직|이미|다|거의|지금|현재|네|예|"
    r"벌써|드디어|방금|조금|좀|말씀드린|말씀하신|계속|이제|그|그건|그거|그것은|그거는|이건|이거)$"
)


def _subject(head: list[str]) -> str:
    words = [w for w in head if not _SUBJECT_SKIP.match(w)]
    if not words:
        return ""
    words[-1] = strip_particle(words[-1])
    return " ".join(words).strip(" ,.")
