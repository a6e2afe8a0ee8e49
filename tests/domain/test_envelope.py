"""The envelope rules that the gateway and the flow both apply."""

import base64
import io
import json
import struct
import wave

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.envelope import EnvelopeError, EnvelopeLimits, parse_record, validate_envelope


def wav_bytes(seconds: float = 0.5, rate: int = 16000) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x00\x01" * int(seconds * rate))
    return buf.getvalue()


def env(**over):
    base = {
        "meeting_id": "acme-2026-w48-planning",
        "seq": 0,
        "codec": "wav",
        "audio": base64.b64encode(wav_bytes()).decode(),
    }
    base.update(over)
    return base


def test_valid_envelope_defaults_source_and_final():
    chunk = validate_envelope(env(), "acme-2026-w48-planning")
    assert chunk.source == "main"
    assert chunk.final is False
    assert chunk.audio.startswith(b"RIFF")


@pytest.mark.parametrize(
    ("override", "field", "kind"),
    [
        ({"meeting_id": "bad id with spaces"}, "meeting_id", "invalid"),
        ({"meeting_id": "x" * 129}, "meeting_id", "invalid"),
        ({"seq": -1}, "seq", "invalid"),
        ({"seq": "3"}, "seq", "invalid"),
        ({"seq": True}, "seq", "invalid"),
        ({"codec": "aac"}, "codec", "invalid"),
        ({"audio": "not base64!!"}, "audio", "invalid"),
        ({"codec": "pcm_s16le", "audio": base64.b64encode(b"\0\0").decode()}, "sample_rate", "invalid"),
        ({"codec": "pcm_s16le", "sample_rate": 16000, "channels": 99}, "channels", "invalid"),
        ({"codec": "pcm_s16le", "sample_rate": 10, "channels": 1}, "sample_rate", "invalid"),
        ({"codec": "mp3"}, "codec", "invalid"),  # a WAV that says it is mp3: the codec lies
        ({"audio": ""}, "audio", "invalid"),  # empty and not final
        ({"final": "yes"}, "final", "invalid"),
    ],
)
def test_invalid_fields_name_the_field(override, field, kind):
    with pytest.raises(EnvelopeError) as err:
        validate_envelope(env(**override), None)
    assert err.value.field == field
    assert err.value.kind == kind


def test_key_must_equal_meeting_id():
    with pytest.raises(EnvelopeError, match="differs from meeting_id"):
        validate_envelope(env(), "someone-else")


def test_audio_over_limit_is_too_large():
    with pytest.raises(EnvelopeError) as err:
        validate_envelope(env(), None, EnvelopeLimits(max_audio_bytes=1000))
    assert err.value.kind == "too_large"


def test_truncated_wav_is_rejected():
    data = wav_bytes(1.0)[:-5000]
    with pytest.raises(EnvelopeError, match="truncated or lying header"):
        validate_envelope(env(audio=base64.b64encode(data).decode()), None)


def test_wav_header_claiming_ten_hours_is_rejected():
    data = bytearray(wav_bytes(0.2))
    data_pos = data.index(b"data")
    struct.pack_into("<I", data, data_pos + 4, 10 * 3600 * 16000 * 2)
    with pytest.raises(EnvelopeError, match="claims"):
        validate_envelope(env(audio=base64.b64encode(bytes(data)).decode()), None)


def test_final_chunk_may_be_empty():
    chunk = validate_envelope(env(audio="", final=True, seq=7), None)
    assert chunk.final and chunk.audio == b""


def test_parse_record_rejects_non_json_as_malformed():
    with pytest.raises(EnvelopeError) as err:
        parse_record(b"m", b"\xff\xfe garbage")
    assert err.value.kind == "malformed"


@given(st.binary(max_size=300), st.one_of(st.none(), st.binary(max_size=20)))
def test_parse_record_never_raises_anything_else(value, key):
    try:
        parse_record(key, value)
    except EnvelopeError as exc:
        assert exc.reason


@given(
    st.dictionaries(
        st.sampled_from(["meeting_id", "seq", "codec", "audio", "sample_rate", "channels", "final", "source"]),
        st.one_of(st.none(), st.integers(), st.text(max_size=30), st.booleans(), st.floats()),
    )
)
def test_arbitrary_objects_give_envelope_errors_only(obj):
    try:
        validate_envelope(obj, None)
    except EnvelopeError:
        pass
    # round trip of anything valid
    else:
        assert json.dumps(validate_envelope(obj, None).to_json_dict())
