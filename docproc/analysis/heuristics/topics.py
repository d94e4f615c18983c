"""Topics: broad themes a reader recognises (from ``lexicon.THEMES``), then the document's
own recurring phrases for what no theme covers.
"""

from __future__ import annotations

from docproc.analysis.gazetteer import ORG_WORDS
from docproc.analysis.heuristics.terms import Counts
from docproc.analysis.lexicon import THEMES

MAX_THEMES = 3


def topics(words: Counts, keywords: list[str], limit: int = 5) -> list[str]:
    """Up to ``limit`` topics (at least 3 when the text allows), strongest first."""
    themes = _themes(words)
    covered = set().union(*(THEMES[t] for t in themes)) if themes else set()
    chosen = list(themes)
    used: set[str] = set()
    # Phrases first: "Battery Storage" says more than "Battery".
    for keyword in sorted(keywords, key=lambda k: " " not in k):
        parts = keyword.lower().split()
        if len(chosen) >= limit:
            break
        if all(p in covered or p.rstrip("s") in covered for p in parts) or used & set(parts):
            continue
        if _organisation(keyword) or (len(parts) == 1 and _tf(keyword, words) < 2):
            continue  # a company's name, or a word said once, is no theme
        chosen.append(_title(keyword))
        used.update(parts)
    return chosen[:limit]


def _themes(words: Counts) -> list[str]:
    """Themes several of whose words recur, strongest first, weak ones dropped."""
    scores: dict[str, int] = {}
    for theme, vocabulary in THEMES.items():
        hits = [words[w][0] for w in vocabulary if w in words]
        if len(hits) >= 2 and sum(hits) >= 4:
            scores[theme] = sum(hits)
    if not scores:
        return []
    best = max(scores.values())
    strong = [t for t in scores if scores[t] >= 0.3 * best]
    return sorted(strong, key=lambda t: -scores[t])[:MAX_THEMES]


def _tf(keyword: str, words: Counts) -> int:
    return (words.get(keyword) or words.get(keyword.lower()) or [0])[0]


def _organisation(keyword: str) -> bool:
    """A name the text always capitalises and that ends like a company ("Larkspur Tidal
    Systems", "Baltic Grid Partners"): who the document is by or about, not a theme."""
    words = keyword.split()
    return len(words) > 1 and all(w[:1].isupper() for w in words) and words[-1].lower() in ORG_WORDS


def _title(keyword: str) -> str:
    return " ".join(w if w.isupper() else w[:1].upper() + w[1:] for w in keyword.split())
