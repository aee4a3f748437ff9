"""Tests of the reader payload parser (SPEC §7)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
import random
import re
from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.time_clock import reader_payload
from custom_components.time_clock.reader_payload import (
    MAX_DEPTH,
    MAX_PAYLOAD,
    extract_uid,
    normalize_uid,
)

FIXTURES = Path(__file__).parent / "fixtures" / "readers"
NORMALISED = re.compile(r"[0-9A-F]{4,64}")
MEGABYTE = 1 << 20

READS = {
    "esphome_on_tag.txt": "74103794",
    "plain_hex_newline.txt": "04A1B2C3D4",
    "tasmota_pn532.json": "94D8FC5F",
    "tasmota_rc522.json": "BA839D07",
    "tasmota_rdm6300.json": "0012345678",
    "tasmota_rdm6300_hex.json": "00BC614E",
    "tasmota_wiegand.json": "12345678",
    "tasmota_wiegand_hex.json": "BC614E",
    "esp_rfid_access.json": "E3B0C442",
    "esp_rfid_access_logged.json": "E3B0C442",
    "esp_rfid_access_ha.json": "E3B0C442",
    "esphome_json_uid.json": "74103794",
    "generic_tag_id.json": "04A1B2C3D4E5F6",
    "generic_card_int.json": "12345678",
}
IGNORED = (
    "esp_rfid_heartbeat.json",
    "esp_rfid_heartbeat_legacy.json",
    "esp_rfid_boot.json",
    "esp_rfid_event_info.json",
    "esp_rfid_event_warn.json",
    "esp_rfid_user_list.json",
)
WITHOUT_UID = ("esp_rfid_access_opendoor.json",)


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _never_called(text: str) -> str | None:
    raise AssertionError(f"template called with {text!r}")


def _raising(text: str) -> str | None:
    raise RuntimeError(text)


def _is_normalised(result: str | None) -> bool:
    return result is None or (
        NORMALISED.fullmatch(result) is not None and normalize_uid(result) == result
    )


def test_every_fixture_has_an_expectation() -> None:
    assert {path.name for path in FIXTURES.iterdir()} == {
        *READS,
        *IGNORED,
        *WITHOUT_UID,
    }


@pytest.mark.parametrize(("name", "expected"), READS.items())
def test_fixture_is_read_without_configuration(name: str, expected: str) -> None:
    payload = _fixture(name)
    assert extract_uid(payload) == expected
    assert extract_uid(payload.decode()) == expected
    assert extract_uid(payload, template=lambda text: None) == expected
    assert extract_uid(payload, template=_raising) == expected


@pytest.mark.parametrize("name", IGNORED)
def test_esp_rfid_message_that_is_no_read_is_ignored_even_by_template(
    name: str,
) -> None:
    assert extract_uid(_fixture(name)) is None
    assert extract_uid(_fixture(name), template=_never_called) is None


@pytest.mark.parametrize("name", WITHOUT_UID)
def test_read_without_a_uid_gives_none(name: str) -> None:
    assert extract_uid(_fixture(name)) is None


@pytest.mark.parametrize(
    "raw",
    [
        "74-10-37-94",
        "74:10:37:94",
        "74103794",
        " 74 10 37 94 ",
        "74\t10\n37 94",
        "74\u00a010\u300037-94",
        "0x74103794",
        "74103794h",
        "  74-10:37 94\r\n",
    ],
)
def test_separators_case_and_affixes_are_one_card(raw: str) -> None:
    assert normalize_uid(raw) == "74103794"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("04:a1:b2:c3:d4:e5:f6", "04A1B2C3D4E5F6"),
        ("0012345678", "0012345678"),
        ("bc614eh", "BC614E"),
        ("0XABCD", "ABCD"),
        ("1234", "1234"),
        ("F" * 64, "F" * 64),
    ],
)
def test_normalize_uid_keeps_digits_and_upper_cases(raw: str, expected: str) -> None:
    assert normalize_uid(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "-:-",
        "123",
        "F" * 65,
        "0" * 300,
        "G1234567",
        "12.34.56.78",
        "74103794,",
        "\ufb00\ufb00",  # the "ff" ligature upper-cases to ASCII "FF"
        "\u0663\u0663\u0663\u0663",  # Arabic-Indic digits
        "7410\x003794",
        "0x",
        "true",
    ],
)
def test_normalize_uid_rejects_what_is_no_uid(raw: str) -> None:
    assert normalize_uid(raw) is None


@pytest.mark.parametrize("key", ["uid", "tag", "tag_id", "id", "card", "UID", "Tag"])
@pytest.mark.parametrize(
    ("value", "expected"),
    [("74-10-37-94", "74103794"), (12345678, "12345678"), ("04a1b2c3", "04A1B2C3")],
)
def test_generic_json_key_is_read(key: str, value: object, expected: str) -> None:
    assert extract_uid(json.dumps({key: value, "reader": "door"})) == expected


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"id": "DEADBEEF", "uid": "04A1B2C3"}, "04A1B2C3"),
        ({"card": "DEADBEEF", "tag": "04A1B2C3"}, "04A1B2C3"),
        ({"uid": None, "id": "04A1B2C3"}, None),
        ({"PN532": {"UID": "94D8FC5F"}, "id": "11111111"}, "94D8FC5F"),
        ({"pn532": {"uid": "94d8fc5f"}}, "94D8FC5F"),
        ({"MFRC522": {"UID": "BA839D07"}}, "BA839D07"),
        ({"PN532": "94D8FC5F"}, None),
        ({"PN532": {"DATA": ""}}, None),
        ({"uid": -12345678}, None),
        ({"uid": True}, None),
        ({"uid": 12345678.0}, None),
        ({"uid": ["74103794"]}, None),
        ({"type": "access", "uid": "e3b0c442", "cmd": "LOG"}, "E3B0C442"),
        ({"type": "MIFARE Classic", "uid": "e3b0c442"}, "E3B0C442"),
        ({"type": "INFO", "uid": "e3b0c442"}, None),
        ({"cmd": "opendoor", "uid": "e3b0c442"}, None),
        ({"Time": "2021-01-01T00:00:00", "ENERGY": {"Power": 5}}, None),
        ("74-10-37-94", "74103794"),
        (12345678, "12345678"),
        ([1, 2, 3], None),
        (None, None),
    ],
)
def test_json_shapes(payload: object, expected: str | None) -> None:
    assert extract_uid(json.dumps(payload)) == expected


@pytest.mark.parametrize(
    "payload", [b"", b"   \n", "", "\ufeff", b"\xef\xbb\xbf  ", b"not a tag"]
)
def test_empty_or_wordy_text_is_no_read(payload: bytes | str) -> None:
    assert extract_uid(payload) is None


def test_byte_order_mark_is_ignored() -> None:
    assert extract_uid(b"\xef\xbb\xbf74-10-37-94") == "74103794"
    assert extract_uid("\ufeff74-10-37-94") == "74103794"
    assert extract_uid(bytearray(b"74-10-37-94")) == "74103794"


def test_template_reads_what_the_formats_do_not() -> None:
    seen: list[str] = []

    def template(text: str) -> str | None:
        seen.append(text)
        return text.split("card=")[1]

    payload = b"\xef\xbb\xbfreader=front;card=04:a1:b2:c3\n"
    assert extract_uid(payload, template=template) == "04A1B2C3"
    assert seen == ["reader=front;card=04:a1:b2:c3\n"]


@pytest.mark.parametrize("payload", ['{"card" 04A1}', '{"data": {"card": 1}}'])
def test_template_gets_invalid_json_and_unknown_objects(payload: str) -> None:
    assert extract_uid(payload) is None
    assert extract_uid(payload, template=lambda text: "04a1b2c3") == "04A1B2C3"


@pytest.mark.parametrize("answer", [None, "", "not a uid", "12", 3.5, ["04A1B2C3"]])
def test_template_without_uid_gives_none(answer: object) -> None:
    assert extract_uid("reader=front", template=lambda text: answer) is None  # type: ignore[arg-type,return-value]


def test_template_uid_wins_over_a_wrong_guess() -> None:
    payload = '{"id": 12345, "data": {"card": "04a1b2c3"}}'
    assert extract_uid(payload) == "12345"

    def template(text: str) -> str | None:
        return str(json.loads(text)["data"]["card"])

    assert extract_uid(payload, template=template) == "04A1B2C3"


def test_template_returning_an_integer_is_read() -> None:
    assert extract_uid("x", template=lambda text: 12345678) == "12345678"  # type: ignore[arg-type,return-value]
    huge = 10**5000  # str() of it raises ValueError
    assert extract_uid("74103794", template=lambda text: huge) == "74103794"  # type: ignore[arg-type,return-value]


def test_raising_template_is_swallowed(caplog: pytest.LogCaptureFixture) -> None:
    def template(text: str) -> str | None:
        raise ValueError("UndefinedError: 'value_json' is undefined")

    caplog.set_level(logging.DEBUG)
    assert extract_uid("reader=front", template=template) is None
    assert all(record.levelno <= logging.DEBUG for record in caplog.records)


@pytest.mark.parametrize(
    "payload",
    [
        b"\xff\xfe74103794",
        b"7410\xc3\x283794",
        b"\xed\xa0\x80",  # an encoded surrogate
        b'{"uid": "7410\xff3794"}',
        random.Random(1).randbytes(MEGABYTE),
        b"[" * MEGABYTE,
        "[" * MEGABYTE,
        b"74103794" + b" " * MEGABYTE,
    ],
    ids=[
        "bad-start",
        "bad-middle",
        "surrogate",
        "bad-in-json",
        "1MB-random",
        "1MB-brackets-bytes",
        "1MB-brackets-text",
        "1MB-padded-uid",
    ],
)
def test_unreadable_payload_is_dropped_before_any_template(
    payload: bytes | str,
) -> None:
    assert extract_uid(payload, template=_never_called) is None


def test_size_cap_is_inclusive() -> None:
    assert extract_uid(b"74103794".ljust(MAX_PAYLOAD)) == "74103794"
    assert extract_uid(b"74103794".ljust(MAX_PAYLOAD + 1)) is None
    assert extract_uid("74103794".ljust(MAX_PAYLOAD + 1)) is None


@pytest.mark.parametrize(
    "payload",
    [
        "[" * (MAX_PAYLOAD // 2) + "]" * (MAX_PAYLOAD // 2),
        "[" * MAX_PAYLOAD,
        '{"a":' * (MAX_DEPTH + 1) + '"74103794"' + "}" * (MAX_DEPTH + 1),
        '{"uid": "74103794", "x": '
        + "[" * (MAX_DEPTH + 1)
        + "]" * (MAX_DEPTH + 1)
        + "}",
    ],
    ids=["balanced", "open", "objects", "beside-uid"],
)
def test_deep_nesting_is_rejected_without_parsing(
    payload: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader_payload, "json", SimpleNamespace(loads=_never_called))
    assert extract_uid(payload, template=_never_called) is None


def test_nesting_at_the_limit_and_brackets_in_strings_are_read() -> None:
    nested = "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)
    assert extract_uid('{"uid": "74103794", "x": ' + nested + "}") == "74103794"
    brackets = "[" * (MAX_DEPTH * 4)
    assert extract_uid(json.dumps({"note": brackets, "uid": "74103794"})) == "74103794"
    escaped = json.dumps({"note": '\\"' + brackets, "uid": "74103794"})
    assert extract_uid(escaped) == "74103794"


def test_huge_json_number_is_no_uid() -> None:
    payload = '{"uid": ' + "9" * (MAX_PAYLOAD - 10) + "}"
    assert extract_uid(payload, template=lambda text: None) is None


@pytest.mark.parametrize("payload", [None, 12345678, object()])
def test_payload_of_wrong_type_never_raises(payload: object) -> None:
    assert extract_uid(payload) is None  # type: ignore[arg-type]


def test_nothing_is_logged_above_debug(caplog: pytest.LogCaptureFixture) -> None:
    def failing(text: str) -> str | None:
        raise ZeroDivisionError

    caplog.set_level(logging.DEBUG)
    for payload in (b"\xff", b"x" * MEGABYTE, "[" * 100, "{", "74103794", None):
        extract_uid(payload, template=failing)  # type: ignore[arg-type]
    assert caplog.records
    assert all(record.levelno == logging.DEBUG for record in caplog.records)
    assert "74103794" not in caplog.text


# Property-based: 10,000 payloads of every kind, none may raise. Strategies are
# kept cheap (sampled scalars, small structures) so the file runs in seconds.

_KEYS = st.sampled_from(
    [
        *("uid", "UID", "tag", "tag_id", "id", "card", "type", "cmd", "Time", "x"),
        *("PN532", "RC522", "MFRC522", "RDM6300", "Wiegand", "DATA", "Size"),
    ]
)
_SCALARS = st.sampled_from(
    [
        *(None, True, False, 0, -1, 12345678, 2**70, 1.5, float("nan")),
        *("", " ", "74-10-37-94", "04a1b2c3", "0x12ab", "BC614Eh", "0012345678"),
        *("access", "heartbeat", "hearthbeat", "boot", "INFO", "log", "adduser"),
        *("[", "{", "\\", '"', "\u00e9", "\x00", "\ufb00" * 4, "\ud800"),
    ]
)
_JSON = st.recursive(
    _SCALARS | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(_KEYS, children, max_size=3)
    ),
    max_leaves=6,
).map(json.dumps)
_PAYLOADS = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=200),
    st.text(alphabet='{}[]":,\\ 0123456789abcdefuidtagcrdh-', max_size=120),
    # bytes or text by length, to spare Hypothesis a draw
    _JSON.map(lambda text: text.encode() if len(text) % 2 else text),
)

_TEMPLATES = st.sampled_from([None, lambda text: text, lambda text: text[:8], _raising])


@settings(
    max_examples=10_000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(payload=_PAYLOADS, template=_TEMPLATES)
def test_any_payload_gives_none_or_a_normalised_uid(payload, template) -> None:
    assert _is_normalised(extract_uid(payload, template=template))


@settings(max_examples=200, deadline=None, database=None)
@given(
    uid=st.binary(min_size=2, max_size=10),
    separator=st.sampled_from(["", ":", "-", " "]),
    lower=st.booleans(),
    shape=st.sampled_from(
        [
            "{}",
            '"{}"',
            '{{"uid": "{}"}}',
            '{{"Time": "2021-01-01T00:00:00", "PN532": {{"UID": "{}", "DATA": ""}}}}',
            '{{"type": "access", "isKnown": "true", "uid": "{}", "door": "d"}}',
        ]
    ),
)
def test_any_uid_in_any_shape_reads_the_same(uid, separator, lower, shape) -> None:
    raw = separator.join(f"{byte:02x}" for byte in uid)
    payload = shape.format(raw.lower() if lower else raw.upper())
    assert extract_uid(payload.encode()) == uid.hex().upper()


@settings(max_examples=1_000, deadline=None, database=None)
@given(raw=st.text(max_size=80))
def test_normalize_uid_is_idempotent(raw: str) -> None:
    result = normalize_uid(raw)
    assert _is_normalised(result)
    if result is not None:
        assert normalize_uid(result) == result
