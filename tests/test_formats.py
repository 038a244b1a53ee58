"""The input formats: detection, JSONL records spliced back, HTML pages, WARC/WET records."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from cleaner.formats import (
    JsonlFields,
    detect_format,
    extract_html,
    parse_record,
    read_jsonl,
    read_warc,
    splice_text,
)

from .conftest import FIXTURES


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("shard-00001.jsonl.zst", b"", "jsonl"),
        ("data.ndjson", b"", "jsonl"),
        ("CC-MAIN-x.warc.gz", b"", "warc"),
        ("CC-MAIN-x.warc.wet.gz", b"", "warc"),
        ("page.HTM", b"", "html"),
        ("notes.txt", b'{"text": "a"}', "text"),  # the name wins
        (None, b'\xef\xbb\xbf  {"text": "a"}\n', "jsonl"),
        (None, b"\n <!DOCTYPE html><html>", "html"),
        (None, b"<?xml version='1.0'?>\n<html xmlns='x'>", "html"),
        (None, b"WARC/1.1\r\nWARC-Type: warcinfo", "warc"),
        (None, b"<b>Fett</b> beginnt ein Absatz.", "text"),
        (None, b"", "text"),
    ],
)
def test_detect_format(name: str | None, head: bytes, expected: str) -> None:
    assert detect_format(name, head) == expected


def test_record_fields_order_and_bytes_survive_splicing() -> None:
    raw = b'{"n": 1.50, "text": "A \\u00fc [ad_1]", "deep": {"a": [1, {"b": null}]}, "z": "\\"q\\""}\n'
    record = parse_record(raw, 7, "shard.jsonl", JsonlFields())
    assert record.doc is not None
    assert record.doc.text == "A ü [ad_1]"
    assert record.doc.id == "shard.jsonl:7"
    out = splice_text(raw, "text", "A ü")
    assert (
        out
        == '{"n": 1.50, "text": "A ü", "deep": {"a": [1, {"b": null}]}, "z": "\\"q\\""}\n'.encode()
    )
    assert list(json.loads(out)) == ["n", "text", "deep", "z"]


def test_splicing_takes_the_last_of_duplicate_keys_like_json_loads() -> None:
    raw = b'{"text": "first", "text": "second"}'
    assert json.loads(raw)["text"] == "second"
    assert json.loads(splice_text(raw, "text", "new")) == {"text": "new"}
    assert splice_text(raw, "text", "new") == b'{"text": "first", "text": "new"}'


def test_id_and_site_fields() -> None:
    raw = b'{"doc": 42, "link": "https://www.Example.org/a", "body": "Text"}'
    fields = JsonlFields(text="body", id="doc", site="link")
    record = parse_record(raw, 1, "x", fields)
    assert record.doc is not None
    assert (record.doc.text, record.doc.id, record.doc.site) == ("Text", "42", "example.org")


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (b'{"text": "open', "not JSON: Unterminated string starting at (column 10)"),
        (b"[1, 2]", "not a JSON object but list"),
        (b'{"body": "x"}', "no 'text' field"),
        (b'{"text": null}', "its 'text' field is null, not text"),
        (b'{"text": ["a"]}', "its 'text' field is list, not text"),
        (b"[" * 100_000 + b"]" * 100_000, "not JSON: nested too deeply"),
    ],
)
def test_malformed_records_say_why(raw: bytes, error: str) -> None:
    record = parse_record(raw, 3, "x", JsonlFields())
    assert record.doc is None
    assert record.error == error


def test_bad_bytes_in_a_record_are_read_as_windows_1252() -> None:
    record = parse_record(b'{"text": "caf\xe9"}\n', 1, "x", JsonlFields())
    assert record.doc is not None and record.doc.text == "café"


def test_oversized_record_is_malformed_and_kept_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    import cleaner.formats as formats

    monkeypatch.setattr(formats, "MAX_RECORD_BYTES", 64)
    data = b'{"text": "' + b"x" * 200 + b'"}\n{"text": "ok"}\n'
    records = list(read_jsonl(io.BytesIO(data), "x", JsonlFields()))
    assert records[0].error == "record longer than 0 MiB"
    assert records[0].raw == data[:213]  # the whole line, for --on-error keep
    assert records[1].doc is not None and records[1].doc.text == "ok"
    assert records[1].line_no == 2


def test_html_page_main_text_without_comments_unless_asked() -> None:
    html = (FIXTURES / "html" / "post-with-comments.html").read_bytes()
    page = extract_html(html, "post.html")
    assert page.record["title"] == "Wandern im Harz"
    assert page.record["url"] == "https://www.wanderblog.de/harz/"
    assert page.site == "wanderblog.de"
    assert "Brocken" in page.text and page.text.endswith("\n")
    assert "Toller Bericht" not in page.text  # a reader's comment
    with_comments = extract_html(html, "post.html", keep_comments=True)
    assert "Toller Bericht" in with_comments.text


def make_warc(path: Path, pages: list[tuple[str, str]], gzip: bool = True) -> None:
    """Write a WARC with a warcinfo, a request and a response per page, and one PNG."""
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=gzip)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "tests"}))
        for url, html in pages:
            request = writer.create_warc_record(
                url, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n")
            )
            writer.write_record(request)
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            body = html.encode("utf-8")
            response = writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=headers
            )
            writer.write_record(response)
        image = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(
                "https://x.org/a.png",
                "response",
                payload=io.BytesIO(b"\x89PNG"),
                http_headers=image,
            )
        )


def page(title: str, body: str) -> str:
    return (
        f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        f"<p>{body}</p><p>[ad_1]</p><p>Leave a Reply</p></article></body></html>"
    )


def test_warc_responses_become_documents_with_url_date_id(tmp_path: Path) -> None:
    warc = tmp_path / "crawl.warc.gz"
    body = "Der Brocken ist mit 1141 Metern der höchste Berg im Harz und oft im Nebel."
    make_warc(warc, [("https://www.wanderblog.de/brocken/", page("Brocken", body))])
    from cleaner.formats import WarcTally

    tally = WarcTally()
    with warc.open("rb") as stream:
        docs = list(read_warc(stream, str(warc), tally=tally))
    assert len(docs) == 1
    assert docs[0].record["url"] == "https://www.wanderblog.de/brocken/"
    assert docs[0].record["date"].startswith("20")
    assert docs[0].record["id"].startswith("<urn:uuid:")
    assert docs[0].site == "wanderblog.de"
    assert body in docs[0].text
    assert tally.skipped == 3  # warcinfo, request, the PNG


def test_wet_conversion_records_are_text(tmp_path: Path) -> None:
    wet = tmp_path / "crawl.warc.wet.gz"
    text = "Kota Bandung terkenal dengan udara yang sejuk.\nShare this:\n"
    with wet.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        record = writer.create_warc_record(
            "https://contoh.co.id/bandung",
            "conversion",
            payload=io.BytesIO(text.encode()),
            warc_headers_dict={"Content-Type": "text/plain"},
        )
        writer.write_record(record)
    with wet.open("rb") as stream:
        docs = list(read_warc(stream, str(wet)))
    assert [d.text for d in docs] == [text]
    assert docs[0].record["url"] == "https://contoh.co.id/bandung"
