"""Named entities: fixed-shape ones from ``patterns``, and capitalised names classified as
PERSON, ORG or LOCATION by the words around them and a small gazetteer.

Only names with evidence get a type; the rest are OTHER and reported only if they recur.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import NamedTuple

from docproc.analysis.gazetteer import (
    EVENT_HEADS,
    FIRST_NAMES,
    GEO_MODIFIERS,
    NOT_NAMES,
    NOT_ORG_ACRONYMS,
    ORG_SUFFIXES,
    ORG_WORDS,
    PERSON_COLUMNS,
    PERSON_VERBS,
    PLACE_HEADS,
    PLACES,
    TITLES,
    TRAVEL_WORDS,
    is_job_title,
)
from docproc.analysis.heuristics.patterns import MASK, find_patterns
from docproc.analysis.lexicon import ENGLISH_STOPWORDS, STOPWORDS

_WORD = r"(?:[A-ZÀ-ÖØ-Þ][\w'’&]*(?:-[A-ZÀ-ÖØ-Þ][\w'’&]*)*)"
_NAME_TOKEN = rf"(?:(?:[A-Z]\.){{2,}}|(?:Mr|Mrs|Ms|Dr|Prof|St|Jr|Sr|Inc|Ltd|Corp|Co)\.|{_WORD})"
_CONNECTOR = r"(?:of|for|de|del|da|di|do|van|von|der|den|du|la|le|the|&)"
_NAME = re.compile(rf"(?<![\w'’.-]){_NAME_TOKEN}(?:(?:\s+{_CONNECTOR})*\s+{_NAME_TOKEN})*")
_CONNECTORS = frozenset(re.findall(r"\w+|&", _CONNECTOR))
_PLACE_CUES = frozenset(("in", "near", "off", "outside", "across", "throughout", "within"))
# Lowercase words after a place that do not make it a modifier: "moved to Oslo last year".
_AFTER_PLACE = ENGLISH_STOPWORDS | frozenset(
    ("last", "next", "earlier", "later", "recently", "today", "yesterday")
)
_PLACE_FIRST = frozenset(("bay", "gulf", "isle", "island", "lake", "mount", "cape", "strait"))
_THING_HEADS = frozenset(("project", "programme", "program", "plan", "initiative", "strategy"))
_PERSON_AFTER = re.compile(r"\s*,?\s*(?:the\s+)?([A-Za-z-]+)")
_PLACES_LOWER = frozenset(p.lower() for p in PLACES)
_SKIP_LEAD = NOT_NAMES | ENGLISH_STOPWORDS | _CONNECTORS
_ANY_STOPWORD = frozenset().union(*STOPWORDS.values())
_LOWER_WORD = re.compile(r"(?<![\w.])[a-z][a-z'’-]*")
# "Bergen, 4 November 2024.": a news dateline names a place before the (masked) date.
_DATELINE = re.compile(rf"[\"'“‘(]?({_WORD}(?:\s+{_WORD}){{0,2}})\s*,\s*{MASK}")
# What follows a name and a comma, past a postcode: "Digby, Nova Scotia", "Orkney KW16 3AA,
# United Kingdom".
_AFTER_COMMA = re.compile(rf"(?:\s+\d[A-Z\d]{{1,3}})?\s*,\s+({_WORD}(?:\s+{_WORD}){{0,3}})")
_TIERS = {"PERSON": 0, "ORG": 0, "LOCATION": 0, "OTHER": 2}  # fixed-shape types: 1

Entity = list  # [text, type, count]: JSON-friendly


class Cues(NamedTuple):
    """What the words around a name suggest: a title before it ("Dr."), a speech verb
    next to it ("said"), a place preposition before it ("in")."""

    titled: bool
    person: bool
    place: bool


def find_entities(sentences: list[str], strict: bool = False, limit: int = 150) -> list[Entity]:
    """Entities of one chunk as ``[text, type, count]``, most frequent first. ``strict``
    keeps only names with strong evidence, for text that capitalises more than names.
    Table cells ("Owner | Anouk Verhoeven | 650,000") are read one by one."""
    counts: Counter[tuple[str, str]] = Counter()
    sentence_starts: list[str] = []
    commas: list[tuple[str, str]] = []
    columns: list[str] = []
    for sentence in sentences:
        cells = sentence.split(" | ")
        columns, header = _columns(cells, columns)
        for index, cell in enumerate(cells):
            people = not header and columns[index] in PERSON_COLUMNS
            _cell_entities(cell, strict, people, counts, sentence_starts, commas)
    known = {token for text, _ in counts for token in text.split()}
    for word in sentence_starts:
        # A capitalised first word is a name only if the chunk names it elsewhere too.
        if word in known:
            counts[(word, "OTHER")] += 1
    _comma_places(counts, commas)
    _drop_common_words(counts, sentences)
    ranked = sorted(counts.items(), key=lambda item: (rank_tier(item[0][1]), -item[1]))
    return [[text, kind, n] for (text, kind), n in ranked[:limit]]


def rank_tier(kind: str) -> int:
    """Names first, then emails, dates and amounts, then unclassified names: a cap on the
    list must not drop a person for the tenth date."""
    return _TIERS.get(kind, 1)


def _columns(cells: list[str], columns: list[str]) -> tuple[list[str], bool]:
    """The headers of the table a row belongs to (the last word of each, lowercased), and
    whether the row is that header: the first row, or one with another number of cells."""
    if len(cells) == 1:
        return [""], False
    if len(cells) == len(columns) and any(columns):
        return columns, False
    return [(cell.lower().split() or [""])[-1] for cell in cells], True


def _cell_entities(
    cell: str,
    strict: bool,
    people: bool,
    counts: Counter[tuple[str, str]],
    sentence_starts: list[str],
    commas: list[tuple[str, str]],
) -> None:
    """Count the entities of one sentence or table cell; ``people`` when its column names
    people. Names followed by a comma and another name are noted for ``_comma_places``."""
    found, masked = find_patterns(cell)
    counts.update(found)
    heading = strict or _is_heading(cell)
    dateline = _dateline(cell, masked, found)
    for match in _NAME.finditer(masked):
        if dateline == (match.start(), match.end()):
            counts[(match.group(0), "LOCATION")] += 1
            continue
        names = _classify(masked, match.start(), match.end(), people)
        if names == "START":
            sentence_starts.append(match.group(0))
            continue
        if heading:
            # Title-case headings capitalise every word: trust only strong evidence.
            names = [n for n in names if n[1] != "OTHER" and _strong(*n)]
        counts.update(names)
        after = _AFTER_COMMA.match(masked, match.end())
        if names and names[-1][1] == "OTHER" and after:
            commas.append((names[-1][0], _without_codes(after.group(1).split())))


def _dateline(cell: str, masked: str, found: list[tuple[str, str]]) -> tuple[int, int] | None:
    """Where the place of a dateline ("Bergen, 4 November 2024.") is, if the cell opens
    with one."""
    match = _DATELINE.match(masked)
    if match is None:
        return None
    date_at = match.end() - 1
    if any(kind == "DATE" and cell.startswith(text, date_at) for text, kind in found):
        return match.start(1), match.end(1)
    return None


def _comma_places(counts: Counter[tuple[str, str]], commas: list[tuple[str, str]]) -> None:
    """An unclassified name followed by a place is a place too: "Digby, Nova Scotia",
    "Stromness, Orkney" (when the chunk shows Orkney is a place elsewhere)."""
    pending = list(commas)
    while pending:
        # "Harbour Wynd, Stromness, Orkney": each place found can reveal the one before it.
        ready = [
            (name, then)
            for name, then in pending
            if counts[(name, "OTHER")] and (_is_place(then.split()) or counts[(then, "LOCATION")])
        ]
        if not ready:
            break
        for pair in ready:
            name = pair[0]
            pending.remove(pair)
            counts[(name, "OTHER")] -= 1
            counts[(name, "LOCATION")] += 1
            if not counts[(name, "OTHER")]:
                del counts[(name, "OTHER")]


def _without_codes(tokens: list[str]) -> str:
    """The name without trailing codes: "Orkney KW16" is Orkney and its postcode."""
    while len(tokens) > 1 and any(ch.isdigit() for ch in tokens[-1]):
        tokens = tokens[:-1]
    return " ".join(tokens)


def merge_entities(parts: list[list[Entity]], limit: int = 30) -> list[dict]:
    """One list for the document: same names merged, short mentions ("Lopez") folded into
    the full name, unclassified names dropped unless they recur."""
    merged: dict[str, dict] = {}
    for part in parts:
        for text, kind, count in part:
            entry = merged.setdefault(_key(text), {"forms": Counter(), "types": Counter()})
            entry["forms"][text] += count
            entry["types"][kind] += count
    entities = [_finish(entry) for entry in merged.values()]
    entities = _fold_short_mentions(entities)
    entities = [e for e in entities if e["type"] != "OTHER" or e["count"] >= 2]
    entities.sort(key=lambda e: -e["count"])
    # Names are kept before dates and amounts, and those before unclassified words; the
    # list the reader sees is still ordered by mentions.
    kept = sorted(entities, key=lambda e: rank_tier(e["type"]))[:limit]
    return sorted(kept, key=lambda e: -e["count"])


def _drop_common_words(counts: Counter[tuple[str, str]], sentences: list[str]) -> None:
    """Forget unclassified names and all-caps "acronyms" whose words the chunk also writes in
    lowercase: "Set", "Running", "PATH" are words, not names."""
    lower = {w for s in sentences for w in _LOWER_WORD.findall(s)}
    for text, kind in list(counts):
        acronym = kind == "ORG" and text.isupper() and " " not in text
        guessed_place = kind == "LOCATION" and text.lower() not in _PLACES_LOWER
        if (kind == "OTHER" or acronym or guessed_place) and all(
            t.lower() in lower or t in _CONNECTORS for t in text.split()
        ):
            del counts[(text, kind)]


def _key(text: str) -> str:
    return text.lower().rstrip(".")


def _finish(entry: dict) -> dict:
    types = entry["types"]
    total = sum(types.values())
    # A type seen in a small minority of mentions ("in Python" once) is a misreading.
    named = [k for k, n in types.most_common() if k != "OTHER" and 3 * n >= total]
    return {
        "text": entry["forms"].most_common(1)[0][0],
        "type": named[0] if named else "OTHER",
        "count": total,
    }


def _fold_short_mentions(entities: list[dict]) -> list[dict]:
    """Add "Lopez" to "Maria Lopez" and "Northwind" to "Northwind Renewables Ltd." when
    exactly one longer person or organisation matches."""
    kept: list[dict] = []
    for short in entities:
        tokens = short["text"].rstrip(".").split()
        owners = [
            e
            for e in entities
            if e is not short
            and len(e["text"].split()) > len(tokens)
            and (
                (e["type"] == "PERSON" and e["text"].split()[-len(tokens) :] == tokens)
                or (e["type"] == "ORG" and e["text"].split()[: len(tokens)] == tokens)
            )
        ]
        if short["type"] in ("OTHER", "PERSON", "ORG") and len(owners) == 1:
            owners[0]["count"] += short["count"]
        else:
            kept.append(short)
    return kept


def _strong(text: str, kind: str) -> bool:
    """In a heading only a name ending in a legal form or institution word is an org."""
    return kind != "ORG" or text.split()[-1].lower() in ORG_SUFFIXES


def _is_heading(sentence: str) -> bool:
    """Title-case lines without final punctuation, where capitals are style, not names."""
    tokens = sentence.split()
    if len(tokens) < 2 or sentence.rstrip()[-1] in '.!?:"”)':
        return False
    return sum(t[0].isupper() for t in tokens) > 0.6 * len(tokens)


def _classify(text: str, start: int, end: int, people: bool = False) -> list[tuple[str, str]] | str:
    """The ``(name, type)`` pairs in one capitalised run, or "START" when undecidable.
    ``people``: the run is in a table column of people ("Owner")."""
    tokens = text[start:end].split()
    tokens[-1] = re.sub(r"['’]s$", "", tokens[-1])
    before = [w.lower().strip(",") for w in text[:start].split()[-2:]]
    previous = (before[-1:] or [""])[0]
    opening = not text[:start].strip(" \"'“‘(")
    stripped, titled, place = _strip_lead(tokens, opening, previous)
    place = place or (len(before) == 2 and previous == "to" and before[0] in TRAVEL_WORDS)
    while tokens and tokens[-1].lower() in _SKIP_LEAD:
        tokens.pop()
    tokens = _without_codes(tokens).split()
    if not tokens:
        return []
    at_start = stripped == 0 and opening
    if at_start and len(tokens) == 1 and not _is_place(tokens) and not people:
        return "START"
    person = previous in PERSON_VERBS or people  # '..." said Maria Lopez'
    after = _PERSON_AFTER.match(text, end)
    following = after.group(1) if after else ""
    if following.lower() in PERSON_VERBS | TITLES:
        person = person or 2 <= len(tokens) <= 3
    if following[:1].islower() and following not in _AFTER_PLACE:
        place = False  # "in Python code", "in Jupyter notebooks": a name used as a modifier
    lows = [t.lower() for t in tokens]
    if at_start and lows[1:2] == ["of"] and lows[0] not in ORG_WORDS:
        return _named(tokens[2:], Cues(False, False, False))  # "Shares of Apple Inc."
    if "of" in lows and (titled or person or lows[0] in FIRST_NAMES):
        # "Maria Lopez of Northwind Renewables": a person, then where they work.
        cut = lows.index("of")
        head, rest = tokens[:cut], [t for t in tokens[cut + 1 :] if t.lower() != "the"]
        return _named(head, Cues(titled, person, False)) + _named(rest, Cues(False, False, False))
    return _named(tokens, Cues(titled, person, place))


def _strip_lead(tokens: list[str], opening: bool, previous: str) -> tuple[int, bool, bool]:
    """Drop leading titles, articles and common words from ``tokens`` (in place), noting
    what they said: how many went, whether a title or a place preposition was among them."""
    titled = previous in TITLES
    place = previous in _PLACE_CUES
    stripped = 0
    while tokens and not _is_place(tokens):
        low = tokens[0].lower().rstrip(".")
        if opening and stripped == 0 and low in _ANY_STOPWORD:
            low = "the"  # "Die Northwind GmbH", "La Société": an article in any language
        if low in TITLES:
            titled = True
            # "Chief Operating Officer James Carter": the whole role goes, not just "Chief".
            role = [i for i, t in enumerate(tokens[:5]) if t.lower().rstrip(".") in TITLES]
            if role[-1] < len(tokens) - 1:
                del tokens[: role[-1]]
        elif low in _SKIP_LEAD:
            place = place or low in _PLACE_CUES
            # "CFO of Acme Corp.": the role belongs to a person named elsewhere.
            titled = titled and low not in ("of", "at")
        else:
            break
        tokens.pop(0)
        stripped += 1
    return stripped, titled, place


def _named(tokens: list[str], cues: Cues) -> list[tuple[str, str]]:
    kind = _kind(tokens, cues) if tokens else None
    return [(" ".join(tokens), kind)] if kind else []


def _is_place(tokens: list[str]) -> bool:
    return " ".join(tokens).lower() in _PLACES_LOWER


def _kind(tokens: list[str], cues: Cues) -> str | None:
    """The type of a name, strongest evidence first; None when it is no name at all."""
    lows = [t.lower() for t in tokens]
    if (len(tokens) == 1 and any(ch.isdigit() for ch in tokens[0])) or "_" in "".join(tokens):
        return None  # "Q3", "PYENV_ROOT": codes and identifiers, not names
    if is_job_title(tokens):
        return None  # "Chief Financial Officer": a role, whoever holds it is named nearby
    if _is_place(tokens) or (lows[0] in GEO_MODIFIERS and _is_place(tokens[1:])):
        return "LOCATION"  # "Atlantic Canada" too
    if len(lows) > 1 and any(t in ORG_SUFFIXES for t in lows):
        return "ORG"
    if lows[-1] in EVENT_HEADS:
        return "OTHER"  # "Annual General Meeting": "General" is no title here
    if cues.titled:
        return "PERSON"
    if len(lows) > 1 and any(t in ORG_WORDS for t in lows):
        return "ORG"  # "said Baltic Grid Partners" is still an organisation
    if cues.person:
        return "PERSON"
    if len(tokens) == 1 and tokens[0].isupper() and len(tokens[0]) > 1:
        return None if lows[0] in NOT_ORG_ACRONYMS else "ORG"
    if lows[0] in _THING_HEADS or lows[-1] in _THING_HEADS:
        return "OTHER"
    if 2 <= len(tokens) <= 3 and lows[0] in FIRST_NAMES:
        return "PERSON"
    if len(lows) > 1 and lows[-1] in PLACE_HEADS:
        return "LOCATION"  # "Sandy Boulevard", "Stromness Town Hall"
    if len(lows) > 2 and lows[0] in _PLACE_FIRST and lows[1] == "of":
        return "LOCATION"  # "Bay of Fundy", "Isle of Skye"
    if cues.place and len(tokens) <= 3 and not any("'" in t or "’" in t for t in tokens):
        return "LOCATION"
    return "OTHER"
