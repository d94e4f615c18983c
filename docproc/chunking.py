"""Split long text into chunks an analysis engine can take in one call.

Token counts are estimated (about four characters a token for English prose) because
tokenizer data files cannot be downloaded at run time; chunks leave headroom for that.
"""

from __future__ import annotations

import re

CHARS_PER_TOKEN = 4
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def estimate_tokens(text: str) -> int:
    """Rough token count: good enough to size chunks, never used for billing."""
    return (len(text) + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN


def split_into_chunks(text: str, max_tokens: int) -> list[str]:
    """Chunks of at most ``max_tokens`` (estimated), cut at paragraph, then sentence,
    then word boundaries, in document order. Empty text gives no chunks."""
    if max_tokens < 1:
        raise ValueError("max_tokens must be positive")
    limit = max_tokens * CHARS_PER_TOKEN
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for piece in _pieces(text, limit):
        extra = len(piece) + (2 if current else 0)
        if current and size + extra > limit:
            chunks.append("\n\n".join(current))
            current, size = [], 0
            extra = len(piece)
        current.append(piece)
        size += extra
    if current:
        chunks.append("\n\n".join(current))
    return chunks


def _pieces(text: str, limit: int) -> list[str]:
    """Paragraphs no longer than ``limit``: long ones are cut at sentences, then words."""
    pieces: list[str] = []
    for paragraph in _PARAGRAPH_BREAK.split(text):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        if len(paragraph) <= limit:
            pieces.append(paragraph)
            continue
        pieces.extend(_pack(_SENTENCE_END.split(paragraph), limit, " "))
    return pieces


def _pack(parts: list[str], limit: int, joiner: str) -> list[str]:
    """Greedily join ``parts`` into strings of at most ``limit`` characters."""
    packed: list[str] = []
    current = ""
    for part in parts:
        if len(part) > limit:
            if current:
                packed.append(current)
                current = ""
            packed.extend(_hard_split(part, limit))
            continue
        candidate = f"{current}{joiner}{part}" if current else part
        if len(candidate) > limit:
            packed.append(current)
            current = part
        else:
            current = candidate
    if current:
        packed.append(current)
    return packed


def _hard_split(text: str, limit: int) -> list[str]:
    """Last resort for a sentence longer than a chunk: cut at spaces, or anywhere."""
    words = text.split(" ")
    if max(len(w) for w in words) > limit:
        return [text[i : i + limit] for i in range(0, len(text), limit)]
    return _pack(words, limit, " ")
