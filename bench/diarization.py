"""Diarization bench: DER and CPU cost of speaker-embedding candidates on espeak-ng meetings.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python bench/diarization.py [--lite DIR]

Meetings are eval/minutes scripts re-voiced for 2-5 speakers (one espeak-ng voice each) into one
mixed 16 kHz track, one with overlapping turns. The reference is each utterance's audible extent.
The pipeline under test is what the flow would do: an energy VAD cuts speech regions, regions
are cut into turns of at most TURN_S seconds, each turn is embedded and labelled online
(domain.speakers). DER is frame-level (10 ms), optimal label mapping, with and without a 0.25 s
collar. ``--lite DIR`` also scores speaker-diarize-lite (numpy heuristic, whole-file clustering)
unpacked in DIR.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

from speech import LIBRIVOX, RATE, eval_meetings, librivox_clips, speak

from connectors.audio import pcm_to_float32 as pcm16_to_float
from connectors.audio import read_audio_file
from connectors.diarization import VoiceEncoder
from domain.speakers import DEFAULT_THRESHOLD, label_turns

FRAME = 160  # 10 ms
DISTINCT = ["en-us+klatt", "en-us+f3", "en-us+m7", "en-us+f5", "en-us+m3"]
PROJECT = ["en-us+klatt", "en-us", "en-gb-x-rp", "en-us+m3"]  # bench/speech.py's VOICES


@dataclass
class Meeting:
    name: str
    pcm: np.ndarray  # float32
    ref: list[tuple[float, float, int]]  # start, end, speaker


def _extent(pcm: np.ndarray) -> tuple[int, int]:
    loud = np.flatnonzero(np.abs(pcm) > 0.01)
    return (int(loud[0]), int(loud[-1]) + 1) if len(loud) else (0, 0)


def build(name: str, texts: list[str], voices: list[str], overlap_s: float = 0.0, seed: int = 0) -> Meeting:
    """Turns in a seeded order (no speaker twice in a row, all speakers in the first k turns)."""
    rng = np.random.default_rng(seed)
    k = len(voices)
    order = list(rng.permutation(k))
    while len(order) < len(texts):
        order.append(int(rng.choice([s for s in range(k) if s != order[-1]])))
    pause = int(0.7 * RATE)
    clips = iter(librivox_clips() * 4)  # "librivox": one human reader (Debian's pocketsphinx-testdata)

    def say(text: str, voice: str) -> np.ndarray:
        pcm = read_audio_file(str(next(clips)[0])) if voice == "librivox" else speak(text, voice)
        return pcm16_to_float(pcm)

    pieces = [(who, say(t, voices[who])) for who, t in zip(order, texts, strict=False)]
    cursor, placed = 0, []
    for j, (who, pcm) in enumerate(pieces):
        lo, hi = _extent(pcm)
        start = max(0, cursor - lo)
        if overlap_s and j % 3 == 2 and placed:  # every third turn barges in
            start = max(0, placed[-1][1] - int(overlap_s * RATE) - lo)
        placed.append((start + lo, start + hi, who, start, pcm))
        cursor = start + hi + pause
    total = max(p[3] + len(p[4]) for p in placed)
    mix = np.zeros(total, dtype=np.float32)
    for _, _, _, start, pcm in placed:
        mix[start : start + len(pcm)] += pcm
    ref = [(a / RATE, b / RATE, who) for a, b, who, _, _ in placed]
    return Meeting(name, mix, ref)


def vad_regions(pcm: np.ndarray) -> list[tuple[int, int]]:
    """Energy VAD: 10 ms frames over -40 dB of the loudest, gaps < 0.5 s bridged, < 0.2 s dropped."""
    n = len(pcm) // FRAME
    energy = np.sqrt((pcm[: n * FRAME].reshape(n, FRAME) ** 2).mean(axis=1) + 1e-12)
    active = 20 * np.log10(energy / energy.max()) > -40
    regions, start, gap = [], None, 0
    for i, a in enumerate(active):
        if a:
            if start is None:
                start = i
            gap = 0
        elif start is not None:
            gap += 1
            if gap >= 50:
                regions.append((start, i - gap + 1))
                start, gap = None, 0
    if start is not None:
        regions.append((start, n - gap))
    return [(a * FRAME, b * FRAME) for a, b in regions if b - a >= 20]


def turns(regions: list[tuple[int, int]], turn_s: float) -> list[tuple[int, int]]:
    out = []
    size = int(turn_s * RATE)
    for a, b in regions:
        parts = max(1, int(np.ceil((b - a) / size)))
        edges = np.linspace(a, b, parts + 1).astype(int)
        out += list(itertools.pairwise(edges))
    return out


def _best_mapping(co: np.ndarray) -> int:
    """Most co-speaking frames under a one-to-one ref->hyp mapping (DP over subsets of refs)."""
    nr = co.shape[0]
    dp = np.full(1 << nr, -1, dtype=np.int64)
    dp[0] = 0
    for j in range(co.shape[1]):
        nxt = dp.copy()
        for mask in range(1 << nr):
            if dp[mask] < 0:
                continue
            for i in range(nr):
                if not mask >> i & 1:
                    nxt[mask | 1 << i] = max(nxt[mask | 1 << i], dp[mask] + co[i, j])
        dp = nxt
    return int(dp.max())


def der(
    ref: list[tuple[float, float, int]], hyp: list[tuple[float, float, str]], seconds: float, collar: float
) -> dict:
    n = int(np.ceil(seconds * 100))
    ref_ids = sorted({r[2] for r in ref})
    hyp_ids = sorted({h[2] for h in hyp})
    R = np.zeros((len(ref_ids), n), dtype=bool)
    H = np.zeros((len(hyp_ids), n), dtype=bool)
    scored = np.ones(n, dtype=bool)
    for a, b, s in ref:
        R[ref_ids.index(s), int(a * 100) : int(b * 100)] = True
        if collar:
            for edge in (a, b):
                scored[max(0, int((edge - collar) * 100)) : int((edge + collar) * 100)] = False
    for a, b, s in hyp:
        H[hyp_ids.index(s), int(a * 100) : int(b * 100)] = True
    R, H = R[:, scored], H[:, scored]
    co = R.astype(int) @ H.T.astype(int)  # frames where ref i and hyp j both speak
    best = _best_mapping(co)
    nr, nh = R.sum(axis=0), H.sum(axis=0)
    total = int(nr.sum())
    missed = int(np.maximum(nr - nh, 0).sum())
    fa = int(np.maximum(nh - nr, 0).sum())
    conf = int(np.minimum(nr, nh).sum()) - best
    return {
        "der": (missed + fa + conf) / total,
        "miss": missed / total,
        "fa": fa / total,
        "conf": conf / total,
        "n_hyp": len(hyp_ids),
    }


def meetings() -> list[Meeting]:
    texts = [u["text"] for m in eval_meetings("en") for u in m["utterances"]]
    return [
        build("2spk", texts[0:10], DISTINCT[:2], seed=2),
        build("3spk-overlap", texts[10:24], DISTINCT[:3], overlap_s=0.8, seed=3),
        build("4spk", texts[24:40], DISTINCT[:4], seed=4),
        build("5spk", texts[40:60], DISTINCT, seed=5),
        build("4spk-project-voices", texts[60:76], PROJECT, seed=6),
    ] + (
        [
            build(
                "3spk-human+espeak", texts[76:88], ["librivox", "en-us+f3", "en-us+m7"], overlap_s=0.5, seed=7
            )
        ]
        if LIBRIVOX.is_dir()
        else []
    )


def time_embedder(enc: VoiceEncoder) -> None:
    """One embedder call per turn length, best of 5 (set the BLAS threads in the environment)."""
    pcm = pcm16_to_float(
        speak(
            "We should ship the release on Friday after the last review, and the database "
            "migration is blocked until the backup finishes tonight.",
            "en-us+f3",
        )
    )
    for seconds in (1.0, 2.0, 4.0, 6.0):
        turn = pcm[: int(seconds * RATE)]
        enc.embed(turn)
        best = 1e9
        for _ in range(5):
            t0 = time.perf_counter()
            enc.embed(turn)
            best = min(best, time.perf_counter() - t0)
        print(f"turn {seconds:.0f} s: {best * 1000:.1f} ms = {best / seconds * 1000:.1f} ms per audio-second")


def change_study(enc: VoiceEncoder) -> None:
    """Where to cut speech that has no pause at a change of voice (``flows.speakers._changes``):
    the least similar sides (partial embeddings before and after a point) found in one voice's
    sentence, against those found across a change of voice (the last 1.3 s or 2.5 s of one voice
    run straight into 4 s of another). Sentences the DER meetings do not use."""
    from flows.speakers import _changes, _unit_mean, voiced

    texts = [u["text"] for m in eval_meetings("en") for u in m["utterances"]][100:]
    voices = [*DISTINCT, "en-us+m1", "en-gb-x-rp"] + (["librivox"] if LIBRIVOX.is_dir() else [])
    clips = iter(librivox_clips() * 4)

    def least(speech: np.ndarray) -> float | None:
        vectors, spans = enc.partials(speech)
        sims = []
        for k in range(len(vectors)):
            left = [i for i in range(len(vectors)) if spans[i][1] <= spans[k][1]]
            right = [i for i in range(len(vectors)) if spans[i][0] >= spans[k][1] - 10 * FRAME]
            if left and right:
                sims.append(float(_unit_mean(vectors[left]) @ _unit_mean(vectors[right])))
        return min(sims) if sims else None  # too short for two sides apart

    said: dict[str, list[np.ndarray]] = {}
    for v, voice in enumerate(voices):
        said[voice] = []
        for text in texts[v * 6 : v * 6 + 6]:
            pcm = read_audio_file(str(next(clips)[0])) if voice == "librivox" else speak(text, voice)
            said[voice].append(voiced(pcm16_to_float(pcm)))
    one = [x for x in (least(x) for xs in said.values() for x in xs) if x is not None]
    across: dict[float, list[float]] = {1.3: [], 2.5: []}
    cut_at: list[float] = []
    for xa, xb in itertools.permutations(said.values(), 2):
        for tail_s, cuts in across.items():
            for a, b in zip(xa[:2], xb[2:4], strict=False):
                speech = np.concatenate([a[-int(tail_s * RATE):], b[: 4 * RATE]])
                sim = least(speech)
                if sim is not None:
                    cuts.append(sim)
                if tail_s == 1.3:
                    vectors, spans = enc.partials(speech)
                    found = _changes(vectors, spans, 0.70)
                    cut_at.append(min((abs(c / RATE - tail_s) for c in found), default=np.inf))
    def q(xs: list[float]) -> str:
        return " ".join(f"{np.quantile(xs, p):.2f}" for p in (0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0))
    print("least similar sides (min, 5 %, 25 %, median, 75 %, 95 %, max)")
    print(f"one voice ({len(one)} sentences):     {q(one)}")
    for tail_s, sims in across.items():
        print(f"change after {tail_s} s ({len(sims)} pairs): {q(sims)}")
    near = [d for d in cut_at if d < np.inf]
    print(f"cut at 0.70 after 1.3 s: {len(near)}/{len(cut_at)} changes found, "
          f"median {np.median(near):.2f} s from the true change" if near else "no change found")


def flow_cost() -> None:
    """CPU seconds (this thread's, so other work on the machine does not count) that the flow's
    labelling takes per audio-second (``flows.speakers.Diarizer``: voice activity, embeddings,
    clustering, the close) on these meetings sent live through ``bench/diarization_flow.py``'s
    path, with and without looking for changes of voice inside speech without a pause."""
    import diarization_flow as flow

    from connectors.settings import Settings
    from flows.speakers import DiarizationConfig, Diarizer

    settings = Settings.from_env()

    for changes in (True, False):
        diarizer = Diarizer(DiarizationConfig.from_settings(settings))
        if not changes:
            load = diarizer._default_encoder

            def without(load: object = load, diarizer: Diarizer = diarizer) -> object:
                embed = load()  # type: ignore[operator]
                diarizer._partials = None
                return embed

            diarizer._load = without  # type: ignore[assignment]
        timed = flow.Timed(diarizer, clock=time.thread_time)
        audio = 0.0
        for m in meetings():
            pcm16 = np.clip(np.round(m.pcm * 32768), -32768, 32767).astype(np.int16)
            flow.run_flow(f"cost-{changes}-{m.name}", pcm16, settings, timed)
            audio += len(m.pcm) / RATE
        print(f"changes of voice looked for: {'yes' if changes else 'no '}: "
              f"{timed.seconds / audio * 1000:.1f} ms CPU per audio-second ({audio:.0f} s of audio)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lite", help="folder with speaker_diarize_lite unpacked")
    ap.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    ap.add_argument("--turn", type=float, default=6.0, help="longest turn (s): longer VAD regions are cut")
    ap.add_argument("--min-open", type=float, default=1.0, help="shorter turns never open a speaker")
    ap.add_argument("--sweep", action="store_true", help="DER for a range of thresholds")
    ap.add_argument("--cost", action="store_true", help="only time the embedder per turn length")
    ap.add_argument("--changes", action="store_true",
                    help="only the similarity of the two sides of a point within one voice and across a change")
    ap.add_argument("--flow-cost", action="store_true",
                    help="only the CPU the flow's labelling takes per audio-second (runs Whisper too)")
    args = ap.parse_args()
    if args.flow_cost:
        flow_cost()
        return
    enc = VoiceEncoder()
    if args.cost:
        time_embedder(enc)
        return
    if args.changes:
        change_study(enc)
        return
    ms = meetings()
    print(
        f"{'meeting':22} {'sec':>6} {'cand':10} {'DER':>6} {'miss':>5} {'FA':>5} {'conf':>5} {'DER.25':>6} {'#spk':>4} {'ms/s':>6}"
    )
    for m in ms:
        sec = len(m.pcm) / RATE
        ts = turns(vad_regions(m.pcm), args.turn)
        t0 = time.perf_counter()
        embs = [enc.embed(m.pcm[a:b]) for a, b in ts]
        cost = (time.perf_counter() - t0) / sec * 1000
        thresholds = np.arange(0.60, 0.90, 0.03) if args.sweep else [args.threshold]
        for th in thresholds:
            labels = label_turns(
                embs,
                threshold=float(th),
                seconds=[(b - a) / RATE for a, b in ts],
                min_open_seconds=args.min_open,
            )
            hyp = [(a / RATE, b / RATE, lab) for (a, b), lab in zip(ts, labels, strict=True)]
            d0, d25 = der(m.ref, hyp, sec, 0.0), der(m.ref, hyp, sec, 0.25)
            print(
                f"{m.name:22} {sec:6.1f} {'resem@' + format(th, '.2f'):10} {d0['der']:6.1%} {d0['miss']:5.1%} {d0['fa']:5.1%} "
                f"{d0['conf']:5.1%} {d25['der']:6.1%} {d0['n_hyp']:4d} {cost:6.1f}"
            )
        if args.lite:
            sys.path.insert(0, args.lite)
            from speaker_diarize_lite import diarize

            t0 = time.perf_counter()
            res = diarize(m.pcm, sample_rate=RATE)
            cost = (time.perf_counter() - t0) / sec * 1000
            hyp = [(s.start_s, s.end_s, s.speaker) for s in res.segments]
            d0, d25 = der(m.ref, hyp, sec, 0.0), der(m.ref, hyp, sec, 0.25)
            print(
                f"{m.name:22} {sec:6.1f} {'sdlite':10} {d0['der']:6.1%} {d0['miss']:5.1%} {d0['fa']:5.1%} "
                f"{d0['conf']:5.1%} {d25['der']:6.1%} {d0['n_hyp']:4d} {cost:6.1f}"
            )
        sys.stdout.flush()


if __name__ == "__main__":
    main()
