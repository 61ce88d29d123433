"""The cédula de validación técnica's arithmetic: criteria as data, every score checked, the verdict."""

from __future__ import annotations

import tomllib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tresxuno import paths
from tresxuno.domain.technical_validation import (
    CriteriaSet,
    Criterion,
    Score,
    check_scores,
    parse_criteria,
    set_for_year,
    verdict,
)

SET = CriteriaSet(
    "test",
    2010,
    None,
    60,
    (
        Criterion("expediente", 40, "Expediente", "File", required=True),
        Criterion("marginacion", 30, "Marginación", "Marginalisation"),
        Criterion("mezcla", 30, "Mezcla", "Mix"),
    ),
)


def shipped() -> tuple[CriteriaSet, ...]:
    with open(paths.seeds_dir() / "validation.toml", "rb") as fh:
        return parse_criteria(tomllib.load(fh))


def test_the_shipped_criteria_cover_every_fiscal_year_of_the_programme_and_add_up():
    sets = shipped()
    for year in range(2002, 2027):
        found = set_for_year(sets, year)
        assert found is not None, year
        assert 0 < found.passing <= found.total
        assert all(c.label_es and c.label_en for c in found.criteria)  # both languages print


def test_a_new_set_in_the_data_takes_over_from_its_first_year():
    data = {
        "criteria_sets": [
            {
                "id": "old",
                "years": [2002],
                "passing": 1,
                "criteria": [{"id": "a", "points": 5, "label_es": "A"}],
            },
            {
                "id": "new",
                "years": [2020],
                "passing": 2,
                "criteria": [
                    {"id": "b", "points": 3, "label_es": "B"},
                    {"id": "c", "points": 3, "label_es": "C"},
                ],
            },
        ]
    }
    sets = parse_criteria(data)
    assert set_for_year(sets, 2019).id == "old" and set_for_year(sets, 2020).id == "new"
    assert set_for_year(sets, 2001) is None


@pytest.mark.parametrize(
    "bad",
    [
        {"id": "x", "years": [2002], "passing": 9, "criteria": [{"id": "a", "points": 5, "label_es": "A"}]},
        {"id": "x", "years": [2002], "passing": 1, "criteria": [{"id": "a", "points": 0, "label_es": "A"}]},
        {
            "id": "x",
            "years": [2002],
            "passing": 1,
            "criteria": [
                {"id": "a", "points": 1, "label_es": "A"},
                {"id": "a", "points": 1, "label_es": "B"},
            ],
        },
    ],
)
def test_a_set_that_cannot_be_scored_is_refused_when_read(bad):
    with pytest.raises(ValueError):
        parse_criteria({"criteria_sets": [bad]})


def test_each_wrong_score_is_named():
    scores = [
        Score("expediente", 41),
        Score("expediente", 3),
        Score("nope", 1),
        Score("mezcla", 1, "x" * 501),
    ]
    codes = {(p.field, p.code) for p in check_scores(SET, scores)}
    assert ("scores.expediente", "validation.points_range") in codes
    assert ("scores.expediente", "validation.repeated_criterion") in codes
    assert ("scores.nope", "validation.unknown_criterion") in codes
    assert ("scores.marginacion", "validation.missing_criterion") in codes
    assert ("scores.mezcla.note", "text.too_long") in codes
    assert check_scores(SET, [Score("expediente", 0), Score("marginacion", 30), Score("mezcla", 30)]) == []


def test_a_required_criterion_at_zero_fails_whatever_the_total():
    v = verdict(SET, [Score("expediente", 0), Score("marginacion", 30), Score("mezcla", 30)])
    assert v.points == 60 >= v.passing and v.failed_required == ("expediente",) and not v.valid


@given(st.tuples(st.integers(0, 40), st.integers(0, 30), st.integers(0, 30)))
def test_the_verdict_adds_the_points_and_passes_exactly_at_the_threshold(points):
    scores = [Score(c.id, p) for c, p in zip(SET.criteria, points, strict=True)]
    assert check_scores(SET, scores) == []
    v = verdict(SET, scores)
    assert v.points == sum(points) and v.total == 100
    assert v.valid == (sum(points) >= 60 and points[0] > 0)
