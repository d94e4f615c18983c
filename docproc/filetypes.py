"""Decide a document's format from its bytes, using the name and declared type only as hints.

This runs inside the web request, so it reads a bounded prefix and never parses a whole file.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import PurePosixPath

from docproc.errors import UnsupportedMediaType
from docproc.extract.text import decode

FORMATS: tuple[str, ...] = ("pdf", "docx", "text", "markdown", "html", "csv", "json")

_CONTENT_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "text": "text/plain",
    "markdown": "text/markdown",
    "html": "text/html",
    "csv": "text/csv",
    "json": "application/json",
}
_EXTENSION_HINTS: dict[str, str] = {
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".csv": "csv",
    ".json": "json",
}
_TYPE_HINTS: dict[str, str] = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "text/csv": "csv",
    "application/csv": "csv",
    "application/json": "json",
    "text/json": "json",
}
# When name or declared type claim several text formats, the first listed wins.
_HINT_ORDER = ("html", "markdown", "csv", "json")
# "<!doctype html" or "<html" first, perhaps after whitespace, an XML prolog or comments.
_HTML_START = re.compile(r"(?:\s|<\?xml[^>]*>|<!--.*?-->)*<(?:!doctype\s+html|html)\b", re.I | re.S)

_PDF_WINDOW = 1024
_ZIP_MAGIC = b"PK\x03\x04"
_TEXT_SAMPLE = 64 * 1024
_JSON_SNIFF_LIMIT = 1024 * 1024
_SIGNATURE_BYTES = 8192
# Formats that are text on the wire but that we cannot read as prose.
_TEXT_BASED_UNSUPPORTED: dict[bytes, str] = {b"{\\rtf": "an RTF document", b"%!PS": "PostScript"}

_ACCEPTED = "send PDF, DOCX, or text (plain, Markdown, HTML, CSV, JSON)"
_LABELS: dict[str, str] = {
    "exe": "a Windows program (EXE)",
    "elf": "a Linux program (ELF)",
    "wasm": "a WebAssembly program",
    "sqlite": "an SQLite database",
    "doc": "a legacy Word document (.doc)",
    "xls": "an Excel spreadsheet (.xls)",
    "xlsx": "an Excel spreadsheet (.xlsx)",
    "ods": "an OpenDocument spreadsheet",
    "ppt": "a PowerPoint presentation (.ppt)",
    "pptx": "a PowerPoint presentation (.pptx)",
    "odp": "an OpenDocument presentation",
    "odt": "an OpenDocument text document",
    "epub": "an EPUB e-book",
    "zip": "a ZIP archive",
    "swf": "a Flash movie",
    "nes": "a game ROM",
    "crx": "a browser extension",
    "eot": "a font",
    "dcm": "a DICOM medical image",
    "docx": "a ZIP archive that is not a valid DOCX document",
}
# Formats a person can usually convert themselves get a more specific suggestion.
_SAVE_AS_DOCX = "save it as DOCX or PDF and send that"
_ADVICE: dict[str, str] = {
    "doc": _SAVE_AS_DOCX,
    "odt": _SAVE_AS_DOCX,
    "xls": "export it as CSV or PDF and send that",
    "xlsx": "export it as CSV or PDF and send that",
    "ods": "export it as CSV or PDF and send that",
    "ppt": "export it as PDF and send that",
    "pptx": "export it as PDF and send that",
    "odp": "export it as PDF and send that",
}
_CATEGORIES: dict[str, str] = {
    "image": "image",
    "audio": "audio file",
    "video": "video",
    "font": "font",
    "archive": "archive",
    "document": "document",
    "application": "program",
}


def detect(data: bytes, filename: str | None = None, declared_type: str | None = None) -> str:
    """Return one of FORMATS, or raise UnsupportedMediaType saying what the bytes look like."""
    if b"%PDF-" in data[:_PDF_WINDOW]:
        return "pdf"
    if data.startswith(_ZIP_MAGIC):
        return _zip_format(data)
    for magic, label in _TEXT_BASED_UNSUPPORTED.items():
        if data.startswith(magic):
            raise _unsupported(label)
    _reject_known_binary(data)
    sample, complete = _text_sample(data)
    decoded = decode(sample, complete=complete)
    if decoded is None:
        raise _unsupported("binary data, not text")
    text, encoding = decoded
    return _text_format(text, data, encoding, _hints(filename, declared_type))


def content_type_for(fmt: str) -> str:
    """The MIME type we report for a format name from FORMATS."""
    try:
        return _CONTENT_TYPES[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}") from None


def _zip_format(data: bytes) -> str:
    # Only the central directory is read here; the members stay compressed.
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except Exception:  # zipfile raises many types for damaged archives
        raise _unsupported(
            "a damaged or incomplete ZIP archive (a DOCX file is a ZIP archive too)"
        ) from None
    if "word/document.xml" in names:
        return "docx"
    label, advice = _describe(data) or ("a ZIP archive", _ACCEPTED)
    raise _unsupported(label, advice)


def _reject_known_binary(data: bytes) -> None:
    described = _describe(data)
    if described is None:
        return
    # Some signatures are printable ("BM", "MZ", "ID3"), so a text file may start with one;
    # real binaries never decode cleanly.
    head = data[:_SIGNATURE_BYTES]
    if decode(head, complete=len(head) == len(data)) is None:
        raise _unsupported(*described)


def _describe(data: bytes) -> tuple[str, str] | None:
    """What the bytes look like to `filetype`, and what to tell the person who sent them."""
    import filetype  # only needed when the bytes are neither PDF nor obviously text

    kind = filetype.guess(data[:_SIGNATURE_BYTES])
    if kind is None:
        return None
    advice = _ADVICE.get(kind.extension, _ACCEPTED)
    if kind.extension in _LABELS:
        return _LABELS[kind.extension], advice
    category = _CATEGORIES.get(type(kind).__module__.rsplit(".", 1)[-1], "file")
    name = kind.extension.upper()
    article = "an" if name[0] in "AEFHILMNORSX" else "a"
    return f"{article} {name} {category}", advice


def _unsupported(label: str, advice: str = _ACCEPTED) -> UnsupportedMediaType:
    return UnsupportedMediaType(f"The upload looks like {label}; {advice}.")


def _text_sample(data: bytes) -> tuple[bytes, bool]:
    """A bounded prefix, cut after a newline so no multi-byte character is split."""
    if len(data) <= _TEXT_SAMPLE:
        return data, True
    cut = data.rfind(b"\n", _TEXT_SAMPLE - 4096, _TEXT_SAMPLE)
    if cut == -1:
        return data[:_TEXT_SAMPLE], False
    end = cut + 1
    if b"\x00" in data[:end]:  # likely UTF-16: keep whole code units (LE newline is "\n\0")
        end += end % 2
    return data[:end], False


def _hints(filename: str | None, declared_type: str | None) -> set[str]:
    suffix = PurePosixPath((filename or "").replace("\\", "/")).suffix.lower()
    media_type = (declared_type or "").split(";", 1)[0].strip().lower()
    return {hint for hint in (_EXTENSION_HINTS.get(suffix), _TYPE_HINTS.get(media_type)) if hint}


def _text_format(text: str, data: bytes, encoding: str, hints: set[str]) -> str:
    head = text[:1024].lstrip("\ufeff")
    if _HTML_START.match(head):
        return "html"
    for fmt in _HINT_ORDER:
        if fmt in hints:
            return fmt
    if head.lstrip().startswith(("{", "[")) and len(data) <= _JSON_SNIFF_LIMIT:
        return "json" if _parses_as_json(data, encoding) else "text"
    return "text"


def _parses_as_json(data: bytes, encoding: str) -> bool:
    try:
        json.loads(data.decode(encoding).removeprefix("\ufeff"))
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError included
        return False
    return True
