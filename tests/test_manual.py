"""The user manual: the same pages in Spanish and English, and no link or screenshot that leads nowhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tresxuno.paths import manual_dir

LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
LANGS = ("es", "en")


def pages(lang: str) -> set[str]:
    return {path.name for path in (manual_dir() / lang).glob("*.md")}


def test_both_languages_have_the_same_pages() -> None:
    assert pages("es") == pages("en")
    assert {"index.md", "menus.md", "projects.md", "ledger.md", "reports.md"} <= pages("es")


@pytest.mark.parametrize("lang", LANGS)
def test_every_link_and_screenshot_exists(lang: str) -> None:
    broken = []
    for page in sorted((manual_dir() / lang).glob("*.md")):
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if "://" in target:
                continue
            if not (page.parent / target.split("#")[0]).resolve().is_file():
                broken.append(f"{page.name}: {target}")
    assert broken == []


@pytest.mark.parametrize("lang", LANGS)
def test_the_index_links_every_page(lang: str) -> None:
    index = (manual_dir() / lang / "index.md").read_text(encoding="utf-8")
    linked = {target for target in LINK.findall(index)}
    assert pages(lang) - {"index.md"} <= linked


def test_manual_is_found_where_the_program_looks(tmp_path: Path) -> None:
    assert (manual_dir() / "es" / "index.md").read_text(encoding="utf-8").startswith("# Manual de tresxuno")
