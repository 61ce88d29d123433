"""Case- and accent-insensitive "contains" for free-text search ("cosio" finds "Cosío")."""

from __future__ import annotations

import re
from collections.abc import Callable

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


def _letter_class(ch: str, literal: Callable[[str], str]) -> str:
    """A pattern class matching ``ch`` in any case and accent; any other character as ``literal`` makes it."""
    base = _BASE.get(ch, ch.lower())
    if base in _VARIANTS:
        return f"[{_VARIANTS[base]}]"
    if ch.lower() != ch.upper():
        return f"[{ch.lower()}{ch.upper()}]"
    return literal(ch)


def _glob_literal(ch: str) -> str:
    """``ch`` itself in a GLOB pattern: its own wildcards in a class of one."""
    return f"[{ch}]" if ch in "*?[" else ch


def glob_pattern(term: str) -> str:
    """The SQLite GLOB pattern that finds ``term`` anywhere, ignoring case and accents."""
    return "*" + "".join(_letter_class(ch, _glob_literal) for ch in term) + "*"


def regex_pattern(term: str) -> str:
    """The PostgreSQL regular expression (``~``) that finds ``term`` anywhere, ignoring case and accents.

    A character that is not a letter is escaped by a backslash before it (never before a letter or
    digit, which would make an escape of its own).
    """
    return "".join(_letter_class(ch, re.escape) for ch in term)


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
