"""Benchmark documents, generated: small distinct notes, and a long multi-page report."""

from __future__ import annotations

import random

_SUBJECTS = ["The northern depot", "Our Lisbon office", "The finance team", "Helios Freight",
             "The board", "Customer support", "The Oslo warehouse", "Maria Lopez"]
_VERBS = ["reported", "approved", "reviewed", "delayed", "expanded", "reduced", "announced"]
_OBJECTS = ["the quarterly budget", "a new delivery route", "the hiring plan",
            "energy costs", "the service contract", "two new turbines", "the audit findings"]
_TAILS = ["after a long discussion.", "ahead of schedule.", "despite rising prices.",
          "with strong support from staff.", "for the second year running.",
          "following customer feedback."]


def sentence(rng: random.Random) -> str:
    return " ".join([rng.choice(_SUBJECTS), rng.choice(_VERBS), rng.choice(_OBJECTS),
                     rng.choice(_TAILS)])


def small_notes(count: int, seed: int = 7) -> list[str]:
    """``count`` distinct notes of about 600 characters (one chunk, one LLM call each)."""
    rng = random.Random(seed)
    return [f"Note {n}. " + " ".join(sentence(rng) for _ in range(8)) for n in range(count)]


def report_pdf(pages: int, chars_per_page: int = 4200, seed: int = 11) -> bytes:
    """A ``pages``-page PDF of prose, about 1,050 tokens a page (200 pages: ~210k tokens)."""
    from fpdf import FPDF

    rng = random.Random(seed)
    pdf = FPDF()
    pdf.set_font("Helvetica", size=9)
    pdf.set_auto_page_break(auto=False)
    for number in range(1, pages + 1):
        pdf.add_page()
        text = f"Page {number}. "
        while len(text) < chars_per_page:
            text += sentence(rng) + " "
        pdf.multi_cell(0, 3.6, text)
    return bytes(pdf.output())
