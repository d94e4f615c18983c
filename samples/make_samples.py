"""Write the sample documents in this folder: `python samples/make_samples.py`.

Everything in them is invented: the company, the people, the addresses and the numbers.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

COMPANY = "Larkspur Tidal Systems Ltd."
REPORT_TITLE = "Annual Report 2024"

# (heading, paragraphs) per page; fpdf2's core font needs Latin-1 text.
REPORT_PAGES: list[tuple[str, list[str]]] = [
    (
        "Annual Report 2024",
        [
            f"{COMPANY} designs, builds and operates tidal-stream turbines for coastal "
            "communities in Scotland, Norway and Atlantic Canada.",
            "Published on 14 March 2025 by the Board of Directors. Registered office: "
            "12 Harbour Wynd, Stromness, Orkney KW16 3AA, United Kingdom.",
            "Investor enquiries: investors@larkspur-tidal.example. The full report and our "
            "sustainability data are available at https://www.larkspur-tidal.example/reports/2024.",
        ],
    ),
    (
        "Letter from the Chief Executive",
        [
            "2024 was the year our technology came of age. Revenue rose 38% to $61.4 million, "
            "and for the first time every one of our operating sites delivered more energy "
            "than its contract required.",
            "Our Orkney array passed 20,000 hours of continuous operation on 2 September 2024, "
            "and the new Bergen service hub opened two months ahead of schedule. I am "
            "grateful to the 412 colleagues who made this possible.",
            "It was not a flawless year. A gearbox failure at our Bay of Fundy site in Nova "
            "Scotia took two turbines offline from 9 June to 30 August 2024 and cost us an "
            "estimated $4.2 million in lost output and repairs. We have since replaced the "
            "supplier and redesigned the bearing housing.",
            "Marguerite Okonkwo-Hale, Chief Executive Officer",
        ],
    ),
    (
        "Financial Review",
        [
            "Revenue: $61.4 million (2023: $44.5 million). Gross margin improved from 21% to "
            "27%, helped by lower maintenance costs in Orkney and better turbine availability.",
            "Operating loss narrowed to $3.1 million from $9.8 million in 2023. Net cash at "
            "31 December 2024 was $18.7 million after capital spending of $22.0 million on "
            "the Bergen hub and the second Orkney array.",
            "In November 2024 we signed a $35 million green loan with Northsound Bank, "
            "repayable over ten years. The loan funds the Halifax assembly plant, where "
            "construction begins in April 2025.",
            "Steel and copper prices rose sharply in the second half of the year, and we "
            "expect them to reduce gross margin by one to two points in 2025.",
            "Tobias Lindqvist, Chief Financial Officer",
        ],
    ),
    (
        "Operations and People",
        [
            "Installed capacity reached 46 megawatts across five sites. Turbine availability "
            "averaged 94.2%, up from 88.5% in 2023, thanks largely to the predictive "
            "maintenance programme led by Dr. Ines Carvalho in Aberdeen.",
            "Safety remains our first priority. We recorded one lost-time injury in 2024, "
            "when a technician was hurt during a vessel transfer in heavy weather off "
            "Stromness; he has fully recovered, and transfers are now suspended above a "
            "two-metre swell.",
            "Staff turnover rose to 14%, mainly among offshore technicians recruited by oil "
            "and gas operators. We raised technician pay by 9% from 1 January 2025 and "
            "launched an apprenticeship scheme with Orkney College.",
            "Community funds paid $640,000 to local projects, including a new lifeboat "
            "station in Hoy and school science kits in Digby, Nova Scotia.",
        ],
    ),
    (
        "Outlook for 2025",
        [
            "We expect revenue of between $72 million and $78 million in 2025 and aim to "
            "reach operating break-even in the fourth quarter.",
            "The main risks are delays to grid connections in Norway, where permits for the "
            "Hardanger site remain pending, further increases in commodity prices, and the "
            "outcome of the Canadian tidal energy auction due in September 2025.",
            "The Board recommends no dividend for 2024. The Annual General Meeting will be "
            "held at the Stromness Town Hall on 22 May 2025 at 10:00.",
            "Signed on behalf of the Board: Eilidh Rasmussen, Chair.",
        ],
    ),
]

MEMO_PARAGRAPHS = [
    "To: Operations leadership team",
    "From: Priya Desmond-Achebe, Programme Director",
    "Date: 3 February 2025",
    "Subject: Halifax assembly plant, phase one",
    "The Halifax assembly plant is on track for a ground-breaking ceremony on 7 April 2025. "
    "The site survey found no contamination, and the city approved our building permit "
    "on 28 January.",
    "Two risks need decisions this month. First, the crane contractor has raised its quote "
    "by 12%, which would push phase one over budget. Second, we still lack a site safety "
    "manager; the role has been open since November.",
    "Please send comments to halifax-programme@larkspur-tidal.example by 14 February. "
    "The project plan is on the intranet at https://intranet.larkspur-tidal.example/halifax.",
]
MEMO_TABLE = [
    ["Work package", "Owner", "Budget (CAD)", "Status"],
    ["Site preparation", "Samuel Greer", "1,200,000", "On track"],
    ["Assembly hall", "Anouk Verhoeven", "8,450,000", "At risk: crane quote"],
    ["Quay upgrade", "Fergus MacInnes", "2,100,000", "Not started"],
    ["Training centre", "Lena Haraldsen", "650,000", "Ahead of schedule"],
]

NOTES = (
    "Notes from the supplier call, 11 March 2025\n"
    "\n"
    "The new bearing housings cost 1.240 € each, about 8% more than last year.\n"
    "Delivery to Bergen takes six weeks; the first 40 units ship on 2 May.\n"
    "Weiß & Søn will cover freight above 5.000 €. Good news for the Hardanger plan.\n"
)

PAGE_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Larkspur Tidal Systems opens Bergen service hub</title>
  <style>body { font-family: sans-serif; } .hidden { display: none; }</style>
  <script>var trackingId = 'SCRIPT-SHOULD-NOT-APPEAR'; console.log(trackingId);</script>
</head>
<body>
  <nav><a href="/">Home</a> | <a href="/news">News</a></nav>
  <article>
    <h1>Larkspur Tidal Systems opens Bergen service hub</h1>
    <p>Bergen, 4 November 2024. Larkspur Tidal Systems today opened its new service hub in
       Bergen, two months ahead of schedule and 6% under its $9 million budget.</p>
    <p>"The hub cuts our repair times in Norway from weeks to days," said Chief Executive
       Marguerite Okonkwo-Hale.</p>
    <ul>
      <li>22 new jobs for technicians and engineers</li>
      <li>A quay for two service vessels</li>
    </ul>
    <p>Media contact: press@larkspur-tidal.example</p>
  </article>
  <noscript>Enable JavaScript for the interactive map.</noscript>
</body>
</html>
"""


def annual_report_pdf() -> bytes:
    """A five-page report with headings, body text and a running footer."""
    from fpdf import FPDF

    class Report(FPDF):
        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("Helvetica", size=8)
            self.cell(0, 10, f"{COMPANY} - {REPORT_TITLE} - page {self.page_no()}", align="C")

    pdf = Report()
    pdf.set_title(f"{COMPANY} {REPORT_TITLE}")
    pdf.set_author(COMPANY)
    for heading, paragraphs in REPORT_PAGES:
        pdf.add_page()
        pdf.set_font("Helvetica", style="B", size=16)
        pdf.multi_cell(0, 10, heading)
        pdf.ln(4)
        pdf.set_font("Helvetica", size=11)
        for paragraph in paragraphs:
            pdf.multi_cell(0, 6, paragraph)
            pdf.ln(3)
    return bytes(pdf.output())


def project_memo_docx() -> bytes:
    """A memo with a header, a footer, paragraphs and a budget table."""
    import docx

    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = f"{COMPANY} - Internal memo"
    section.footer.paragraphs[0].text = "Confidential: for internal use only"
    document.add_heading("Halifax assembly plant: status memo", level=1)
    for paragraph in MEMO_PARAGRAPHS[:-1]:
        document.add_paragraph(paragraph)
    table = document.add_table(rows=len(MEMO_TABLE), cols=len(MEMO_TABLE[0]))
    table.style = "Table Grid"
    for row, values in zip(table.rows, MEMO_TABLE, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.add_paragraph(MEMO_PARAGRAPHS[-1])
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Write every sample next to this script; the exit code is 0 on success."""
    outputs = {
        "annual-report.pdf": annual_report_pdf(),
        "project-memo.docx": project_memo_docx(),
        "notes.txt": NOTES.encode("cp1252"),
        "page.html": PAGE_HTML.encode("utf-8"),
    }
    for name, data in outputs.items():
        (HERE / name).write_bytes(data)
        print(f"wrote {HERE / name} ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
