"""What the language model must return for a chunk, and how its answer is checked.

The same pydantic models give the JSON schema sent as ``response_format`` (strict structured
outputs) and validate the answer, since a model can still drift from the schema (older
models, compatible servers that ignore ``strict``). Validation also normalises: the rest of
the engine can then trust the fields.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, create_model

from docproc.analysis.base import ANALYSES
from docproc.errors import LLMOutputInvalid

MAX_KEY_POINTS = 10
MAX_KEYWORDS = 20
MAX_ENTITIES = 50
MAX_TOPICS = 10

EntityType = Literal[
    "PERSON", "ORG", "LOCATION", "DATE", "MONEY", "EMAIL", "URL", "PRODUCT", "EVENT", "OTHER"
]
SentimentLabel = Literal["positive", "neutral", "negative"]
ENTITY_TYPES: tuple[str, ...] = get_args(EntityType)
SENTIMENT_LABELS: tuple[str, ...] = get_args(SentimentLabel)


def _clean_strings(limit: int):
    """A before-validator: strip, drop empty strings and case-insensitive duplicates, clamp."""

    def clean(value: Any) -> Any:
        if not isinstance(value, list):
            return value  # let pydantic report the wrong type
        seen: set[str] = set()
        out: list[Any] = []
        for item in value:
            if not isinstance(item, str):
                out.append(item)  # pydantic reports it
                continue
            item = " ".join(item.split())
            if item and item.casefold() not in seen:
                seen.add(item.casefold())
                out.append(item)
        return out[:limit]

    return clean


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _language(value: Any) -> Any:
    """'en-US', ' EN ' -> 'en': the service reports the primary language subtag only."""
    if not isinstance(value, str):
        return value
    return value.strip().replace("_", "-").split("-")[0].lower()


def merge_entities(value: Any) -> Any:
    """Same text and type (case-insensitively) -> one entity, counts summed, most frequent first."""
    if not isinstance(value, list):
        return value
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    others: list[Any] = []
    for item in value:
        ok = isinstance(item, dict) and isinstance(item.get("text"), str)
        ok = ok and isinstance(item.get("type"), str) and isinstance(item.get("count"), int)
        if not ok or isinstance(item.get("count"), bool):
            others.append(item)  # malformed: pydantic reports it
            continue
        text = " ".join(item["text"].split())
        if not text:
            continue
        key = (text.casefold(), item["type"].strip().upper())
        if key in merged:
            merged[key]["count"] += item["count"]
        else:
            merged[key] = {**item, "text": text, "count": item["count"]}
    ranked = sorted(merged.values(), key=lambda e: -e["count"])
    return others + ranked[:MAX_ENTITIES]


class _Model(BaseModel):
    # Extra keys are ignored rather than fatal: the requested data is still there.
    model_config = ConfigDict(extra="ignore")


class Entity(_Model):
    # No minLength: strict mode rejects it; _merge_entities drops empty texts instead.
    text: Annotated[str, BeforeValidator(_strip)]
    type: Annotated[EntityType, BeforeValidator(_upper)]
    count: Annotated[int, Field(ge=1, description="Occurrences in the text")]


class Sentiment(_Model):
    label: Annotated[SentimentLabel, BeforeValidator(_lower)]
    score: Annotated[float, Field(ge=-1.0, le=1.0, description="-1 negative .. 1 positive")]


_StrList = list[str]

# One entry per analysis: (type, field) for pydantic.create_model.
_FIELDS: dict[str, tuple[Any, Any]] = {
    "summary": (Annotated[str, BeforeValidator(_strip)], Field(description="A concise summary")),
    "key_points": (
        Annotated[_StrList, BeforeValidator(_clean_strings(MAX_KEY_POINTS))],
        Field(description=f"The main points, at most {MAX_KEY_POINTS}"),
    ),
    "keywords": (
        Annotated[_StrList, BeforeValidator(_clean_strings(MAX_KEYWORDS))],
        Field(description=f"Salient keywords, at most {MAX_KEYWORDS}"),
    ),
    "entities": (
        Annotated[list[Entity], BeforeValidator(merge_entities)],
        Field(description=f"Named entities, at most {MAX_ENTITIES}"),
    ),
    "sentiment": (Sentiment, Field(description="Overall sentiment")),
    "language": (
        Annotated[str, BeforeValidator(_language)],
        Field(pattern=r"^[a-z]{2,3}$", description="ISO 639-1 code of the language, e.g. en"),
    ),
    "topics": (
        Annotated[_StrList, BeforeValidator(_clean_strings(MAX_TOPICS))],
        Field(description=f"Broad topics, at most {MAX_TOPICS}"),
    ),
}


def ordered(analyses: frozenset[str]) -> tuple[str, ...]:
    """The requested analyses in the canonical order; ValueError on an unknown name."""
    unknown = sorted(analyses - set(ANALYSES))
    if unknown:
        raise ValueError(f"unknown analyses: {', '.join(unknown)}")
    return tuple(name for name in ANALYSES if name in analyses)  # a stable order


@lru_cache(maxsize=256)
def output_model(analyses: frozenset[str]) -> type[BaseModel]:
    """The pydantic model of an answer holding exactly ``analyses`` (cached: 127 subsets)."""
    fields = {name: _FIELDS[name] for name in ordered(analyses)}
    return create_model("ChunkAnalysis", __base__=_Model, **fields)  # type: ignore[call-overload]


def _strictify(node: Any, defs: dict[str, Any]) -> Any:
    """Inline $refs and make every object strict: all properties required, no others."""
    if isinstance(node, list):
        return [_strictify(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = defs[node["$ref"].rsplit("/", 1)[-1]]
        extra = {k: v for k, v in node.items() if k != "$ref"}
        return _strictify({**copy.deepcopy(target), **extra}, defs)
    out = {k: _strictify(v, defs) for k, v in node.items() if k not in ("$defs", "title")}
    if out.get("type") == "object":
        out["required"] = list(out.get("properties", {}))
        out["additionalProperties"] = False
    return out


@lru_cache(maxsize=256)
def _schema(analyses: frozenset[str]) -> str:
    raw = output_model(analyses).model_json_schema()
    return json.dumps(_strictify(raw, raw.get("$defs", {})))


def json_schema(analyses: frozenset[str]) -> dict[str, Any]:
    """The strict JSON schema of an answer holding exactly ``analyses``."""
    return json.loads(_schema(analyses))  # a fresh copy: callers may mutate it


def response_format(analyses: frozenset[str], name: str = "chunk_analysis") -> dict[str, Any]:
    """The ``response_format`` argument of ``chat.completions.create`` for ``analyses``."""
    return {
        "type": "json_schema",
        "json_schema": {"name": name, "strict": True, "schema": json_schema(analyses)},
    }


def _describe(error: ValidationError, limit: int = 5) -> str:
    """Locations and reasons only: the offending values may quote the document."""
    problems = []
    for item in error.errors(include_input=False, include_url=False)[:limit]:
        where = ".".join(str(part) for part in item["loc"]) or "(root)"
        problems.append(f"{where}: {item['msg']}")
    more = error.error_count() - limit
    if more > 0:
        problems.append(f"and {more} more")
    return "; ".join(problems)


def validate_llm_output(raw: str | None, analyses: frozenset[str]) -> dict[str, Any]:
    """Parse and validate the model's answer; return the normalised fields.

    Raises ``LLMOutputInvalid`` naming the problem (never quoting the answer, which may
    repeat the document).
    """
    if raw is None or not raw.strip():
        raise LLMOutputInvalid("the language model returned an empty answer")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise LLMOutputInvalid(
            f"the language model's answer is not valid JSON ({exc.msg} at position {exc.pos})"
        ) from None
    except RecursionError:
        raise LLMOutputInvalid("the language model's answer is JSON nested too deep") from None
    if not isinstance(data, dict):
        raise LLMOutputInvalid(
            f"the language model's answer is a JSON {type(data).__name__}, not an object"
        )
    try:
        model = output_model(analyses).model_validate(data)
    except ValidationError as exc:
        raise LLMOutputInvalid(
            f"the language model's answer does not match the result schema: {_describe(exc)}"
        ) from None
    return model.model_dump()
