"""Words for the offline rules: tokens, stop words, Korean particle stripping and a crude stemmer.

Shared by keyword extraction, ticket matching and the evaluation script, so that "the API docs",
"API documentation" and "API 문서를" are compared the same way everywhere. Deliberately simple and
dependency-free: the domain package may not import a morphological analyser.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_TOKEN_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_HANGUL_RE = re.compile(r"[\uac00-\ud7a3]")
_LATIN_RE = re.compile(r"[A-Za-z]")

STOP_EN = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing done down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them themselves
    then there these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours yourself yourselves
    ok okay yeah yes yep sure right well um uh hmm oh like really actually basically maybe probably
    perhaps think know going gonna wanna let lets get got gets getting make makes making made
    thing things stuff bit lot lots one two three first still already even much many need needs
    want wants go goes went see say said says tell told thanks thank thankyou please guys everyone
    everybody folks team today tomorrow yesterday week weeks month months day days morning
    afternoon tonight next last monday tuesday wednesday thursday friday saturday sunday
    january february march april june july august september october november december
    good great fine nice cool awesome sounds sound look looks looking around back quick quickly
    again anyway another every else sorry hey hi hello bye cheers i'll i'm i've i'd we'll we're
    we've you'll you're it's that's there's let's don't can't won't isn't aren't didn't doesn't
    wasn't end soon someone somebody something anything everything nothing time able sure
    try trying way put keep kind sort pretty per via into onto
    """.split()
)

# Particles and copulas that stick to a Korean word; longest first so "에서는" beats "는".
_PARTICLES_KO = tuple(
    sorted(
        """
        에서는 에서도 으로는 으로도 에게서 한테서 까지는 부터는 이라고 이라는 라는 라고 에서 에게 한테 으로
        까지 부터 처럼 보다 이랑 께서 이나 이요 입니다 이에요 예요 인데 은 는 이 가 을 를 에 로 와 과 도
        만 의 랑 나 요 님 씨
        """.split(),
        key=len,
        reverse=True,
    )
)
# Endings of 하다/되다 verbs on a Sino-Korean or loan-word noun ("업데이트하겠습니다" -> "업데이트").
_VERB_ENDINGS_KO = tuple(
    sorted(
        """
        하겠습니다 하겠어요 하겠음 할게요 할게 할께요 했습니다 했어요 했고 했는데 했으니 해서 해야 해요
        해주세요 해줘요 해드릴게요 해드리겠습니다 하도록 하기로 하기 하고 하는 하면 합니다 했다 하다 한 할 해
        중입니다 중이에요 중 되었습니다 됐습니다 되었어요 됐어요 되고 된 될 됩니다 돼요 되어 시키겠습니다
        드리겠습니다 드릴게요 드립니다 주세요
        """.split(),
        key=len,
        reverse=True,
    )
)
STOP_KO = frozenset(
    """
    저 제 제가 저는 저도 저희 저희가 우리 우리가 나 내가 그 이 저것 그것 이것 것 거 게 네 예 아 음 어
    좀 그럼 그리고 그런데 근데 그래서 그러면 혹시 오늘 내일 모레 이번 다음 지난 주 지난주 다음주 이번주
    지금 일단 먼저 정말 진짜 너무 많이 조금 다 또 더 잘 같이 함께 있습니다 없습니다 있어요 없어요 합니다
    하겠습니다 했습니다 감사합니다 알겠습니다 좋습니다 좋아요 좋네요 맞아요 맞습니다 그렇죠 월요일 화요일
    수요일 목요일 금요일 토요일 일요일 요일 까지 부터 주세요 부탁드립니다 부탁해요 완료 진행 작업 시작
    정도 관련 부분 쪽 때 수 등 및 월말 주말 안녕하세요 여러분 다들 모두 네네 아니요 아니 그냥 이제 아직
    거의 벌써 계속 한번 하나 두 세 분 님 씨 말씀 생각 얘기 이야기 부분은 할 하는 한 된 되는 될 해 했
    """.split()
)

# Same thing, different spelling: folded before stemming so they meet on one key word.
_ALIASES = {
    "doc": "doc", "docs": "doc", "documentation": "doc", "document": "doc", "documents": "doc",
    "db": "db", "database": "db", "databases": "db", "postgresql": "postgres",
    "pr": "pr", "prs": "pr", "k8s": "kubernetes", "repo": "repository", "repos": "repository",
    "e2e": "e2e", "qa": "qa", "ui": "ui", "ux": "ux", "api": "api", "apis": "api",
    "specs": "spec", "specification": "spec", "config": "config", "configs": "config",
    "configuration": "config", "slides": "slide", "deck": "slide",
    "문서화": "문서", "도큐먼트": "문서", "디비": "db", "데이터베이스": "db",
    "cert": "certificate", "certs": "certificate", "env": "environment", "envs": "environment",
    "prod": "production", "infra": "infrastructure", "perf": "performance", "signup": "signup",
    "sign-up": "signup", "setup": "setup", "e-mail": "email", "emails": "email", "ci/cd": "ci",
}  # fmt: skip

# Words people use for the same piece of work ("the Slack alerts" for "the Slack notifications"),
# for routing status talk to a ticket only: the scorer and ticket ids never see them. Words whose
# five-letter stems collide with other work ("transition", "translation", "transaction" are all
# "trans") stay out.
_SYNONYM_GROUPS = """
alert alerts notification notifications notify alerting ping pings
doc docs documentation guide guides readme manual handbook wiki writeup write-up
slide slides deck presentation pitch
mockup mockups wireframe wireframes design designs prototype comps
migrate migration move moving port porting cutover switch switchover
upgrade upgrades update bump
bug bugs issue issues crash crashes error errors defect problem
fix fixes fixing patch hotfix
test tests testing spec specs qa
report reports summary writeup analysis
contract contracts agreement agreements dpa msa
vendor vendors supplier suppliers provider providers
customer customers client clients user users
interview interviews call calls session sessions
survey surveys questionnaire questionnaires form
certificate certificates cert certs ssl tls
cleanup clean tidy removal remove prune
dashboard dashboards board boards
copy text wording content
release releases launch rollout ship
budget budgets cost costs spend forecast
hiring recruiting recruitment candidate candidates headcount
offsite retreat
roadmap plan plans planning
invoice invoices billing bill
email newsletter mail mailer
job jobs cron crons scheduler
page pages screen screens view
endpoint endpoints api
login logins signin sign-in auth authentication sso
signup signups registration registrations register enrollment
latency slowness slow slowdown performance speed
permission permissions role roles rbac
server servers host hosts instance instances box machine machines vm vms
pipeline pipelines ci
flaky flake flakes flakiness
runbook runbooks playbook playbooks
postmortem postmortems post-mortem retro retrospective
bucket buckets storage s3
key keys token tokens credential credentials secret secrets
chart charts graph graphs panel panels widget widgets
backup backups snapshot snapshots
database databases db dbs postgres postgresql mysql
문서 가이드 매뉴얼 위키
리포트 보고서 레포트
회의록 미팅노트
템플릿 양식 서식
설정 세팅
일정 스케줄
버그 오류 에러 장애 결함
배포 릴리스 릴리즈 출시 런칭
알림 푸시 노티
시안 목업 와이어프레임
속도 성능 지연
"""
_SYNONYMS: dict[str, str] = {}


def concept(word: str) -> str:
    """The synonym group of a stemmed word (the word itself when it has none)."""
    if not _SYNONYMS:
        for line in _SYNONYM_GROUPS.strip().splitlines():
            words = [stem(w) for w in line.split()]
            for w in words:
                _SYNONYMS.setdefault(w, words[0])
    return _SYNONYMS.get(word, word)


def tokens(text: str) -> list[str]:
    """Word tokens, NFKC-normalised and case-folded; punctuation dropped."""
    return _TOKEN_RE.findall(unicodedata.normalize("NFKC", text).casefold())


def is_hangul(text: str) -> bool:
    return _HANGUL_RE.search(text) is not None


def hangul_share(text: str) -> float:
    """Share of letters that are Hangul (0.0 when there are no letters at all)."""
    hangul = len(_HANGUL_RE.findall(text))
    latin = len(_LATIN_RE.findall(text))
    other = sum(1 for ch in text if ch.isalpha()) - hangul - latin
    total = hangul + latin + other
    return hangul / total if total else 0.0


def strip_suffix(word: str, suffixes: Iterable[str]) -> str:
    """Drop the first of ``suffixes`` that ends ``word``, keeping at least two characters."""
    for suffix in suffixes:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            return word[: -len(suffix)]
    return word


def strip_particle(word: str) -> str:
    """``"문서를"`` -> ``"문서"``; only one particle, and never below two characters of stem."""
    return strip_suffix(word, _PARTICLES_KO)


def strip_verb_ending(word: str) -> str:
    return strip_suffix(word, _VERB_ENDINGS_KO)


def stem(word: str) -> str:
    """A crude, stable key for one token: aliases, Korean particles/endings, English suffixes.

    English words are cut to five letters after suffix removal so "migration", "migrate" and
    "migrating" meet; collisions this causes are rare among the nouns tickets are made of.
    """
    word = _ALIASES.get(word, word)
    if is_hangul(word):
        word = strip_verb_ending(strip_particle(word))
        return _ALIASES.get(word, word)
    if not word.isascii() or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("ing") and len(word) > 5:
        word = word[:-3]
    elif word.endswith("ed") and len(word) > 4:
        word = word[:-2]
    elif word.endswith(("ches", "shes", "sses", "xes", "zes")) and len(word) > 4:
        word = word[:-2]
    elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        word = word[:-1]
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    word = _ALIASES.get(word, word)
    return word[:5]


def is_stop(word: str) -> bool:
    """Stop words, in either language, before stemming (``word`` as :func:`tokens` returns it)."""
    if word in STOP_EN or word in STOP_KO or word.isdigit():
        return True
    if is_hangul(word):
        bare = strip_particle(word)
        return bare in STOP_KO or strip_verb_ending(bare) in STOP_KO
    return len(word) < 2


def key_words(text: str, extra_stop: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The stemmed content words of ``text``, unique, in order of first appearance."""
    seen: dict[str, None] = {}
    for token in tokens(text):
        if is_stop(token) or token in extra_stop:
            continue
        key = stem(token)
        if key and key not in STOP_KO and key not in extra_stop:
            seen.setdefault(key, None)
    return tuple(seen)


def words_match(a: str, b: str) -> bool:
    """Two stemmed words name the same thing: equal, or Korean compounds containing one another."""
    if a == b:
        return True
    if len(a) >= 2 and len(b) >= 2 and is_hangul(a) and is_hangul(b):
        return a in b or b in a
    return False


def _joined(words: tuple[str, ...]) -> dict[str, tuple[int, int]]:
    """An English compound written in two words, or heard so ("web hooks", "post-mortem", "road
    map", "dead line"), keyed as the one word would be: ``stem(a + b)`` of two stems next to each
    other, the first one whole (shorter than a stem's five letters), mapped to the two positions.
    Not reached: a compound with an alias of its own ("data base" is not "database", whose key is
    "db") or a part that is a stop word ("time line", "sign up")."""
    out: dict[str, tuple[int, int]] = {}
    for i in range(len(words) - 1):
        a, b = words[i], words[i + 1]
        if 2 <= len(a) < 5 and len(b) >= 2 and a.isascii() and a.isalpha() and b.isascii() and b.isalpha():
            out.setdefault(stem(a + b), (i, i + 1))
    return out


def overlap(query: tuple[str, ...], target: tuple[str, ...]) -> int:
    """How many words of ``query`` occur in ``target`` (see :func:`words_match`); a compound
    counts whether it is written as one word or two on either side ("webhook retries" and "the
    web hook retry" share both their words)."""
    found = [any(words_match(q, t) for t in target) for q in query]
    if not all(found):
        joined_target = _joined(target)
        for i, q in enumerate(query):
            found[i] = found[i] or q in joined_target
        targets = set(target)
        for key, (i, j) in _joined(query).items():
            if key in targets:
                found[i] = found[j] = True
    return sum(found)
