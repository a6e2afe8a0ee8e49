"""Diarization through the flow's own path: DER, cost, and owners of action items with and
without enrollment and glossary.

    python bench/diarization_flow.py [--only der|owners] [--meetings N] [--voices speech|distinct|both]
                                     [--glossary no|yes|both] [--model tiny.en|base|DIR]
                                     [--explain] [--cache DIR]

Every meeting goes through ``flows.transcription.MeetingLogic`` as one source with no speaker,
sent live (5 s chunks, the clock moving 5 s per chunk): windows cut at pauses, Whisper
(VORI_WHISPER_MODEL, default tiny.en), then ``flows.speakers`` labels each segment S1, S2, …,
and at the close clusters all turns again (``Relabel`` items, and segments split where their
turns' speakers change).

- **DER** on ``bench/diarization.py``'s scripted meetings (2-5 espeak voices in one track, one
  with overlapping turns, one with a human reader), four hypotheses: the transcript segments'
  spans with their live labels (``seg``) and after the close (``seg+close``): speech Whisper left
  out counts as missed and segment bounds that run into a pause as false alarm; and the
  diarization's own speech turns (``turns``, ``turns+close``), pauses of 0.55 s or more left
  out. Frame-level, optimal one-to-one mapping, no collar and the usual 0.25 s collar.
- **Cost**: seconds spent labelling (voice activity, embeddings, clustering, the close) per
  audio-second.
- **Owners**: each English eval/minutes meeting rendered as ONE mixed track, one espeak voice per
  speaker (two voice sets: bench/speech.py's VOICES, which repeat beyond four speakers and hold
  two near-identical voices, and six distinct variants), minutes by the offline writer, labels
  after the close. A labelled action item is *found* when a predicted item holds >= 60 % of its
  key words (owner ignored, as bench/minutes_eval.py); its owner is right when the predicted
  owner is the labelled person. Columns, to see where items and owners are lost: ``text`` (the
  script with its true speakers: extraction at best), ``asr`` (the transcript, no speakers),
  ``oracle`` (S-labels mapped to people by the time they share; ``live``: before the close),
  ``named`` (the flow's naming from the conversation with the team's roster, no voices),
  ``learned`` (the same plus voices learned from the team's earlier meetings: the meetings run
  in each team's date order, and labels the conversation named at LEARN_MIN_CONFIDENCE or more
  teach their voice; still no enrollment), ``enrolled`` (the same with each person's voice
  enrolled from another sample). With ``--glossary yes`` the team's names and product words
  reach Whisper as hotwords and the post-correction, as ``flows.team_context`` does for a team
  with a roster and glossary.
- ``--explain``: per meeting, every piece of name evidence the conversation gave (label, name,
  kind, weight; negative: against), the pair scores, each label's naming with its confidence
  against the shared-time truth, what the learned voices added, and a tally by confidence band.
- ``--model``: another Whisper model for this run (a multilingual one is told the meetings are
  English). ``--cache DIR``: keep each meeting's flow output and reuse it, so naming can be
  tried again without Whisper (clear it after changing the diarization).

Figures are printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import hashlib
import itertools
import pickle
import re
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

import diarization as bench_diar
from bytewax.connectors.kafka import KafkaSourceMessage
from minutes_eval import ACTION_SHARE, coverage
from speech import PAUSE_S, VOICES, eval_meetings, speak
from transcription import wer

from connectors.audio import pcm_to_float32
from connectors.diarization import VoiceEncoder
from connectors.settings import Settings
from connectors.voiceprint import voiceprint_of
from domain.envelope import AudioChunk
from domain.extraction import extract_minutes
from domain.minutes import Utterance
from domain.naming import (
    LEARN_MIN_CONFIDENCE,
    LearnedVoice,
    Member,
    Naming,
    apply_names,
    explain_speakers,
    name_speakers,
)
from domain.records import RevisionRecord
from domain.revision import MIN_COVERAGE, LiveLine
from domain.speakers import Relabel, Turn, follows_relabel
from domain.tickets import same_person
from domain.timeline import MeetingClosed
from domain.transcript import Segment, TranscribedWindow
from flows import team_context
from flows.refine import RefineLogic, min_coverage, refine_config, refine_settings
from flows.speakers import DiarizationConfig, Diarizer
from flows.transcription import (
    Accepted,
    HeldAudio,
    IntakeClock,
    MeetingLogic,
    TranscriptionFailures,
    _LazyTranscriber,
    timeline_config,
)

RATE = 16_000
CHUNK_S = 5.0
DISTINCT6 = [*bench_diar.DISTINCT, "en-us+m1"]


class _Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Timed:
    """A Diarizer whose labelling time is counted."""

    inner: Diarizer
    seconds: float = 0.0
    # Wall time by default; ``time.thread_time`` counts the CPU the labelling itself takes.
    clock: Callable[[], float] = time.perf_counter
    closed: list[Any] = field(default_factory=list)  # what the latest close changed

    def label(self, state: Any, segments: Any, audio: Any, start_ms: int) -> Any:
        t0 = self.clock()
        try:
            return self.inner.label(state, segments, audio, start_ms)
        finally:
            self.seconds += self.clock() - t0

    def close(self, state: Any, meeting_id: str, team: str | None) -> Any:
        t0 = self.clock()
        try:
            changes, after = self.inner.close(state, meeting_id, team)
            self.closed = list(changes)
            return changes, after
        finally:
            self.seconds += self.clock() - t0


_MODELS: dict[str, _LazyTranscriber] = {}


@dataclass
class FlowRun:
    segments: list[Segment]  # as labelled live
    relabels: list[Relabel]  # from the clustering again at close
    turns_live: list[Turn]  # speech spans with their labels when heard
    turns_closed: list[Turn]  # the same after the clustering at close
    voices: dict[str, list[float]]  # each label's voice after the close
    # Segments split at close: the parts replace what the source had in the span, as in the
    # store. A class default, so runs cached before (no splits) load too.
    splits: tuple[TranscribedWindow, ...] = ()

    def closed_segments(self) -> list[Segment]:
        """The transcript as the store holds it after the close."""
        new = {(r.source, r.start_ms, r.old): r.new for r in self.relabels}
        out = [replace(s, speaker=new.get((s.source, s.start_ms, s.speaker or ""), s.speaker))
               for s in self.segments]
        for w in self.splits:
            out = [s for s in out if s.source != w.source or not w.start_ms <= s.start_ms < w.end_ms]
            out += w.segments
        return sorted(out, key=lambda s: (s.start_ms, s.source))

    def after_close(self, rows: list[Segment]) -> list[Segment]:
        """``rows`` (live rows from before the close, and refined ones read while the meeting went
        on) as the store leaves them once the close's relabels and splits are written: a live row
        takes its relabel or split, a refined one follows the relabel of the live segment it was
        read from (``domain.speakers.follows_relabel``; a split does not reach it)."""
        live = {id(s) for s in self.segments}
        closed = {(s.source, s.start_ms): s for s in self.closed_segments()}
        ends: dict[tuple[str, int], int] = {}
        for t in self.turns_closed:  # as the flow sends them: where the segment's speech ends
            key = (t.source, t.segment_ms)
            ends[key] = max(ends.get(key, 0), t.end_ms)
        relabels = [r if r.end_ms is not None else replace(r, end_ms=ends.get((r.source, r.start_ms)))
                    for r in self.relabels]
        if all(r.end_ms is None for r in self.relabels):
            # A run cached before the flow sent the relabels of split parts: the same, rebuilt.
            was = {(s.source, s.start_ms): s.speaker for s in self.segments}
            relabels += [Relabel(p.meeting_id, None, p.source, p.start_ms, old, p.speaker, p.end_ms)
                         for w in self.splits for p in w.segments
                         if (old := was.get((w.source, w.start_ms))) and p.speaker and p.speaker != old]
        out: list[Segment] = []
        for s in rows:
            if id(s) in live:
                parts = [w for w in self.splits if w.source == s.source and w.start_ms <= s.start_ms < w.end_ms]
                if parts:
                    out += [p for p in parts[0].segments if p not in out]
                else:
                    out.append(closed.get((s.source, s.start_ms), s))
                continue
            for r in relabels:
                if r.source == s.source and follows_relabel(r, s.start_ms, s.end_ms, s.speaker):
                    s = replace(s, speaker=r.new)
            out.append(s)
        return sorted(out, key=lambda s: (s.start_ms, s.source))


def live_chunks(meeting_id: str, pcm16: np.ndarray, clock: _Clock,
                team: str | None) -> Iterator[tuple[bool, Accepted]]:
    """The meeting as one source with no speaker, sent live: 5 s chunks, the clock moving 5 s per
    chunk, then an empty final one; each with whether it is the final one."""
    step = int(CHUNK_S * RATE)
    pieces = [pcm16[i : i + step] for i in range(0, len(pcm16), step)] + [np.zeros(0, np.int16)]
    for seq, piece in enumerate(pieces):
        final = seq == len(pieces) - 1
        chunk = AudioChunk(meeting_id, seq, "main", None, "pcm_s16le", RATE, 1, b"", final, None)
        msg = KafkaSourceMessage(key=meeting_id.encode(), value=b"", topic="audio.raw", offset=seq, partition=0)
        clock.now += CHUNK_S
        yield final, Accepted(chunk, piece.astype("<i2").tobytes(), int(clock.now * 1000), team, msg)  # type: ignore[arg-type]


def run_flow(meeting_id: str, pcm16: np.ndarray, settings: Settings, diarizer: Timed,
             team: str | None = None) -> FlowRun:
    """The meeting's segments as the flow writes them, sent live in 5 s chunks."""
    clock = _Clock()
    logic = MeetingLogic(meeting_id, timeline_config(settings), _MODELS.setdefault(settings.whisper_model, _LazyTranscriber(settings)), clock, None,
                         diarizer=diarizer)  # type: ignore[arg-type]
    out: list[object] = []
    turns_live: list[Turn] = []
    diarizer.closed = []
    for final, accepted in live_chunks(meeting_id, pcm16, clock, team):
        if final:
            turns_live = list(logic.state.speakers.turns)
        got, _ = logic.on_batch([accepted])
        out += got
    got, _ = logic.on_eof()
    out += got
    if not any(isinstance(x, MeetingClosed) for x in out):
        raise RuntimeError(f"{meeting_id} did not close")
    voices = {s.label: list(s.centroid()) for s in logic.state.speakers.clusters.speakers}
    splits = tuple(w for w in diarizer.closed if isinstance(w, TranscribedWindow))
    parts = {id(p) for w in splits for p in w.segments}
    return FlowRun([s for s in out if isinstance(s, Segment) and id(s) not in parts],
                   [r for r in out if isinstance(r, Relabel)], turns_live, list(logic.state.speakers.turns),
                   voices, splits)


class _Readings:
    """The recogniser, its readings kept in ``cache`` by audio and hints (so the refine flow's
    choices can be tried again without Whisper)."""

    def __init__(self, inner: Any, cache: Path | None) -> None:
        self._inner = inner
        self._cache = cache
        self.model_name = inner.model_name

    def transcribe(self, audio: np.ndarray, **kw: Any) -> Any:
        if self._cache is None:
            return self._inner.transcribe(audio, **kw)
        digest = hashlib.sha256(audio.tobytes() + repr((self.model_name, sorted(kw.items()))).encode()).hexdigest()[:24]
        path = self._cache / f"{self.model_name}-{digest}.pkl"
        if path.exists():
            return pickle.loads(path.read_bytes())
        got = self._inner.transcribe(audio, **kw)
        self._cache.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(got))
        return got


def run_refine(meeting_id: str, pcm16: np.ndarray, settings: Settings, rows: list[Segment],
               team: str | None = None, cache: Path | None = None, floor: float = MIN_COVERAGE) -> list[Segment]:
    """The meeting as the refine flow reads it again (``flows.refine.RefineLogic``, the same 5 s
    chunks in real time: 90-120 s windows, and the rest at the end), the live rows being
    ``rows``: the labels are carried over from them, and a reading that lost much of their text is
    read again without hotwords, else their text is kept."""
    clock = _Clock()

    def lines(team: str | None, meeting_id: str, source: str, start_ms: int, end_ms: int) -> list[LiveLine]:
        return [LiveLine(sg.start_ms, sg.end_ms, sg.speaker, sg.text) for sg in rows
                if start_ms <= sg.start_ms < end_ms]

    model = _MODELS.setdefault(settings.whisper_model, _LazyTranscriber(settings))
    logic = RefineLogic(refine_config(settings, settings.max_chunk_seconds),
                        lambda: _Readings(model(), cache), clock, None,  # type: ignore[arg-type,return-value]
                        IntakeClock(clock), HeldAudio(), TranscriptionFailures(), lines, floor)
    out: list[object] = []
    for _, accepted in live_chunks(meeting_id, pcm16, clock, team):
        got, _ = logic.on_batch([accepted])
        out += got
    got, _ = logic.on_eof()
    out += got
    revised = [r for r in out if isinstance(r, RevisionRecord)]
    kept = [sg for sg in rows if not any(r.start_ms <= sg.start_ms < r.end_ms for r in revised)]
    return sorted([*kept, *(sg for r in revised for sg in r.segments)], key=lambda sg: sg.start_ms)


def best_mapping(co: dict[tuple[str, str], float]) -> dict[str, str]:
    """hyp label -> ref person, one-to-one, maximising the time they speak together."""
    hyps = sorted({h for h, _ in co})
    refs = sorted({r for _, r in co})
    best: tuple[float, dict[str, str]] = (-1.0, {})
    if len(hyps) <= len(refs):
        for perm in itertools.permutations(refs, len(hyps)):
            score = sum(co.get((h, r), 0.0) for h, r in zip(hyps, perm, strict=True))
            if score > best[0]:
                best = (score, dict(zip(hyps, perm, strict=True)))
    else:
        for perm in itertools.permutations(hyps, len(refs)):
            score = sum(co.get((h, r), 0.0) for h, r in zip(perm, refs, strict=True))
            if score > best[0]:
                best = (score, dict(zip(perm, refs, strict=True)))
    return best[1]


def der_table(settings: Settings, diarizer: Timed, limit: int | None) -> None:
    print("hyp: seg = the transcript segments' spans (Whisper's bounds, pauses inside counted as "
          "speech); turns = the diarization's speech turns (pauses of 0.55 s or more left out); "
          "+close = after the clustering again at the meeting's close. DER with no collar and "
          "with a 0.25 s collar (DER.25).")
    print(f"{'meeting':22} {'sec':>6} {'hyp':12} {'DER':>6} {'miss':>5} {'FA':>5} {'conf':>5} {'DER.25':>6} "
          f"{'#spk':>4} {'diar ms/s':>9}")
    for m in bench_diar.meetings()[:limit]:
        sec = len(m.pcm) / RATE
        pcm16 = np.clip(np.round(m.pcm * 32768), -32768, 32767).astype(np.int16)
        before = diarizer.seconds
        run = run_flow(f"der-{m.name}", pcm16, settings, diarizer)
        cost = (diarizer.seconds - before) / sec * 1000
        hyps = {
            "seg": [(s.start_ms / 1000, s.end_ms / 1000, s.speaker or "?") for s in run.segments],
            "seg+close": [(s.start_ms / 1000, s.end_ms / 1000, s.speaker or "?") for s in run.closed_segments()],
            "turns": [(t.start_ms / 1000, t.end_ms / 1000, t.label) for t in run.turns_live],
            "turns+close": [(t.start_ms / 1000, t.end_ms / 1000, t.label) for t in run.turns_closed],
        }
        for name, hyp in hyps.items():
            d0, d25 = bench_diar.der(m.ref, hyp, sec, 0.0), bench_diar.der(m.ref, hyp, sec, 0.25)
            print(f"{m.name:22} {sec:6.1f} {name:12} {d0['der']:6.1%} {d0['miss']:5.1%} {d0['fa']:5.1%} "
                  f"{d0['conf']:5.1%} {d25['der']:6.1%} {d0['n_hyp']:4d} {cost:9.1f}")
        sys.stdout.flush()


def voices_of(people: list[str], voices: list[str]) -> dict[str, str]:
    """Each person's voice: the same in every meeting of their team (``people`` is the team's
    roster, sorted), as a person's own voice is."""
    return {p: voices[i % len(voices)] for i, p in enumerate(sorted(people))}


def render_mixed(meeting: dict[str, Any], voices: list[str],
                 team: list[str] | None = None) -> tuple[np.ndarray, list[tuple[int, int, str]]]:
    """As bench/speech.py's render (one mixed track, PAUSE_S between utterances) with each
    utterance's (start_ms, end_ms, speaker); voices by ``team`` (the team's roster) when given,
    else by the meeting's own speakers."""
    voice = voices_of(team or sorted({u["speaker"] for u in meeting["utterances"]}), voices)
    pause = np.zeros(int(PAUSE_S * RATE), dtype=np.int16)
    parts, spans, at = [], [], 0
    for u in meeting["utterances"]:
        pcm = speak(u["text"], voice[u["speaker"]])
        spans.append((at * 1000 // RATE, (at + len(pcm)) * 1000 // RATE, u["speaker"]))
        parts += [pcm, pause]
        at += len(pcm) + len(pause)
    return np.concatenate(parts), spans


@dataclass
class Owners:
    labels: int = 0
    predicted: int = 0
    found: int = 0
    right: int = 0

    def add(self, o: Owners) -> None:
        self.labels += o.labels
        self.predicted += o.predicted
        self.found += o.found
        self.right += o.right

    def row(self) -> str:
        acc = self.right / self.found if self.found else 0.0
        p = self.right / self.predicted if self.predicted else 0.0
        r = self.right / self.labels if self.labels else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        return f"{self.found:>3}/{self.labels:<3} {self.right:>3} {acc:>6.2f} {f1:>6.2f}"


def score_owners(meeting: dict[str, Any], utts: list[Utterance], mapping: dict[str, str]) -> Owners:
    minutes = extract_minutes(utts, datetime.date.fromisoformat(meeting["date"]), "en")
    labels = meeting["labels"].get("action_items", [])
    pairs = sorted(
        (-coverage(lab["keywords"], item.task), li, pi)
        for li, lab in enumerate(labels)
        for pi, item in enumerate(minutes.action_items)
        if coverage(lab["keywords"], item.task) >= ACTION_SHARE
    )
    used_l: set[int] = set()
    used_p: set[int] = set()
    s = Owners(labels=len(labels), predicted=len(minutes.action_items))
    for _, li, pi in pairs:
        if li in used_l or pi in used_p:
            continue
        used_l.add(li)
        used_p.add(pi)
        s.found += 1
        owner = minutes.action_items[pi].assignee
        if owner is not None and same_person(labels[li].get("assignee"), mapping.get(owner, owner)):
            s.right += 1
    return s


# Product and service words of the English eval meetings (their teams' glossaries).
TERMS = ["CSV", "Node", "SDK", "API", "Acme", "SSO", "Avro", "Flink", "Slack", "Postgres", "SLA", "Svelte",
         "Okta", "Kafka", "TLS", "SSL", "Figma", "Jenkins", "SPF", "Stripe", "Globex", "Explorer"]
# Enrollment reads other words than any meeting's (about 12 s of speech).
ENROLL = ("Hello, this is a sample of my voice for the team roster. I usually work on the product "
          "and I join the weekly planning and the daily standup. Please use this recording to know me.")


class _Teams(team_context.TeamContexts):
    """The bench's teams: roster names and glossary without a database."""

    def __init__(self, teams: dict[str, team_context.TeamContext]) -> None:
        super().__init__("bench")
        self._teams = teams

    def get(self, team: str | None) -> team_context.TeamContext:
        return self._teams.get(team or "", team_context.TeamContext())


def team_vocabulary(meetings: list[dict[str, Any]]) -> dict[str, team_context.TeamContext]:
    people: dict[str, set[str]] = {}
    terms: dict[str, set[str]] = {}
    for m in meetings:
        people.setdefault(m["team"], set()).update(u["speaker"] for u in m["utterances"])
        text = " ".join(u["text"] for u in m["utterances"])
        terms.setdefault(m["team"], set()).update(t for t in TERMS if re.search(rf"\b{t}\b", text))
    return {t: team_context.TeamContext(tuple(Member(p) for p in sorted(people[t])), tuple(sorted(terms[t])))
            for t in people}


def cached_run(cache: Path | None, key: tuple[Any, ...], run: Any) -> Any:
    """``run()``, or what it gave before for the same model, voices, glossary and meeting script
    (``--cache``: naming can then be tried again without Whisper; the diarization code is not
    part of the key, so clear the folder after changing it)."""
    if cache is None:
        return run()  # type: ignore[no-any-return]
    digest = hashlib.sha256(repr(key).encode()).hexdigest()[:16]
    path = cache / f"{key[3]['meeting_id']}-{digest}.pkl"
    if path.exists():
        return pickle.loads(path.read_bytes())  # type: ignore[no-any-return]
    got = run()
    cache.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(got))
    return got  # type: ignore[no-any-return]


def explain_naming(named: Naming, truth: dict[str, str], tally: dict[str, int]) -> None:
    """What the conversation said about each label, the scores, and the naming against the truth
    (the shared-time mapping)."""
    print(f"  truth (shared time): {', '.join(f'{k}={v}' for k, v in sorted(truth.items()))}")
    for e in sorted(named.evidence, key=lambda e: (e.label, e.name, -e.weight)):
        quote = e.quote if len(e.quote) <= 100 else e.quote[:97] + "..."
        print(f"    {e.label:4} {e.name:10} {e.how:10} {e.weight:+.2f}  {quote}")
    scores = sorted(named.scores.items(), key=lambda kv: -kv[1])
    print("  scores: " + ", ".join(f"{lab}={n} {v:.2f}" for (lab, n), v in scores[:12]))
    for label in sorted(truth, key=lambda x: (len(x), x)):
        tally["labels"] += 1
        got = named.names.get(label)
        if got is None:
            tally["unnamed"] += 1
            print(f"  {label}: unnamed (is {truth[label]})")
            continue
        ok = same_person(got.name, truth[label])
        tally["right" if ok else "wrong"] += 1
        band = "0.45-0.6" if got.confidence < 0.6 else "0.6-0.75" if got.confidence < 0.75 else ">=0.75"
        tally[f"{'right' if ok else 'wrong'} {band}"] = tally.get(f"{'right' if ok else 'wrong'} {band}", 0) + 1
        if got.confidence >= 0.8:
            tally["right_hi" if ok else "wrong_hi"] += 1
        print(f"  {label}: {got.name} {got.confidence:.2f} ({got.how}) {'right' if ok else 'WRONG, is ' + truth[label]}")


def owners_table(settings: Settings, diarizer: Timed, limit: int | None, voice_sets: list[str],
                 glossary: list[bool], cache: Path | None = None, explain: bool = False,
                 refined: bool = False) -> None:
    """Owners of action items, split by where they are lost: ``text`` is the script itself with
    its speakers (what extraction can do at best), ``asr`` the flow's transcript without
    speakers, ``oracle`` its S-labels mapped to people by the time they share (the diarization
    alone; ``live``: the same with the labels before the close), ``named`` the flow's own naming
    from the conversation with the team's roster (no voices), ``learned`` the same plus the voices
    learned from the team's earlier meetings (labels named from the conversation at
    LEARN_MIN_CONFIDENCE or more; no enrollment), ``enrolled`` the same with each person's voice
    enrolled from another sample. With ``refined``, four more: the transcript once the refine flow
    has read the meeting again after its close, labels carried over from the live rows, mapped by
    shared time (``refined-or``), named from the conversation (``refined-nm``) or by enrolled
    voices (``refined-en``); and the same
    read while the meeting went on (``early-…``: labels from the live rows before the close, as a
    long meeting's windows before its last are, then the close's relabels followed as the store
    follows them: ``FlowRun.after_close``)."""
    everything = eval_meetings("en")
    meetings = everything[:limit]
    refining = refine_settings(settings)  # the refine flow's model and language (VORI_REFINE_MODEL)
    floor = min_coverage(settings)
    teams = team_vocabulary(everything)
    enc = VoiceEncoder(settings.speaker_weights)
    sets = {"speech": ("bench/speech.py VOICES", VOICES), "distinct": ("six distinct voices", DISTINCT6)}
    cols: tuple[str, ...] = ("text", "asr", "live", "oracle", "named", "learned", "enrolled")
    if refined:
        cols += ("refined-or", "refined-nm", "refined-en", "early-or", "early-nm")
    for key in voice_sets:
        name, voices = sets[key]
        prints = {v: voiceprint_of(pcm_to_float32(speak(ENROLL, v)), enc) for v in dict.fromkeys(voices)}
        for with_glossary in glossary:
            team_context._CONTEXTS = _Teams(teams) if with_glossary else None
            print(f"\nvoices: {name} ({', '.join(voices)}); glossary and roster names as hotwords and "
                  f"correction: {'yes' if with_glossary else 'no'}")
            print(f"{'meeting':32} {'ppl':>3} {'#S':>3} " + " | ".join(f"{c + ': found right acc F1':>25}"
                                                                       for c in cols))
            totals = {c: Owners() for c in cols}
            tally = dict.fromkeys(("labels", "right", "wrong", "unnamed", "right_hi", "wrong_hi"), 0)
            # Voices learned so far per team and member (the meetings run in each team's date order).
            learned: dict[str, dict[str, list[LearnedVoice]]] = {}
            renamed: dict[str, dict[str, list[LearnedVoice]]] = {}
            later: dict[str, Owners] = {}
            said: dict[str, list[str]] = {"script": [], "live": [], "refined": []}
            for meeting in meetings:
                roster = teams[meeting["team"]].members
                team_people = [m.name for m in roster]
                pcm, spans = render_mixed(meeting, voices, team_people)
                people = sorted({u["speaker"] for u in meeting["utterances"]})
                run = cached_run(cache, (settings.whisper_model, key, with_glossary, meeting, "team voices"),
                                 lambda m=meeting, pcm=pcm: run_flow(f"own-{m['meeting_id']}", pcm, settings,
                                                                     diarizer, team=m["team"]))
                segs = run.closed_segments()

                def mapping(segs: list[Segment], spans: list[tuple[int, int, str]] = spans) -> dict[str, str]:
                    co: dict[tuple[str, str], float] = {}
                    for sg in segs:
                        for a, b, who in spans:
                            both = max(0, min(b, sg.end_ms) - max(a, sg.start_ms))
                            if both and sg.speaker:
                                co[(sg.speaker, who)] = co.get((sg.speaker, who), 0.0) + both
                    return best_mapping(co)
                utts = [Utterance(sg.speaker, sg.text, sg.start_ms, sg.end_ms) for sg in segs]
                voice_of = voices_of(team_people, voices)
                enrolled = tuple(Member(m.name, voiceprint=tuple(float(x) for x in prints[voice_of[m.name]]))
                                 if m.name in voice_of else m for m in roster)
                script = [Utterance(u["speaker"], u["text"], i * 4000, i * 4000 + 3000)
                          for i, u in enumerate(meeting["utterances"])]
                named = explain_speakers(utts, roster)
                if explain:
                    print(f"== {meeting['meeting_id']}")
                    explain_naming(named, mapping(segs), tally)
                mid = meeting["meeting_id"]
                first_of_team = meeting["team"] not in learned
                known = learned.setdefault(meeting["team"], {})
                # As if a person had named every label of the team's first meeting on the board
                # (from the shared time): those voices are learned with how = 'person'.
                taught = renamed.setdefault(meeting["team"], {})
                if first_of_team:
                    for lab, who in mapping(segs).items():
                        if lab in run.voices:
                            taught.setdefault(who, []).append(
                                LearnedVoice(tuple(run.voices[lab]), mid, lab, 1.0, "person"))
                    after_rename = None
                else:
                    after_rename = explain_speakers(
                        utts, [Member(m.name, learned=tuple(taught.get(m.name, ()))) for m in roster],
                        voices=run.voices, meeting_id=mid)
                series = explain_speakers(utts, [Member(m.name, learned=tuple(known.get(m.name, ())))
                                                 for m in roster], voices=run.voices, meeting_id=mid)
                if explain:
                    print("  with learned voices: " + (", ".join(
                        f"{n.label}={n.name} {n.confidence:.2f} ({n.how}{': ' + n.evidence[0] if n.how == 'voice' else ''})"
                        for n in series.names.values()) or "-"))
                    print("  learned voice evidence: " + (", ".join(
                        f"{e.label}={e.name} {e.weight:.2f}" for e in series.evidence if e.how == "voice") or "-"))
                for n in series.names.values():
                    if n.how not in ("voice", "person") and n.confidence >= LEARN_MIN_CONFIDENCE \
                            and n.label in run.voices:
                        known.setdefault(n.name, []).append(LearnedVoice(
                            tuple(run.voices[n.label]), mid, n.label, n.confidence, n.how))
                got = {
                    "text": score_owners(meeting, script, {}),
                    "asr": score_owners(meeting, [Utterance(None, u.text, u.start_ms, u.end_ms) for u in utts], {}),
                    "live": score_owners(meeting, [Utterance(sg.speaker, sg.text, sg.start_ms, sg.end_ms)
                                                   for sg in run.segments], mapping(run.segments)),
                    "oracle": score_owners(meeting, utts, mapping(segs)),
                    "named": score_owners(meeting, apply_names(utts, named.names), {}),
                    "learned": score_owners(meeting, apply_names(utts, series.names), {}),
                    "enrolled": score_owners(meeting, apply_names(utts, name_speakers(
                        utts, enrolled, voices=run.voices)), {}),
                }
                if refined:
                    # Refined after the close (as a short meeting is): the live rows are the closed ones.
                    again = run_refine(f"own-{meeting['meeting_id']}", pcm, refining, segs, team=meeting["team"],
                                       cache=cache and cache / "readings", floor=floor)
                    said["script"].append(" ".join(u["text"] for u in meeting["utterances"]))
                    said["live"].append(" ".join(sg.text for sg in segs))
                    said["refined"].append(" ".join(sg.text for sg in again))
                    r_utts = [Utterance(sg.speaker, sg.text, sg.start_ms, sg.end_ms) for sg in again]
                    got["refined-or"] = score_owners(meeting, r_utts, mapping(again))
                    got["refined-nm"] = score_owners(
                        meeting, apply_names(r_utts, explain_speakers(r_utts, roster).names), {})
                    got["refined-en"] = score_owners(meeting, apply_names(r_utts, name_speakers(
                        r_utts, enrolled, voices=run.voices)), {})
                    # Refined while the meeting went on (a long meeting's windows before its last):
                    # the labels are the live rows' before the close.
                    early = run.after_close(run_refine(
                        f"own-{meeting['meeting_id']}", pcm, refining, run.segments, team=meeting["team"],
                        cache=cache and cache / "readings", floor=floor))
                    e_utts = [Utterance(sg.speaker, sg.text, sg.start_ms, sg.end_ms) for sg in early]
                    got["early-or"] = score_owners(meeting, e_utts, mapping(early))
                    got["early-nm"] = score_owners(
                        meeting, apply_names(e_utts, explain_speakers(e_utts, roster).names), {})
                for c in cols:
                    totals[c].add(got[c])
                if after_rename is not None:
                    later["meetings"] = later.get("meetings", Owners())
                    later["meetings"].labels += 1
                    for c in ("named", "learned", "enrolled"):
                        later.setdefault(c, Owners()).add(got[c])
                    later.setdefault("renamed", Owners()).add(
                        score_owners(meeting, apply_names(utts, after_rename.names), {}))
                n_s = len({sg.speaker for sg in segs if sg.speaker})
                print(f"{meeting['meeting_id']:32} {len(people):>3} {n_s:>3} "
                      + " | ".join(f"{got[c].row():>25}" for c in cols))
                sys.stdout.flush()
            print(f"{'all':32} {'':>3} {'':>3} " + " | ".join(f"{totals[c].row():>25}" for c in cols))
            if said["script"]:
                print(f"WER of the meetings' transcript: live (after the close) {wer(said['script'], said['live']):.3f}, "
                      f"refined {wer(said['script'], said['refined']):.3f}")
            if later:
                print(f"the teams' later meetings ({later['meetings'].labels}; each team's first left out): "
                      + " | ".join(f"{c}: {later[c].row()}" for c in ("named", "learned", "renamed", "enrolled"))
                      + "  (renamed: voices learned from a person naming every label of the team's first "
                      "meeting, plus the conversation; no enrollment)")
            if explain:
                print(f"labels named from the conversation, against the shared-time mapping: right "
                      f"{tally['right']}, wrong {tally['wrong']}, left unnamed {tally['unnamed']} "
                      f"(of {tally['labels']}); right at confidence >= 0.8: {tally['right_hi']}, wrong: "
                      f"{tally['wrong_hi']}; by confidence: "
                      + ", ".join(f"{k} {v}" for k, v in sorted(tally.items()) if " " in k))
    team_context._CONTEXTS = None
    print("\nfound: labelled items found (owner ignored); right: with the right owner; acc: right/found "
          "(goals: >= 0.8 enrolled, >= 0.6 without); F1: right items against all predicted and all "
          "labelled (goal >= 0.7)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--only", choices=["der", "owners"])
    ap.add_argument("--meetings", type=int, default=None, help="the first N meetings of each set")
    ap.add_argument("--voices", choices=["speech", "distinct", "both"], default="both",
                    help="owners: bench/speech.py's voices, six distinct ones, or both")
    ap.add_argument("--glossary", choices=["no", "yes", "both"], default="both",
                    help="owners: without and/or with the team's names and glossary")
    ap.add_argument("--model", default=None,
                    help="Whisper model for this run (tiny.en, base, or a directory; default: VORI_WHISPER_MODEL)")
    ap.add_argument("--cache", type=Path, default=None,
                    help="owners: keep each meeting's flow output here and reuse it (naming runs again)")
    ap.add_argument("--refined", action="store_true",
                    help="owners: also score the transcript the refine flow leaves (read again after the close)")
    ap.add_argument("--explain", action="store_true",
                    help="owners: per meeting, the name evidence heard, the naming and its confidence")
    args = ap.parse_args()
    settings = Settings.from_env()
    if args.model:
        settings = dataclasses.replace(settings, whisper_model=args.model)
        if not args.model.endswith(".en") and settings.language is None:
            # The eval meetings are English; a multilingual model is told so, as a team would set it.
            settings = dataclasses.replace(settings, language="en")
    diarizer = Timed(Diarizer(DiarizationConfig.from_settings(settings)))
    refining = refine_settings(settings)
    print(f"whisper {settings.whisper_model} (language {settings.language or 'auto'}); refine flow: "
          f"{refining.whisper_model} (language {refining.language or 'auto'}); "
          f"speaker threshold {settings.speaker_threshold}; "
          f"chunks of {CHUNK_S:.0f} s sent live")
    if args.only in (None, "der"):
        der_table(settings, diarizer, args.meetings)
    if args.only in (None, "owners"):
        owners_table(settings, diarizer, args.meetings,
                     ["speech", "distinct"] if args.voices == "both" else [args.voices],
                     {"no": [False], "yes": [True], "both": [False, True]}[args.glossary],
                     args.cache, args.explain, args.refined)


if __name__ == "__main__":
    main()
