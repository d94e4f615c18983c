"""Sentence and word splitting shared by the whole project, and the document's text stats.

Regex-only on purpose: no tokenizer data can be downloaded at run time, and a 1 MB
document must split in well under a second.
"""

from __future__ import annotations

import re


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# A period after these never ends a sentence ("Dr. Lopez", "e.g. wind", "No. 5").
_ALWAYS_ABBREV = _set(
    "mr mrs ms dr prof sr jr st mt vs v e.g i.e cf approx no nos fig figs vol pp ca gen col"
    " capt lt sgt rev hon gov sen rep ft jan feb mar apr jun jul aug sep sept oct nov dec"
    " mon tue wed thu fri sat sun ph.d m.d b.a m.a"
)
# A period after these ends a sentence only when a usual sentence opener follows
# ("... Acme Inc. The deal" splits, "Acme Inc. Chairman Smith" does not).
_SOMETIMES_ABBREV = _set("inc ltd corp co llc plc bros dept est etc u.s u.k u.n e.u a.m p.m al")
_OPENERS = _set(
    "the a an this that these those it its we our he she his her they their i you in on at"
    " for but and however meanwhile after before as by if when while with from to there"
    " then what who why how one some all each both"
)

# CJK full stops need no space after them.
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*\s+|[。！？]+[」』”]*\s*")
_PARAGRAPH = re.compile(r"\n[ \t]*\n+")
_BULLET = re.compile(r"^\s*(?:[-*•·▪‣◦–—>]+|#{1,6}|\(?\d{1,3}[.)]|\(?[a-z][.)]|\(?[A-Z]\))\s+")
_LINE_END = re.compile(r"[.!?:;…\"'”’)]$")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+)*")
_PREV_TOKEN = re.compile(r"(\S+)$")
_DOTTED = re.compile(r"^(?:[a-z]\.)+[a-z]$")


def has_words(text: str) -> bool:
    """Whether there is anything to analyse: a letter or digit, not only spaces, zero-width
    characters or punctuation (str.strip misses U+200B and friends)."""
    return any(ch.isalnum() for ch in text)


def words(text: str) -> list[str]:
    """Word tokens in any script; "state-of-the-art", "don't", "U.S" and "3.5" stay whole."""
    return _WORD.findall(text)


def split_sentences(text: str) -> list[str]:
    """Sentences in document order, whitespace collapsed, bullet and heading marks removed.

    A blank line, a bullet, a table row or a short heading line always ends a sentence,
    so list items and headings never glue onto the prose around them.
    """
    sentences: list[str] = []
    for block in _blocks(text):
        sentences.extend(_split_block(block))
    return sentences


def text_stats(text: str) -> dict[str, int]:
    """Counts reported with every result: characters, words and sentences."""
    return {
        "characters": len(text),
        "words": len(words(text)),
        "sentences": len(split_sentences(text)),
    }


def _blocks(text: str) -> list[str]:
    """Runs of lines that belong to one paragraph, bullet, heading or table row."""
    blocks: list[str] = []
    for paragraph in _PARAGRAPH.split(text.replace("\r\n", "\n").replace("\r", "\n")):
        current: list[str] = []
        for raw in paragraph.split("\n"):
            line = raw.strip()
            if not line:
                continue
            if current and _starts_new_block(current, line, raw):
                blocks.append(" ".join(current))
                current = []
            current.append(line)
        if current:
            blocks.append(" ".join(current))
    return blocks


def _starts_new_block(current: list[str], line: str, raw: str) -> bool:
    """Whether a single line break is a boundary rather than a wrap inside a sentence."""
    previous = current[-1]
    if _BULLET.match(line) or "\t" in raw or line.startswith("|") or previous.endswith("|"):
        return True
    if _LINE_END.search(previous):
        return True
    if not (line[0].isupper() or line[0].isdigit()):
        return False
    # A heading: a short first line, or a line of capitalised words, before a capital.
    capitalised = [w for w in previous.split() if w[0].isupper()]
    return (len(current) == 1 and len(previous) < 60) or len(capitalised) > 0.7 * len(
        previous.split()
    )


def _split_block(block: str) -> list[str]:
    block = _SPACES.sub(" ", _BULLET.sub("", block, count=1)).strip()
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(block):
        end = match.end()
        if end >= len(block) or not _is_boundary(block, match.start(), end):
            continue
        sentences.append(block[start:end].strip())
        start = end
    tail = block[start:].strip()
    if tail:
        sentences.append(tail)
    return [s for s in sentences if any(ch.isalnum() for ch in s)]


def _is_boundary(block: str, punct_at: int, next_at: int) -> bool:
    """Decide whether the punctuation at ``punct_at`` ends the sentence."""
    following = block[next_at : next_at + 40].lstrip("\"'“‘([")
    if not following or following[0].islower():
        return False
    if block[punct_at] != ".":  # "!", "?", "…" and CJK stops always end a sentence
        return True
    token_match = _PREV_TOKEN.search(block, max(0, punct_at - 30), punct_at)
    if token_match is None:
        return True
    token = token_match.group(1).lstrip("\"'“‘([").lower()
    if token in _ALWAYS_ABBREV:
        return False
    if len(token) == 1 and token.isalpha():
        return False  # an initial: "J. Smith"
    if token in _SOMETIMES_ABBREV or _DOTTED.match(token):
        next_word = following.split(" ", 1)[0].strip(",;:").lower()
        return next_word in _OPENERS
    return True
