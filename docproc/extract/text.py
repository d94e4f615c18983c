"""Plain text and Markdown, plus the byte-to-text decoding every text-based format shares."""

from __future__ import annotations

import codecs
import contextlib
import re

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
# Control characters (Unicode category Cc) other than tab, newlines and form feed.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# Above this share of control characters the "text" is really binary data.
_MAX_CONTROL_RATIO = 0.01
# Among equally plausible single-byte encodings, Western text is by far the likeliest.
_WESTERN = frozenset({"cp1252", "latin_1"})


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
    # valid UTF-8, so leave those to the NUL pattern or the statistical detector.
    encoding = "utf-8" if b"\x00" not in data else _utf16_by_nul_pattern(data)
    if encoding:
        text = _try_decode(data, encoding, complete)
        if text is not None:
            return (text, encoding) if _looks_like_text(text) else None
    return _detect(data)


def _utf16_by_nul_pattern(data: bytes) -> str | None:
    """Latin-script UTF-16 has a NUL in every other byte; charset-normalizer sometimes
    rejects such text when it has many accents, so recognise the pattern directly."""
    sample = data[:4096]
    half = len(sample) // 2
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if half < 4 or min(even, odd) > half * 0.02:
        return None
    if odd > half * 0.5:
        return "utf-16-le"
    if even > half * 0.5:
        return "utf-16-be"
    return None


def _try_decode(data: bytes, encoding: str, complete: bool) -> str | None:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        return decoder.decode(data, final=complete)
    except (UnicodeDecodeError, ValueError):
        return None


def _detect(data: bytes) -> tuple[str, str] | None:
    from charset_normalizer import from_bytes  # heavy: only needed for odd bytes

    matches = list(from_bytes(data))
    if not matches:
        return None
    best = matches[0]
    # charset-normalizer often cannot tell cp1252 from look-alikes (cp1250, cp1125...) on
    # short Western text, and it obeys <meta charset="iso-8859-1">, which means cp1252 in
    # practice; so prefer cp1252 whenever it decodes as cleanly as the best guess.
    text, encoding = str(best), best.encoding
    western = any(m.chaos <= best.chaos and _WESTERN & set(m.could_be_from_charset)
                  for m in matches)
    # Other Windows code pages share cp1252's punctuation bytes: their guesses stand.
    windows = best.encoding.startswith("cp125")
    if western or (not windows and _has_cp1252_punctuation(data)):
        # Bytes that cp1252 leaves undefined (0x81, 0x8D...) keep the detector's guess.
        with contextlib.suppress(UnicodeDecodeError):
            text, encoding = data.decode("cp1252"), "cp1252"
    return (text, encoding) if _looks_like_text(text) else None


# Bytes 0x80-0x9F that cp1252 (Windows' Western code page) uses for typography: € ‚ „ …
# ‹ ‘ ’ “ ” • – — ™ ›. Mac and DOS code pages put accented letters there instead, so text
# whose only bytes in that range are these was, in practice, written on Windows.
_CP1252_PUNCTUATION = frozenset(b"\x80\x82\x84\x85\x8b\x91\x92\x93\x94\x95\x96\x97\x99\x9b")


def _has_cp1252_punctuation(data: bytes) -> bool:
    c1 = {byte for byte in data if 0x80 <= byte <= 0x9F}
    return bool(c1) and c1 <= _CP1252_PUNCTUATION


def _looks_like_text(text: str) -> bool:
    if not text:
        return True
    return len(_CONTROLS.findall(text)) / len(text) <= _MAX_CONTROL_RATIO


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
# Rules, heading underlines and table separators carry no words.
_DROP = re.compile(
    r"^\s{0,3}(?:[-*_]\s*){3,}$"  # horizontal rule
    r"|^\s{0,3}(?:=+|-+)\s*$"  # setext heading underline
    r"|^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$"  # table separator row
)
_LINE_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^\s{0,3}#{1,6}\s+(.*?)(\s+#+)?\s*$"), r"\1"),  # ATX heading
    (re.compile(r"^(\s*)>\s?"), r"\1"),  # blockquote
    (re.compile(r"^(\s*)[*+]\s+"), r"\1- "),  # bullets all look alike
)
# Spans are bounded so a long line full of "*" or "[" costs linear, not quadratic, time.
_INLINE_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"!\[([^\]]{0,500})\]\([^)]{0,2000}\)"), r"\1"),  # image -> alt text
    (re.compile(r"\[([^\]]{1,500})\]\([^)]{0,2000}\)"), r"\1"),  # link -> link text
    (re.compile(r"\[([^\]]{1,500})\]\[[^\]]{0,500}\]"), r"\1"),  # reference link
    (re.compile(r"(\*\*|__)(?=\S)(.{1,500}?)(?<=\S)\1"), r"\2"),  # strong
    (re.compile(r"(?<![\w*])\*(?=\S)(.{1,500}?)(?<=\S)\*(?![\w*])"), r"\1"),  # emphasis
    (re.compile(r"(?<![\w_])_(?=\S)(.{1,500}?)(?<=\S)_(?![\w_])"), r"\1"),  # emphasis
    (re.compile(r"~~(?=\S)(.{1,500}?)(?<=\S)~~"), r"\1"),  # strikethrough
    (re.compile(r"`([^`]{1,1000})`"), r"\1"),  # inline code
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
            if _DROP.match(line):
                continue
            for pattern, replacement in (*_LINE_RULES, *_INLINE_RULES):
                line = pattern.sub(replacement, line)
        lines.append(line)
    return "\n".join(lines)
