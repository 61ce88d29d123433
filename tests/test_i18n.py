"""Catalogues are complete and current; every problem code the code can raise has a sentence."""

from __future__ import annotations

import gettext
import importlib.util
import io
import re
import string
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("i18n_tool", ROOT / "scripts" / "i18n.py")
assert spec and spec.loader
i18n_tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(i18n_tool)


def placeholders(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


@pytest.fixture(scope="module")
def template():
    return i18n_tool.extract()


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_message_is_translated_with_the_same_placeholders(template, lang):
    catalog = i18n_tool.load(lang)
    missing, bad = [], []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id)
        if found is None or not found.string or found.fuzzy:
            missing.append(message.id)
        elif isinstance(message.id, str) and placeholders(message.id) != placeholders(found.string):
            bad.append((message.id, found.string))
    assert not missing, f"{len(missing)} untranslated in {lang}, e.g. {missing[:5]}"
    assert not bad, f"placeholders differ in {lang}: {bad[:5]}"


def messages_of(mo_bytes: bytes) -> dict[object, str]:
    """What ``gettext`` reads from a compiled catalogue, without the header (msgid "").

    The header carries the generator's name and version (Babel writes its own), so comparing bytes
    would tie the test to one Babel release; the messages are what the app shows.
    """
    catalog = gettext.GNUTranslations(io.BytesIO(mo_bytes))._catalog  # type: ignore[attr-defined]
    return {key: value for key, value in catalog.items() if key != ""}


@pytest.mark.parametrize("lang", ["es", "en"])
def test_compiled_catalogues_are_current(lang):
    mo = i18n_tool.po_path(lang).with_suffix(".mo")
    assert mo.exists(), "run: python scripts/i18n.py compile"
    shipped, fresh = messages_of(mo.read_bytes()), messages_of(i18n_tool.compiled(lang))
    stale = sorted(str(key) for key in shipped.keys() ^ fresh.keys())
    changed = sorted(str(key) for key in shipped.keys() & fresh.keys() if shipped[key] != fresh[key])
    assert not stale and not changed, f"run: python scripts/i18n.py compile ({stale[:3]}, {changed[:3]})"


def test_catalogue_comparison_sees_a_changed_translation():
    """The check above fails when one translation in the .mo differs from the .po."""
    catalog = i18n_tool.load("es")
    message = next(m for m in catalog if m.id and isinstance(m.id, str))
    before = messages_of(i18n_tool.compiled("es"))
    message.string = message.string + " (cambiado)"
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    after = messages_of(buf.getvalue())
    assert before.keys() == after.keys() and before[message.id] != after[message.id]


def test_every_problem_code_raised_has_a_message():
    from tresxuno.messages import TEMPLATES

    pattern = re.compile(r'Problem\(\s*[^,()]+(?:\([^)]*\))?,\s*"([a-z_]+\.[a-z_.]+)"')
    fail_pattern = re.compile(r'fail\(\s*"([a-z_]+\.[a-z_.]+)"')
    codes = set()
    for path in (ROOT / "tresxuno").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        codes |= set(pattern.findall(text))
        if path.name == "money.py":
            # Money.parse builds its problems through a local fail("code") helper.
            codes |= set(fail_pattern.findall(text))
    assert codes, "the pattern found no codes at all"
    assert sorted(codes - set(TEMPLATES)) == []


def test_every_storage_error_code_has_a_message():
    from tresxuno.messages import STORAGE_TEMPLATES

    pattern = re.compile(r'StorageError\(\s*"([a-z_]+\.[a-z_.]+)"')
    codes = set()
    for path in (ROOT / "tresxuno").rglob("*.py"):
        codes |= set(pattern.findall(path.read_text(encoding="utf-8")))
    assert "db.too_new" in codes
    assert sorted(codes - set(STORAGE_TEMPLATES)) == []


def test_switching_language_changes_messages():
    from tresxuno.domain.problems import Problem
    from tresxuno.i18n import set_language
    from tresxuno.messages import describe

    problem = Problem("cost", "amount.decimal_comma", {"text": "1.234,56", "suggestion": "1234.56"})
    set_language("en")
    english = describe(problem)
    set_language("es")
    spanish = describe(problem)
    assert english.startswith("Total cost:") and "decimal point" in english
    assert spanish.startswith("Costo total:") and "punto decimal" in spanish


def test_no_translatable_literal_hides_inside_an_f_string():
    """Babel's extractor does not look inside f-strings: a ``_("...")`` there never reaches the catalogue."""
    import ast

    hidden = []
    for path in (ROOT / "tresxuno").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.JoinedStr):
                continue
            for inner in ast.walk(node):
                if (
                    isinstance(inner, ast.Call)
                    and isinstance(inner.func, ast.Name)
                    and inner.func.id in {"_", "N_", "ngettext"}
                    and inner.args
                    and isinstance(inner.args[0], ast.Constant)
                ):
                    hidden.append(f"{path.relative_to(ROOT)}:{inner.lineno} {inner.args[0].value!r}")
    assert hidden == []
