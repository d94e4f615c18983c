"""What every extractor returns, so the pipeline never cares which format it read."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Extracted:
    """Plain text of a document plus what a reader should know about how it was read."""

    text: str
    format: str
    pages: int | None = None
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)
