"""The ``transcription.completed`` records: each kind round-trips, old segments still read, bad ones
are refused with a reason a dead letter can carry."""

import json

import pytest

from domain.records import (
    MeetingClosedRecord,
    MeetingRefinedRecord,
    MeetingSeenRecord,
    RecordError,
    RevisionRecord,
    SegmentRecord,
    parse_record,
    to_record,
)
from domain.timeline import MeetingClosed, MeetingSeen
from domain.transcript import Segment


def seg(start: int, text: str = "We ship Friday.", *, source: str = "main", team: str | None = "acme") -> Segment:
    return Segment("m1", source, "Ana", start, start + 900, text, "en", "tiny.en", 1764460800000, team=team)


def test_a_live_segment_round_trips_with_its_kind_and_revision():
    rec = SegmentRecord(seg(1000))
    body = json.loads(rec.to_record())
    assert body["kind"] == "segment" and body["revision"] == "live" and body["team"] == "acme"
    back = parse_record(rec.to_record())
    assert isinstance(back, SegmentRecord)
    assert back.segment == seg(1000) and back.revision == "live"


def test_a_segment_written_before_kind_existed_is_a_live_segment():
    old = seg(0).to_record()  # today's producer: no kind, no revision
    rec = parse_record(old, key=b"m1")
    assert isinstance(rec, SegmentRecord)
    assert rec.revision == "live" and rec.segment.text == "We ship Friday." and rec.team == "acme"


def test_a_segment_without_team_reads_with_no_team():
    body = json.loads(seg(0).to_record())
    del body["team"]
    rec = parse_record(json.dumps(body).encode())
    assert isinstance(rec, SegmentRecord) and rec.team is None


def test_lifecycle_records_round_trip_to_the_timeline_events():
    seen = MeetingSeen("m1", "acme", "Standup", 1764460800000, {"main": "Ana", "b": None}, "m0", 2)
    closed = MeetingClosed("m1", "idle", 61_000, "acme")
    s = parse_record(to_record(seen))
    c = parse_record(to_record(closed))
    assert isinstance(s, MeetingSeenRecord) and s.event() == seen
    assert isinstance(c, MeetingClosedRecord) and c.event() == closed
    assert json.loads(to_record(closed)) == {
        "kind": "meeting_closed", "team": "acme", "meeting_id": "m1", "reason": "idle", "duration_ms": 61_000,
    }


def test_a_revision_round_trips_and_marks_its_segments_refined():
    rev = RevisionRecord("acme", "m1", "main", 0, 30_000, (seg(0, "We ship on Friday."), seg(5000)))
    body = json.loads(rev.to_record())
    assert body["revision"] == "refined"
    assert [s["revision"] for s in body["segments"]] == ["refined", "refined"]
    assert parse_record(rev.to_record()) == rev
    assert rev.covers(0) and rev.covers(29_999) and not rev.covers(30_000)


def test_a_revision_gives_its_team_to_segments_that_lack_one():
    body = json.loads(RevisionRecord("acme", "m1", "main", 0, 10_000, (seg(0, team=None),)).to_record())
    del body["segments"][0]["team"]
    rev = parse_record(json.dumps(body))
    assert isinstance(rev, RevisionRecord) and rev.segments[0].team == "acme"


def test_an_empty_revision_is_valid_it_clears_the_span():
    rev = RevisionRecord("acme", "m1", "main", 0, 10_000, ())
    assert parse_record(rev.to_record()) == rev


def test_meeting_refined_round_trips():
    rec = MeetingRefinedRecord("acme", "m1")
    assert parse_record(rec.to_record()) == rec


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (b"\xff\xfe", "not a JSON record"),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"kind": "minutes"}', "unknown record kind 'minutes'"),
        (b'{"kind": "segment", "meeting_id": "m1"}', "'start_ms' is missing"),
        (json.dumps({**json.loads(SegmentRecord(seg(0)).to_record()), "start_ms": "0"}).encode(),
         "'start_ms' must be an integer"),
        (json.dumps({**json.loads(SegmentRecord(seg(0)).to_record()), "end_ms": -1}).encode(), "'end_ms' must be >= 0"),
        (json.dumps({**json.loads(SegmentRecord(seg(0)).to_record()), "revision": "draft"}).encode(),
         "'revision' must be one of"),
        (b'{"kind": "meeting_closed", "team": "acme", "meeting_id": "m1", "reason": "bored", "duration_ms": 1}',
         "'reason' must be one of"),
        (b'{"kind": "meeting_seen", "team": "acme", "meeting_id": "m1", "started_ms": 0, "sources": ["a"]}',
         "'sources' must map"),
        (b'{"kind": "revision", "team": "acme", "meeting_id": "m1", "source": "a", "start_ms": 10, "end_ms": 5,'
         b' "revision": "refined", "segments": []}', "is before 'start_ms'"),
        (b'{"kind": "revision", "team": "acme", "meeting_id": "m1", "source": "a", "start_ms": 0, "end_ms": 5,'
         b' "revision": "live", "segments": []}', "'revision' must be 'refined'"),
        (b'{"kind": "meeting_refined", "team": "acme"}', "'meeting_id' is missing"),
    ],
)
def test_bad_records_are_refused_with_a_reason(value: bytes, reason: str):
    with pytest.raises(RecordError, match=reason.replace("[", r"\[").replace("(", r"\(")):
        parse_record(value)


def test_a_revision_segment_outside_its_span_or_source_is_refused():
    with pytest.raises(RecordError, match="outside"):
        RevisionRecord("acme", "m1", "main", 0, 1000, (seg(5000),))
    with pytest.raises(RecordError, match="in a revision of"):
        RevisionRecord("acme", "m1", "main", 0, 10_000, (seg(0, source="b"),))
    body = json.loads(RevisionRecord("acme", "m1", "main", 0, 10_000, (seg(0),)).to_record())
    body["segments"][0]["start_ms"] = 20_000
    body["segments"][0]["end_ms"] = 21_000
    with pytest.raises(RecordError, match="outside"):
        parse_record(json.dumps(body))


def test_a_key_that_is_not_the_meeting_id_is_refused():
    with pytest.raises(RecordError, match="not its meeting_id"):
        parse_record(SegmentRecord(seg(0)).to_record(), key=b"other")


def test_a_relabel_round_trips_and_is_a_record_of_its_own_kind():
    from domain.records import RelabelRecord
    from domain.speakers import Relabel

    r = Relabel("m-1", "acme", "room", 41200, "S3", "S1")
    value = to_record(r)
    rec = parse_record(value, b"m-1")
    assert isinstance(rec, RelabelRecord)
    assert rec.event() == r
    with pytest.raises(RecordError, match="'new'"):
        parse_record(b'{"kind": "relabel", "meeting_id": "m-1", "source": "room", "start_ms": 0, "old": "S1"}')
    # Where the segment's speech ends (so refined rows read from it follow) travels too, optionally.
    ended = Relabel("m-1", "acme", "room", 41200, "S3", "S1", 44800)
    assert parse_record(to_record(ended), b"m-1").event() == ended  # type: ignore[union-attr]
    assert "end_ms" not in json.loads(value)
