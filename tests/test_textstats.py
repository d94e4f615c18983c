"""Sentence and word splitting: abbreviations, decimals, lists and headings, and speed."""

from __future__ import annotations

import time

import pytest

from docproc.textstats import split_sentences, text_stats, words


@pytest.mark.parametrize(
    "text",
    [
        "Dr. Maria Lopez met Mr. Smith and Mrs. Jones at 9 a.m. on Monday.",
        "Northwind Renewables Ltd. announced record revenue.",
        "Renewables, e.g. wind and solar, grew faster than i.e. fossil fuels.",
        "The U.S. market grew by 3.5 percent to $4.2 million.",
        "Prof. J. R. Tolkien wrote it in vol. 3 on p. 12.",
        "We work with Acme Inc. Chairman Smith agreed.",
    ],
)
def test_abbreviations_and_decimals_do_not_split(text: str) -> None:
    assert split_sentences(text) == [text]


def test_sentence_boundaries() -> None:
    text = (
        "Revenue rose 12.5% in 2025. The board is pleased! Was it enough? "
        'Analysts said "yes." Then we signed with Acme Inc. The deal closed... '
        "Wait... Then came more."
    )
    assert split_sentences(text) == [
        "Revenue rose 12.5% in 2025.",
        "The board is pleased!",
        "Was it enough?",
        'Analysts said "yes."',
        "Then we signed with Acme Inc.",
        "The deal closed...",
        "Wait...",
        "Then came more.",
    ]


def test_lines_paragraphs_bullets_and_headings() -> None:
    text = (
        "Annual Report 2025\n\n"
        "Financial Results\n"
        "Revenue grew strongly. Costs fell\n"
        "because prices dropped.\n\n"
        "Highlights:\n"
        "- New office in Berlin\n"
        "* Record revenue\n"
        "1. First numbered item\n"
        "2) Second numbered item\n"
        "## Outlook\n"
        "We expect growth.\n"
        "| Region | Sales |\n"
        "| EU | 3 |\n"
    )
    assert split_sentences(text) == [
        "Annual Report 2025",
        "Financial Results",
        "Revenue grew strongly.",
        "Costs fell because prices dropped.",
        "Highlights:",
        "New office in Berlin",
        "Record revenue",
        "First numbered item",
        "Second numbered item",
        "Outlook",
        "We expect growth.",
        "| Region | Sales |",
        "| EU | 3 |",
    ]


def test_wrapped_lines_join_and_crlf_is_handled() -> None:
    text = "This sentence was wrapped by an editor at a fixed width of about seventy\r\n"
    text += "characters and continues here.\r\nA second one follows."
    assert split_sentences(text) == [
        "This sentence was wrapped by an editor at a fixed width of about seventy "
        "characters and continues here.",
        "A second one follows.",
    ]


@pytest.mark.parametrize("text", ["", "   ", "\n\n\n", "...", "- \n* "])
def test_no_empty_sentences(text: str) -> None:
    assert split_sentences(text) == []


def test_words_are_unicode_aware() -> None:
    assert words("State-of-the-art naïve café, don't 3.5 l'été Straße 東京 U.S.") == [
        "State-of-the-art",
        "naïve",
        "café",
        "don't",
        "3.5",
        "l'été",
        "Straße",
        "東京",
        "U.S",
    ]
    assert words("  ,;!  ") == []


def test_text_stats_counts() -> None:
    text = "Dr. Lopez announced $4.2 million.\n\nRevenue grew. Costs fell!"
    # Dr, Lopez, announced, 4.2, million, Revenue, grew, Costs, fell
    assert text_stats(text) == {"characters": len(text), "words": 9, "sentences": 3}
    assert text_stats("") == {"characters": 0, "words": 0, "sentences": 0}


def test_one_megabyte_runs() -> None:
    paragraph = (
        "Dr. Maria Lopez of Northwind Renewables Ltd. said revenue rose 3.5% to $4.2 million. "
        "The U.S. and e.g. German markets grew... Costs fell! Why? Because prices dropped.\n"
        "- a bullet line\n\n"
    )
    text = paragraph * (1_000_000 // len(paragraph) + 1)
    started = time.perf_counter()
    stats = text_stats(text)
    elapsed = time.perf_counter() - started
    assert stats["characters"] >= 1_000_000
    assert stats["sentences"] == 6 * (1_000_000 // len(paragraph) + 1)
    assert elapsed < 30  # a sanity bound only; it normally takes a fraction of a second
