"""The offline engine: word statistics and patterns, no network and no language model.

A chunk's ``state`` has the same shape as a merged document's (counts, scored candidate
sentences with their position, entities, sentiment sums, language votes), so ``combine``
is a merge followed by the same finishing step ``analyze_chunk`` uses, and merging merged
states again works too. Every part of the state is cut to a fixed size.
"""

from __future__ import annotations

import re
from typing import Any

from docproc.analysis.base import ANALYSES, Analysis, Engine
from docproc.analysis.heuristics import entities, extractive, signals, terms
from docproc.analysis.heuristics.topics import topics
from docproc.analysis.lexicon import STOPWORDS
from docproc.textstats import split_sentences

_NEEDS_TERMS = frozenset({"summary", "key_points", "keywords", "topics"})
_NEEDS_CANDIDATES = frozenset({"summary", "key_points"})
MAX_CANDIDATES = 60
MAX_ENTITIES = 300
TOP_KEYWORDS_FOR_SCORING = 8

# A line of cells from a DOCX or HTML table: "Owner | Anouk Verhoeven | 650,000".
_TABLE_ROW = re.compile(r"^[^\n]* \| [^\n]*$", re.MULTILINE)

State = dict[str, Any]


class LocalEngine(Engine):
    """Extractive summary, frequency keywords, pattern entities, VADER, langdetect."""

    name = "local"
    model = None

    def analyze_chunk(self, text: str, analyses: frozenset[str]) -> Analysis:
        state = chunk_state(text, analyses)
        return Analysis(fields=finish(state, analyses), state=state)

    def combine(self, parts: list[Analysis], analyses: frozenset[str]) -> Analysis:
        state = merge_states([part.state for part in parts], analyses)
        return Analysis(fields=finish(state, analyses), state=state)


def chunk_state(text: str, analyses: frozenset[str]) -> State:
    """Everything ``finish`` and ``merge_states`` need from one chunk, and nothing more."""
    sentences = split_sentences(_TABLE_ROW.sub(_own_paragraph, text))
    state: State = {"chunks": 1, "sentences": len(sentences)}
    language = terms.language_of(sentences)
    if analyses & _NEEDS_TERMS:
        runs = [terms.sentence_runs(s, STOPWORDS[language]) for s in sentences]
        state["words"], state["phrases"] = terms.count_terms(runs)
        if analyses & _NEEDS_CANDIDATES:
            found = [[terms.canonical(t, state["words"]) for t in terms.run_words(r)] for r in runs]
            weights = _weights(state["words"])
            state["candidates"] = extractive.candidates(sentences, found, weights)
    if "entities" in analyses:
        # Other languages capitalise more than names (German nouns): only strong evidence.
        state["entities"] = entities.find_entities(sentences, strict=language != "en")
    if "sentiment" in analyses:
        state["sentiment"] = signals.sentiment_state(sentences, language)
    if "language" in analyses:
        state["language"] = signals.language_state(text)
    return state


def _own_paragraph(row: re.Match[str]) -> str:
    """A table row set apart: otherwise a long row runs on into the next one, and the
    cells no longer line up with the header that says which column holds people."""
    return f"\n\n{row.group(0)}\n\n"


def merge_states(states: list[State], analyses: frozenset[str]) -> State:
    """One state for the document, chunks taken in document order."""
    merged: State = {
        "chunks": sum(s.get("chunks", 0) for s in states),
        "sentences": sum(s.get("sentences", 0) for s in states),
    }
    if analyses & _NEEDS_TERMS:
        merged["words"] = terms.merge_counts([s["words"] for s in states], terms.MAX_WORDS)
        merged["phrases"] = terms.merge_counts([s["phrases"] for s in states], terms.MAX_PHRASES)
    if analyses & _NEEDS_CANDIDATES:
        merged["candidates"] = _merge_candidates(states, merged)
    if "entities" in analyses:
        merged["entities"] = _merge_entity_counts([s["entities"] for s in states])
    if "sentiment" in analyses:
        merged["sentiment"] = signals.merge_sentiment([s["sentiment"] for s in states])
    if "language" in analyses:
        merged["language"] = signals.merge_language([s["language"] for s in states])
    return merged


def finish(state: State, analyses: frozenset[str]) -> dict[str, Any]:
    """The public fields, exactly those asked for, from a chunk's or a document's state."""
    fields: dict[str, Any] = {}
    total = state["sentences"]
    if analyses & _NEEDS_TERMS:
        words = state["words"]
        fields["keywords"] = terms.rank_keywords(
            words, state["phrases"], state["chunks"], _keyword_limit(words)
        )
        fields["topics"] = topics(words, fields["keywords"])
    if analyses & _NEEDS_CANDIDATES:
        pool, weights = _pool(state)
        keywords = fields["keywords"][:TOP_KEYWORDS_FOR_SCORING]
        chosen = extractive.summary(pool, weights, total, keywords)
        fields["summary"] = " ".join(_as_sentence(c["text"]) for c in chosen)
        fields["key_points"] = extractive.key_points(pool, weights, total, keywords, chosen)
    if "entities" in analyses:
        fields["entities"] = entities.merge_entities([state["entities"]])
    if "sentiment" in analyses:
        fields["sentiment"] = signals.sentiment_result(state["sentiment"])
    if "language" in analyses:
        fields["language"] = signals.language_result(state["language"])
    return {key: fields[key] for key in ANALYSES if key in analyses}


def _as_sentence(text: str) -> str:
    """A heading or fragment picked for want of prose gets a full stop, so it does not read
    as the start of the next sentence."""
    return text if text.rstrip()[-1:] in '.!?"”)…:' else f"{text}."


def _weights(words: terms.Counts) -> dict[str, float]:
    """Each word's frequency relative to the most frequent one."""
    top = max((c[0] for c in words.values()), default=1)
    return {term: c[0] / top for term, c in words.items()}


def _keyword_limit(words: terms.Counts) -> int:
    """5 keywords for a note, up to 15 for a long report."""
    return max(5, min(15, sum(c[0] for c in words.values()) // 30))


def _pool(state: State) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """Candidate sentences with their words folded like the document's counts, and weights."""
    words = state["words"]
    pool = [
        {**c, "terms": sorted({terms.canonical(t, words) for t in c["terms"]})}
        for c in state["candidates"]
    ]
    return pool, _weights(words)


def _merge_candidates(states: list[State], merged: State) -> list[dict[str, Any]]:
    """All chunks' candidates with document-wide positions, the best kept by the document's
    own word weights (then back in document order)."""
    pool: list[dict[str, Any]] = []
    offset = 0
    for state in states:
        pool.extend({**c, "pos": c["pos"] + offset} for c in state["candidates"])
        offset += state["sentences"]
    if len(pool) <= MAX_CANDIDATES:
        return pool
    best = extractive.rank(pool, _weights(merged["words"]), offset, [])[:MAX_CANDIDATES]
    return sorted(best, key=_pos)


def _pos(cand: dict[str, Any]) -> int:
    return cand["pos"]


def _merge_entity_counts(parts: list[list[list[Any]]]) -> list[list[Any]]:
    counts: dict[tuple[str, str], int] = {}
    for part in parts:
        for text, kind, count in part:
            counts[(text, kind)] = counts.get((text, kind), 0) + count
    ranked = sorted(counts.items(), key=lambda item: -item[1])[:MAX_ENTITIES]
    return [[text, kind, count] for (text, kind), count in ranked]
