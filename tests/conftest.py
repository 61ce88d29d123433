"""Test-wide fixtures: no test touches a real user's files, and each starts in Spanish."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

# Qt must never try to open a real display in the suite.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated_user_folders(tmp_path_factory, monkeypatch):
    """Point the data folder, settings and database selection at a fresh temporary folder."""
    home = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("TRESXUNO_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "share"))
    monkeypatch.delenv("TRESXUNO_DB", raising=False)
    monkeypatch.delenv("TRESXUNO_LANG", raising=False)
    from tresxuno.i18n import set_language
    from tresxuno.services import rules

    set_language("es")
    rules._cached_rulebook.cache_clear()
    yield home
    set_language("es")


@pytest.fixture(autouse=True)
def _cheap_passwords_and_no_actor(monkeypatch):
    """argon2id with tiny parameters (production keeps the library's defaults); nobody signed in."""
    from argon2 import PasswordHasher

    from tresxuno.domain.actor import set_actor
    from tresxuno.services import users

    monkeypatch.setattr(users, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    set_actor(None)
    yield
    set_actor(None)


@pytest.fixture(params=["es", "en"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    """Each language in turn: English amounts are wider (MX$1,234,567.89), Spanish labels longer."""
    from tresxuno.i18n import language, set_language

    before = language()
    set_language(request.param)
    yield request.param
    set_language(before)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On a PostgreSQL run (tests/backends.py) only tests that open the ``db`` fixture run.

    The rest would only repeat the SQLite run; the explicit PostgreSQL tests (``pg_db``) run too.
    """
    from tests.backends import ON_POSTGRES

    if not ON_POSTGRES:
        return
    skip = pytest.mark.skip(reason="does not use the db fixture; covered by the SQLite run")
    sqlite_only = pytest.mark.skip(reason="about SQLite itself; this run is on PostgreSQL")
    for item in items:
        if not {"db", "pg", "pg_db", "pg_url"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(skip)
        elif item.get_closest_marker("sqlite_only"):
            item.add_marker(sqlite_only)
