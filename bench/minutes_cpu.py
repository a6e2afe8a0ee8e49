"""Minutes CPU time over a long meeting: rolling minutes must cost the same per stretch of meeting.

    python bench/minutes_cpu.py [--hours 2] [--every 20] [--compare]

Builds a synthetic meeting of ``--hours`` from the eval/minutes English meetings said one after
another (times shifted, repeated as needed), feeds its segments in arrival order through the
minutes flow's logic (flows.minutes.MinutesLogic with the offline writer, inline, rolling minutes
every ``--every`` segments) and prints the CPU time spent per 10 minutes of meeting, then the one
full pass of the final minutes. ``--compare`` also times the old way (every rolling minutes
re-reads the whole transcript), which grows with the meeting. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from domain.extraction import extract_minutes
from domain.minutes import Minutes
from domain.records import MeetingClosedRecord, MeetingSeenRecord, SegmentRecord
from domain.transcript import Segment
from flows.minutes import MinutesLogic, offline_writer

EVAL = Path(__file__).resolve().parent.parent / "eval" / "minutes"
TEN_MIN_MS = 600_000
START_MS = 1_764_547_200_000
START_DATE = dt.date(2025, 12, 1)


def synthetic_meeting(hours: float) -> list[Segment]:
    """English eval meetings back to back (2 s apart) until ``hours`` of meeting time."""
    sources = [json.loads(p.read_text()) for p in sorted(EVAL.glob("*.json"))]
    english = [d for d in sources if d["language"] == "en"]
    out: list[Segment] = []
    offset = 0
    end = int(hours * 3_600_000)
    while offset < end:
        for d in english:
            last = 0
            for u in d["utterances"]:
                start = offset + u["start_ms"]
                if start >= end:
                    return out
                out.append(Segment("long-1", "main", u["speaker"], start, offset + u["end_ms"], u["text"],
                                   "en", "bench", START_MS + start, team="bench"))
                last = u["end_ms"]
            offset += last + 2000
    return out


def feed(segments: list[Segment], every: int, writer: Callable[..., Minutes], full_reread: bool) -> tuple[
        dict[int, float], float, Minutes | None]:
    clock = [0.0]
    logic = MinutesLogic(every, 1e9, writer, lambda: clock[0], None)
    logic.on_batch([MeetingSeenRecord("bench", "long-1", "Long", START_MS, {"main": None})])
    per_bucket: dict[int, float] = {}
    last: Minutes | None = None
    # Segments come a few at a time, as windows are transcribed.
    for i in range(0, len(segments), 4):
        batch = segments[i:i + 4]
        t0 = time.process_time()
        if full_reread:  # the old way: every rolling minutes reads the whole transcript
            for s in batch:
                logic.state.transcript.add_live(s)
            logic.state.since_written += len(batch)
            outs = []
            if logic.state.since_written >= every:
                logic.state.since_written = 0
                said = logic.state.transcript.utterances()
                outs = [extract_minutes(said, logic.state.meeting_date or START_DATE, "en")]
        else:
            outs = [o.minutes for o in logic.on_batch([SegmentRecord(s) for s in batch])[0]]
        spent = time.process_time() - t0
        bucket = batch[-1].start_ms // TEN_MIN_MS
        per_bucket[bucket] = per_bucket.get(bucket, 0.0) + spent
        last = outs[-1] if outs else last
    t0 = time.process_time()
    finals = [o.minutes for o in logic.on_batch([MeetingClosedRecord("bench", "long-1", "final", 0)])[0]]
    final_cpu = time.process_time() - t0
    return per_bucket, final_cpu, finals[-1] if finals else last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hours", type=float, default=2.0)
    parser.add_argument("--every", type=int, default=20, help="rolling minutes every N segments")
    parser.add_argument("--compare", action="store_true", help="also time re-reading the whole transcript")
    args = parser.parse_args()
    segments = synthetic_meeting(args.hours)
    words = sum(len(s.text.split()) for s in segments)
    print(f"synthetic meeting: {args.hours:g} h, {len(segments)} segments, {words} words; "
          f"rolling minutes every {args.every} segments")
    modes = [("incremental", False)] + ([("full re-read", True)] if args.compare else [])
    results = {name: feed(segments, args.every, offline_writer, full) for name, full in modes}
    header = "meeting time   " + "  ".join(f"{name:>14}" for name in results)
    print("CPU seconds per 10 minutes of meeting")
    print(header)
    buckets = sorted(set().union(*(r[0] for r in results.values())))
    for b in buckets:
        cells = "  ".join(f"{results[name][0].get(b, 0.0):14.3f}" for name in results)
        print(f"{b * 10:4d}-{b * 10 + 10:<4d} min  {cells}")
    inc, final_cpu, final = results["incremental"]
    values = [inc[b] for b in buckets]
    half = len(values) // 2
    if half:
        first, second = sum(values[:half]) / half, sum(values[half:]) / (len(values) - half)
        print(f"incremental: first half {first:.3f} s per 10 min, second half {second:.3f} s "
              f"(ratio {second / max(first, 1e-9):.2f}; flat is 1)")
    print(f"final minutes (one full pass at close): {final_cpu:.3f} s CPU; "
          f"{len(final.action_items) if final else 0} action items")


if __name__ == "__main__":
    main()
