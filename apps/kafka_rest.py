"""The Kafka REST Proxy wire formats the gateway speaks (v2 and v3 produce): bodies in, shapes out.

Pure functions: they turn request bytes into :class:`IncomingRecord` values or raise
:class:`WireError` with the HTTP status and a message saying what is wrong.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

V2_JSON = "application/vnd.kafka.json.v2+json"
V2_BINARY = "application/vnd.kafka.binary.v2+json"
V2_RESPONSE = "application/vnd.kafka.v2+json"
V3_JSON = "application/json"

Embedded = Literal["json", "binary"]
V2_FORMATS: dict[str, Embedded] = {V2_JSON: "json", V2_BINARY: "binary", "application/json": "json"}

# Deeper than any envelope; refusing it early keeps the JSON decoder far from recursion limits.
MAX_DEPTH = 32


class WireError(Exception):
    """A request that does not follow the wire format; ``status`` is the HTTP answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class IncomingRecord:
    """One record as the client sent it, before envelope validation."""

    key: str | None  # the record key as text; None when the client sent none
    value: Any  # the decoded envelope (any JSON value until validated)
    raw_value: bytes | None  # the exact value bytes to forward, for BINARY/STRING values
    key_type: str = "STRING"
    value_type: str = "JSON"


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def error_body(code: int, message: str) -> dict[str, Any]:
    return {"error_code": code, "message": message}


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def loads_strict(data: bytes | str, what: str = "body") -> Any:
    """Parse RFC 8259 JSON (UTF-8, no NaN/Infinity) or raise ``WireError(400)``."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        return _DECODER.decode(text)
    except UnicodeDecodeError as exc:
        raise WireError(400, f"{what} is not UTF-8: {exc.reason} at byte {exc.start}") from exc
    except RecursionError as exc:
        raise WireError(400, f"{what} is nested too deeply") from exc
    except ValueError as exc:
        raise WireError(400, f"{what} is not valid JSON: {exc}") from exc


def _b64(data: Any, what: str) -> bytes:
    if not isinstance(data, str):
        raise WireError(400, f"{what} must be a base64 string")
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise WireError(400, f"{what} is not valid base64: {exc}") from exc


def _utf8(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WireError(400, f"{what} is not UTF-8") from exc


# ---- v2: POST /topics/{topic} -------------------------------------------------------------


def parse_v2(body: bytes, embedded: Embedded) -> list[IncomingRecord]:
    """The records of a v2 produce body ``{"records": [{"key", "value", "partition"}]}``."""
    doc = loads_strict(body)
    if not isinstance(doc, dict) or not isinstance(doc.get("records"), list):
        raise WireError(400, 'body must be a JSON object {"records": [...]}')
    records: list[IncomingRecord] = []
    for i, rec in enumerate(doc["records"]):
        where = f"records[{i}]"
        if not isinstance(rec, dict):
            raise WireError(400, f"{where} must be an object with key and value")
        if rec.get("partition") is not None:
            raise WireError(422, f"{where}: partition must be null (records are keyed by meeting)")
        if "value" not in rec:
            raise WireError(400, f"{where} has no value")
        key, value = rec.get("key"), rec["value"]
        if embedded == "binary":
            key_text = None if key is None else _utf8(_b64(key, f"{where}.key"), f"{where}.key")
            raw = _b64(value, f"{where}.value")
            obj = loads_strict(raw, f"{where}.value")
            records.append(IncomingRecord(key_text, obj, raw, "BINARY", "BINARY"))
        else:
            if key is not None and not isinstance(key, str):
                raise WireError(422, f"{where}: key must be the meeting_id string")
            records.append(IncomingRecord(key, value, None))
    if not records:
        raise WireError(400, "records is empty")
    return records


def v2_offsets(results: list[tuple[int, int]]) -> dict[str, Any]:
    return {
        "offsets": [
            {"partition": p, "offset": o, "error_code": None, "error": None} for p, o in results
        ],
        "key_schema_id": None,
        "value_schema_id": None,
    }


# ---- v3: POST /v3/clusters/{id}/topics/{topic}/records ---------------------------------------


def parse_v3_record(obj: Any) -> IncomingRecord:
    """One v3 produce request object ``{"key": {"type", "data"}, "value": {"type", "data"}}``."""
    if not isinstance(obj, dict):
        raise WireError(400, "a v3 record must be a JSON object")
    if obj.get("partition_id") is not None:
        raise WireError(422, "partition_id must be null (records are keyed by meeting)")
    if obj.get("headers"):
        raise WireError(422, "record headers are not accepted by this gateway")
    key_text, key_type = _v3_key(obj.get("key"))
    value = obj.get("value")
    if not isinstance(value, dict) or "data" not in value:
        raise WireError(400, 'value must be an object {"type": "JSON", "data": {...}}')
    vtype = str(value.get("type") or "JSON").upper()
    data = value["data"]
    if vtype == "JSON":
        return IncomingRecord(key_text, data, None, key_type, vtype)
    if vtype == "BINARY":
        raw = _b64(data, "value.data")
    elif vtype == "STRING":
        if not isinstance(data, str):
            raise WireError(400, "value.data must be a string for type STRING")
        try:
            raw = data.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise WireError(400, "value.data is not encodable as UTF-8") from exc
    else:
        raise WireError(422, f"value.type must be JSON, BINARY or STRING, not {vtype[:20]!r}")
    return IncomingRecord(key_text, loads_strict(raw, "value.data"), raw, key_type, vtype)


def _v3_key(key: Any) -> tuple[str | None, str]:
    if key is None:
        return None, "STRING"
    if not isinstance(key, dict):
        raise WireError(400, 'key must be an object {"type": "STRING", "data": "<meeting_id>"}')
    ktype = str(key.get("type") or "STRING").upper()
    data = key.get("data")
    if data is None:
        return None, ktype
    if ktype in ("STRING", "JSON"):
        if not isinstance(data, str):
            raise WireError(422, "key.data must be the meeting_id string")
        return data, ktype
    if ktype == "BINARY":
        return _utf8(_b64(data, "key.data"), "key.data"), ktype
    raise WireError(422, f"key.type must be STRING, BINARY or JSON, not {ktype[:20]!r}")


def v3_result(
    *,
    cluster_id: str,
    topic: str,
    partition: int,
    offset: int,
    timestamp_ms: int,
    record: IncomingRecord,
    key_size: int,
    value_size: int,
) -> dict[str, Any]:
    ts = datetime.fromtimestamp(timestamp_ms / 1000, UTC).isoformat(timespec="milliseconds")
    return {
        "error_code": 200,
        "cluster_id": cluster_id,
        "topic_name": topic,
        "partition_id": partition,
        "offset": offset,
        "timestamp": ts.replace("+00:00", "Z"),
        "key": {"type": record.key_type, "size": key_size},
        "value": {"type": record.value_type, "size": value_size},
    }


class ConcatenatedObjects:
    """Splits a stream of concatenated JSON objects (``{..}{..} {..}``) as its bytes arrive.

    A linear scan tracks string/escape state and brace depth, so each byte is looked at once
    however the stream is cut; a complete object is then parsed with :func:`loads_strict`.
    At most ``max_object_bytes`` of one unfinished object are held.
    """

    _TOKENS = re.compile(r'[\\"{}\[\]]')

    def __init__(self, max_object_bytes: int) -> None:
        self._max = max_object_bytes
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._buf = ""
        self._scan = 0  # next position of _buf to scan
        self._start = -1  # where the current object starts, -1 between objects
        self._depth = 0
        self._in_string = False
        self._skip_to = 0  # a backslash in a string makes the next character inert
        self.count = 0  # objects yielded so far

    def feed(self, data: bytes, *, final: bool = False) -> Iterator[Any]:
        try:
            self._buf += self._utf8.decode(data, final)
        except UnicodeDecodeError as exc:
            raise WireError(400, f"record {self.count}: body is not UTF-8") from exc
        while True:
            if self._start < 0 and not self._next_object():
                break
            end = self._find_end()
            if end < 0:
                if len(self._buf) - self._start > self._max:
                    raise WireError(
                        413, f"record {self.count} is over the limit of {self._max} bytes"
                    )
                break
            text = self._buf[self._start : end + 1]
            self._buf, self._scan, self._start, self._skip_to = self._buf[end + 1 :], 0, -1, 0
            yield loads_strict(text, f"record {self.count}")
            self.count += 1
        if final and self._start >= 0:
            raise WireError(400, f"record {self.count} is incomplete at the end of the body")

    def _next_object(self) -> bool:
        text = self._buf.lstrip()
        if not text:
            self._buf = ""
            return False
        if text[0] != "{":
            raise WireError(400, f"record {self.count}: expected a JSON object, got {text[:20]!r}")
        self._buf, self._start, self._scan, self._depth = text, 0, 0, 0
        return True

    def _find_end(self) -> int:
        for m in self._TOKENS.finditer(self._buf, self._scan):
            pos, char = m.start(), m.group()
            if pos < self._skip_to:
                continue
            if self._in_string:
                if char == "\\":
                    self._skip_to = pos + 2
                elif char == '"':
                    self._in_string = False
            elif char == '"':
                self._in_string = True
            elif char in "{[":
                self._depth += 1
                if self._depth > MAX_DEPTH:
                    raise WireError(400, f"record {self.count} is nested too deeply")
            else:
                self._depth -= 1
                if self._depth == 0:
                    return pos
        self._scan = len(self._buf)
        return -1
