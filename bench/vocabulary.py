"""Team vocabulary: WER and glossary-term recall with and without the team's glossary.

    python bench/vocabulary.py [--model tiny.en|base|PATH] [--voices en-us,en-us+klatt]

Sentences full of a team's words (product names, services, people) are rendered with espeak-ng
(``bench/speech.py``) and transcribed by Whisper through ``connectors/whisper.py`` four ways:

- **plain**: as the flow does for a team without a glossary;
- **hotwords**: the team's glossary and names given to faster-whisper as ``hotwords``;
- **correction**: plain output, then ``domain.vocabulary.correct_text`` (phonetic + edit distance);
- **both**: hotwords, then the correction (what the flow does for a team with a glossary).

Term recall: of the glossary terms and names in the reference, the share found (case-insensitive,
as whole words) in the hypothesis. WER over lower-cased words without punctuation.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from speech import speak

from connectors.audio import pcm_to_float32
from connectors.settings import Settings
from connectors.whisper import WhisperTranscriber
from domain.vocabulary import correct_text, hotwords

GLOSSARY = ["Stripe", "Sentry", "Figma", "staging", "Kubernetes", "Grafana", "Postgres", "Kafka",
            "Jira", "Vercel"]
NAMES = ["Bob", "Alice", "Priya", "Minsu"]
SENTENCES = [
    "The Stripe webhook failed twice on staging last night.",
    "Sentry shows the same error in the checkout service.",
    "Priya will update the Figma mockups before the review.",
    "Bob, can you check the Grafana dashboard for the Kafka consumer lag?",
    "We moved the Postgres replica into the Kubernetes cluster.",
    "Alice opened a Jira ticket for the Vercel preview builds.",
    "Minsu says staging is stable again after the Sentry release.",
    "Let's retry the Stripe refunds once Kafka catches up.",
    "The Figma file has the new onboarding flow for Priya.",
    "Grafana alerts fire whenever the Postgres disk fills up.",
]


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.casefold())


def wer(reference: str, hypothesis: str) -> tuple[int, int]:
    """(word edits, reference words)."""
    ref, hyp = words(reference), words(hypothesis)
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        current = [i]
        for j, h in enumerate(hyp, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h)))
        previous = current
    return previous[-1], len(ref)


def term_hits(reference: str, hypothesis: str, terms: list[str]) -> tuple[int, int]:
    hyp = set(words(hypothesis))
    wanted = [t for t in terms for _ in range(len(re.findall(rf"\b{re.escape(t)}\b", reference, re.I)))]
    return sum(1 for t in wanted if t.casefold() in hyp), len(wanted)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--model", default="tiny.en")
    parser.add_argument("--voices", default="en-us,en-us+klatt")
    args = parser.parse_args(argv)
    model = WhisperTranscriber(Settings(whisper_model=args.model, whisper_device="cpu"))
    hints = hotwords(NAMES, GLOSSARY)
    terms = GLOSSARY + NAMES
    totals = {k: [0, 0, 0, 0] for k in ("plain", "hotwords", "correction", "both")}
    seconds = {"plain": 0.0, "hotwords": 0.0}
    print(f"model {model.model_name}; hotwords: {hints!r}\n")
    for voice in args.voices.split(","):
        for sentence in SENTENCES:
            audio = pcm_to_float32(speak(sentence, voice))
            out: dict[str, str] = {}
            for kind, hw in (("plain", None), ("hotwords", hints)):
                t0 = time.perf_counter()
                spans, _ = model.transcribe(audio, hotwords=hw)
                seconds[kind] += time.perf_counter() - t0
                out[kind] = " ".join(s.text.strip() for s in spans)
            out["correction"] = correct_text(out["plain"], GLOSSARY, keep=NAMES)[0]
            out["both"] = correct_text(out["hotwords"], GLOSSARY, keep=NAMES)[0]
            for kind, hyp in out.items():
                e, n = wer(sentence, hyp)
                h, m = term_hits(sentence, hyp, terms)
                acc = totals[kind]
                acc[0] += e
                acc[1] += n
                acc[2] += h
                acc[3] += m
            if out["both"] != out["plain"] or any(term_hits(sentence, out[k], terms)[0] < term_hits(
                    sentence, sentence, terms)[1] for k in out):
                print(f"[{voice}] {sentence}")
                for kind, hyp in out.items():
                    print(f"    {kind:>10}: {hyp}")
    print("\n| setting | WER | term recall |\n|---|---|---|")
    for kind, (e, n, h, m) in totals.items():
        print(f"| {kind} | {e / max(n, 1):.3f} | {h / max(m, 1):.3f} ({h}/{m}) |")
    print(f"\nrecognition time: plain {seconds['plain']:.1f} s, with hotwords {seconds['hotwords']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
