"""Analysis engines behind one interface, and the one rule that picks an engine.

Engines are imported lazily: the local engine's lexicons and the OpenAI SDK load only
in the process that uses them.
"""

from __future__ import annotations

from docproc.analysis.base import ANALYSES, Analysis, Engine, Usage
from docproc.errors import AnalysisFailed
from docproc.settings import Settings

ENGINES: tuple[str, ...] = ("auto", "openai", "local")

__all__ = ["ANALYSES", "ENGINES", "Analysis", "Engine", "Usage", "create_engine", "resolve_engine"]


def resolve_engine(requested: str, settings: Settings) -> str:
    """The ``auto`` rule: OpenAI when a key is configured, the offline engine otherwise."""
    if requested == "auto":
        return "openai" if settings.openai_api_key else "local"
    if requested not in ENGINES:
        raise AnalysisFailed(f"unknown engine {requested!r}; use one of {', '.join(ENGINES)}")
    return requested


def create_engine(requested: str, settings: Settings, model: str | None = None) -> Engine:
    """Build the engine a document asked for, with the model override if any."""
    name = resolve_engine(requested, settings)
    if name == "local":
        from docproc.analysis.local import LocalEngine

        return LocalEngine()
    if not settings.openai_api_key:
        raise AnalysisFailed(
            "engine 'openai' was requested but OPENAI_API_KEY is not set on the worker"
        )
    from docproc.analysis.openai_engine import OpenAIEngine, shared_openai_client

    client = shared_openai_client(
        settings.openai_api_key,
        settings.openai_base_url,
        settings.openai_timeout_s,
        settings.openai_max_retries,
        settings.llm_max_concurrency,
    )
    return OpenAIEngine(client, model or settings.openai_model, settings.llm_max_concurrency)
