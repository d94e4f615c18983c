"""DOCX text with python-docx: headers, then body paragraphs and tables in order, then footers."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from docproc.errors import DocumentUnreadable
from docproc.extract.base import Extracted

if TYPE_CHECKING:
    from docx.document import Document

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# A DOCX is a ZIP: refuse archives that would inflate to more than this (zip bombs).
MAX_UNCOMPRESSED_BYTES = 256 * 1024 * 1024
_CELL_SEPARATOR = " | "
_BLOCK_SEPARATOR = "\n\n"


def extract(data: bytes, filename: str | None) -> Extracted:
    """Text a reader would see, with each table row on one line."""
    document = _open(data)
    headers, footers = _headers_and_footers(document)
    body = list(_blocks(document.element.body, document))
    parts = [part for part in (*headers, *body, *footers) if part.strip()]
    return Extracted(text=_BLOCK_SEPARATOR.join(parts), format="docx")


def _open(data: bytes) -> Document:
    import docx  # heavy (lxml, package model), loaded only by workers

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
        if inflated > MAX_UNCOMPRESSED_BYTES:
            raise DocumentUnreadable(
                "The DOCX file expands to more than 256 MiB; split it into smaller documents."
            )
        return docx.Document(io.BytesIO(data))
    except DocumentUnreadable:
        raise
    except Exception:  # python-docx, zipfile and lxml each raise their own types
        raise DocumentUnreadable(
            "The DOCX file is damaged or is not a Word document; save it again from Word "
            "(or export it as PDF) and send it again."
        ) from None


def _blocks(container: Any, parent: Any) -> Iterator[str]:
    """Paragraph and table texts under a body, header, footer or cell, in document order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in container.iterchildren():
        if child.tag == f"{_W}p":
            yield Paragraph(child, parent).text
        elif child.tag == f"{_W}tbl":
            yield _table_text(Table(child, parent))
        elif child.tag == f"{_W}sdt":  # content controls (cover pages, tables of contents)
            for content in child.iterchildren(f"{_W}sdtContent"):
                yield from _blocks(content, parent)


def _table_text(table: Any) -> str:
    rows = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            if previous is not None and cell._tc is previous:  # a merged cell repeats
                continue
            previous = cell._tc
            cells.append(" ".join(" ".join(_blocks(cell._tc, cell)).split()))
        if any(cells):
            rows.append(_CELL_SEPARATOR.join(cells))
    return "\n".join(rows)


def _headers_and_footers(document: Document) -> tuple[list[str], list[str]]:
    """Each distinct header and footer text once, though every section may repeat them."""
    headers: dict[str, None] = {}
    footers: dict[str, None] = {}
    for section in document.sections:
        for found, items in (
            (headers, (section.first_page_header, section.header, section.even_page_header)),
            (footers, (section.first_page_footer, section.footer, section.even_page_footer)),
        ):
            for item in items:
                # A linked header has no content of its own; reading it would create one.
                if not item.is_linked_to_previous:
                    text = "\n".join(t for t in _blocks(item.part.element, item) if t.strip())
                    if text:
                        found[text] = None
    return list(headers), list(footers)
