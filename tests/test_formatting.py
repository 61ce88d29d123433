"""The one formatting module: money, percents, dates, times and labels in es (es-MX) and en."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tresxuno import formatting
from tresxuno.domain.money import Money
from tresxuno.domain.parties import PARTY_ORDER, Category, Party
from tresxuno.domain.stages import Stage
from tresxuno.formatting import (
    CATEGORY_LABELS,
    ENTRY_KIND_LABELS,
    PARTY_LABELS,
    STAGE_LABELS,
    category_label,
    date_text,
    datetime_text,
    entry_kind_label,
    money_text,
    party_label,
    percent,
    percent_number,
    session_kind_label,
    stage_label,
    time_text,
)
from tresxuno.i18n import language, set_language


@pytest.fixture
def es() -> Iterator[None]:
    before = language()
    set_language("es")
    yield
    set_language(before)


# -- money -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "lang", "kwargs", "text"),
    [
        (0, "es", {}, "$0.00"),
        (0, "en", {}, "MX$0.00"),
        (181910155, "es", {}, "$1,819,101.55"),
        (181910155, "en", {}, "MX$1,819,101.55"),
        (-5, "es", {}, "-$0.05"),
        (-123456, "en", {}, "-MX$1,234.56"),
        (Money(123456, "USD"), "es", {}, "US$1,234.56"),
        (Money(123456, "USD"), "en", {}, "$1,234.56"),
        (123456, "es", {"symbol": False}, "1,234.56"),
        (-123456, "es", {"symbol": False}, "-1,234.56"),
        (123456, "es", {"code": True}, "$1,234.56 MXN"),
        (Money(-99, "USD"), "en", {"code": True}, "-$0.99 USD"),
        (123456, "es_MX", {}, "$1,234.56"),
        (123456, "en-US", {}, "MX$1,234.56"),
    ],
)
def test_money_text(amount, lang, kwargs, text):
    assert money_text(amount, lang, **kwargs) == text


def test_money_text_follows_the_language_in_force_and_reads_back(lang):
    assert money_text(-181910155) == ("-$1,819,101.55" if lang == "es" else "-MX$1,819,101.55")
    for centavos in (0, 1, -1, 99, 100_000_00, -999_999_999_999_99):
        assert Money.parse(money_text(centavos), allow_negative=True, allow_zero=True) == Money(centavos)


# -- percents ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bp", "decimals", "text"),
    [
        (0, 2, "0.00 %"),
        (10_000, 2, "100.00 %"),
        (3_333, 2, "33.33 %"),
        (3_334, 2, "33.34 %"),
        (2_500, 2, "25.00 %"),
        (5, 2, "0.05 %"),
        (-2_500, 2, "-25.00 %"),
        (-5, 2, "-0.05 %"),
        (123_456, 2, "1234.56 %"),
        (0, 1, "0.0 %"),
        (4_550, 1, "45.5 %"),
        (10_000, 1, "100.0 %"),
        (3_333, 1, "33.3 %"),
        (3_335, 1, "33.4 %"),  # half away from zero
        (-3_335, 1, "-33.4 %"),
        (-4, 1, "0.0 %"),  # rounds to zero: no "-0.0"
        (10_000, 0, "100 %"),
        (3_350, 0, "34 %"),
        (3_349, 0, "33 %"),
        (0, 0, "0 %"),
    ],
)
def test_percent(bp, decimals, text):
    assert percent(bp, decimals=decimals) == text


def test_percent_is_the_same_in_both_languages(lang):
    assert percent(3_333) == "33.33 %"
    assert percent(2_500) == "25.00 %"


def test_percent_number_is_the_figure_a_field_holds():
    assert percent_number(2_500) == "25.00"
    assert percent_number(3_333) == "33.33"
    assert percent_number(0) == "0.00"
    assert percent_number(-150) == "-1.50"
    assert percent_number(4_550, decimals=1) == "45.5"
    assert percent_number(10_000, decimals=0) == "100"


@pytest.mark.parametrize("decimals", [-1, 3])
def test_percent_refuses_other_precisions(decimals):
    with pytest.raises(ValueError, match="decimals"):
        percent(2_500, decimals=decimals)


# -- dates and times ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "lang", "style", "text"),
    [
        (date(2026, 12, 31), "es", "numeric", "31/12/2026"),
        (date(2027, 1, 1), "en", "numeric", "01/01/2027"),
        (date(2007, 12, 3), "es", "short", "03/12/2007"),
        (date(2007, 12, 3), "en", "short", "Dec 3, 2007"),
        (date(2026, 12, 31), "en", "short", "Dec 31, 2026"),
        (date(2027, 1, 1), "en", "short", "Jan 1, 2027"),
        (date(2007, 12, 3), "es", "long", "3 de diciembre de 2007"),
        (date(2007, 12, 3), "en", "long", "December 3, 2007"),
        (date(2026, 12, 31), "es", "long", "31 de diciembre de 2026"),
        (date(2027, 1, 1), "es", "long", "1 de enero de 2027"),
        (date(2027, 1, 1), "en", "long", "January 1, 2027"),
        (date(999, 1, 2), "es", "numeric", "02/01/0999"),
        (datetime(2026, 12, 31, 23, 59), "en", "numeric", "31/12/2026"),
        (datetime(2026, 12, 31, 23, 59), "en", "short", "Dec 31, 2026"),
    ],
)
def test_date_text(day, lang, style, text):
    assert date_text(day, lang, style=style) == text


def test_date_text_defaults_to_numeric_in_the_language_in_force(lang):
    assert date_text(date(2026, 3, 31)) == "31/03/2026"
    assert date_text(None) == ""
    assert date_text(None, style="long") == ""
    assert date_text(date(2007, 12, 3), style="short") == ("03/12/2007" if lang == "es" else "Dec 3, 2007")


def test_a_datetime_counts_by_its_own_date_and_clock():
    # 23:30 in Mexico City on New Year's Eve is already 1 January in UTC: the moment's own zone wins.
    late = datetime(2026, 12, 31, 23, 30, 15, tzinfo=timezone(timedelta(hours=-6)))
    assert date_text(late) == "31/12/2026"
    assert date_text(late.astimezone(UTC)) == "01/01/2027"
    assert time_text(late) == "23:30"
    assert time_text(late, seconds=True) == "23:30:15"
    assert datetime_text(late, "en") == "31/12/2026 23:30"
    assert datetime_text(late, "es", seconds=True) == "31/12/2026 23:30:15"


def test_printed_times_follow_the_locale():
    moment = datetime(2026, 11, 23, 13, 48, 5)
    assert time_text(moment, "es", style="short") == "13:48"
    assert time_text(moment, "en", style="numeric") == "13:48"
    # Babel writes the English clock; the space before PM is a (narrow) no-break space in newer CLDR.
    assert time_text(moment, "en", style="short").replace("\u202f", " ").replace("\xa0", " ") == "1:48 PM"
    assert time_text(moment, "en", style="short", seconds=True).replace("\u202f", " ") == "1:48:05 PM"
    assert datetime_text(moment, "es", style="short") == "23/11/2026 13:48"
    assert datetime_text(moment, "en", style="short").startswith("Nov 23, 2026 1:48")


def test_an_unknown_language_writes_spanish():
    assert date_text(date(2007, 12, 3), "fr", style="long") == "3 de diciembre de 2007"
    assert money_text(100, "fr") == "$1.00"


# -- labels ------------------------------------------------------------------------------------


def test_every_id_has_a_label():
    assert set(PARTY_LABELS) == set(Party)
    assert set(STAGE_LABELS) == set(Stage)
    assert set(CATEGORY_LABELS) == {c.value for c in Category}
    assert set(ENTRY_KIND_LABELS) == {"contribution", "payment", "refund", "reversal"}


@pytest.mark.parametrize(
    ("lang", "labels"),
    [
        ("en", ["Club", "Federal", "State", "Municipal", "Partner"]),
        ("es", ["Club", "Federal", "Estatal", "Municipal", "Socio"]),
    ],
)
def test_party_labels(lang, labels):
    set_language(lang)
    try:
        assert [party_label(p) for p in PARTY_ORDER] == labels
        assert [party_label(p.value) for p in PARTY_ORDER] == labels
    finally:
        set_language("es")


def test_labels_translate(lang):
    expected = {
        "es": ("Aprobado", "Becas", "Aportación", "Ordinaria"),
        "en": ("Approved", "Scholarships", "Contribution", "Ordinary"),
    }[lang]
    assert (
        stage_label("aprobado"),
        category_label("scholarships"),
        entry_kind_label("contribution"),
        session_kind_label("ordinaria"),
    ) == expected
    assert stage_label(Stage.APROBADO) == expected[0]


def test_unknown_or_missing_ids_show_as_stored(es):
    # A database written by a newer app may hold ids this one does not know.
    assert party_label("notary") == "notary"
    assert stage_label("archivado") == "archivado"
    assert category_label("sports") == "sports"
    assert entry_kind_label("transfer") == "transfer"
    assert session_kind_label("virtual") == "virtual"
    assert party_label(None) == party_label("") == ""
    assert stage_label(None) == stage_label("") == ""


def test_the_module_imports_only_the_domain_and_i18n():
    import ast
    from pathlib import Path

    tree = ast.parse(Path(formatting.__file__).read_text(encoding="utf-8"))
    ours = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tresxuno"):
            ours.add(".".join(node.module.split(".")[:2]))
        elif isinstance(node, ast.Import):
            ours |= {".".join(a.name.split(".")[:2]) for a in node.names if a.name.startswith("tresxuno")}
    assert ours <= {"tresxuno.domain", "tresxuno.i18n"}


@given(
    st.dictionaries(
        st.sampled_from([p.value for p in PARTY_ORDER]), st.integers(0, 10**13), min_size=1, max_size=5
    )
)
def test_printed_percentages_of_a_total_add_up_to_exactly_100_00(amounts):
    bp = formatting.shares_of_total_bp(amounts)
    total = sum(amounts.values())
    assert set(bp) == set(amounts)
    if total == 0:
        assert set(bp.values()) == {0}
        return
    assert sum(bp.values()) == 10_000  # never 100.01 % nor 99.99 %
    for party, amount in amounts.items():
        assert abs(bp[party] * total - 10_000 * amount) < total  # within one basis point of exact


def test_a_capped_mix_that_rounds_to_100_01_prints_100_00():
    # Three thirds of $100.00: each is 33.333… %, which rounds to 33.33 % three times (99.99 %).
    thirds = {"club": 3334, "federal": 3333, "state": 3333}
    bp = formatting.shares_of_total_bp(thirds)
    assert bp == {"club": 3334, "federal": 3333, "state": 3333}
    assert formatting.percent(sum(bp.values())) == "100.00 %"
