"""Repositories: the project list's filters, sorting and paging in SQL, folios, lookups, uniqueness."""

from __future__ import annotations

import json
import unicodedata
from datetime import date
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from tresxuno.db.models import Federation, LedgerEntry, Municipality, StageChange
from tresxuno.db.repos import (
    SORT_COLUMNS,
    CatalogueRepository,
    FederationRepository,
    ProjectFilters,
    ProjectRepository,
    RuleSetRepository,
    SettingsRepository,
    canonical_json,
    digest_of,
)
from tresxuno.db.repos._text import glob_pattern
from tresxuno.db.repos.settings import OFFICE_NAME
from tresxuno.domain.problems import RuleSetError

from . import factories

NAMES = ("Pavimentación de calle", "Red de agua potable", "Domo escolar", "Alumbrado público", "Becas 3x1")
STAGES = ("borrador", "solicitado", "aprobado", "en_ejecucion")
CATEGORIES = ("infrastructure", "education", "community-services")
PROGRAMS = ("3x1", "2x1-zacatecas")
PLACES = ("32020", "32056", "01004")  # Jerez, Zacatecas, Cosío (Aguascalientes)


def fold(value: str) -> str:
    """What the search ignores: case and accents."""
    return "".join(c for c in unicodedata.normalize("NFD", value.casefold()) if not unicodedata.combining(c))


@pytest.fixture
def listing(db) -> list[dict[str, Any]]:
    """53 projects over three clubs, places, years, programmes, categories and stages; their values."""
    rows = []
    with db.transaction() as session:
        rule = factories.rule_set(session)
        fed = factories.federation(session)
        clubs = [
            factories.club(session, "Club Social Jerezano", municipality_key="32020", federation_id=fed.id),
            factories.club(session, "Club Hermanos Cosío", municipality_key="01004"),
            factories.club(session, "club guadalupe victoria", municipality_key="32056"),
        ]
        for i in range(53):
            place = PLACES[i % 3]
            program = PROGRAMS[i % 2]
            year = 2015 + i % 4
            project = factories.project(
                session,
                club_row=clubs[(i // 3) % 3],
                rule=rule,
                folio=ProjectRepository.next_folio(session, year, place, program=program),
                name=f"{NAMES[i % 5]} {i % 11}",
                municipality_key=place,
                fiscal_year=year,
                program=program,
                category=CATEGORIES[i % 3 if i % 2 else (i + 1) % 3],
                stage=STAGES[i % 4],
                cost=((i * 7919) % 17 + 1) * 400_000,  # repeats, to exercise the tie-break
            )
            rows.append(
                {
                    "id": project.id,
                    "folio": project.folio,
                    "fiscal_year": year,
                    "program": program,
                    "category": project.category,
                    "stage": project.stage,
                    "name": project.name,
                    "club": project.club.name,
                    "club_id": project.club_id,
                    "municipality": session.get(Municipality, place).name,
                    "municipality_key": place,
                    "state_key": place[:2],
                    "cost": project.cost,
                }
            )
    return rows


def all_pages(db, *, filters=None, sort_key="folio", descending=False, size=7) -> list[int]:
    ids: list[int] = []
    with db.session() as session:
        while True:
            page = ProjectRepository.page(
                session,
                filters=filters,
                sort_key=sort_key,
                descending=descending,
                offset=len(ids),
                limit=size,
            )
            ids += [p.id for p in page]
            if len(page) < size:
                return ids


@pytest.mark.parametrize("sort_key", sorted(SORT_COLUMNS))
@pytest.mark.parametrize("descending", [False, True])
def test_pages_follow_the_sort_key_with_id_breaking_ties(db, listing, sort_key, descending):
    expected = sorted(listing, key=lambda r: (r[sort_key], r["id"]), reverse=descending)
    assert all_pages(db, sort_key=sort_key, descending=descending) == [r["id"] for r in expected]


@pytest.mark.parametrize(
    "filters",
    [
        ProjectFilters(fiscal_year=2016),
        ProjectFilters(program="2x1-zacatecas"),
        ProjectFilters(category="education"),
        ProjectFilters(stage="aprobado"),
        ProjectFilters(state_key="32"),
        ProjectFilters(municipality_key="01004"),
        ProjectFilters(fiscal_year=2017, state_key="32", stage="borrador"),
        ProjectFilters(fiscal_year=1999),
    ],
    ids=repr,
)
def test_filters_narrow_the_list_in_sql(db, listing, filters):
    wanted = {k: v for k, v in vars(filters).items() if v not in (None, "")}
    expected = sorted(
        (r for r in listing if all(r[k] == v for k, v in wanted.items())), key=lambda r: r["folio"]
    )
    assert all_pages(db, filters=filters) == [r["id"] for r in expected]
    with db.session() as session:
        assert ProjectRepository.count(session, filters) == len(expected)


def test_filter_by_club(db, listing):
    club_id = listing[4]["club_id"]
    expected = [r["id"] for r in sorted(listing, key=lambda r: r["folio"]) if r["club_id"] == club_id]
    assert all_pages(db, filters=ProjectFilters(club_id=club_id)) == expected


@pytest.mark.parametrize(
    "term", ["cosio", "COSÍO", "jerez", "JEREZANO", "2016-32056", "agua", "Publico", "escolar 1"]
)
def test_text_search_ignores_case_and_accents(db, listing, term):
    def matches(r):
        return any(fold(term) in fold(r[f]) for f in ("folio", "name", "club", "municipality"))

    expected = [r["id"] for r in sorted(listing, key=lambda r: r["folio"]) if matches(r)]
    assert expected, "the term should find something"
    assert all_pages(db, filters=ProjectFilters(text=term)) == expected
    with db.session() as session:
        assert ProjectRepository.count(session, ProjectFilters(text=f"  {term} ")) == len(expected)


@pytest.mark.parametrize("term", ["%", "_", "*", "?", "[", "3x1%2016"])
def test_wildcards_in_the_search_text_are_literal(db, listing, term):
    with db.session() as session:
        assert ProjectRepository.count(session, ProjectFilters(text=term)) == 0


def test_glob_pattern_shape():
    assert glob_pattern("Ñu*") == "*[nNñÑ][uUúÚùÙüÜûÛ][*]*"
    assert glob_pattern("3x1-") == "*3[xX]1-*"


def test_page_rows_can_be_read_after_the_session_closes(db, listing):
    with db.session() as session:
        page = ProjectRepository.page(session, sort_key="municipality", limit=5)
    first = page[0]
    assert first.club.name and first.municipality.name and first.state.name


def test_page_rejects_unknown_sort_keys(db):
    with db.session() as session, pytest.raises(ValueError, match="unknown sort key"):
        ProjectRepository.page(session, sort_key="cost; DROP TABLE projects")


def test_get_loads_what_a_detail_view_needs(db, listing):
    folio = listing[0]["folio"]
    with db.session() as session:
        project = ProjectRepository.get(session, listing[0]["id"])
        assert ProjectRepository.get(session, -1) is None
    assert project.folio == folio
    assert sum(s.amount for s in project.shares) == project.cost
    assert project.rule_set.rule_id == "3x1-infra"


# --- folios -----------------------------------------------------------------------------------


def test_next_folio_counts_per_programme_year_and_municipality(db, listing):
    with db.session() as session:
        assert ProjectRepository.next_folio(session, 2030, "32056", program="3x1") == "3X1-2030-32056-0001"
        # 53 projects, two programmes alternating, years cycling over 4 and places over 3.
        used = [r["folio"] for r in listing if r["folio"].startswith("3X1-2015-32020-")]
        expected = f"3X1-2015-32020-{len(used) + 1:04d}"
        assert ProjectRepository.next_folio(session, 2015, "32020", program="3x1") == expected
        # Asking again gives the same answer: nothing is reserved.
        assert ProjectRepository.next_folio(session, 2015, "32020", program="3x1") == expected
        prefix = "2X1-ZACATECAS-2016-32056-"
        taken = sum(r["folio"].startswith(prefix) for r in listing)
        assert taken > 0
        assert ProjectRepository.next_folio(session, 2016, "32056", program="2x1-zacatecas") == (
            f"{prefix}{taken + 1:04d}"
        )


def test_next_folio_refuses_folios_longer_than_the_column(db):
    with db.session() as session, pytest.raises(ValueError, match="longer than 32"):
        ProjectRepository.next_folio(session, 2016, "32056", program="programa-estatal-largo")


def test_next_folio_goes_past_9999(db):
    with db.transaction() as session:
        rule = factories.rule_set(session)
        club = factories.club(session)
        factories.project(session, club_row=club, rule=rule, folio="3X1-2016-32020-9999")
        assert ProjectRepository.next_folio(session, 2016, "32020", program="3x1") == "3X1-2016-32020-10000"


# --- stages -----------------------------------------------------------------------------------


def test_stage_changes_are_recorded_in_order(db, listing):
    project_id = listing[0]["id"]
    with db.transaction() as session:
        session.add(
            StageChange(
                project_id=project_id,
                from_stage="borrador",
                to_stage="solicitado",
                changed_by="ana",
                comment="Ok",
            )
        )
        session.flush()
        session.add(
            StageChange(
                project_id=project_id, from_stage="solicitado", to_stage="prevalidado", changed_by="luis"
            )
        )
    with db.session() as session:
        history = ProjectRepository.stage_history(session, project_id)
        assert [(c.from_stage, c.to_stage, c.changed_by) for c in history] == [
            ("borrador", "solicitado", "ana"),
            ("solicitado", "prevalidado", "luis"),
        ]


# --- clubs, federations, catalogue -------------------------------------------------------------


def test_federation_lookups(db, listing):
    with db.session() as session:
        fed = session.query(Federation).filter_by(name="Federación Zacatecana de Illinois").one()
        assert FederationRepository.get(session, fed.id) is fed
        assert FederationRepository.get(session, -1) is None


def test_states_and_municipalities_by_state(db):
    import csv

    from tresxuno.db.catalogue import inegi_csv_path

    with inegi_csv_path().open(encoding="utf-8") as handle:
        zacatecas = sorted(r["nom_municipio"] for r in csv.DictReader(handle) if r["cve_entidad"] == "32")
    with db.session() as session:
        assert [m.name for m in CatalogueRepository.municipalities(session, "32")] == zacatecas
        assert [s.key for s in CatalogueRepository.states(session)][:2] == ["01", "02"]
        assert CatalogueRepository.state(session, "32").name == "Zacatecas"


def test_an_administrator_adds_a_new_municipality(db):
    with db.transaction() as session:
        added = CatalogueRepository.add_municipality(
            session, state_key="32", code="059", name="Nuevo Municipio"
        )
    assert (added.key, added.added_by_admin) == ("32059", True)
    with db.session() as session:
        assert CatalogueRepository.municipality(session, "32059").name == "Nuevo Municipio"


# --- rule sets and settings -----------------------------------------------------------------


def test_rule_sets_are_frozen_once_per_version(db):
    body = {"mix": {"club": 25, "federal": 25, "state": 25, "municipal": 25}, "caps": []}
    with db.transaction() as session:
        first = RuleSetRepository.freeze(session, rule_id="r", version=1, program="3x1", body=body)
        again = RuleSetRepository.freeze(
            session, rule_id="r", version=1, program="3x1", body=dict(reversed(body.items()))
        )
        assert again.id == first.id
        assert first.digest == digest_of(canonical_json(body)) and len(first.digest) == 64
        assert json.loads(first.body) == body
    with pytest.raises(RuleSetError, match="new version"), db.transaction() as session:
        RuleSetRepository.freeze(session, rule_id="r", version=1, program="3x1", body={"mix": {"club": 50}})
    with pytest.raises(IntegrityError), db.transaction() as session:
        session.add(
            type(first)(
                rule_id="r", version=1, program="3x1", digest="0" * 64, body="{}", source="", verified=False
            )
        )


def test_canonical_json_is_stable():
    assert canonical_json({"b": 1, "a": "Año"}) == '{"a":"Año","b":1}'


def test_settings_round_trip(db):
    with db.transaction() as session:
        assert SettingsRepository.get(session, OFFICE_NAME, "—") == "—"
        SettingsRepository.set(session, OFFICE_NAME, "Presidencia Municipal de Jerez")
        SettingsRepository.set(session, OFFICE_NAME, "H. Ayuntamiento de Jerez")
    with db.session() as session:
        assert SettingsRepository.get(session, OFFICE_NAME) == "H. Ayuntamiento de Jerez"


# --- money trail constraints ----------------------------------------------------------------


def _entry(project_id: int, **values: Any) -> LedgerEntry:
    defaults: dict[str, Any] = {
        "kind": "contribution",
        "party": "club",
        "entry_date": date(2016, 5, 2),
        "amount": 25_000_00,
    }
    return LedgerEntry(project_id=project_id, **(defaults | values))


def test_a_cfdi_may_be_cited_again_in_the_schema_and_entries_stay_append_only(db, listing):
    # One live payment per CFDI is the ledger service's rule (a reversed payment frees its invoice,
    # tests/services/test_ledger.py); the schema only indexes the UUID (migration 0005_cfdi_reuse).
    uuid = "6F9619FF-8B86-D011-B42D-00C04FC964FF"
    with db.transaction() as session:
        session.add(_entry(listing[0]["id"], kind="payment", party=None, amount=-10_000_00, cfdi_uuid=uuid))
        session.add(_entry(listing[1]["id"], kind="payment", party=None, amount=-5_00, cfdi_uuid=uuid))
    # Rebuilding the table for the index kept its append-only triggers.
    with pytest.raises(Exception, match="append-only"), db.transaction() as session:
        session.execute(LedgerEntry.__table__.update().values(amount=1))


def test_an_entry_is_reversed_at_most_once(db, listing):
    with db.transaction() as session:
        original = _entry(listing[0]["id"])
        session.add(original)
        session.flush()
        session.add(_entry(listing[0]["id"], kind="reversal", amount=-25_000_00, reverses_id=original.id))
    with pytest.raises(IntegrityError, match="reverses_id"), db.transaction() as session:
        session.add(_entry(listing[0]["id"], kind="reversal", amount=-25_000_00, reverses_id=original.id))


@pytest.mark.parametrize(
    "values",
    [
        {"amount": 0},
        {"kind": "gift"},
        {"party": "bank"},
        {"kind": "reversal"},  # a reversal must name its entry
    ],
    ids=repr,
)
def test_ledger_checks(db, listing, values):
    with pytest.raises(IntegrityError, match=r"(?i)check"), db.transaction() as session:
        session.add(_entry(listing[0]["id"], **values))
