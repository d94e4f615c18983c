"""Content words and recurring phrases: counted per chunk, merged, ranked as keywords.

Counts are ``[tf, sf, lower, chunks]``: occurrences, sentences containing the term,
occurrences written in lowercase (a word never written so is a proper noun and keeps its
capital), chunks containing it (spread through the document beats a burst in one place).
"""

from __future__ import annotations

import math
import re

from docproc.analysis.gazetteer import ROLE_HEADS, TITLES, is_job_title
from docproc.analysis.lexicon import KEYWORD_NOISE, STOPWORDS

_TOKEN = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*|[^\w\s]")
_POSSESSIVE = re.compile(r"['’]s$")
_LINKS = re.compile(r"\S+@\S+|(?:https?://|www\.)\S+")
_ROLE_WORDS = TITLES | ROLE_HEADS
MAX_WORDS = 400
MAX_PHRASES = 200

Counts = dict[str, list[int]]


def language_of(sentences: list[str]) -> str:
    """The language (en, fr, de or es) whose function words the text uses most: enough to
    pick word lists, and cheaper than running langdetect on every chunk."""
    sample = " ".join(sentences[:60]).lower().split()
    hits = {lang: sum(w in words for w in sample) for lang, words in STOPWORDS.items()}
    return max(hits, key=lambda lang: (hits[lang], lang == "en"))


Run = list[tuple[str, bool]]  # adjacent content words, each with "written in lowercase"


def sentence_runs(sentence: str, stopwords: frozenset[str]) -> list[Run]:
    """Runs of adjacent content words; stopwords, numbers and punctuation end a run, so
    phrases never span them. Emails and links are left out."""
    runs: list[Run] = [[]]
    tokens = _TOKEN.findall(_LINKS.sub(" , ", sentence))
    for index, token in enumerate(tokens):
        term = _term(token, stopwords)
        if term is None:
            if runs[-1]:
                runs.append([])
            continue
        lower = token[0].islower()
        if index == 0 and not lower:
            # A capital opening a sentence proves nothing unless a capital follows
            # ("Northwind Renewables said"); "Costs exploded" counts as lowercase.
            lower = len(tokens) < 2 or not tokens[1][0].isupper()
        runs[-1].append((term, lower))
    return [run for run in runs if run]


def run_words(runs: list[Run]) -> list[str]:
    return [term for run in runs for term, _ in run]


def count_terms(sentences: list[list[Run]]) -> tuple[Counts, Counts]:
    """Word and 2-3 word phrase counts of one chunk, cut to the most frequent."""
    words: Counts = {}
    phrases: Counts = {}
    for runs in sentences:
        grams = [gram for run in runs for gram in _ngrams(run)]
        for table, items in ((words, [item for run in runs for item in run]), (phrases, grams)):
            for term, lower in items:
                entry = table.setdefault(term, [0, 0, 0, 1])
                entry[0] += 1
                entry[2] += lower
            for term in {term for term, _ in items}:
                table[term][1] += 1
    return merge_counts([words], MAX_WORDS), merge_counts([phrases], MAX_PHRASES)


def merge_counts(parts: list[Counts], limit: int) -> Counts:
    """Sum counts across chunks and fold plurals into their singular ("projects")."""
    merged: Counts = {}
    for part in parts:
        for term, counts in part.items():
            entry = merged.setdefault(term, [0, 0, 0, 0])
            for i, value in enumerate(counts):
                entry[i] += value
    for term in sorted(merged, key=len, reverse=True):
        singular = _singular(term)
        if singular != term and singular in merged:
            for i, value in enumerate(merged.pop(term)):
                merged[singular][i] += value
    return _top(merged, limit)


def canonical(term: str, words: Counts) -> str:
    """The key a word is counted under after plural folding."""
    singular = _singular(term)
    return singular if singular in words else term


def rank_keywords(words: Counts, phrases: Counts, chunks: int, limit: int) -> list[str]:
    """Most characteristic words and phrases; a recurring phrase replaces its own words."""
    min_tf = 2 if sum(c[0] for c in words.values()) > 60 else 1
    scored = [
        (t, _score(c, chunks))
        for t, c in words.items()
        if c[0] >= min_tf and not _verb_like(t) and not _title_word(t, c)
    ]
    for term, counts in phrases.items():
        if counts[0] >= 2 and not is_job_title(term.split()):  # "chief executive"
            scored.append((term, _score(counts, chunks) * (1.5 + 0.3 * term.count(" "))))
    scored.sort(key=lambda item: -item[1])
    chosen: list[str] = []
    for term, _ in scored:
        if len(chosen) >= limit:
            break
        if any(_redundant(term, other, words, phrases) for other in chosen):
            continue
        inside = sum(_tf(c, words, phrases) for c in chosen if _contains(c, term))
        if inside and _tf(term, words, phrases) <= 1.5 * inside:
            continue  # "storage" once "battery storage" and "storage project" are in
        chosen = [c for c in chosen if not _covers(term, c, words, phrases)]
        chosen.append(term)
    return [display(term, words, phrases) for term in chosen[:limit]]


def display(term: str, words: Counts, phrases: Counts) -> str:
    """Lowercase, except acronyms and names the text never writes in lowercase, also inside
    a phrase ("Orkney array")."""
    counts = (phrases if " " in term else words).get(term)
    if counts is None:
        return term
    if counts[2] > 0:
        return " ".join(_proper(w) if words.get(w, [0, 0, 1])[2] == 0 else w for w in term.split())
    return " ".join(w if w.isupper() else _proper(w) for w in term.split())


def _proper(word: str) -> str:
    return word[:1].upper() + word[1:]


def _tf(term: str, words: Counts, phrases: Counts) -> int:
    return (phrases if " " in term else words).get(term, [0])[0]


def _contains(big: str, small: str) -> bool:
    return f" {small} " in f" {big} "


def _covers(big: str, small: str, words: Counts, phrases: Counts) -> bool:
    """Whether ``big`` contains ``small`` and explains most of its occurrences."""
    if not _contains(big, small):
        return False
    return _tf(small, words, phrases) <= 1.5 * _tf(big, words, phrases)


def _redundant(term: str, chosen: str, words: Counts, phrases: Counts) -> bool:
    """A candidate adds nothing if it is already chosen, is explained by a chosen phrase,
    or merely extends a chosen keyword in a minority of its uses."""
    if term == chosen or _covers(chosen, term, words, phrases):
        return True
    tf = _tf(term, words, phrases)
    if " " in chosen and _contains(term, chosen) and tf < 0.6 * _tf(chosen, words, phrases):
        return True
    # "energy projects" when "renewable energy" is chosen and only "renewable energy
    # projects" ever occurs: the term is a fragment of a longer phrase around the choice.
    return " " in term and any(
        counts[0] >= tf and _contains(p, term) and _contains(p, chosen)
        for p, counts in phrases.items()
        if p != term
    )


def _score(counts: list[int], chunks: int) -> float:
    tf, sf, _, seen_in = counts
    spread = 1 + 0.5 * (seen_in - 1) / (chunks - 1) if chunks > 1 else 1
    return math.sqrt(tf * max(sf, 1)) * spread


def _title_word(term: str, counts: list[int]) -> bool:
    """A title word the text never writes in lowercase ("Chief", "Executive") is part of
    someone's title, not a subject ("executive pay" is one)."""
    return counts[2] == 0 and term.lower() in _ROLE_WORDS


def _verb_like(term: str) -> bool:
    """Past tenses and participles ("delivered", "improved") name no subject on their own."""
    return term.endswith("ed") and not term.endswith("eed") and len(term) > 5


def _term(token: str, stopwords: frozenset[str]) -> str | None:
    """The counted form of a token, or None for stopwords, numbers and punctuation."""
    token = _POSSESSIVE.sub("", token)
    if not token[0].isalpha() or any(ch.isdigit() for ch in token):
        return None
    if token.isupper() and 2 <= len(token) <= 6:
        return None if token.lower() in KEYWORD_NOISE else token
    low = token.lower()
    if len(low) < 3 or low in stopwords or low in KEYWORD_NOISE:
        return None
    return low


def _ngrams(run: Run) -> list[tuple[str, bool]]:
    """2- and 3-word phrases of a run; a phrase is lowercase if any of its words is."""
    return [
        (" ".join(t for t, _ in run[i : i + n]), any(low for _, low in run[i : i + n]))
        for n in (2, 3)
        for i in range(len(run) - n + 1)
    ]


def _singular(term: str) -> str:
    head, _, last = term.rpartition(" ")
    if last.endswith("ies") and len(last) > 4:
        last = last[:-3] + "y"
    elif last.endswith("s") and not last.endswith(("ss", "us", "is")) and len(last) > 3:
        last = last[:-1]
    return f"{head} {last}" if head else last


def _top(counts: Counts, limit: int) -> Counts:
    ranked = sorted(counts.items(), key=lambda item: -item[1][0])
    return dict(ranked[:limit])
