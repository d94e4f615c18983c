"""Real documents built in memory, shared by unit and integration tests.

Nothing here touches the file system: every generator returns the document's bytes.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

PASSWORD = "s3cret"


def make_pdf(pages: list[str]) -> bytes:
    """A PDF with one page per string; an empty string makes a page with no text.

    fpdf2's core fonts only cover Latin-1, so the text must be Latin-1 safe.
    """
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for text in pages:
        pdf.add_page()
        if text:
            pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def make_pdf_with_blank_pages(texts: dict[int, str], page_count: int) -> bytes:
    """A PDF of `page_count` pages where only the (1-based) pages in `texts` have text."""
    return make_pdf([texts.get(number, "") for number in range(1, page_count + 1)])


def make_encrypted_pdf(text: str, password: str = PASSWORD) -> bytes:
    """A PDF that cannot be opened without a user password."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_encryption(owner_password=password + "-owner", user_password=password)
    pdf.set_font("Helvetica", size=12)
    pdf.add_page()
    pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def make_corrupt_pdf() -> bytes:
    """A PDF header followed by the first half of a real PDF: detected as PDF, unreadable."""
    data = make_pdf(["This document was cut short."])
    return data[: len(data) // 2]


def make_docx(
    paragraphs: list[str],
    table: list[list[str]] | None = None,
    header: str | None = None,
    footer: str | None = None,
) -> bytes:
    """A DOCX: the first paragraph, the table (if any), then the other paragraphs.

    The table sits between paragraphs so tests can check that body order is kept.
    """
    import docx

    document = docx.Document()
    first, *rest = paragraphs or [""]
    document.add_paragraph(first)
    if table:
        grid = document.add_table(rows=len(table), cols=max(len(row) for row in table))
        for row_cells, values in zip(grid.rows, table, strict=True):
            for cell, value in zip(row_cells.cells, values, strict=False):
                cell.text = value
    for text in rest:
        document.add_paragraph(text)
    section = document.sections[0]
    if header is not None:
        section.header.paragraphs[0].text = header
    if footer is not None:
        section.footer.paragraphs[0].text = footer
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_zip(files: dict[str, bytes] | None = None) -> bytes:
    """A plain ZIP archive (not a DOCX)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in (files or {"readme.txt": b"hello from a zip"}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def make_png(width: int = 2, height: int = 2) -> bytes:
    """A valid, tiny, grey PNG image."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )


def make_gif() -> bytes:
    """A 1x1 transparent GIF."""
    return (
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00"
        b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
    )


def make_exe() -> bytes:
    """An 'MZ' DOS header followed by binary junk: what a Windows program starts like."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(range(256)) * 4


def make_html(body: str, title: str = "Test page", head_extra: str = "") -> bytes:
    """A small UTF-8 HTML page."""
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{title}</title>{head_extra}</head>\n<body>{body}</body></html>\n"
    ).encode()


_FRENCH = "Le café est très bon, à la française. Noël à Montréal, où l'hiver est rude."
# (label, text, bytes): the same kind of prose as files in various encodings hold it.
ENCODED_TEXTS: list[tuple[str, str, bytes]] = [
    ("utf-8", "Grüße aus Köln: 5 € für café", "Grüße aus Köln: 5 € für café".encode()),
    ("utf-8-sig", "Ünïcödé with a BOM", "Ünïcödé with a BOM".encode("utf-8-sig")),
    ("utf-16", "UTF-16 text: 10 € à Paris", "UTF-16 text: 10 € à Paris".encode("utf-16")),
    ("utf-16-be", "Big endian: naïve", "\ufeffBig endian: naïve".encode("utf-16-be")),
    ("utf-16-le-no-bom", "Grüße aus Köln, schön.", "Grüße aus Köln, schön.".encode("utf-16-le")),
    ("cp1252", "The price is 20 € — “quoted”", "The price is 20 € — “quoted”".encode("cp1252")),
    ("cp1252-short", "Total: 20€", "Total: 20€".encode("cp1252")),
    ("cp1252-typography", "He said “approved” … — €500.",
     "He said “approved” … — €500.".encode("cp1252")),
    ("latin-1", "café naïve", "café naïve".encode("latin-1")),
    ("latin-1-long", _FRENCH, _FRENCH.encode("latin-1")),
]
