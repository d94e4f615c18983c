"""Turn the three ways of sending a document into one validated ``Submission``.

Only cheap checks happen here (sizes, options, the type from the first bytes); the
worker does the parsing, so a request never spends CPU on a PDF.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from flask import Request

from docproc.analysis import ANALYSES, ENGINES
from docproc.errors import UnsupportedMediaType
from docproc.extract.text import decode
from docproc.filetypes import content_type_for, detect
from docproc.textstats import has_words
from web.errors import ApiError

MAX_METADATA_BYTES = 4096
MAX_FILENAME = 200
# Text documents up to this size are checked for words in the request; longer ones
# without any fail in the worker (DocumentUnreadable).
BLANK_CHECK_BYTES = 64 * 1024
TEXT_FORMATS = frozenset({"text", "markdown", "csv", "json", "html"})
_EXTENSIONS = {"text": "txt", "markdown": "md"}
_MODEL_NAME = re.compile(r"^[\w.:/-]{1,100}$")


@dataclass(frozen=True)
class Submission:
    """A document ready to store and queue: its bytes, detected format and options."""

    data: bytes
    filename: str
    format: str
    content_type: str
    options: dict[str, Any]
    metadata: dict[str, Any] | None
    callback_url: str | None


def parse_submission(request: Request, max_bytes: int) -> Submission:
    """Read the document and options from a multipart, JSON or raw-body request."""
    mimetype = request.mimetype
    if mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        data, filename, declared, fields = _from_form(request)
    elif mimetype == "application/json" or mimetype.endswith("+json"):
        data, filename, declared, fields = _from_json(request)
    else:
        data, filename, declared, fields = _from_raw_body(request)
    if len(data) > max_bytes:
        raise ApiError(413, "document_too_large",
                       f"The document is {len(data)} bytes; the limit is {max_bytes}.")
    if not data.strip():
        raise ApiError(400, "empty_document", "The document is empty or only whitespace.")
    try:
        fmt = detect(data, filename, declared)
    except UnsupportedMediaType as err:
        raise ApiError(415, "unsupported_media_type", err.message) from None
    if fmt in TEXT_FORMATS and len(data) <= BLANK_CHECK_BYTES and _blank(data):
        raise ApiError(400, "empty_document", "The document has no words, only white space.")
    return Submission(
        data=data,
        filename=clean_filename(filename) or f"document.{_EXTENSIONS.get(fmt, fmt)}",
        format=fmt,
        content_type=content_type_for(fmt),
        options=_options(fields),
        metadata=_metadata(fields.get("metadata")),
        callback_url=_callback_url(fields.get("callback_url")),
    )


def _blank(data: bytes) -> bool:
    decoded = decode(data)
    return decoded is not None and not has_words(decoded[0])


def clean_filename(raw: str | None) -> str | None:
    """The name a client gave, reduced to a plain file name: no directories, no control
    characters, at most 200 characters (keeping the extension)."""
    if not raw:
        return None
    name = PurePosixPath(raw.replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    if len(name) > MAX_FILENAME:
        _, dot, suffix = name.rpartition(".")
        keep = suffix if dot and len(suffix) <= 10 else ""
        name = name[: MAX_FILENAME - len(keep) - 1] + ("." + keep if keep else "")
    return name or None


def _from_form(request: Request) -> tuple[bytes, str | None, str | None, dict[str, Any]]:
    fields: dict[str, Any] = {k: request.form.getlist(k) for k in request.form}
    fields = {k: v[0] if len(v) == 1 else v for k, v in fields.items()}
    upload = request.files.get("file")
    if upload is not None:
        return upload.read(), upload.filename or None, upload.mimetype or None, fields
    if isinstance(fields.get("text"), str):
        return _utf8(fields["text"]), None, "text/plain", fields
    raise ApiError(400, "missing_document", "Send the document in the multipart field 'file'.")


def _from_json(request: Request) -> tuple[bytes, str | None, str | None, dict[str, Any]]:
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser goes
        body = None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", "The body is not a valid JSON object.")
    filename = body.get("filename")
    if filename is not None and not isinstance(filename, str):
        raise ApiError(400, "invalid_option", "'filename' must be a string.")
    if "text" in body and "content_base64" in body:
        raise ApiError(400, "invalid_option", "Send either 'text' or 'content_base64', not both.")
    if "text" in body:
        if not isinstance(body["text"], str):
            raise ApiError(400, "invalid_option", "'text' must be a string.")
        return _utf8(body["text"]), filename, "text/plain", body
    if "content_base64" in body:
        encoded = body["content_base64"]
        if not isinstance(encoded, str):
            raise ApiError(400, "invalid_option", "'content_base64' must be a string.")
        try:
            data = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(400, "invalid_base64", "'content_base64' is not valid base64.") from None
        declared = body.get("content_type")
        if declared is not None and not isinstance(declared, str):
            raise ApiError(400, "invalid_option", "'content_type' must be a string.")
        return data, filename, declared, body
    raise ApiError(400, "missing_document",
                   "Send the document as 'text' or as 'content_base64' with a 'filename'.")


def _utf8(text: str) -> bytes:
    # JSON may carry lone surrogates ("\\ud800"), which are no text: they become "?".
    return text.encode("utf-8", "replace")


def _from_raw_body(request: Request) -> tuple[bytes, str | None, str | None, dict[str, Any]]:
    data = request.get_data(cache=False)
    if not data and not request.mimetype:
        raise ApiError(400, "missing_document",
                       "No document: send a multipart 'file', a JSON body, or the raw bytes.")
    fields = {k: request.args.get(k) for k in request.args}
    return data, request.args.get("filename") or None, request.mimetype or None, fields


def _options(fields: dict[str, Any]) -> dict[str, Any]:
    analyses = _analyses(fields.get("analyses"))
    engine = fields.get("engine") or "auto"
    if engine not in ENGINES:
        raise ApiError(400, "invalid_option",
                       f"Unknown engine {engine!r}; use one of: {', '.join(ENGINES)}.")
    model = fields.get("model") or None
    if model is not None and (not isinstance(model, str) or not _MODEL_NAME.match(model)):
        raise ApiError(400, "invalid_option", "'model' must be a model name like 'gpt-4.1-mini'.")
    return {"analyses": analyses, "engine": engine, "model": model}


def _analyses(raw: Any) -> list[str]:
    if raw is None or raw == "" or raw == []:
        return list(ANALYSES)
    if isinstance(raw, str):
        names = [n.strip() for n in raw.split(",") if n.strip()]
    elif isinstance(raw, list) and all(isinstance(n, str) for n in raw):
        names = [n.strip() for n in raw]
    else:
        raise ApiError(400, "invalid_option", "'analyses' must be a list or comma-separated text.")
    unknown = sorted(set(names) - set(ANALYSES))
    if unknown or not names:
        raise ApiError(400, "invalid_option",
                       f"Unknown analyses {unknown}; choose from: {', '.join(ANALYSES)}.")
    return [n for n in ANALYSES if n in names]


def _metadata(raw: Any) -> dict[str, Any] | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise ApiError(400, "invalid_option", "'metadata' must be a JSON object.") from None
    if not isinstance(raw, dict):
        raise ApiError(400, "invalid_option", "'metadata' must be a JSON object.")
    try:  # NaN and infinities are not JSON: the status body would not parse
        encoded = json.dumps(raw, allow_nan=False)
    except (ValueError, RecursionError):
        raise ApiError(400, "invalid_option",
                       "'metadata' must be plain JSON (no NaN or infinite numbers).") from None
    if len(encoded.encode("utf-8")) > MAX_METADATA_BYTES:
        raise ApiError(400, "invalid_option",
                       f"'metadata' must be at most {MAX_METADATA_BYTES} bytes as JSON.")
    return raw


def _callback_url(raw: Any) -> str | None:
    if raw is None or raw == "":
        return None
    try:
        parts = urlsplit(raw) if isinstance(raw, str) else None
        host = parts.hostname if parts else None
    except ValueError:  # e.g. an unclosed IPv6 bracket
        parts = host = None
    if parts is None or parts.scheme not in ("http", "https") or not host:
        raise ApiError(400, "invalid_option", "'callback_url' must be an http(s) URL.")
    return raw
