"""Sentiment (VADER, per sentence) and language (langdetect, on a sample) of a chunk.

Both libraries are imported on first use: VADER builds its lexicon and langdetect loads
its profiles then, so importing this module stays cheap.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from docproc.analysis.lexicon import POLARITY

LANGUAGE_SAMPLE_CHARS = 2000
MAX_VADER_WORDS = 100
POSITIVE = 0.05  # VADER's own thresholds for its compound score
NEGATIVE = -0.05


@lru_cache(maxsize=1)
def _vader() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@lru_cache(maxsize=1)
def _langdetect() -> Any:
    import langdetect

    # Without a seed langdetect samples at random and can answer differently per run.
    langdetect.DetectorFactory.seed = 0
    return langdetect


def sentiment_state(sentences: list[str], language: str = "en") -> dict[str, float]:
    """Compound scores summed with each sentence weighted by its length in words."""
    score = _vader_compound if language not in POLARITY else _lexicon_compound(language)
    total = weight = 0.0
    for sentence in sentences:
        n_words = len(sentence.split())
        total += score(sentence) * n_words
        weight += n_words
    return {"sum": round(total, 4), "weight": weight}


def _vader_compound(sentence: str) -> float:
    """VADER's score; a run-on "sentence" (no punctuation in the source) is scored in pieces
    because VADER slows quadratically with sentence length."""
    tokens = sentence.split()
    if len(tokens) <= MAX_VADER_WORDS:
        return _vader().polarity_scores(sentence)["compound"]
    pieces = [tokens[i : i + MAX_VADER_WORDS] for i in range(0, len(tokens), MAX_VADER_WORDS)]
    scored = [_vader().polarity_scores(" ".join(p))["compound"] * len(p) for p in pieces]
    return sum(scored) / len(tokens)


def _lexicon_compound(language: str) -> Callable[[str], float]:
    """Opinion words counted, squashed into [-1, 1] the way VADER squashes its sum."""
    positive, negative = POLARITY[language]

    def compound(sentence: str) -> float:
        tokens = [t.strip(".,;:!?\"'()«»„“”").lower() for t in sentence.split()]
        raw = 2.0 * (sum(t in positive for t in tokens) - sum(t in negative for t in tokens))
        return raw / math.sqrt(raw * raw + 15)

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
