"""HTML text with BeautifulSoup: what a reader sees, one block per line, without code or styles."""

from __future__ import annotations

import codecs
import re
from typing import TYPE_CHECKING

from docproc.extract.base import Extracted
from docproc.extract.text import decode_document, normalise

if TYPE_CHECKING:
    from bs4 import BeautifulSoup

_INVISIBLE = ("script", "style", "noscript", "template", "head", "iframe", "object", "svg")
# Private-use characters stand for breaks while source whitespace is collapsed.
_PARA, _LINE, _CELL = "\ue000", "\ue001", "\ue002"
# Blocks that start a paragraph get a blank line around them, the others a line break.
_MARKERS: dict[str, str] = {
    **dict.fromkeys(
        (
            "address", "article", "aside", "blockquote", "details", "dialog", "dl", "fieldset",
            "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
            "header", "hr", "main", "nav", "ol", "p", "pre", "section", "table", "ul",
        ),
        _PARA,
    ),
    **dict.fromkeys(
        ("br", "caption", "dd", "div", "dt", "li", "tr", "summary", "legend", "option"), _LINE
    ),
    "td": _CELL,
    "th": _CELL,
}  # fmt: skip
_BREAKS = re.compile(f"[ {_PARA}{_LINE}]*[{_PARA}{_LINE}][ {_PARA}{_LINE}]*")
_CELL_RUN = re.compile(f" *{_CELL}[ {_CELL}]*")
_NO_MARKERS = dict.fromkeys(map(ord, (_PARA, _LINE, _CELL)))
_END_PRE = object()
_SPACES = re.compile(r"[ \t\n\r\f\v]+")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
# The HTML standard reads these labels as other encodings, and so do browsers: a page
# cannot declare UTF-16 in a meta tag that was itself readable as ASCII.
_DECLARED_AS = {
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "utf-16": "utf-8",
    "utf-16-le": "utf-8",
    "utf-16-be": "utf-8",
    "utf-32": "utf-8",
    "utf-32-le": "utf-8",
    "utf-32-be": "utf-8",
}


def extract(data: bytes, filename: str | None) -> Extracted:
    """Title first, then the visible body text with blocks on their own lines."""
    from bs4 import BeautifulSoup  # loaded only by workers

    text, encoding = _decode(data)
    soup = BeautifulSoup(text.translate(_NO_MARKERS), "lxml")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    body = _layout(_SPACES.sub(" ", _marked_text(soup)))
    if title and body.startswith(title):
        title = ""  # the page repeats its title as the first heading
    parts = [part for part in (title, body) if part]
    return Extracted(text="\n\n".join(parts), format="html", encoding=encoding)


def _marked_text(root: BeautifulSoup) -> str:
    """Visible strings with break markers, walking with a stack: nesting depth costs nothing."""
    from bs4 import CData, NavigableString, Tag

    out: list[str] = []
    pending: list[object] = [root]
    in_pre = 0
    while pending:
        node = pending.pop()
        if node is _END_PRE:
            in_pre -= 1
        elif type(node) is str:  # a marker closing a block
            out.append(node)
        elif type(node) in (NavigableString, CData):  # not comments, doctypes...
            out.append(node.replace("\n", _LINE) if in_pre else node)
        elif isinstance(node, Tag) and node.name not in _INVISIBLE:
            marker = _MARKERS.get(node.name)
            if marker:
                out.append(marker)
                pending.append(marker)
            if node.name == "pre":
                in_pre += 1
                pending.append(_END_PRE)
            pending.extend(reversed(node.contents))
    return "".join(out)


def _layout(text: str) -> str:
    """Turn break markers into newlines and cell markers into " | "."""
    text = _BREAKS.sub(lambda m: "\n\n" if _PARA in m.group() else "\n", text)
    lines = (_CELL_RUN.sub(" | ", line.strip(f" {_CELL}")) for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _decode(data: bytes) -> tuple[str, str]:
    """Honour a BOM, then a <meta charset>, then guess like any text file."""
    if not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        declared = _META_CHARSET.search(data[:4096])
        if declared:
            try:
                encoding = codecs.lookup(declared.group(1).decode("ascii")).name
                encoding = _DECLARED_AS.get(encoding, encoding)
                return normalise(data.decode(encoding)), encoding
            except (LookupError, UnicodeDecodeError):
                pass  # a wrong or unknown declaration: fall back to detection
    return decode_document(data, "HTML")
