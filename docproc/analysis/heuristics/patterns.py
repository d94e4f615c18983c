"""Entities with a fixed shape, found by regex: emails, links, amounts of money, dates.

Run before the name finder, which then sees these spans masked out, so "March" in a date or
"Northwind" in a link never becomes a name.
"""

from __future__ import annotations

import re

_CURRENCY = r"USD|EUR|GBP|JPY|CHF|CAD|AUD|CNY|INR|SEK|NOK|DKK"
_AMOUNT = r"\d+(?:[.,]\d{3})*(?:[.,]\d+)?"
_SCALE = r"(?:\s?(?:million|billion|trillion|thousand|bn|mn|m|k)\b)?"
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
# Order matters: a matched span is masked before the next pattern runs.
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # The lookbehind makes a match start only at a token's start: linear on long tokens.
    ("EMAIL", re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]+(?:\.[\w-]+)+\b")),
    ("URL", re.compile(r"\b(?:https?://|www\.)[^\s<>\"'()\[\]{}]+[^\s<>\"'()\[\]{}.,;:!?]")),
    (
        "MONEY",
        re.compile(
            rf"(?:\b(?:US|A|C|HK|NZ))?[$€£¥₹]\s?{_AMOUNT}{_SCALE}"
            rf"|\b(?:{_CURRENCY})\s?{_AMOUNT}{_SCALE}"
            rf"|\b{_AMOUNT}{_SCALE}\s?(?:(?:{_CURRENCY})\b|(?:dollars|euros|pounds)\b|[€£])"
        ),
    ),
    (
        "DATE",
        re.compile(
            rf"\b(?:\d{{4}}-\d{{2}}-\d{{2}}|{_MONTH}\.?\s+{_DAY}(?:,?\s+\d{{4}})?"
            rf"|{_DAY}\s+{_MONTH}\.?,?(?:\s+\d{{4}})?|{_MONTH}\s+\d{{4}}"
            rf"|Q[1-4]\s+(?:FY\s?)?\d{{4}}|\d{{1,2}}/\d{{1,2}}/\d{{4}})\b"
        ),
    ),
)
MASK = "¦"


def find_patterns(sentence: str) -> tuple[list[tuple[str, str]], str]:
    """The ``(text, type)`` matches in a sentence, and the sentence with them masked."""
    found: list[tuple[str, str]] = []
    for kind, pattern in PATTERNS:
        found.extend((match.group(0), kind) for match in pattern.finditer(sentence))
        sentence = pattern.sub(lambda m: MASK * len(m.group(0)), sentence)
    return found, sentence
