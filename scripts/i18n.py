"""Translation catalogues: extract messages, update the .po files, compile the .mo files.

Usage: ``python scripts/i18n.py update`` after changing strings (then translate the new
entries in ``tresxuno/locale/es/LC_MESSAGES/tresxuno.po``), ``python scripts/i18n.py compile``
before committing. tests/test_i18n.py fails while a catalogue lags behind the code.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tresxuno"
LOCALE = PACKAGE / "locale"
LANGUAGES = ("es", "en")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def extract() -> Catalog:
    """Every translatable message in the package, with the places it comes from."""
    catalog = Catalog(project="tresxuno", charset="utf-8")
    method_map = [("**/migrations/**", "ignore"), ("**.py", "python")]
    for filename, lineno, message, comments, context in extract_from_dir(
        str(PACKAGE), method_map=method_map, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)
    ):
        catalog.add(
            message, None, [(f"tresxuno/{filename}", lineno)], auto_comments=comments, context=context
        )
    return catalog


def translated(message: Message) -> bool:
    """Whether a catalogue entry has a translation (every plural form, for plural messages)."""
    if isinstance(message.string, str):
        return bool(message.string)
    return bool(message.string) and all(message.string)


def po_path(lang: str) -> Path:
    """The editable catalogue of ``lang``."""
    return LOCALE / lang / "LC_MESSAGES" / "tresxuno.po"


def load(lang: str) -> Catalog:
    """Read the catalogue of ``lang`` (an empty one if none exists yet)."""
    path = po_path(lang)
    if not path.exists():
        return Catalog(locale=lang, project="tresxuno", charset="utf-8")
    with path.open("rb") as fh:
        return read_po(fh, locale=lang)


def update() -> None:
    """Bring each .po up to date with the code (new messages added, gone ones dropped)."""
    template = extract()
    for lang in LANGUAGES:
        catalog = load(lang)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        if lang == "en":
            # Message ids are English: the English catalogue translates each to itself.
            for message in catalog:
                if message.id and not translated(message):
                    message.string = message.id
        path = po_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            # No "#: file:line" comments: they changed with every moved line and made catalogues conflict
            # on every merge; a message is found with `grep -rn` on its text.
            write_po(fh, catalog, width=110, sort_output=True, omit_header=False, no_location=True)


def compiled(lang: str) -> bytes:
    """The .mo bytes of ``lang``'s catalogue."""
    buf = io.BytesIO()
    write_mo(buf, load(lang), use_fuzzy=False)
    return buf.getvalue()


def compile_all() -> None:
    """Write the .mo files the app loads at run time."""
    for lang in LANGUAGES:
        po_path(lang).with_suffix(".mo").write_bytes(compiled(lang))


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "update":
        update()
    elif command == "compile":
        compile_all()
    else:
        sys.exit("usage: python scripts/i18n.py update|compile")
