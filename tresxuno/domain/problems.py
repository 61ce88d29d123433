"""Validation problems as data, and the error families the rest of the app tells apart.

Validation never formats messages: it returns :class:`Problem` records (field, code,
parameters) and the UI or CLI turns each code into a translated, specific sentence
(see ``tresxuno.messages``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with user input.

    Attributes:
        field: the input field it concerns (``"cost"``, ``"club"``, ``"mix.federal"``...).
        code: a stable dotted code such as ``"amount.decimal_comma"``; messages are keyed on it.
        params: values the message needs (limits, the offending text...); plain data only.
    """

    field: str
    code: str
    params: Mapping[str, Any] = dataclass_field(default_factory=dict)


class TresxunoError(Exception):
    """Base of every error tresxuno raises on purpose."""


class InputError(TresxunoError):
    """The user's input is wrong; carries one or more problems to show next to fields."""

    def __init__(self, problems: Problem | Iterable[Problem]):
        self.problems: tuple[Problem, ...] = (problems,) if isinstance(problems, Problem) else tuple(problems)
        if not self.problems:
            raise ValueError("InputError needs at least one problem")
        super().__init__("; ".join(f"{p.field}: {p.code} {dict(p.params)}" for p in self.problems))


class StorageError(TresxunoError):
    """The database cannot be used as asked (locked, read-only, full, unreachable, too new).

    ``code`` selects the message telling the officer what to do; the app keeps running.
    """

    def __init__(self, code: str, **params: Any):
        self.code = code
        self.params = params
        super().__init__(f"{code} {params}")


class RuleSetError(TresxunoError):
    """A rule-set file is malformed; the message names the file, the key and what is allowed."""
