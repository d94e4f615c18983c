"""CSV and JSON as readable lines, so the analysis engine reads records rather than syntax."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from docproc.errors import DocumentUnreadable
from docproc.extract.base import Extracted
from docproc.extract.text import decode_document

_DELIMITERS = ",;\t|"
# csv.Sniffer runs regular expressions over its whole sample: keep it small.
_SNIFF_CHARS = 16 * 1024
_HEADER_ROWS = 50
_MIN_HEADER_ROWS = 3


def extract_csv(data: bytes, filename: str | None) -> Extracted:
    """One line per row: "col: value; col2: value" with a header, "a, b, c" without."""
    text, encoding = decode_document(data, "CSV")
    try:
        reader = csv.reader(io.StringIO(text), _dialect(text))
        rows = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as exc:  # the csv module's messages never quote the data
        raise DocumentUnreadable(f"The CSV file cannot be parsed: {exc}.") from None
    if rows and _has_header(rows):
        header, *records = rows
        lines = [_labelled(header, record) for record in records]
    else:
        lines = [", ".join(cell.strip() for cell in row) for row in rows]
    return Extracted(text="\n".join(lines), format="csv", encoding=encoding)


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    sample = text[:_SNIFF_CHARS]
    if len(text) > _SNIFF_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]  # whole lines only
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS)
    except csv.Error:
        pass
    # The sniffer gives up on ragged rows: take the commonest delimiter of the first line.
    first_line = sample.split("\n", 1)[0]
    delimiter = max(_DELIMITERS, key=first_line.count)
    if first_line.count(delimiter) == 0:
        return csv.excel
    return type("Guessed", (csv.excel,), {"delimiter": delimiter})


def _has_header(rows: list[list[str]]) -> bool:
    """Ask csv.Sniffer about the rows as clean CSV, so ragged rows and odd quoting do not
    stop it from comparing the first row with the others."""
    width = len(rows[0])
    uniform = [row for row in rows[:_HEADER_ROWS] if len(row) == width]
    if width < 2 or len(uniform) < _MIN_HEADER_ROWS:
        return False  # with one record, every first row looks different from the rest
    buffer = io.StringIO()
    csv.writer(buffer).writerows(uniform)
    try:
        return csv.Sniffer().has_header(buffer.getvalue())
    except csv.Error:
        return False


def _labelled(header: list[str], record: list[str]) -> str:
    """Pair values with column names; extra values in ragged rows get numbered names."""
    names = [name.strip() or f"column {i}" for i, name in enumerate(header, start=1)]
    names += [f"column {i}" for i in range(len(names) + 1, len(record) + 1)]
    pairs = zip(names, record, strict=False)  # names always cover every value
    return "; ".join(f"{name}: {value.strip()}" for name, value in pairs if value.strip())


def extract_json(data: bytes, filename: str | None) -> Extracted:
    """One "path.to.key: value" line per scalar, in document order."""
    text, encoding = decode_document(data, "JSON")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:  # position only: the message never quotes the data
        raise DocumentUnreadable(
            f"The JSON is not valid: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from None
    except RecursionError:
        raise DocumentUnreadable("The JSON is nested too deeply to read.") from None
    lines = [f"{path}: {value}" if path else value for path, value in _flatten(document)]
    return Extracted(text="\n".join(lines), format="json", encoding=encoding)


def _flatten(document: Any) -> list[tuple[str, str]]:
    """(path, value) for each scalar; iterative, so deep nesting cannot overflow the stack."""
    found: list[tuple[str, str]] = []
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            children = [(f"{path}.{key}" if path else str(key), v) for key, v in node.items()]
        elif isinstance(node, list):
            children = [(f"{path}[{i}]", v) for i, v in enumerate(node)]
        else:
            found.append((path, _scalar(node)))
            continue
        stack.extend(reversed(children))
    return found


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value)  # true, false, null and numbers as JSON writes them
