"""Every error is JSON of one shape, whatever raised it: ``{"error": {"code", "message"}}``."""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from flask.typing import ResponseReturnValue
from redis.exceptions import RedisError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

# Codes for the errors Werkzeug raises itself, by HTTP status.
_HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "document_too_large",
    415: "unsupported_media_type",
}


class ApiError(Exception):
    """An error the client can act on, with its HTTP status and contract code."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def error_response(status: int, code: str, message: str) -> ResponseReturnValue:
    return jsonify(error={"code": code, "message": message}), status


def register_error_handlers(app: Flask) -> None:
    """Turn API errors, HTTP errors, Redis outages and crashes into JSON responses."""

    @app.errorhandler(ApiError)
    def _api_error(err: ApiError) -> ResponseReturnValue:
        body, status = error_response(err.status, err.code, err.message)
        return body, status, err.headers

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException) -> ResponseReturnValue:
        status = err.code or 500
        code = _HTTP_CODES.get(status, "http_error")
        message = err.description or "request failed"
        if status == 413:
            message = "The document is larger than this service accepts (MAX_DOCUMENT_BYTES)."
        body, status = error_response(status, code, message)
        allowed = getattr(err, "valid_methods", None)
        return body, status, {"Allow": ", ".join(allowed)} if allowed else {}

    @app.errorhandler(RedisError)
    def _redis_down(err: RedisError) -> ResponseReturnValue:
        log.warning("redis unavailable", extra={"error": type(err).__name__})
        return error_response(
            503, "queue_unavailable", "The queue (Redis) is unavailable; retry in a few seconds."
        )

    @app.errorhandler(Exception)
    def _crash(err: Exception) -> ResponseReturnValue:
        log.exception("unhandled error", extra={"error": type(err).__name__})
        return error_response(500, "internal_error", "An unexpected error occurred.")
