"""PDF and DOCX extraction in a child process: same result as in-process, same errors,
and a file that takes too long is stopped with its process."""

from __future__ import annotations

import pytest

from docproc.errors import DocumentUnreadable, TaskTimedOut
from docproc.isolation import prepare_document
from docproc.pipeline import prepare
from tests.documents import make_docx, make_encrypted_pdf, make_pdf


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_child_process_gives_the_in_process_result(fmt: str) -> None:
    data = (make_pdf(["Page one about Oslo.", "", "Page three: zanzibarite."]) if fmt == "pdf"
            else make_docx(["Memo.", "Body text."], table=[["Cell", "Quibblefrost"]]))
    isolated = prepare_document(data, fmt, f"x.{fmt}", 200, timeout_s=30)
    inline = prepare(data, fmt, f"x.{fmt}", 200)
    assert isolated.extracted == inline.extracted
    assert isolated.chunks == inline.chunks


def test_document_errors_cross_the_process_boundary() -> None:
    with pytest.raises(DocumentUnreadable, match="password"):
        prepare_document(make_encrypted_pdf("secret"), "pdf", "x.pdf", 200, timeout_s=30)


def test_a_reader_that_overruns_is_stopped() -> None:
    with pytest.raises(TaskTimedOut, match="longer than"):
        prepare_document(make_pdf(["text"] * 3), "pdf", "x.pdf", 200, timeout_s=0.01)


def test_text_formats_stay_in_process() -> None:
    prepared = prepare_document(b"Plain words here.", "text", None, 200, timeout_s=0.0001)
    assert prepared.extracted.text == "Plain words here."
