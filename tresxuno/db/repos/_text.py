"""Case- and accent-insensitive "contains" for free-text search ("cosio" finds "Cosío")."""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, SQLColumnExpression
from sqlalchemy.orm import Session

# Each letter stands for itself in upper and lower case with and without its Spanish (and a few
# neighbouring) accents; ñ is searched as n because US keyboards, which many clubs use, lack it.
_VARIANTS = {
    "a": "aAáÁàÀäÄâÂ",
    "e": "eEéÉèÈëËêÊ",
    "i": "iIíÍìÌïÏîÎ",
    "o": "oOóÓòÒöÖôÔ",
    "u": "uUúÚùÙüÜûÛ",
    "n": "nNñÑ",
    "c": "cCçÇ",
}
_BASE = {ch: base for base, variants in _VARIANTS.items() for ch in variants}


def fold(term: str) -> str:
    """``term`` in lower case with the accents of :data:`_VARIANTS` removed ("Cosío" -> "cosio")."""
    return "".join(_BASE.get(ch, ch) for ch in term.lower())


def _glob_class(ch: str) -> str:
    """A GLOB class matching ``ch`` in any case and accent; GLOB's own wildcards made literal."""
    base = _BASE.get(ch, ch.lower())
    if base in _VARIANTS:
        return f"[{_VARIANTS[base]}]"
    if ch.lower() != ch.upper():
        return f"[{ch.lower()}{ch.upper()}]"
    if ch in "*?[":
        return f"[{ch}]"
    return ch


def glob_pattern(term: str) -> str:
    """The SQLite GLOB pattern that finds ``term`` anywhere, ignoring case and accents."""
    return "*" + "".join(_glob_class(ch) for ch in term) + "*"


def _regex_class(ch: str) -> str:
    """A POSIX regular-expression class matching ``ch`` in any case and accent; specials made literal."""
    base = _BASE.get(ch, ch.lower())
    if base in _VARIANTS:
        return f"[{_VARIANTS[base]}]"
    if ch.lower() != ch.upper():
        return f"[{ch.lower()}{ch.upper()}]"
    return re.escape(ch)  # a backslash before a non-alphanumeric character: that character itself


def regex_pattern(term: str) -> str:
    """The PostgreSQL regular expression (``~``) that finds ``term`` anywhere, ignoring case and accents."""
    return "".join(_regex_class(ch) for ch in term)


def contains_text(session: Session, column: SQLColumnExpression[str], term: str) -> ColumnElement[bool]:
    """A condition true when ``column`` contains ``term``, ignoring case (and accents on SQLite).

    SQLite's LIKE folds ASCII letters only, so there a GLOB with a character class per letter is
    used, which is evaluated in C (a Python function per row would be several times slower).
    PostgreSQL gets the same classes as a regular expression (``~``): built in, no extension
    (``unaccent``) needed on the server, and 15 times quicker there than ``translate(lower(column))``
    (45 ms against 700 ms for a word over 30,000 projects).
    """
    if session.get_bind().dialect.name == "sqlite":
        return column.op("GLOB")(glob_pattern(term))
    return column.op("~")(regex_pattern(term))
