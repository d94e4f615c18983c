"""Sentiment (VADER, per sentence) and language (langdetect, on a sample) of a chunk.

Both libraries are imported on first use: VADER builds its lexicon and langdetect loads
its profiles then, so importing this module stays cheap.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from docproc.analysis.lexicon import (
    BUSINESS_VALENCE,
    CHANGE_DOWN,
    CHANGE_GOOD_DOWN,
    CHANGE_GOOD_UP,
    CHANGE_NEGATORS,
    CHANGE_UP,
    POLARITY,
)

LANGUAGE_SAMPLE_CHARS = 2000
MAX_VADER_WORDS = 100
POSITIVE = 0.05  # VADER's own neutral band, for a sentence and for the document's mean
NEGATIVE = -0.05
NEUTRAL_WEIGHT = 0.25  # a factual sentence dilutes the tone a quarter as much as an opinion
CHANGE_VALENCE = 2.0  # about VADER's "improved" (2.1) per good or bad change of a figure
CHANGE_WINDOW = 4  # words between a figure and the verb that moves it
_ALPHA = 15  # VADER's normalisation constant for its compound score
_FIGURE_WORDS = CHANGE_GOOD_UP | CHANGE_GOOD_DOWN
_CHANGE_WORD = re.compile(r"[a-z][a-z'’-]*|[;.]")
_FIGURES = re.compile(r"[$€£¥]?\d[\d.,]*%?(?:\s*(?:million|billion|thousand|bn|m|k)\b)?")
_GOOD_PHRASE = re.compile(
    r"\b(?:ahead of (?:schedule|plan|target|time)|(?:under|within) (?:its |our |the )?budget"
    r"|on (?:budget|schedule|track))\b"
)
_BAD_PHRASE = re.compile(
    r"\b(?:behind (?:schedule|plan|target)|over (?:its |our |the )?budget|off track)\b"
)


@lru_cache(maxsize=1)
def _vader() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    analyzer.lexicon.update(BUSINESS_VALENCE)
    return analyzer


@lru_cache(maxsize=1)
def _langdetect() -> Any:
    import langdetect

    # Without a seed langdetect samples at random and can answer differently per run.
    langdetect.DetectorFactory.seed = 0
    return langdetect


def sentiment_state(sentences: list[str], language: str = "en") -> dict[str, float]:
    """The sum of sentence scores and their weight. Every opinion counts once, as VADER's
    authors advise for longer text: weighting by length let two long reports of incidents
    outweigh a dozen short statements of good results. Factual sentences count a quarter,
    so a long factual text with a few opinion words still stays near neutral."""
    score = _vader_compound if language not in POLARITY else _lexicon_compound(language)
    total = weight = 0.0
    for sentence in sentences:
        compound = score(sentence)
        total += compound
        weight += 1.0 if abs(compound) >= POSITIVE else NEUTRAL_WEIGHT
    return {"sum": round(total, 4), "weight": weight}


def _vader_compound(sentence: str) -> float:
    """VADER's score, moved by the figures that rise or fall in the sentence. A run-on
    "sentence" (no punctuation in the source) is scored in pieces because VADER slows
    quadratically with sentence length."""
    tokens = sentence.split()
    if len(tokens) <= MAX_VADER_WORDS:
        return _shifted(_vader().polarity_scores(sentence)["compound"], sentence)
    pieces = [tokens[i : i + MAX_VADER_WORDS] for i in range(0, len(tokens), MAX_VADER_WORDS)]
    scored = [_vader_compound(" ".join(p)) * len(p) for p in pieces]
    return sum(scored) / len(tokens)


def _shifted(compound: float, sentence: str) -> float:
    """Add the sentence's business valence to VADER's raw sum, then squash it again."""
    extra = change_valence(sentence)
    if not extra:
        return compound
    compound = max(-0.9999, min(0.9999, compound))
    raw = compound * math.sqrt(_ALPHA / (1 - compound * compound))
    return round(_squash(raw + extra), 4)


def change_valence(sentence: str) -> float:
    """Good and bad news about figures, in VADER's units: "revenue rose", "costs fell" and
    "ahead of schedule" are good, "margin declined" and "over budget" bad; "not" flips."""
    text = _FIGURES.sub(" ", sentence.lower())
    valence = CHANGE_VALENCE * (len(_GOOD_PHRASE.findall(text)) - len(_BAD_PHRASE.findall(text)))
    tokens = _CHANGE_WORD.findall(text)
    used: set[int] = set()
    for i, token in enumerate(tokens):
        rising = token in CHANGE_UP
        if not rising and token not in CHANGE_DOWN:
            continue
        figure = _nearest_figure(tokens, i, used)
        if figure is None:
            continue
        used.add(figure)
        good = (tokens[figure] in CHANGE_GOOD_UP) == rising
        negated = any(t in CHANGE_NEGATORS for t in tokens[max(0, i - 3) : i])
        valence += CHANGE_VALENCE if good != negated else -CHANGE_VALENCE
    return valence


def _nearest_figure(tokens: list[str], at: int, used: set[int]) -> int | None:
    """The closest figure word not yet counted within the window, in the same clause."""
    for distance in range(1, CHANGE_WINDOW + 1):
        for i in (at - distance, at + distance):
            if 0 <= i < len(tokens) and i not in used and tokens[i] in _FIGURE_WORDS:
                between = tokens[min(i, at) : max(i, at)]
                if ";" not in between and "." not in between:
                    return i
    return None


def _squash(raw: float) -> float:
    """VADER's map from a sum of valences into [-1, 1]."""
    return raw / math.sqrt(raw * raw + _ALPHA)


def _lexicon_compound(language: str) -> Callable[[str], float]:
    """Opinion words counted, squashed into [-1, 1] the way VADER squashes its sum."""
    positive, negative = POLARITY[language]

    def compound(sentence: str) -> float:
        tokens = [t.strip(".,;:!?\"'()«»„“”").lower() for t in sentence.split()]
        raw = 2.0 * (sum(t in positive for t in tokens) - sum(t in negative for t in tokens))
        return _squash(raw)

    return compound


def merge_sentiment(states: list[dict[str, float]]) -> dict[str, float]:
    return {
        "sum": round(sum(s["sum"] for s in states), 4),
        "weight": sum(s["weight"] for s in states),
    }


def sentiment_result(state: dict[str, float]) -> dict[str, Any]:
    score = state["sum"] / state["weight"] if state["weight"] else 0.0
    score = round(max(-1.0, min(1.0, score)), 3)
    label = "positive" if score >= POSITIVE else "negative" if score <= NEGATIVE else "neutral"
    return {"label": label, "score": score}


def language_state(text: str) -> dict[str, float]:
    """Votes for the chunk's language, weighted by its length and the detector's confidence."""
    sample = text[:LANGUAGE_SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < 10:
        return {}
    langdetect = _langdetect()
    try:
        guesses = langdetect.detect_langs(sample)
    except langdetect.LangDetectException:
        return {}
    best = guesses[0]
    return {best.lang.split("-")[0]: round(len(text) * best.prob, 1)}


def merge_language(states: list[dict[str, float]]) -> dict[str, float]:
    votes: dict[str, float] = {}
    for state in states:
        for lang, weight in state.items():
            votes[lang] = round(votes.get(lang, 0.0) + weight, 1)
    return votes


def language_result(votes: dict[str, float]) -> str:
    """ISO 639-1 code with most votes; "und" (undetermined) when nothing could be read."""
    return max(votes, key=lambda lang: votes[lang]) if votes else "und"
