"""Chunking is pure: every chunk fits, nothing is lost, order is kept."""

import pytest

from docproc.chunking import CHARS_PER_TOKEN, estimate_tokens, split_into_chunks


def _words(chunks: list[str]) -> list[str]:
    return " ".join(chunks).split()


def test_short_text_is_one_chunk() -> None:
    assert split_into_chunks("Hello world. Second sentence.", 100) == [
        "Hello world. Second sentence."
    ]


def test_empty_text_has_no_chunks() -> None:
    assert split_into_chunks("  \n\n  ", 100) == []


@pytest.mark.parametrize("max_tokens", [5, 20, 100, 1000])
def test_chunks_fit_and_keep_every_word_in_order(max_tokens: int) -> None:
    paragraphs = [
        " ".join(f"Sentence {p}-{s} has several words in it." for s in range(p % 7 + 1))
        for p in range(60)
    ]
    text = "\n\n".join(paragraphs)
    chunks = split_into_chunks(text, max_tokens)
    assert all(len(c) <= max_tokens * CHARS_PER_TOKEN for c in chunks)
    assert _words(chunks) == text.split()


def test_paragraph_boundaries_are_preferred() -> None:
    text = ("a" * 30 + "\n\n") * 4
    chunks = split_into_chunks(text, 16)  # 64 characters: two paragraphs a chunk
    assert chunks == ["a" * 30 + "\n\n" + "a" * 30] * 2


def test_a_word_longer_than_a_chunk_is_cut() -> None:
    chunks = split_into_chunks("x" * 50, 5)
    assert all(len(c) <= 20 for c in chunks)
    assert "".join(chunks) == "x" * 50


def test_estimate_tokens() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("abcd") == 1
    assert estimate_tokens("abcde") == 2


def test_invalid_limit() -> None:
    with pytest.raises(ValueError):
        split_into_chunks("text", 0)
