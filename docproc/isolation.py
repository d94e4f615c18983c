"""Extraction of PDF and Word files in a child process of its own.

Their parsers are C code (pdfium) or deep XML: a pathological file can hold the CPU far
longer than any time limit can interrupt, and pdfium is not thread-safe. In a child process
the worker's event loop and threads keep running, and a file that takes too long is killed
with its process. Text formats are cheap and pure Python: they are read in-process.

The child is ``python -m docproc.isolation FORMAT CHUNK_TOKENS [FILENAME]`` reading the
document on stdin and writing the prepared text as JSON on stdout.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from docproc import errors
from docproc.errors import DocprocError, DocumentUnreadable, TaskTimedOut
from docproc.extract.base import Extracted
from docproc.lifetime import die_with_parent
from docproc.offload import Runner, inline
from docproc.pipeline import Prepared, prepare

ISOLATED_FORMATS = frozenset({"pdf", "docx"})


def prepare_document(data: bytes, fmt: str, filename: str | None, chunk_tokens: int,
                     timeout_s: float, runner: Runner = inline) -> Prepared:
    """``pipeline.prepare``, in a child process for the formats that need one, else
    through ``runner`` (a thread off the event loop, under gevent)."""
    if fmt not in ISOLATED_FORMATS:
        return runner(prepare, data, fmt, filename, chunk_tokens)
    command = [sys.executable, "-m", "docproc.isolation", fmt, str(chunk_tokens), filename or ""]
    child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, preexec_fn=die_with_parent)
    try:
        out, _ = child.communicate(data, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        raise TaskTimedOut(
            f"Reading the {fmt.upper()} file took longer than {timeout_s:.0f} s and was "
            "stopped; the file may be damaged or built to be slow to read."
        ) from None
    finally:
        if child.poll() is None:  # timed out, or the task itself was stopped meanwhile
            child.kill()
            child.wait()
    return _decode(out, child.returncode, fmt)


def _decode(out: bytes, returncode: int, fmt: str) -> Prepared:
    try:
        answer: dict[str, Any] = json.loads(out)
    except ValueError:
        answer = {}
    if "error" in answer:
        kind = getattr(errors, answer["error"].get("type", ""), None)
        cls = kind if isinstance(kind, type) and issubclass(kind, DocprocError) else DocprocError
        raise cls(answer["error"].get("message") or "the document could not be read")
    if returncode != 0 or "text" not in answer:
        raise DocumentUnreadable(
            f"The {fmt.upper()} file could not be read: its reader stopped unexpectedly "
            f"(exit status {returncode}); it may be damaged or too large."
        )
    extracted = Extracted(answer["text"], answer["format"], answer.get("pages"),
                          answer.get("encoding"), answer.get("warnings", []))
    return Prepared(extracted, answer["chunks"], answer["extract_s"])


def main(argv: list[str] | None = None) -> int:
    """The child's side: stdin -> prepare -> JSON on stdout; 2 on a document error."""
    args = sys.argv[1:] if argv is None else argv
    fmt, chunk_tokens = args[0], args[1]
    filename = args[2] if len(args) > 2 else ""
    data = sys.stdin.buffer.read()
    try:
        prepared = prepare(data, fmt, filename or None, int(chunk_tokens))
    except DocprocError as err:
        json.dump({"error": {"type": type(err).__name__, "message": err.message}}, sys.stdout)
        return 2
    extracted = prepared.extracted
    json.dump({"text": extracted.text, "format": extracted.format, "pages": extracted.pages,
               "encoding": extracted.encoding, "warnings": extracted.warnings,
               "chunks": prepared.chunks, "extract_s": prepared.extract_s}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
