"""The interface every analysis engine implements, and the shapes they exchange.

An engine analyses one chunk at a time (``analyze_chunk``) and then merges the partial
results of all chunks into one (``combine``): map-reduce, so long documents fit.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from typing import Any

ANALYSES: tuple[str, ...] = (
    "summary",
    "key_points",
    "keywords",
    "entities",
    "sentiment",
    "language",
    "topics",
)


@dataclass
class Usage:
    """Language-model usage, summed over every call a document needed."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    llm_calls: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            self.llm_calls + other.llm_calls,
        )

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass
class Analysis:
    """A partial (one chunk) or final (whole document) analysis.

    ``fields`` holds the public result keys (summary, key_points, keywords, entities,
    sentiment, language, topics), only those that were asked for. ``state`` is
    engine-private, JSON-serialisable data that ``combine`` needs (word counts, scored
    sentences); it never reaches the client.
    """

    fields: dict[str, Any]
    usage: Usage = field(default_factory=Usage)
    state: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"fields": self.fields, "usage": self.usage.to_dict(), "state": self.state}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Analysis:
        return cls(data["fields"], Usage(**data["usage"]), data.get("state", {}))


class Engine(ABC):
    """An analysis engine: ``local`` (offline heuristics) or ``openai`` (an LLM)."""

    name: str = ""
    model: str | None = None
    # Whether analysing chunks in threads helps: true for engines that wait on I/O.
    parallel_chunks: bool = False

    @abstractmethod
    def analyze_chunk(self, text: str, analyses: frozenset[str]) -> Analysis:
        """Analyse one chunk of a document; ``analyses`` lists the result keys wanted."""

    @abstractmethod
    def combine(self, parts: list[Analysis], analyses: frozenset[str]) -> Analysis:
        """Merge the analyses of all chunks (in document order) into one for the document.

        Called even when there is a single part, so an engine can finish its work there.
        The returned usage counts only the work ``combine`` itself did.
        """
