"""CLABE control digit, goals and convenio terms validation, amounts in capital words."""

from __future__ import annotations

import pytest

from tresxuno.domain.clabe import check_clabe, clabe_control_digit
from tresxuno.domain.convenio import ADMINISTRACION_DIRECTA, CONTRATO, ConvenioTerms, check_terms
from tresxuno.domain.goals import MAX_GOALS, Goal, check_goals, parse_quantity
from tresxuno.domain.money import Money
from tresxuno.domain.words import amount_in_words
from tresxuno.messages import TEMPLATES

# CLABEs widely published as examples of the format (Banco del Bajío, Banamex, Santander).
VALID = ("032180000118359719", "002010077777777771", "014027000005555558")


@pytest.mark.parametrize("clabe", VALID)
def test_published_clabes_pass_and_every_single_digit_typo_fails(clabe):
    assert check_clabe(clabe) == []
    for position in range(18):
        for digit in "0123456789":
            if digit != clabe[position]:
                typo = clabe[:position] + digit + clabe[position + 1 :]
                assert [p.code for p in check_clabe(typo)] == ["clabe.check_digit"], typo


def test_clabe_shape_problems_and_their_messages():
    assert [p.code for p in check_clabe("")] == ["clabe.empty"]
    assert [p.code for p in check_clabe("03218000011835971")] == ["clabe.format"]
    assert [p.code for p in check_clabe("03218000011835971O")] == ["clabe.format"]  # a letter O
    assert check_clabe("032 180 000118359719") == []  # spaces as on a statement
    wrong = check_clabe("032180000118359711")[0]
    assert wrong.params["expected"] == clabe_control_digit("03218000011835971") == "9"
    for code in ("clabe.empty", "clabe.format", "clabe.check_digit"):
        assert code in TEMPLATES


def test_goals_are_checked_one_by_one():
    good = Goal(" Pavimentación ", 350_000, "m2", 420)
    cleaned, problems = check_goals([good, Goal("", 0, "", -1)])
    assert cleaned[0].description == "Pavimentación"
    assert {(p.field, p.code) for p in problems} == {
        ("goals[1].description", "text.required"),
        ("goals[1].unit", "text.required"),
        ("goals[1].quantity", "goal.quantity_range"),
        ("goals[1].beneficiaries", "goal.beneficiaries_range"),
    }
    assert [p.code for p in check_goals([good] * (MAX_GOALS + 1))[1]] == ["goal.too_many"]
    assert Goal("x", 1_250_500, "m", 0).quantity_text == "1,250.5"
    assert Goal("x", 350_000, "m", 0).quantity_text == "350"


def test_quantities_typed():
    assert parse_quantity("1,250.5") == 1_250_500
    assert parse_quantity(" 12 ") == 12_000
    assert parse_quantity("0.125") == 125
    for bad in ("", "1.2345", "doce", "1.2.3", "-4", "١٢"):
        assert parse_quantity(bad) is None, bad


def test_terms_need_a_contract_to_name_a_contractor():
    _cleaned, problems = check_terms(ConvenioTerms(modality=ADMINISTRACION_DIRECTA, contractor_name="X"))
    assert [p.code for p in problems] == ["convenio.contractor_without_contract"]
    cleaned, problems = check_terms(
        ConvenioTerms(clabe="0321-8000-0118-3597-19", modality=CONTRATO, contractor_rfc="gode-561231-gr8")
    )
    assert (
        problems == [] and cleaned.clabe == "032180000118359719" and cleaned.contractor_rfc == "GODE561231GR8"
    )
    assert [p.code for p in check_terms(ConvenioTerms(modality="licitación"))[1]] == [
        "convenio.modality_unknown"
    ]


def test_amount_in_capital_words_for_convenios_only_when_asked():
    m = Money(125_000_000)
    assert amount_in_words(m) == "un millón doscientos cincuenta mil pesos 00/100 M.N."
    assert amount_in_words(m, capitals=True) == "UN MILLÓN DOSCIENTOS CINCUENTA MIL PESOS 00/100 M.N."
