"""Every codec of the contract decodes to 16 kHz mono; bad bytes become a decode error, not a crash."""

from __future__ import annotations

import base64
import io

import av
import numpy as np
import pytest
from vori_testing import speak, wer

from connectors.audio import AudioDecodeError, decode_chunk, pcm_to_float32, probe_chunk
from connectors.settings import Settings
from connectors.whisper import WhisperTranscriber
from domain.envelope import validate_envelope

SENTENCE = "The quarterly report shows strong growth in the northern region."
ENCODERS = {  # codec of the contract -> (container, encoder, sample rate, channels)
    "flac": ("flac", "flac", 22050, 1),
    "ogg": ("ogg", "libopus", 48000, 2),
    "webm": ("webm", "libopus", 48000, 1),
    "mp3": ("mp3", "libmp3lame", 44100, 2),
    "wav": ("wav", "pcm_s16le", 8000, 2),
}


def encode(pcm16k: np.ndarray, container: str, encoder: str, rate: int, channels: int) -> bytes:
    """Resample 16 kHz mono speech to another rate/layout and encode it, as a recorder would."""
    buf = io.BytesIO()
    layout = "stereo" if channels == 2 else "mono"
    with av.open(buf, "w", format=container) as out:
        stream = out.add_stream(encoder, rate=rate, layout=layout)
        resampler = av.AudioResampler(format=stream.codec_context.format.name, layout=layout, rate=rate)
        frame = av.AudioFrame.from_ndarray(pcm16k.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = 16000
        frames = resampler.resample(frame) + resampler.resample(None)
        for f in frames:
            for packet in stream.encode(f):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buf.getvalue()


@pytest.mark.parametrize("codec", sorted(ENCODERS))
def test_each_codec_decodes_to_16k_mono_speech(codec):
    pcm = speak(SENTENCE)
    data = encode(pcm, *ENCODERS[codec])
    chunk = validate_envelope(
        {"meeting_id": "m", "seq": 0, "codec": codec, "audio": base64.b64encode(data).decode()}, "m"
    )
    out = decode_chunk(chunk)
    assert out.dtype == np.int16
    assert abs(len(out) - len(pcm)) < 0.1 * 16000  # same duration within 100 ms (codec padding)
    spans, _ = WhisperTranscriber(Settings()).transcribe(pcm_to_float32(out))
    assert wer(SENTENCE, " ".join(s.text for s in spans)) <= 0.2


def test_pcm_at_another_rate_and_layout_is_resampled():
    pcm = speak(SENTENCE)
    stereo44 = np.repeat(np.interp(np.arange(0, len(pcm), 16000 / 44100), np.arange(len(pcm)), pcm), 1)
    raw = np.stack([stereo44, stereo44], axis=1).astype("<i2").tobytes()
    chunk = validate_envelope(
        {"meeting_id": "m", "seq": 0, "codec": "pcm_s16le", "sample_rate": 44100, "channels": 2,
         "audio": base64.b64encode(raw).decode()},
        "m",
    )
    out = decode_chunk(chunk)
    assert abs(len(out) - len(pcm)) < 160


def test_garbage_after_a_valid_header_is_a_decode_error():
    data = b"fLaC" + bytes(range(256)) * 4
    chunk = validate_envelope({"meeting_id": "m", "seq": 0, "codec": "flac", "audio": base64.b64encode(data).decode()}, "m")
    with pytest.raises(AudioDecodeError, match="flac"):
        decode_chunk(chunk)


def _pcm_container(container: str, codec: str, rate: int, samples: int) -> bytes:
    buf = io.BytesIO()
    with av.open(buf, "w", format=container) as out:
        stream = out.add_stream(codec, rate=rate, layout="mono")
        frame = av.AudioFrame.from_ndarray(np.zeros((1, samples), np.int16), format="s16", layout="mono")
        frame.sample_rate = rate
        frame.pts = 0
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buf.getvalue()


def _chunk(codec: str, data: bytes):
    return validate_envelope(
        {"meeting_id": "m", "seq": 0, "codec": codec, "audio": base64.b64encode(data).decode()}, "m"
    )


def test_a_1_hz_stream_is_refused_before_it_is_resampled():
    # 54 KB of WebM holding PCM at 1 Hz: resampling it to 16 kHz first would take gigabytes.
    data = _pcm_container("matroska", "pcm_s16le", 1, 27_000)
    assert len(data) < 60_000
    chunk = _chunk("webm", data)
    with pytest.raises(AudioDecodeError, match="sample rate of 1 Hz"):
        decode_chunk(chunk, max_seconds=60)
    with pytest.raises(AudioDecodeError, match="sample rate of 1 Hz"):
        probe_chunk(chunk, max_seconds=60)


def test_a_few_kilobytes_that_decode_to_minutes_are_refused():
    data = _pcm_container("flac", "flac", 8000, 8000 * 600)  # ten minutes of silence, ~110 KB
    chunk = _chunk("flac", data)
    with pytest.raises(AudioDecodeError, match="more than 60 s"):
        probe_chunk(chunk, max_seconds=60)
    with pytest.raises(AudioDecodeError, match="more than 60 s"):
        decode_chunk(chunk, max_seconds=60)


def test_probe_reports_rate_channels_and_duration():
    data = encode(speak(SENTENCE), *ENCODERS["ogg"])
    info = probe_chunk(_chunk("ogg", data), max_seconds=60)
    assert info is not None and (info.sample_rate, info.channels) == (48000, 2)
    assert 2.0 < info.seconds < 8.0
    with pytest.raises(AudioDecodeError):
        probe_chunk(_chunk("ogg", data[: len(data) // 50]), max_seconds=60)
