"""The rule book page: programmes and rule sets read-only, and reloading an administrator's rule files."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tresxuno import paths
from tresxuno.domain.parties import PARTY_ORDER
from tresxuno.formatting import percent
from tresxuno.i18n import _, ngettext
from tresxuno.services.rules import rulebook
from tresxuno.ui.views.rules import _FIRST_PARTY_COLUMN, _VERIFIED_COLUMN, RulesView

from .conftest import OFFSCREEN_SIZE_HINTS

pytestmark = OFFSCREEN_SIZE_HINTS

ADMIN_FILE = """
[program]
id = "1x1-prueba"
name_es = "Programa municipal de prueba"
name_en = "Municipal test programme"

[[rule_sets]]
id = "1x1-prueba-obras"
version = 1
years = [2025, 2026]
categories = ["infrastructure"]
mix = { club = 40, municipal = 60 }
source = "Acuerdo de cabildo 12/2025"
verified = true
"""


@pytest.fixture
def view(qtbot, empty_db) -> RulesView:
    page = RulesView(empty_db)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    return page


def _rows(view: RulesView) -> dict[str, dict[str, str]]:
    """Every programme's rule sets: {programme name: {rule set label: "club/federal/... texts"}}."""
    result = {}
    for p in range(view.tree.topLevelItemCount()):
        top = view.tree.topLevelItem(p)
        result[top.text(0)] = {
            top.child(c).text(0): " | ".join(
                top.child(c).text(_FIRST_PARTY_COLUMN + i) for i in range(len(PARTY_ORDER))
            )
            for c in range(top.childCount())
        }
    return result


def test_the_three_programmes_are_listed_with_their_mixes(view):
    rows = _rows(view)
    assert list(rows) == [
        "Programa 3x1 para Migrantes",
        "Iniciativa Ciudadana 4x1 (con socio externo)",
        "Programa 2x1 para Migrantes (Zacatecas)",
    ]
    # Club | federal | state | municipal | partner; "*" marks a capped share, "—" a party not taking part.
    assert rows["Programa 3x1 para Migrantes"] == {
        "3x1-public-works v2": "25.00 % | 25.00 % * | 25.00 % | 25.00 % | —",
        "3x1-scholarships v2": "25.00 % | 25.00 % | 25.00 % | 25.00 % | —",
        "3x1-productive v2": "50.00 % | 50.00 % * | — | — | —",
        "3x1-productive-family v1": "50.00 % | 50.00 % * | — | — | —",
    }
    assert rows["Iniciativa Ciudadana 4x1 (con socio externo)"] == {
        "4x1-western-union v2": "20.00 % | 20.00 % | 20.00 % | 20.00 % | 20.00 %"
    }
    assert rows["Programa 2x1 para Migrantes (Zacatecas)"] == {
        "2x1-zacatecas v2": "25.00 % | — | 40.00 % | 35.00 % | —"
    }
    assert view.tree.headerItem().text(_FIRST_PARTY_COLUMN) == _("Club")
    assert view.status_text() == ", ".join(
        (
            ngettext("{count} programme", "{count} programmes", 3).format(count=3),
            ngettext("{count} rule set", "{count} rule sets", 6).format(count=6),
        )
    )


def test_every_shown_mix_is_the_rule_books(view):
    """Not a copy typed into the view: every cell comes from the rule book."""
    book = rulebook()
    for p in range(view.tree.topLevelItemCount()):
        top = view.tree.topLevelItem(p)
        for c in range(top.childCount()):
            item = top.child(c)
            rule_id, version = item.data(0, Qt.ItemDataRole.UserRole)
            mix = book.get(rule_id, version).mix_map
            for offset, party in enumerate(PARTY_ORDER):
                text = item.text(_FIRST_PARTY_COLUMN + offset).rstrip(" *")
                assert text == (percent(mix[party]) if party in mix else "—")


def test_unverified_figures_say_so_in_words_not_only_with_an_icon(view):
    item = view.tree.topLevelItem(0).child(0)
    assert item.text(_VERIFIED_COLUMN) == _("Not verified")
    assert not item.icon(_VERIFIED_COLUMN).isNull()


def test_details_show_caps_shortfall_amounts_per_student_and_source(view):
    top = view.tree.topLevelItem(0)
    view.tree.setCurrentItem(top.child(0))  # 3x1 public works
    text = view.details.toPlainText()
    assert "$1,000,000.00" in text and "2002–2019" in text
    assert (
        _(
            "When a capped party cannot pay its whole share, the rest is covered by: {parties}, in "
            "proportion to their own shares."
        ).format(parties=f"{_('State')}, {_('Municipal')}")
        in text
    )
    assert "Reglas de Operación del Programa 3x1" in text

    view.tree.setCurrentItem(top.child(1))  # scholarships
    text = view.details.toPlainText()
    for amount in ("$2,000.00", "$4,000.00", "$8,000.00", "$12,000.00"):
        assert amount in text
    assert _("Higher education") in text


def test_the_page_says_where_an_administrator_adds_rule_files(view):
    assert str(paths.user_rules_dir()) in view.intro.text()
    assert view.reload_button.text() == _("Reload rules")


def test_a_dropped_file_waits_for_acceptance_then_takes_effect_and_keeps_the_selection(view):
    """Issue 12 item 6: a file dropped in the rules folder does nothing until an administrator accepts it.

    (Before, "Reload rules" put any dropped file into effect; that was the attack.)
    """
    view.tree.setCurrentItem(view.tree.topLevelItem(0).child(2))
    before = _rows(view)
    folder = paths.user_rules_dir()
    folder.mkdir(parents=True)
    (folder / "prueba.toml").write_text(ADMIN_FILE, encoding="utf-8")

    view.reload_button.click()
    assert _rows(view) == before  # dropped, not accepted: nothing changes
    assert view.pending_box.isVisibleTo(view) and view.pending_list.count() == 1
    assert "prueba.toml" in view.pending_list.item(0).text()
    assert view.accept_button.isEnabled()

    view.accept_button.click()
    rows = _rows(view)
    assert rows["Programa municipal de prueba"] == {"1x1-prueba-obras v1": "40.00 % | — | — | 60.00 % | —"}
    assert view.selected_rule_set() == ("3x1-productive", 2)
    added = view.tree.topLevelItem(3).child(0)
    assert added.text(_VERIFIED_COLUMN) == _("Yes")
    assert not view.pending_box.isVisibleTo(view)


def test_a_broken_file_is_refused_when_accepted_and_the_rules_shown_stay(view, prompts):
    before = _rows(view)
    folder = paths.user_rules_dir()
    folder.mkdir(parents=True)
    (folder / "roto.toml").write_text(ADMIN_FILE.replace("club = 40", "club = 40.5"), encoding="utf-8")

    view.reload()
    assert prompts.messages == [] and _rows(view) == before  # a dropped file is not even read
    view.accept_selected()
    [(_icon, title, text, _details)] = prompts.messages
    assert title == _("Rule set problem") and "roto.toml" in text
    assert _rows(view) == before
    assert view.pages.currentIndex() == 0
    assert view.pending_list.count() == 1  # still pending


def test_a_broken_dropped_file_at_start_does_nothing_but_wait(qtbot, empty_db):
    folder = paths.user_rules_dir()
    folder.mkdir(parents=True)
    (folder / "roto.toml").write_text("[program\n", encoding="utf-8")
    page = RulesView(empty_db)
    qtbot.addWidget(page)
    assert page.pages.currentIndex() == 0 and page.tree.topLevelItemCount() == 3
    assert page.pending_list.count() == 1 and "roto.toml" in page.pending_list.item(0).text()

    (folder / "roto.toml").unlink()
    page.refresh()  # F5 reads the folder again
    assert page.pending_list.count() == 0 and not page.pending_box.isVisibleTo(page)


def test_layout_is_remembered(qtbot, view, empty_db):
    from tresxuno.ui.settings import Settings

    view.tree.header().resizeSection(0, 333)
    view.splitter.setSizes([200, 400])
    settings = Settings()
    view.save_layout(settings)
    again = RulesView(empty_db)
    qtbot.addWidget(again)
    again.restore_layout(settings)
    assert again.tree.header().sectionSize(0) == 333
    assert again.splitter.saveState() == view.splitter.saveState()


def test_sources_notes_and_documents_are_shown_in_spanish_in_spanish(view):
    # The tests run in Spanish (conftest): the page shows the Spanish source and notes, never English.
    view.tree.setCurrentItem(view.tree.topLevelItem(0).child(0))  # 3x1 public works
    text = view.details.toPlainText()
    assert "mezcla financiera de 25 % federal, 25 % clubes de migrantes" in text
    assert "El estado y el municipio aportan juntos el 50 %" in text
    assert "The state and the municipality" not in text and "operating rules" not in text
    assert (
        "Reglas de Operación del Programa 3x1 para Migrantes para el ejercicio fiscal 2013, DOF 28/02/2013"
        in text
    )
    assert (
        "Reglas de Operación del Programa 3x1 para Migrantes para el ejercicio fiscal 2017, fecha de publicación por confirmar"
        in text
    )
    assert "Monto federal máximo de $1,000,000.00 por proyecto" in text
    assert ".md" not in text and ".toml" not in text


def test_sources_and_notes_follow_the_language_in_english(qtbot, empty_db):
    from tresxuno.i18n import set_language

    set_language("en")
    page = RulesView(empty_db)
    qtbot.addWidget(page)
    page.tree.setCurrentItem(page.tree.topLevelItem(0).child(0))
    text = page.details.toPlainText()
    assert "The state and the municipality pay 50 % together" in text
    assert "DOF 28/02/2013" in text and "publication date to be confirmed" in text
    assert "El estado y el municipio" not in text


def test_the_programme_is_described_in_the_users_language(qtbot, view, empty_db):
    from tresxuno.i18n import set_language

    view.tree.setCurrentItem(view.tree.topLevelItem(0))  # the 3x1 programme itself
    spanish = view.details.toPlainText()
    assert "Programa federal: por cada peso del club" in spanish and "Federal programme" not in spanish
    set_language("en")
    page = RulesView(empty_db)
    qtbot.addWidget(page)
    page.tree.setCurrentItem(page.tree.topLevelItem(0))
    english = page.details.toPlainText()
    assert "Federal programme: each peso from a club" in english and "Programa federal" not in english
