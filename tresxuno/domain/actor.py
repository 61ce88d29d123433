"""Who is acting in this process: the signed-in user, for the audit trail and permission checks.

A desktop process has one person at the keyboard, so the actor is process-wide (not a context
variable: background tasks run on other threads and must act as the same person). The command line
acts as the operating system's login name until it signs someone in.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from tresxuno.domain.jurisdiction import Jurisdiction


@dataclass(frozen=True)
class Actor:
    """A person acting: the login name, the role (``""`` before anyone signs in) and their office's reach.

    ``jurisdiction`` None: the whole database (nobody signed in, or a user with no office).
    """

    username: str
    role: str = ""
    jurisdiction: Jurisdiction | None = None


_current: Actor | None = None


def system_actor() -> Actor:
    """The operating system's login name, with no role: who acts before anyone signs in."""
    try:
        name = getpass.getuser()[:80]
    except (KeyError, OSError):  # no login name (some containers)
        name = ""
    return Actor(name or "?")


def current_actor() -> Actor:
    """The signed-in person, or the operating system's login name when nobody has signed in."""
    return _current if _current is not None else system_actor()


def set_actor(actor: Actor | None) -> None:
    """Sign ``actor`` in for the whole process (None signs out)."""
    global _current
    _current = actor


@contextmanager
def acting_as(actor: Actor | None) -> Iterator[None]:
    """Act as ``actor`` inside the block, then restore whoever acted before (tests, scripted tasks)."""
    before = _current
    set_actor(actor)
    try:
        yield
    finally:
        set_actor(before)
