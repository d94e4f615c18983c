"""Extractive summary and key points: sentences scored by how much of the document's
vocabulary they carry, where they sit, and whether they read like prose.

Each chunk keeps only its best candidates (with their content words), so the document's
word counts can rescore them all when the chunks are merged.
"""

from __future__ import annotations

import re
from collections.abc import Callable

MAX_CANDIDATES = 40
MAX_TERMS = 40
KEY_POINT_CHARS = 200
DECAY = 0.3  # weight left to a word once a picked sentence has said it

_LEAD_CONNECTIVE = re.compile(
    r"^(?:however|additionally|in addition|moreover|furthermore|meanwhile|also|and|but|"
    r"overall|in short|in summary|as a result|therefore|finally|lastly|"
    r"first(?:ly)?|second(?:ly)?|third(?:ly)?)\s*,?\s+",
    re.IGNORECASE,
)
# Openers that lean on the sentence before: "First, ...", "However, ...", "These ...".
_CONTINUES = re.compile(
    r"^(?:first(?:ly)?|second(?:ly)?|third(?:ly)?|finally|lastly|however|but|and|also|"
    r"this|these|those|such|moreover|furthermore|in addition|additionally|meanwhile|"
    r"therefore|thus|as a result|instead|otherwise|nevertheless|nonetheless|similarly|"
    r"likewise|on the other hand)\b",
    re.IGNORECASE,
)
MAX_LEAD_INS = 2  # "Second, ..." brings "First, ..." and the sentence that sets them up
_FIELD = re.compile(r"^[A-Z][\w ()/-]{0,30}: ")  # "Registered office: ...", "Subject: ..."
_ENDS = '.!?"”)…。！？'
_LETTERS = re.compile(r"[^\W\d_]{3,}")
MIN_SUMMARY_QUALITY = 0.2  # below this a candidate is a fragment, used only for want of prose
_DIGIT = re.compile(r"\d")
_SYMBOLS = re.compile(r"[`$(){}\[\]<>=/\\|*_#~^]")

Candidate = dict  # {"text", "pos", "terms", "words", "quality"}: JSON-friendly


def quality(sentence: str, n_words: int) -> float:
    """How much a sentence reads like a self-contained statement (1.0) rather than a
    heading, bullet fragment, table row or run-on (down to about 0.1)."""
    factor = 1.0
    if sentence[-1] not in _ENDS:
        factor *= 0.3  # headings and bullet fragments
    if _FIELD.match(sentence):
        factor *= 0.5  # a form field or label, not a statement
    if _only_names(sentence):
        factor *= 0.3  # "Bergen, 4 November 2024.": a dateline or list of names says nothing
    if "|" in sentence or len(_DIGIT.findall(sentence)) > 0.3 * len(sentence.replace(" ", "")):
        factor *= 0.3  # table rows
    if len(_SYMBOLS.findall(sentence)) > 0.04 * len(sentence):
        factor *= 0.4  # code, markup and links read badly in a summary
    if n_words < 6:
        factor *= 0.5
    elif n_words > 45:
        factor *= 0.6
    if not sentence[0].isupper() and not sentence[0].isdigit() and sentence[0] not in "\"“'":
        factor *= 0.7
    return factor


def _only_names(sentence: str) -> bool:
    """Capitalised words and figures only; scripts without case (Chinese) never are."""
    cased = [w for w in _LETTERS.findall(sentence) if w.lower() != w.upper()]
    return bool(cased) and not any(w.islower() for w in cased)


def candidates(
    sentences: list[str], terms: list[list[str]], weights: dict[str, float]
) -> list[Candidate]:
    """The chunk's best sentences by its own word weights, in document order."""
    pool = []
    for pos, (sentence, found) in enumerate(zip(sentences, terms, strict=True)):
        n_words = len(sentence.split())
        unique = sorted(set(found))[:MAX_TERMS]
        pool.append(
            {
                "text": sentence,
                "pos": pos,
                "terms": unique,
                "words": n_words,
                "quality": round(quality(sentence, n_words), 3),
            }
        )
    return sorted(rank(pool, weights, len(sentences), [])[:MAX_CANDIDATES], key=_pos)


def score(cand: Candidate, weights: dict[str, float], total: int, keywords: list[str]) -> float:
    """Content (normalised word weights, softly length-normalised) x quality x position x
    a little for each top keyword the sentence mentions."""
    content = sum(weights.get(t, 0.0) for t in cand["terms"]) / (len(cand["terms"]) + 4) ** 0.5
    # Reports and articles state their point first: the opening fifth gets a rising bonus.
    position = 1 + 0.6 * max(0.0, 1 - cand["pos"] / max(0.2 * total, 1))
    lowered = cand["text"].lower()
    hits = min(3, sum(1 for k in keywords if k.lower() in lowered))
    return content * cand["quality"] * position * (1 + 0.1 * hits)


def rank(
    pool: list[Candidate], weights: dict[str, float], total: int, keywords: list[str]
) -> list[Candidate]:
    """Candidates best first by their document-level score."""
    return sorted(pool, key=lambda c: -score(c, weights, total, keywords))


def summary(
    pool: list[Candidate], weights: dict[str, float], total: int, keywords: list[str]
) -> list[Candidate]:
    """The best few sentences that each add something new, in document order; more for
    longer documents. Headings and fragments only when there is no real sentence, and a
    sentence that continues another ("First, ...") comes with it or not at all."""
    size = 1 if total <= 2 else 2 if total <= 5 else 3 if total <= 12 else 4 if total <= 30 else 5
    prose = [
        c for c in pool if c["text"].rstrip()[-1:] in _ENDS and c["quality"] >= MIN_SUMMARY_QUALITY
    ]
    return _pick(prose or pool, weights, total, keywords, size, _plain, lead_ins=True)


def key_points(
    pool: list[Candidate],
    weights: dict[str, float],
    total: int,
    keywords: list[str],
    avoid: list[Candidate],
) -> list[str]:
    """Short factual statements, other than the summary's when there are enough: figures
    count for more, long sentences for less and are cut at a clause."""
    size = min(7, max(3, total // 8))
    used = {c["pos"] for c in avoid}
    if len(pool) >= size + len(used):
        pool = [c for c in pool if c["pos"] not in used]
    # Flatter weights: a fact in rarer words ("net profit reached") can still make the list.
    flat = {term: weight**0.5 for term, weight in weights.items()}
    chosen = _pick(pool, flat, total, keywords, size, _informative)
    return [_trim(c["text"]) for c in chosen]


def _plain(cand: Candidate) -> float:
    return 1.0


def _informative(cand: Candidate) -> float:
    """Figures make a key point concrete; long sentences make it hard to scan."""
    bonus = 1.5 if _DIGIT.search(cand["text"]) else 1.0
    return bonus * (0.7 if cand["words"] > 35 else 1.0)


def _pos(cand: Candidate) -> int:
    return cand["pos"]


def _pick(
    pool: list[Candidate],
    weights: dict[str, float],
    total: int,
    keywords: list[str],
    size: int,
    bonus: Callable[[Candidate], float],
    lead_ins: bool = False,
) -> list[Candidate]:
    """Greedy picks in the manner of SumBasic: once a sentence is taken its words weigh less,
    so the next pick covers another part of the document. Near-duplicates are skipped.
    With ``lead_ins`` a sentence that continues the one before is taken only with it."""
    weights = dict(weights)
    keywords = list(keywords)
    pool = list(pool)
    chosen: list[Candidate] = []
    deferred: list[Candidate] = []
    while pool and len(chosen) < size:
        # A neighbour of a picked sentence mostly continues its story.
        near = {c["pos"] + step for c in chosen for step in (-1, 1)}
        values = [
            score(c, weights, total, keywords) * bonus(c) * (0.8 if c["pos"] in near else 1.0)
            for c in pool
        ]
        best = pool.pop(values.index(max(values)))
        if any(_overlap(set(best["terms"]), set(c["terms"])) > 0.5 for c in chosen):
            continue
        group = _with_lead_ins(best, pool, chosen) if lead_ins else [best]
        if group is None or len(chosen) + len(group) > size:
            deferred.append(best)
            continue
        for cand in group:
            if cand in pool:
                pool.remove(cand)
            chosen.append(cand)
            for term in cand["terms"]:
                weights[term] = weights.get(term, 0.0) * DECAY
            lowered = cand["text"].lower()
            keywords = [k for k in keywords if k.lower() not in lowered]
    if not chosen and deferred:
        chosen.append(deferred[0])  # better a sentence out of context than no summary
    return sorted(chosen, key=_pos)


def _with_lead_ins(
    cand: Candidate, pool: list[Candidate], chosen: list[Candidate]
) -> list[Candidate] | None:
    """``cand`` and the sentences before it that it needs ("Two risks remain. First, ...";
    none if it needs none, or they are already chosen); None when they are not available."""
    group = [cand]
    by_pos = {c["pos"]: c for c in pool}
    taken = {c["pos"] for c in chosen}
    while _CONTINUES.match(group[0]["text"]) and group[0]["pos"] - 1 not in taken:
        before = by_pos.get(group[0]["pos"] - 1)
        if before is None or len(group) > MAX_LEAD_INS:
            return None
        group.insert(0, before)
    return group


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _trim(text: str) -> str:
    text = _LEAD_CONNECTIVE.sub("", text).strip()
    text = text[:1].upper() + text[1:]
    if len(text) <= KEY_POINT_CHARS:
        return text
    cut = text[:KEY_POINT_CHARS]
    clause = max(cut.rfind(", "), cut.rfind("; "), cut.rfind(": "))
    end = clause if clause > KEY_POINT_CHARS // 2 else cut.rfind(" ")
    return cut[:end].rstrip(",;: ") + "…"
