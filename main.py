"""The Flask app: ``create_app()`` for tests and tools, ``app`` for ``gunicorn main:app``."""

from __future__ import annotations

import json
import logging
import time
import uuid

from flask import Flask, Response, g, request

from celery_config import create_celery_app
from docproc.gc_tuning import tune_for_server
from docproc.logs import configure_logging
from docproc.settings import Settings
from docproc.store import TaskStore, connect
from web import documents, health
from web.context import Services
from web.errors import register_error_handlers

log = logging.getLogger("web")

# Room for multipart boundaries and base64's 4/3 growth above the document limit itself.
_BODY_OVERHEAD = 1024 * 1024


def create_app(settings: Settings | None = None) -> Flask:
    """Build the web app; settings come from the environment unless given."""
    settings = settings or Settings.from_env()
    configure_logging(settings.log_level)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_document_bytes * 4 // 3 + _BODY_OVERHEAD
    # A multipart "text" field is a document too: Flask keeps fields to 500 KB by default.
    app.config["MAX_FORM_MEMORY_SIZE"] = settings.max_document_bytes + _BODY_OVERHEAD
    app.json.sort_keys = False

    redis = connect(settings.redis_url, settings.redis_timeout_s)
    app.extensions["docproc"] = Services(
        settings=settings,
        redis=redis,
        store=TaskStore(redis, settings.result_ttl_seconds),
        celery=create_celery_app(settings),
    )
    # Authentication, rate limits and metrics will hook in here, before the blueprints.
    app.before_request(_start_request)
    app.after_request(_finish_request)
    register_error_handlers(app)
    app.register_blueprint(documents.bp)
    app.register_blueprint(health.bp)
    return app


def _start_request() -> None:
    g.request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
    g.started = time.perf_counter()


def _finish_request(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id", "")
    if request.method == "OPTIONS" and response.status_code == 200 and not response.is_json:
        # Flask answers OPTIONS itself with an empty HTML body; every body here is JSON.
        allowed = [m.strip() for m in response.headers.get("Allow", "").split(",") if m]
        response.set_data(json.dumps({"allow": allowed}))
        response.mimetype = "application/json"
    if log.isEnabledFor(logging.INFO):  # below INFO, not even the fields are built
        duration_ms = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        log.info("request", extra={"method": request.method, "path": request.path,
                                   "status": response.status_code, "ms": round(duration_ms, 1),
                                   "request_id": g.get("request_id")})
    return response


def __getattr__(name: str) -> Flask:
    """``main.app`` is built on first access, so importing this module reads no environment."""
    if name == "app":  # a server process (gunicorn imports it in each worker)
        globals()["app"] = create_app()
        tune_for_server()
        return globals()["app"]
    raise AttributeError(name)
