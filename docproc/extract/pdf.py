"""PDF text with pypdfium2, page by page, noting pages that have no text layer."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import threading
from typing import TYPE_CHECKING

from docproc.errors import DocumentUnreadable
from docproc.extract.base import Extracted

if TYPE_CHECKING:
    import pypdfium2

# PDFium is not thread-safe: every call into it, from any thread, goes through this lock.
PDFIUM_LOCK = threading.Lock()

# Below this many pages a second process costs more than it saves.
PAGES_PER_PROCESS = 40
_PAGE_SEPARATOR = "\n\n"  # a paragraph break, so sentence splitting never joins two pages


def extract(data: bytes, filename: str | None) -> Extracted:
    """Text of every page in order; `pages` is the page count."""
    with PDFIUM_LOCK:
        page_texts = _read_pages(data)
    empty = [number for number, text in enumerate(page_texts, start=1) if not text.strip()]
    warnings = [_describe_empty(empty)] if empty else []
    text = _PAGE_SEPARATOR.join(page.strip("\n") for page in page_texts if page.strip())
    return Extracted(text=text, format="pdf", pages=len(page_texts), warnings=warnings)


def _read_pages(data: bytes) -> list[str]:
    import pypdfium2 as pdfium  # heavy native library, loaded only by workers

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise _open_error(exc) from None
    try:
        count = len(document)
        workers = min(os.cpu_count() or 1, count // PAGES_PER_PROCESS)
        if workers > 1:
            return _read_in_processes(data, count, workers)
        return [_page_text(document, index) for index in range(count)]
    except pdfium.PdfiumError:
        raise DocumentUnreadable(
            "The PDF is damaged: some pages cannot be read. Re-export or repair it and send "
            "it again."
        ) from None
    finally:
        document.close()


def _read_in_processes(data: bytes, count: int, workers: int) -> list[str]:
    """Long PDFs are read by one process per core, each opening the file on its own
    (PDFium runs one page at a time per process). Forked, so the bytes are not copied."""
    global _SHARED_DATA
    _SHARED_DATA = data
    bounds = [count * i // workers for i in range(workers + 1)]
    spans = list(itertools.pairwise(bounds))
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_read_span, spans)
    finally:
        _SHARED_DATA = b""
    return [text for part in parts for text in part]


_SHARED_DATA = b""


def _read_span(span: tuple[int, int]) -> list[str]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(_SHARED_DATA)
    try:
        return [_page_text(document, index) for index in range(*span)]
    finally:
        document.close()


def _page_text(document: pypdfium2.PdfDocument, index: int) -> str:
    page = document[index]
    try:
        textpage = page.get_textpage()
        try:
            text = textpage.get_text_range()
        finally:
            textpage.close()
    finally:
        page.close()
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def _open_error(exc: Exception) -> DocumentUnreadable:
    import pypdfium2.raw as pdfium_c

    code = getattr(exc, "err_code", None)
    if code == pdfium_c.FPDF_ERR_PASSWORD:
        return DocumentUnreadable("The PDF is password-protected; send an unencrypted copy.")
    if code == pdfium_c.FPDF_ERR_SECURITY:
        return DocumentUnreadable(
            "The PDF uses an encryption scheme we cannot open; send an unencrypted copy."
        )
    return DocumentUnreadable(
        "The PDF is damaged or incomplete and cannot be opened; re-export it or send it again."
    )


def _describe_empty(pages: list[int]) -> str:
    """'page 2 contains ...' or 'pages 2-3, 5 contain ...': short, however many pages."""
    ranges: list[list[int]] = []
    for number in pages:
        if ranges and number == ranges[-1][1] + 1:
            ranges[-1][1] = number
        else:
            ranges.append([number, number])
    spans = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges)
    if len(pages) == 1:
        return f"page {spans} contains no extractable text (scanned image?)"
    return f"pages {spans} contain no extractable text (scanned images?)"
