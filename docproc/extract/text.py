"""Plain text and Markdown, plus the byte-to-text decoding every text-based format shares."""

from __future__ import annotations

import codecs
import re
import unicodedata

from docproc.errors import DocumentUnreadable
from docproc.extract.base import Extracted

# Longest BOMs first: the UTF-32 LE BOM starts with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")
# Above this share of control characters the "text" is really binary data.
_MAX_CONTROL_RATIO = 0.01
# Among equally plausible single-byte encodings, Western text is by far the likeliest.
_WESTERN = "cp1252"


def decode(data: bytes, *, complete: bool = True) -> tuple[str, str] | None:
    """Return (text, encoding) or None when the bytes are not text.

    `complete=False` means `data` is a prefix of a larger document, so a multi-byte
    character cut at the end is not evidence against an encoding.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _try_decode(data, encoding, complete)
            return (text, encoding) if text is not None and _looks_like_text(text) else None
    # Strict UTF-8 is unambiguous and cheap; NULs hint at BOM-less UTF-16, which is also
    # valid UTF-8, so leave those to the statistical detector.
    if b"\x00" not in data:
        text = _try_decode(data, "utf-8", complete)
        if text is not None:
            return (text, "utf-8") if _looks_like_text(text) else None
    return _detect(data)


def _try_decode(data: bytes, encoding: str, complete: bool) -> str | None:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        return decoder.decode(data, final=complete)
    except (UnicodeDecodeError, ValueError):
        return None


def _detect(data: bytes) -> tuple[str, str] | None:
    from charset_normalizer import from_bytes  # noqa: PLC0415 - heavy import, only for odd bytes

    matches = list(from_bytes(data))
    if not matches:
        return None
    best = matches[0]
    # charset-normalizer often cannot tell cp1252 from look-alikes (cp1250, cp1125...) on
    # short Western text, so prefer cp1252 whenever it decodes equally cleanly.
    for match in matches:
        if match.chaos <= best.chaos and _WESTERN in match.could_be_from_charset:
            text, encoding = data.decode(_WESTERN), _WESTERN
            break
    else:
        text, encoding = str(best), best.encoding
    return (text, encoding) if _looks_like_text(text) else None


def _looks_like_text(text: str) -> bool:
    if not text:
        return True
    controls = sum(
        1 for ch in text if ch not in _ALLOWED_CONTROLS and unicodedata.category(ch) == "Cc"
    )
    return controls / len(text) <= _MAX_CONTROL_RATIO


def normalise(text: str) -> str:
    """Drop a BOM and NULs and use `\\n` newlines, so later stages see one convention."""
    text = text.removeprefix("\ufeff").replace("\x00", "")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_document(data: bytes, kind: str) -> tuple[str, str]:
    """Decode a whole document or say, in terms a person understands, why not."""
    decoded = decode(data)
    if decoded is None:
        raise DocumentUnreadable(
            f"The {kind} file is not readable text in any encoding we recognise; "
            "save it as UTF-8 and send it again."
        )
    text, encoding = decoded
    return normalise(text), encoding


def extract(data: bytes, filename: str | None) -> Extracted:
    """Plain text: only decoding and newline normalisation."""
    text, encoding = decode_document(data, "text")
    return Extracted(text=text, format="text", encoding=encoding)


def extract_markdown(data: bytes, filename: str | None) -> Extracted:
    """Markdown with the most obvious syntax removed, so the analysis sees prose."""
    text, encoding = decode_document(data, "Markdown")
    return Extracted(text=strip_markdown(text), format="markdown", encoding=encoding)


_FENCE = re.compile(r"^\s*(```|~~~)")
_LINE_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^\s{0,3}#{1,6}\s+(.*?)(\s+#+)?\s*$"), r"\1"),  # ATX heading
    (re.compile(r"^\s{0,3}(?:[-*_]\s*){3,}$"), ""),  # horizontal rule
    (re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$"), ""),  # table separator
    (re.compile(r"^\s{0,3}=+\s*$|^\s{0,3}-+\s*$"), ""),  # setext underline
    (re.compile(r"^(\s*)>\s?"), r"\1"),  # blockquote
    (re.compile(r"^(\s*)[*+]\s+"), r"\1- "),  # bullets all look alike
)
_INLINE_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # image -> alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # link -> link text
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # reference link
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # strong
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])"), r"\1"),  # emphasis
    (re.compile(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])"), r"\1"),  # emphasis
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),  # strikethrough
    (re.compile(r"`([^`]+)`"), r"\1"),  # inline code
)


def strip_markdown(text: str) -> str:
    """Remove heading marks, emphasis, link targets and fences; keep code as it is."""
    lines: list[str] = []
    in_code = False
    for line in text.split("\n"):
        if _FENCE.match(line):
            in_code = not in_code
            continue
        if not in_code:
            for pattern, replacement in (*_LINE_RULES, *_INLINE_RULES):
                line = pattern.sub(replacement, line)
        lines.append(line)
    return "\n".join(lines)
