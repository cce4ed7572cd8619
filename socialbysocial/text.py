"""Text made safe for the places it is written to beyond HTML: feeds (XML), calendar files,
email headers and spreadsheets. Stored text stays as the member wrote it."""

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BREAKS = re.compile(r"[\r\n\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+")


def clean_text(value: str | None) -> str:
    """Text as stored: browsers send CRLF line endings, code writes LF; store LF, trimmed."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def printable(text: str) -> str:
    """Newlines as LF; other control characters (invalid in XML) removed."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def one_line(text: str) -> str:
    """For headers and one-line properties: each run of line breaks and control characters
    becomes one space, so text can never start a new header or calendar line."""
    return _BREAKS.sub(" ", text)


def csv_cell(value) -> str:
    """A spreadsheet must not run a cell as a formula: one starting = + - @ is shown as text."""
    text = printable(str(value))
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
