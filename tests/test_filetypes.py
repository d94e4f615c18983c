"""Format detection: content decides, names and declared types only break ties between texts."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from docproc.errors import UnsupportedMediaType
from docproc.extract import EXTRACTORS
from docproc.filetypes import FORMATS, content_type_for, detect
from tests.documents import (
    ENCODED_TEXTS,
    make_corrupt_pdf,
    make_docx,
    make_encrypted_pdf,
    make_exe,
    make_gif,
    make_html,
    make_pdf,
    make_png,
    make_zip,
)

ENCODING_IDS = [label for label, _, _ in ENCODED_TEXTS]
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.mark.parametrize(
    ("make", "filename", "declared", "expected"),
    [
        (lambda: make_pdf(["Hello"]), "report.pdf", "application/pdf", "pdf"),
        (lambda: make_pdf(["Hello"]), "report.txt", "text/plain", "pdf"),
        (lambda: make_pdf(["Hello"]), None, None, "pdf"),
        (lambda: b"\n" * 500 + make_pdf(["late header"]), None, None, "pdf"),
        (make_corrupt_pdf, "x.pdf", None, "pdf"),
        (lambda: make_encrypted_pdf("locked"), None, None, "pdf"),
        (lambda: make_docx(["Hello"]), "memo.docx", DOCX_MIME, "docx"),
        (lambda: make_docx(["Hello"]), "upload.bin", "application/octet-stream", "docx"),
        (lambda: make_docx(["Hello"]), None, None, "docx"),
        (lambda: make_html("<p>Hi</p>"), None, None, "html"),
        (lambda: make_html("<p>Hi</p>"), "page.txt", "text/plain", "html"),
        (lambda: b"\xef\xbb\xbf \n\t<!DOCTYPE HTML><p>x</p>", None, None, "html"),
        (lambda: b"<HTML><body>x</body></HTML>", None, None, "html"),
        (lambda: b'<?xml version="1.0"?>\n<!-- c -->\n<!DOCTYPE html>', None, None, "html"),
        (lambda: b"<htmlish> is not a tag we know", None, None, "text"),
        (lambda: b"<p>fragment</p>", "frag.htm", None, "html"),
        (lambda: b"<p>fragment</p>", None, "text/html; charset=utf-8", "html"),
        (lambda: b"# Title\n\nSome *text*.", "notes.md", None, "markdown"),
        (lambda: b"# Title", "NOTES.MARKDOWN", None, "markdown"),
        (lambda: b"# Title", None, "text/markdown", "markdown"),
        (lambda: b"a,b\n1,2\n", "data.csv", None, "csv"),
        (lambda: b"a,b\n1,2\n", None, "text/csv; charset=utf-8", "csv"),
        (lambda: b"a,b\n1,2\n", None, None, "text"),
        (lambda: b'{"a": 1}', "data.json", None, "json"),
        (lambda: b'{"a": 1}', None, "application/json", "json"),
        (lambda: b'  \n{"a": [1, 2]}', "a.txt", None, "json"),
        (lambda: b"[1, 2, 3]", None, None, "json"),
        (lambda: b"{not json at all}", None, None, "text"),
        (lambda: b"[citation needed] is a phrase.", None, None, "text"),
        (lambda: b"Plain words.", None, None, "text"),
        (lambda: b"", None, None, "text"),
        (lambda: b"Windows path", "C:\\Users\\me\\table.csv", None, "csv"),
    ],
)
def test_detects_by_content_helped_by_hints(
    make: Callable[[], bytes], filename: str | None, declared: str | None, expected: str
) -> None:
    assert detect(make(), filename, declared) == expected


@pytest.mark.parametrize(
    ("data", "looks_like"),
    [
        (make_png(), "PNG image"),
        (make_gif(), "GIF image"),
        (make_zip(), "ZIP archive"),
        (make_exe(), "Windows program"),
        (random.Random(7).randbytes(4096), "binary data"),
        (b"abc\x00\x00\x01\x02\x03def" * 50, "binary data"),
        (b"PK\x03\x04" + random.Random(3).randbytes(300), "damaged or incomplete ZIP"),
        (make_zip({"xl/workbook.xml": b"<x/>"}), "spreadsheet"),
        (b"{\\rtf1\\ansi Hello}", "RTF"),
    ],
    ids=["png", "gif", "zip", "exe", "random", "nul-heavy", "corrupt-zip", "xlsx", "rtf"],
)
def test_other_binaries_are_refused_with_a_helpful_message(data: bytes, looks_like: str) -> None:
    with pytest.raises(UnsupportedMediaType) as caught:
        detect(data, "document.pdf", "application/pdf")
    assert looks_like in caught.value.message
    assert caught.value.code == "unsupported_media_type"
    assert "send" in caught.value.message


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (b"BMW,Audi,Volvo\n3,4,5\n", "cars.csv", "csv"),  # starts like a BMP image
        (b"MZ is the postal code prefix we use.\n", None, "text"),  # starts like an EXE
        (b"ID3 tags are described below.\n", None, "text"),  # starts like an MP3
        ("βρέχει σήμερα στην Αθήνα.\n".encode(), None, "text"),  # starts like Brotli
    ],
)
def test_text_that_starts_like_a_binary_signature_is_still_text(
    data: bytes, filename: str | None, expected: str
) -> None:
    assert detect(data, filename) == expected


@pytest.mark.parametrize(("label", "text", "data"), ENCODED_TEXTS, ids=ENCODING_IDS)
def test_text_in_any_common_encoding_is_text(label: str, text: str, data: bytes) -> None:
    assert detect(data, "notes.txt") == "text"


def test_bom_less_utf16_is_text() -> None:
    assert detect("Meeting notes, second draft.\n".encode("utf-16-le") * 20) == "text"


@pytest.mark.parametrize(
    "data",
    [
        b"a" + "é".encode() * 40_000,  # no newline: the sample ends inside a character
        ("Zeile mit Umlauten: äöü €\n" * 4000).encode(),
        ("Ligne en cp1252 : 5 € à payer\n" * 4000).encode("cp1252"),
        ("Long UTF-16 line: ünïcödé\n" * 4000).encode("utf-16"),
        ("Long UTF-16 line: ünïcödé\n" * 4000).encode("utf-16-le"),
        ("Long UTF-16 line: ünïcödé\n" * 4000).encode("utf-16-be"),
    ],
    ids=["utf8-cut", "utf8-lines", "cp1252", "utf16", "utf16le-no-bom", "utf16be-no-bom"],
)
def test_large_texts_are_detected_from_a_bounded_sample(data: bytes) -> None:
    assert len(data) > 64 * 1024
    assert detect(data) == "text"


def test_large_json_like_text_is_not_parsed_without_a_hint() -> None:
    data = b"[" + b"1, " * 400_000 + b"1]"
    assert len(data) > 1024 * 1024
    assert detect(data) == "text"
    assert detect(data, "big.json") == "json"


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("pdf", "application/pdf"),
        ("docx", DOCX_MIME),
        ("text", "text/plain"),
        ("markdown", "text/markdown"),
        ("html", "text/html"),
        ("csv", "text/csv"),
        ("json", "application/json"),
    ],
)
def test_content_type_for_every_format(fmt: str, content_type: str) -> None:
    assert content_type_for(fmt) == content_type


def test_content_type_for_an_unknown_format_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        content_type_for("xlsx")


def test_every_format_has_an_extractor() -> None:
    assert set(FORMATS) == set(EXTRACTORS)
