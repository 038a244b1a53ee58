"""Decoding and repair: mojibake, entities, bad bytes, line endings, huge lines."""

from __future__ import annotations

import io

import pytest

from cleaner import Cleaner
from cleaner.encoding import (
    decode_line,
    fix_mojibake,
    needs_ftfy,
    read_lines,
    unescape_entities,
)


@pytest.mark.parametrize(
    ("broken", "fixed"),
    [
        ("Ã¼ber die BrÃ¼cke â€“ schÃ¶n", "über die Brücke – schön"),
        ("Ø§Ù„Ø¹Ø±Ø¨ÙŠØ©", "العربية"),
        ("Ð¿Ñ€Ð¸Ð²ÐµÑ‚", "привет"),
        ("Itâ€™s fine", "It’s fine"),
        ("bell\x07 and esc\x1b[31mred\x1b[0m", "bell and escred"),
    ],
)
def test_mojibake_and_controls_repaired(broken: str, fixed: str) -> None:
    assert fix_mojibake(broken) == fixed


@pytest.mark.parametrize(
    "text",
    [
        "„Hallo“, sagte er – und ging.",
        "你好，世界！ＡＢＣ",
        "ﬁnance ﬂow",
        "Café “Zum Löwen” öffnet um 9 Uhr.",
        "عندما أصبحت وسائل التواصل الاجتماعي (Facebook و LinkedIn) شائعة",
        "Tab\tseparated\tcolumns",
    ],
)
def test_styling_is_not_repair(text: str) -> None:
    assert fix_mojibake(text) == text


def test_precheck_skips_clean_text() -> None:
    assert not needs_ftfy("Plain ASCII line.")
    assert not needs_ftfy("Ärger über Öl – „schön“")
    assert needs_ftfy("Ã¤rger")
    assert needs_ftfy("nul\x00byte")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Opt-in&rdquo; x", "Opt-in” x"),
        ("&amp;rdquo;double", "”double"),
        ("AT&amp;T", "AT&T"),
        ("dash &#8211; and &#x2014;", "dash – and —"),
        ("Facebook & LinkedIn", "Facebook & LinkedIn"),
        ("Tom & Jerry; &Jerry;", "Tom & Jerry; &Jerry;"),
        ("a < b and &rdquo;x", "a < b and ”x"),
        ("&#0; &#xD800; &#99999999;", "&#0; &#xD800; &#99999999;"),
        ("&copy 2020 without semicolon", "&copy 2020 without semicolon"),
    ],
)
def test_entities(text: str, expected: str) -> None:
    assert unescape_entities(text) == expected


def test_entity_decoding_is_per_line_not_per_stream(default_cleaner: Cleaner) -> None:
    """ftfy's fix_file stops decoding entities for the rest of a stream after one '<'."""
    text = "if a < b then\nSo &rdquo;quoted&ldquo; here.\n"
    assert default_cleaner.clean(text).text == "if a < b then\nSo ”quoted“ here.\n"


def test_invalid_utf8_read_as_cp1252() -> None:
    assert decode_line(b"caf\xe9 \x93quoted\x94 \x81") == ("café “quoted” \x81", 4)


def test_mixed_encodings_in_one_file(default_cleaner: Cleaner) -> None:
    data = "Grüße aus Köln.\n".encode() + b"Gr\xfc\xdfe aus K\xf6ln.\n"
    changes = []
    out = "".join(default_cleaner.clean_stream(io.BytesIO(data), changes.append))
    assert out == "Grüße aus Köln.\nGrüße aus Köln.\n"
    assert [c.rule_id for c in changes] == ["repair.decode"]


def test_line_endings_and_missing_final_newline_preserved(default_cleaner: Cleaner) -> None:
    data = b"Erste Zeile.\r\nZweite Zeile.\nDritte ohne Ende."
    out = "".join(default_cleaner.clean_stream(io.BytesIO(data)))
    assert out.encode() == data


def test_bom_removed_and_recorded(default_cleaner: Cleaner) -> None:
    changes = []
    out = "".join(default_cleaner.clean_stream(io.BytesIO(b"\xef\xbb\xbfText.\n"), changes.append))
    assert out == "Text.\n"
    assert changes[0].rule_id == "repair.bom"


def test_oversized_line_read_in_pieces_and_passed_through() -> None:
    text = "ä" * 100 + "\nkurz\n"
    pieces = list(read_lines(io.BytesIO(text.encode()), max_line=33))
    assert "".join(p.text + p.eol for p in pieces) == text
    assert all(p.oversized for p in pieces[:-1]) and not pieces[-1].oversized
    assert all(len(p.text.encode()) <= 33 for p in pieces)


def test_crlf_never_split_between_pieces() -> None:
    data = b"x" * 9 + b"\r\n" + b"y\n"
    pieces = list(read_lines(io.BytesIO(data), max_line=10))
    assert b"".join((p.text + p.eol).encode() for p in pieces) == data
    assert all(not p.text.endswith("\r") for p in pieces)


def test_lone_cr_line_endings_are_lines_and_preserved(default_cleaner: Cleaner) -> None:
    """Old Mac files end lines with a lone CR: each is a line, and each keeps its ending."""
    data = b"Erste Zeile.\rLeave a Reply\rZweite Zeile.\r\nDritte.\n"
    pieces = list(read_lines(io.BytesIO(data), block=4))  # blocks split between CR and LF
    assert [p.eol for p in pieces] == ["\r", "\r", "\r\n", "\n"]
    out = "".join(default_cleaner.clean_stream(io.BytesIO(b"Absatz eins.\rAbsatz zwei.\r")))
    assert out == "Absatz eins.\rAbsatz zwei.\r"
    assert default_cleaner.clean("A.\r[ad_1]\rB.\r").text == "A.\rB.\r"


def test_long_line_is_not_rescanned_block_after_block() -> None:
    """A 20 MB line without a line ending is read in linear time, in 1 MiB pieces."""
    import time

    data = ("Ä" * 50 + "x" * 50).encode() * 140_000 + b"\nkurz\n"
    start = time.perf_counter()
    pieces = list(read_lines(io.BytesIO(data)))
    assert time.perf_counter() - start < 5  # quadratic rescanning took minutes
    assert b"".join((p.text + p.eol).encode() for p in pieces) == data
    assert max(len(p.text.encode()) for p in pieces) <= 1 << 20


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("&amp;amp;amp;amp;", "&"),  # four levels: the 3-round loop left "&amp;"
        ("&amp;amp;amp;amp;rdquo;x", "”x"),
        ("&rdquo&semi;", "”"),  # a decoded ';' completes the entity before it
        ("&rdquo" + "&semi" * 5 + "&#59;", "”"),
        ("&&#97;mp;lt;", "<"),
        ("&amp;amp;amp;Jerry;", "&Jerry;"),  # not an entity: stays once the &amp; are gone
    ],
)
def test_nested_entities_decoded_to_the_end(text: str, expected: str) -> None:
    assert unescape_entities(text) == expected
    assert unescape_entities(expected) == expected


def test_deeply_nested_entities_in_linear_time() -> None:
    import time

    start = time.perf_counter()
    assert unescape_entities("&rdquo" + "&semi" * 200_000 + "&#59;") == "”"
    assert unescape_entities("&amp;" + "amp;" * 200_000 + "lt;") == "<"
    assert time.perf_counter() - start < 5  # one regex round per level took hours


@pytest.mark.parametrize("char", ["\ufeff", "\u206a", "\ufffc"])
def test_precheck_sees_every_character_ftfy_removes(char: str) -> None:
    """A character ftfy deletes must not survive on lines the cheap check waves through."""
    assert needs_ftfy(f"Text{char}mehr") and needs_ftfy(f"Tëxt{char}mehr")
    assert fix_mojibake(f"Text{char}mehr") == "Textmehr"


def test_lone_cr_at_a_block_end_before_a_long_line() -> None:
    """A CR that ends one read and a long line without line ending after it: still a line."""
    from .test_properties import ChunkedReader

    data = b"abc\r" + b"d" * 30 + b"\n"
    pieces = list(read_lines(ChunkedReader(data, [4, 15, 100]), max_line=10))  # type: ignore[arg-type]
    assert pieces[0] == ("abc", 0, "\r", False)
    assert "".join(p.text + p.eol for p in pieces) == data.decode()
    assert all(p.oversized for p in pieces[1:])
