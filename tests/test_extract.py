"""Extraction from real generated documents, and the promise that only domain errors escape."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docproc.errors import DocumentUnreadable, UnsupportedMediaType
from docproc.extract import EXTRACTORS, Extracted, extract
from docproc.filetypes import detect
from tests.documents import (
    ENCODED_TEXTS,
    make_corrupt_pdf,
    make_docx,
    make_encrypted_pdf,
    make_html,
    make_pdf,
    make_pdf_with_blank_pages,
)

ENCODING_IDS = [label for label, _, _ in ENCODED_TEXTS]


def read(data: bytes, filename: str | None = None, declared: str | None = None) -> Extracted:
    """Detect then extract, as the pipeline does."""
    return extract(data, detect(data, filename, declared), filename)


# --- text and markdown ---------------------------------------------------------------------


@pytest.mark.parametrize(("label", "text", "data"), ENCODED_TEXTS, ids=ENCODING_IDS)
def test_text_is_decoded_from_its_encoding(label: str, text: str, data: bytes) -> None:
    result = read(data, "notes.txt")
    assert result.text == text
    assert result.format == "text"
    assert result.encoding


def test_cp1252_euro_sign_survives() -> None:
    result = read("Die Rechnung beträgt 120 € für Wartung.\n".encode("cp1252"))
    assert "€" in result.text
    assert result.encoding == "cp1252"


def test_latin1_accents_survive() -> None:
    assert read("café naïve".encode("latin-1")).text == "café naïve"


def test_newlines_are_normalised_and_bom_dropped() -> None:
    result = read(b"\xef\xbb\xbfone\r\ntwo\rthree\n")
    assert result.text == "one\ntwo\nthree\n"
    assert result.encoding == "utf-8-sig"


def test_markdown_keeps_words_and_drops_syntax() -> None:
    source = (
        "# Quarterly *update*\n\n"
        "Read the [full report](https://example.com/report) and **act** on it.\n\n"
        "* first point\n"
        "---\n"
        "```\nkeep **this** code\n```\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    text = read(source.encode(), "notes.md").text
    assert text.startswith("Quarterly update\n")
    assert "Read the full report and act on it." in text
    assert "https://example.com" not in text
    assert "- first point" in text
    assert "keep **this** code" in text
    assert "---" not in text


# --- PDF -----------------------------------------------------------------------------------


def test_pdf_pages_in_order_with_page_count() -> None:
    pdf = make_pdf(["Alpha page one.", "Bravo page two\non two lines.", "Charlie zanzibarite."])
    result = read(pdf, "report.pdf")
    assert result.format == "pdf"
    assert result.pages == 3
    assert "zanzibarite" in result.text
    assert result.text.index("Alpha") < result.text.index("Bravo") < result.text.index("Charlie")
    assert "Bravo page two\non two lines." in result.text
    assert "\r" not in result.text
    assert result.warnings == []


@pytest.mark.parametrize(
    ("texts", "count", "warning"),
    [
        ({1: "Words.", 4: "More words."}, 4, "pages 2-3 contain no extractable text"),
        ({1: "Words.", 3: "More words."}, 3, "page 2 contains no extractable text"),
        ({1: "Words."}, 6, "pages 2-6 contain"),
        ({2: "Words.", 5: "Words."}, 6, "pages 1, 3-4, 6 contain"),
    ],
)
def test_pdf_blank_pages_are_reported_as_ranges(
    texts: dict[int, str], count: int, warning: str
) -> None:
    result = read(make_pdf_with_blank_pages(texts, count))
    assert result.pages == count
    assert len(result.warnings) == 1
    assert warning in result.warnings[0]
    assert "\n\n\n" not in result.text


def test_pdf_without_any_text_still_extracts_with_a_warning() -> None:
    result = read(make_pdf(["", ""]))
    assert result.text == ""
    assert result.pages == 2
    assert "pages 1-2 contain no extractable text" in result.warnings[0]


@pytest.mark.parametrize(
    ("data", "needle"),
    [(make_encrypted_pdf("top secret"), "password"), (make_corrupt_pdf(), "damaged")],
    ids=["encrypted", "corrupt"],
)
def test_unreadable_pdfs_say_why(data: bytes, needle: str) -> None:
    with pytest.raises(DocumentUnreadable) as caught:
        read(data, "report.pdf")
    assert needle in caught.value.message.lower()
    assert "secret" not in caught.value.message


def test_pdf_extraction_is_safe_from_several_threads() -> None:
    documents = [make_pdf([f"Document {n} page {p}." for p in range(3)]) for n in range(8)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda d: extract(d, "pdf"), documents))
    for n, result in enumerate(results):
        assert f"Document {n} page 2." in result.text


# --- DOCX ----------------------------------------------------------------------------------


def test_docx_paragraphs_table_header_and_footer_in_order() -> None:
    docx = make_docx(
        ["Opening paragraph.", "Closing paragraph."],
        table=[["Item", "Cost"], ["Turbine blades", "Quibblefrost 1200"]],
        header="Confidential header line",
        footer="Footer of the memo",
    )
    result = read(docx, "memo.docx")
    text = result.text
    assert result.format == "docx"
    order = [
        "Confidential header line",
        "Opening paragraph.",
        "Turbine blades | Quibblefrost 1200",
        "Closing paragraph.",
        "Footer of the memo",
    ]
    positions = [text.index(part) for part in order]
    assert positions == sorted(positions)


def test_docx_without_header_or_table() -> None:
    assert read(make_docx(["Just one line."])).text == "Just one line."


def test_corrupt_docx_is_unreadable() -> None:
    docx = make_docx(["Some text that will be damaged."])
    damaged = docx[:200] + b"\x00" * 400 + docx[600:]
    with pytest.raises(DocumentUnreadable, match="damaged"):
        extract(damaged, "docx")


# --- HTML ----------------------------------------------------------------------------------


def test_html_drops_scripts_and_styles_and_keeps_blocks() -> None:
    html = make_html(
        "<h1>Annual update</h1><p>Revenue   grew\n strongly.</p>"
        "<script>var secret='SCRIPTTEXT'</script><noscript>NOSCRIPTTEXT</noscript>"
        "<ul><li>First item</li><li>Second item</li></ul><!-- COMMENTTEXT -->"
        "<table><tr><th>Name</th><th>Role</th></tr><tr><td>Ada</td><td>CEO</td></tr></table>",
        title="Company news",
        head_extra="<style>.x { color: red } STYLETEXT</style>",
    )
    text = read(html).text
    for hidden in ("SCRIPTTEXT", "NOSCRIPTTEXT", "STYLETEXT", "COMMENTTEXT", "color"):
        assert hidden not in text
    lines = text.split("\n")
    assert lines[0] == "Company news"
    for line in ("Annual update", "Revenue grew strongly.", "First item", "Second item"):
        assert line in lines
    assert "Ada | CEO" in lines
    assert "\n\n\n" not in text


PRESS_RELEASE = (
    '<header><a href="/">Larkspur</a><nav><a href="/">Home</a> | <a href="/news">News</a></nav>'
    "</header>"
    '<div role="navigation">Skip to content</div>'
    "<main><article><header><h1>Larkspur opens Bergen service hub</h1>"
    "<p>By the press office</p></header>"
    "<p>Larkspur today opened its new service hub in Bergen.</p>"
    "<div>Two vessels are based there<br>with six technicians</div>"
    "<ul><li>22 new jobs</li><li>A quay for two vessels</li></ul></article></main>"
    "<aside>Related: Orkney array passes 20,000 hours</aside>"
    '<form action="/subscribe"><label>Email</label><input name="e"><button>Subscribe</button>'
    "</form>"
    '<p hidden>HIDDENTEXT</p><p style="display: none">NONETEXT</p>'
    "<footer><a href='/privacy'>Privacy</a> | Copyright 2024</footer>"
)


def test_html_drops_navigation_and_page_furniture() -> None:
    text = read(make_html(PRESS_RELEASE, title="Newsroom")).text
    chrome = ["Home | News", "Skip to", "Related", "Subscribe", "Email", "Privacy", "Copyright"]
    for word in [*chrome, "HIDDENTEXT", "NONETEXT"]:
        assert word not in text, word
    kept = ["Newsroom", "Larkspur opens Bergen service hub", "By the press office", "22 new jobs"]
    for block in [*kept, "Larkspur today opened its new service hub in Bergen."]:
        assert block in text, block


def test_html_every_block_is_its_own_paragraph() -> None:
    text = read(make_html(PRESS_RELEASE, title="Newsroom")).text
    paragraphs = text.split("\n\n")
    blocks = ["Larkspur opens Bergen service hub", "22 new jobs", "A quay for two vessels"]
    for block in [*blocks, "Two vessels are based there", "with six technicians"]:
        assert block in paragraphs, block
    assert "\n\n\n" not in text


@pytest.mark.parametrize(
    "title",
    [
        "Larkspur opens Bergen service hub",
        "  larkspur opens BERGEN   service hub ",
        "Bergen service hub",
        "Larkspur opens Bergen service hub | Larkspur News",
        "Larkspur opens Bergen service hub - Larkspur",
    ],
)
def test_html_title_repeating_the_first_heading_is_dropped(title: str) -> None:
    text = read(make_html(PRESS_RELEASE, title=title)).text
    assert text.startswith("Larkspur opens Bergen service hub\n\n")
    assert text.count("Bergen service hub") == 1


def test_html_form_wrapping_the_whole_page_is_content() -> None:
    page = make_html('<form id="aspnetForm"><h1>Results</h1><p>Revenue grew.</p></form>')
    assert "Revenue grew." in read(page).text


def test_html_page_header_with_the_heading_keeps_it() -> None:
    page = make_html("<header><h1>Results 2024</h1><nav>Menu</nav></header><p>Revenue grew.</p>")
    text = read(page).text
    assert "Results 2024" in text and "Menu" not in text


@pytest.mark.parametrize("tag", ["header", "form", "div"])
def test_html_deep_nesting_stays_linear(tag: str) -> None:
    depth = 5000
    page = make_html(f"<{tag}><p>x</p>" * depth + "<h1>Deep</h1>" + f"</{tag}>" * depth)
    assert read(page).text.count("x") == depth


@pytest.mark.parametrize("charset", ["windows-1252", "iso-8859-1"])
def test_html_meta_charset_is_honoured(charset: str) -> None:
    page = f'<html><head><meta charset="{charset}"></head><body><p>Prix : 5 € café</p></body>'
    result = read(page.encode("cp1252"))
    assert "Prix : 5 € café" in result.text
    assert result.encoding == "cp1252"


def test_html_with_bom_and_no_declaration() -> None:
    page = "<html><body><p>Grüße</p></body></html>".encode("utf-16")
    assert read(page, "page.html").text == "Grüße"


# --- CSV and JSON --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"name,age,city\nAlice,30,Paris\nBob,25,Oslo\n", "name: Alice; age: 30; city: Paris"),
        (b"name;age\nAlice;30\nBob;25\n", "name: Bob; age: 25"),
        (b"name\tage\nAlice\t30\nBob\t25\n", "name: Alice; age: 30"),
        (b"name,age,city\nAl,30,Paris\nBob,25\nCarl,40,Rome,x\nDi,35,Lima\n", "column 4: x"),
        (b"Alice,Paris\nBob,Oslo\n", "Alice, Paris\nBob, Oslo"),
        (b'"Smith, Jane",Lisbon\n"Doe, John",Porto\n', "Smith, Jane, Lisbon"),
    ],
    ids=["comma", "semicolon", "tab", "ragged", "no-header", "quoted"],
)
def test_csv_rows_become_readable_lines(data: bytes, expected: str) -> None:
    result = read(data, "data.csv")
    assert result.format == "csv"
    assert expected in result.text


def test_json_is_flattened_to_paths() -> None:
    staff = [{"name": "Ada"}, {"name": "Lin"}]
    document = {"company": {"name": "Acme", "staff": staff}, "ok": True}
    text = read(json.dumps(document).encode()).text
    assert text.split("\n") == [
        "company.name: Acme",
        "company.staff[0].name: Ada",
        "company.staff[1].name: Lin",
        "ok: true",
    ]


def test_invalid_json_is_unreadable_without_quoting_it() -> None:
    with pytest.raises(DocumentUnreadable) as caught:
        extract(b'{"password": "hunter2", oops}', "json")
    assert "line 1" in caught.value.message
    assert "hunter2" not in caught.value.message


def test_deeply_nested_json_is_unreadable() -> None:
    with pytest.raises(DocumentUnreadable, match="nested"):
        extract(b"[" * 100_000 + b"]" * 100_000, "json")


# --- registry ------------------------------------------------------------------------------


def explode(data: bytes, filename: str | None) -> None:
    raise ValueError(f"parser choked on {data!r}")


def test_unexpected_parser_errors_become_unreadable_without_the_content(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(EXTRACTORS, "text", "tests.test_extract:explode")
    with pytest.raises(DocumentUnreadable) as caught:
        extract(b"TOP SECRET CONTENT", "text")
    assert "SECRET" not in caught.value.message
    assert "ValueError" in caught.value.message


def test_unknown_format_is_unsupported() -> None:
    with pytest.raises(UnsupportedMediaType):
        extract(b"x", "xlsx")


# --- property: only domain errors ever escape ----------------------------------------------

VALID = [
    make_pdf(["First page with words.", "", "Third page."]),
    make_docx(["Paragraph."], table=[["a", "b"]], header="Head", footer="Foot"),
    make_html("<p>Hello <b>world</b></p><script>x=1</script>"),
    b"name,age\nAlice,30\n",
    b'{"a": [1, {"b": "c"}]}',
]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(VALID)))
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["flip", "cut", "insert", "delete"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "cut":
            del data[at:]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        else:
            del data[at : at + draw(st.integers(1, 512))]
    return bytes(data)


def detect_then_extract(data: bytes, filename: str | None) -> None:
    try:
        fmt = detect(data, filename)
    except UnsupportedMediaType:
        return
    try:
        result = extract(data, fmt, filename)
    except DocumentUnreadable:
        return
    assert isinstance(result.text, str)
    assert result.format == fmt


NAMES = st.sampled_from([None, "x.pdf", "x.docx", "x.html", "x.csv", "x.json", "x.md", "x.txt"])
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(data=st.binary(max_size=4096), filename=NAMES)
def test_random_bytes_only_raise_domain_errors(data: bytes, filename: str | None) -> None:
    detect_then_extract(data, filename)


@PROPERTY
@given(data=mutated(), filename=NAMES)
def test_mutated_documents_only_raise_domain_errors(data: bytes, filename: str | None) -> None:
    detect_then_extract(data, filename)


def test_long_pdfs_read_in_several_processes_give_the_same_text(monkeypatch) -> None:
    from docproc.extract import pdf as pdf_module

    pages = [f"Page {n} says zebra{n}." if n % 7 else "" for n in range(1, 91)]
    data = make_pdf(pages)
    monkeypatch.setattr(pdf_module, "PAGES_PER_PROCESS", 10_000)
    alone = pdf_module.extract(data, "long.pdf")
    monkeypatch.setattr(pdf_module, "PAGES_PER_PROCESS", 20)
    monkeypatch.setattr(pdf_module.os, "cpu_count", lambda: 3)
    shared = pdf_module.extract(data, "long.pdf")
    assert shared == alone
    assert shared.pages == 90 and "zebra89" in shared.text and shared.warnings
