"""What a long window settles, and what it hands back to be read again."""

from domain.transcript import RecognizedSpan, settled_spans


def span(start: float, end: float, text: str = "words") -> RecognizedSpan:
    return RecognizedSpan(start, end, text, avg_logprob=-0.2, no_speech_prob=0.01, compression_ratio=1.2)


def no_speech_after(_t: float) -> float:
    return 0.0


def test_a_window_cut_by_its_length_reads_its_last_sentence_again():
    spans = [span(0, 40), span(40, 80), span(80, 110)]
    kept, reread = settled_spans(spans, 110.0, cut_short=True, speech_after=no_speech_after)
    assert kept == spans[:2] and reread == 80


def test_the_last_window_of_a_source_keeps_everything():
    spans = [span(0, 40), span(80, 110)]
    assert settled_spans(spans, 110.0, cut_short=False, speech_after=no_speech_after) == (spans, None)


def test_speech_the_recogniser_skipped_is_read_again():
    # Whisper sometimes stops early in a long window: half a minute of speech after the last span.
    spans = [span(0, 6)]
    kept, reread = settled_spans(spans, 110.0, cut_short=False, speech_after=lambda t: 100.0 - t)
    assert kept == spans and reread == 6


def test_a_reread_always_moves_forward():
    # Nothing recognised, or a first span too short to move on from: never loop on the same audio.
    assert settled_spans([], 110.0, cut_short=True, speech_after=lambda t: 50.0) == ([], None)
    early = [span(0, 1.0)]
    assert settled_spans(early, 110.0, cut_short=True, speech_after=lambda t: 50.0) == (early, None)
    both = [span(0, 20), span(21, 24)]  # the last span starts too early to drop
    assert settled_spans(both, 110.0, cut_short=True, speech_after=no_speech_after) == (both, None)


def test_a_trailing_breath_is_not_skipped_speech():
    spans = [span(0, 50)]
    assert settled_spans(spans, 52.0, cut_short=False, speech_after=lambda t: 0.3) == (spans, None)
