"""HTML text with BeautifulSoup: what a reader sees, one block per line, without code or styles."""

from __future__ import annotations

import codecs
import re
from typing import TYPE_CHECKING

from docproc.extract.base import Extracted
from docproc.extract.text import decode_document, normalise

if TYPE_CHECKING:
    from bs4 import BeautifulSoup, Tag

_INVISIBLE = ("script", "style", "noscript", "template", "head", "iframe", "object", "svg")
# Page furniture a reader skips: menus, sidebars, search boxes, controls.
_CHROME = ("nav", "aside", "button", "select", "menu", "datalist")
_CHROME_ROLES = frozenset(("navigation", "search", "menu", "menubar", "toolbar"))
# Inside these a <header>, <footer> or <form> belongs to the content (an article's byline).
_REGIONS = ("article", "main", "section")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# Private-use characters stand for breaks while source whitespace is collapsed.
_PARA, _LINE, _CELL = "\ue000", "\ue001", "\ue002"
# Every block ends a paragraph, so a heading or list item never runs into the next block's
# sentence; only line breaks inside <pre> stay single.
_MARKERS: dict[str, str] = {
    **dict.fromkeys(
        (
            "address", "article", "aside", "blockquote", "br", "caption", "dd", "details",
            "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
            "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "legend", "li", "main", "nav",
            "ol", "option", "p", "pre", "section", "summary", "table", "tr", "ul",
        ),
        _PARA,
    ),
    "td": _CELL,
    "th": _CELL,
}  # fmt: skip
_BREAKS = re.compile(f"[ {_PARA}{_LINE}]*[{_PARA}{_LINE}][ {_PARA}{_LINE}]*")
_CELL_RUN = re.compile(f" *{_CELL}[ {_CELL}]*")
_NO_MARKERS = dict.fromkeys(map(ord, (_PARA, _LINE, _CELL)))
_END_PRE = object()
_END_REGION = object()
_SITE_SEPARATOR = re.compile(r"\s+(?:[|·•:–—-]|::)\s+")
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
    heading = soup.find(_HEADINGS)
    body = _layout(_SPACES.sub(" ", _marked_text(soup)))
    if title and (body.startswith(title) or (heading and _repeats(title, heading.get_text(" ")))):
        title = ""  # the page repeats its title as the first heading
    parts = [part for part in (title, body) if part]
    return Extracted(text="\n\n".join(parts), format="html", encoding=encoding)


def _marked_text(root: BeautifulSoup) -> str:
    """Visible strings with break markers, walking with a stack: nesting depth costs nothing."""
    from bs4 import CData, NavigableString, Tag

    out: list[str] = []
    pending: list[object] = [root]
    in_pre = in_region = 0
    while pending:
        node = pending.pop()
        if node is _END_PRE:
            in_pre -= 1
        elif node is _END_REGION:
            in_region -= 1
        elif type(node) is str:  # a marker closing a block
            out.append(node)
        elif type(node) in (NavigableString, CData):  # not comments, doctypes...
            out.append(node.replace("\n", _LINE) if in_pre else node)
        elif isinstance(node, Tag) and node.name not in _INVISIBLE:
            if _is_chrome(node, in_region > 0):
                out.append(_PARA)  # whatever it sat between stays apart
                continue
            marker = _MARKERS.get(node.name)
            if marker:
                out.append(marker)
                pending.append(marker)
            if node.name == "pre":
                in_pre += 1
                pending.append(_END_PRE)
            if node.name in _REGIONS or node.name in ("header", "footer", "form"):
                # Below a kept wrapper nothing is searched again: nesting stays linear.
                in_region += 1
                pending.append(_END_REGION)
            pending.extend(reversed(node.contents))
    return "".join(out)


def _is_chrome(tag: Tag, in_region: bool) -> bool:
    """Navigation, sidebars, hidden parts and controls; outside the content, a <footer>, a
    <header> without the page's heading (logo and menu) and a <form> without text (one
    wrapping the whole page, as ASP.NET pages do, is content)."""
    attrs = tag.attrs
    if tag.name in _CHROME or attrs.get("role") in _CHROME_ROLES or "hidden" in attrs:
        return True
    if attrs.get("aria-hidden") == "true" or _HIDDEN_STYLE.search(str(attrs.get("style", ""))):
        return True
    if in_region or tag.name not in ("header", "footer", "form"):
        return False
    if tag.name == "form":
        return tag.find(("p", "article", "main", *_HEADINGS)) is None
    return tag.name == "footer" or tag.find("h1") is None


def _repeats(title: str, heading: str) -> bool:
    """Whether the title adds nothing to the first heading: the same words, part of them,
    or the heading and the site's name ("Hub opens | Larkspur News")."""
    fold = " ".join(heading.split()).casefold()
    if not fold:
        return False
    parts = [" ".join(p.split()).casefold() for p in _SITE_SEPARATOR.split(title)]
    return " ".join(title.split()).casefold() in fold or fold in parts


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
