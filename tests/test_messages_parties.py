"""Problems name parties as officers know them ("Federal", "Estatal"), never by their stored ids."""

from __future__ import annotations

from tresxuno.domain.problems import Problem
from tresxuno.i18n import _, set_language
from tresxuno.messages import describe


def test_party_and_parties_params_render_translated_labels():
    problem = Problem(
        "source_party",
        "payment.party_not_in_project",
        {"party": "state", "parties": "club, federal, municipal", "folio": "3X1-2019-0001"},
    )
    for lang in ("es", "en"):
        set_language(lang)
        text = describe(problem, with_field=False)
        assert _("State") in text and f"{_('Club')}, {_('Federal')}, {_('Municipal')}" in text
        assert "club, federal" not in text
    set_language("es")
    assert describe(problem, with_field=False).startswith(_("State"))


def test_an_unknown_party_typed_by_the_officer_is_quoted_as_typed():
    set_language("es")
    text = describe(Problem("party", "mix.unknown_party", {"party": "gobernador"}), with_field=False)
    assert "'gobernador'" in text
