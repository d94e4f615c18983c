"""One registry from format name to extractor, so the pipeline never branches on format.

Extractor modules are imported on first use: PDF and DOCX libraries are heavy, and the web
process, which only detects formats, never needs them.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable

from docproc.errors import DocprocError, DocumentUnreadable, UnsupportedMediaType
from docproc.extract.base import Extracted

log = logging.getLogger(__name__)

Extractor = Callable[[bytes, str | None], Extracted]

EXTRACTORS: dict[str, str] = {
    "pdf": "docproc.extract.pdf:extract",
    "docx": "docproc.extract.word:extract",
    "text": "docproc.extract.text:extract",
    "markdown": "docproc.extract.text:extract_markdown",
    "html": "docproc.extract.html:extract",
    "csv": "docproc.extract.tabular:extract_csv",
    "json": "docproc.extract.tabular:extract_json",
}
_LABELS: dict[str, str] = {"pdf": "PDF", "docx": "DOCX", "csv": "CSV", "json": "JSON"}

__all__ = ["EXTRACTORS", "Extracted", "extract", "extractor_for"]


def extractor_for(fmt: str) -> Extractor:
    """Import and return the extractor registered for `fmt`."""
    try:
        module_name, _, function_name = EXTRACTORS[fmt].partition(":")
    except KeyError:
        raise UnsupportedMediaType(f"There is no extractor for the format {fmt!r}.") from None
    return getattr(importlib.import_module(module_name), function_name)


def extract(data: bytes, fmt: str, filename: str | None = None) -> Extracted:
    """Extract text, turning any parser failure into an error a person can act on."""
    extractor = extractor_for(fmt)
    try:
        return extractor(data, filename)
    except DocprocError:
        raise
    except Exception as exc:
        # Parser messages may quote the document, so neither the message nor the log
        # carries them: only the exception type, which is enough to find the cause.
        log.warning("%s extractor failed with %s", fmt, type(exc).__name__)
        label = _LABELS.get(fmt, fmt.capitalize())
        raise DocumentUnreadable(
            f"The {label} document could not be read; it may be damaged or use features "
            f"we do not support ({type(exc).__name__})."
        ) from exc
