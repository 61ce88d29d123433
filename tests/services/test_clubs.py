"""Listing, filtering and editing clubs and federations: SQL paging, toma status, optimistic edits."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date, timedelta

import pytest

from tresxuno.domain.problems import InputError
from tresxuno.domain.validation import (
    TOMA_WARNING_DAYS,
    ClubInput,
    FederationInput,
    TomaStatus,
    toma_latest_expiry,
)
from tresxuno.services.clubs import (
    NO_FEDERATION,
    SORT_KEYS,
    club_for_edit,
    count_clubs,
    get_club,
    list_clubs,
    list_federations_with_counts,
    register_club,
    register_federation,
    update_club,
    update_federation,
)
from tresxuno.services.places import list_municipalities, list_states

TODAY = date(2026, 6, 1)
JEREZ, FRESNILLO, GUADALAJARA = "32020", "32010", "14039"


def club_input(**changes) -> ClubInput:
    base = ClubInput(
        name="Club Social Jerezano de Los Ángeles",
        toma_folio="TN-LA-2025-0001",
        toma_issuer="Consulado General de México en Los Ángeles",
        toma_issued_on=date(2025, 5, 1),
        toma_expires_on=date(2027, 4, 30),
        members=35,
        us_city="Los Angeles",
        us_state="CA",
        home_state_key="32",
        home_municipality_key=JEREZ,
        home_contact="Rocío Muñoz",
        board=("Presidente: José Ángel Ortiz",),
    )
    return replace(base, **changes)


def toma(expires_on: date, **changes) -> dict:
    """Fields of a toma de nota expiring on ``expires_on``, issued as long before as allowed."""
    issued = expires_on.replace(year=expires_on.year - 2) + timedelta(days=1)
    return {"toma_issued_on": issued, "toma_expires_on": expires_on, **changes}


def codes(exc: pytest.ExceptionInfo[InputError]) -> set[str]:
    return {p.code for p in exc.value.problems}


@pytest.fixture
def registry(db):
    """Two federations and five clubs, one of each toma status and one without federation."""
    zac = register_federation(db, FederationInput("Federación Zacatecana de California", "32", "California"))
    jal = register_federation(db, FederationInput("Federación Jalisciense de Illinois", "14", "Illinois"))
    made = {
        "valid": register_club(
            db,
            club_input(
                name="Club Valle de Jerez",
                federation_id=zac.id,
                **toma(TODAY + timedelta(days=400), toma_folio="F-1"),
            ),
        ),
        "expiring": register_club(
            db,
            club_input(
                name="Club Fresnillo Unido",
                federation_id=zac.id,
                home_municipality_key=FRESNILLO,
                **toma(TODAY + timedelta(days=TOMA_WARNING_DAYS), toma_folio="F-2"),
            ),
        ),
        "lapsed": register_club(
            db,
            club_input(
                name="Club Tapatío de Chicago",
                federation_id=jal.id,
                home_state_key="14",
                home_municipality_key=GUADALAJARA,
                us_city="Chicago",
                us_state="IL",
                **toma(TODAY - timedelta(days=1), toma_folio="F-3"),
            ),
        ),
        "edge": register_club(
            db, club_input(name="Club Último Día", federation_id=zac.id, **toma(TODAY, toma_folio="F-4"))
        ),
        "independent": register_club(
            db,
            club_input(
                name="Club Amigos de Jerez en Dallas",
                us_city="Dallas",
                us_state="TX",
                **toma(TODAY + timedelta(days=TOMA_WARNING_DAYS + 1), toma_folio="F-5"),
            ),
        ),
    }
    return zac, jal, made


def test_rows_carry_names_of_federation_municipality_and_state_and_the_status(db, registry):
    zac, _jal, made = registry
    rows = {r.id: r for r in list_clubs(db, today=TODAY)}
    valid = rows[made["valid"].id]
    assert (valid.federation_name, valid.home_municipality_name, valid.home_state_name) == (
        zac.name,
        "Jerez",
        "Zacatecas",
    )
    assert valid.status is TomaStatus.VALID and valid.version == 1
    assert rows[made["independent"].id].federation_name == ""
    assert rows[made["lapsed"].id].home_state_name == "Jalisco"


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        # The warning window is inclusive: 60 days left is "expiring", 61 is still "valid"; the expiry
        # day itself is the last valid day.
        (TomaStatus.VALID, {"valid", "independent"}),
        (TomaStatus.EXPIRING, {"expiring", "edge"}),
        (TomaStatus.LAPSED, {"lapsed"}),
        (TomaStatus.NOT_YET_VALID, set()),
    ],
)
def test_the_status_filter_in_sql_agrees_with_the_domain_rule(db, registry, status, expected):
    _zac, _jal, made = registry
    names = {made[k].id for k in expected}
    rows = list_clubs(db, status=status, today=TODAY)
    assert {r.id for r in rows} == names
    assert all(r.status is status for r in rows)
    assert count_clubs(db, status=status, today=TODAY) == len(names)
    # The status filter accepts the plain string too (what a combo box stores).
    assert count_clubs(db, status=status.value, today=TODAY) == len(names)


def test_a_toma_issued_in_the_future_is_not_yet_valid(db, registry):
    club = register_club(
        db,
        club_input(
            name="Club Futuro",
            toma_folio="F-9",
            toma_issued_on=TODAY + timedelta(days=3),
            toma_expires_on=TODAY + timedelta(days=300),
        ),
    )
    assert [r.id for r in list_clubs(db, status="not_yet_valid", today=TODAY)] == [club.id]
    assert club.id not in {r.id for r in list_clubs(db, status="valid", today=TODAY)}


def test_text_searches_name_folio_city_municipality_and_federation_ignoring_accents(db, registry):
    _zac, jal, made = registry
    assert {r.id for r in list_clubs(db, text="tapatio", today=TODAY)} == {made["lapsed"].id}
    assert {r.id for r in list_clubs(db, text="f-5", today=TODAY)} == {made["independent"].id}
    assert {r.id for r in list_clubs(db, text="dallas", today=TODAY)} == {made["independent"].id}
    assert {r.id for r in list_clubs(db, text="FRESNILLO", today=TODAY)} == {made["expiring"].id}
    assert {r.federation_id for r in list_clubs(db, text="jalisciense", today=TODAY)} == {jal.id}
    assert count_clubs(db, text="nada parecido", today=TODAY) == 0


def test_federation_filter_including_clubs_without_one(db, registry):
    zac, jal, made = registry
    assert count_clubs(db, federation_id=zac.id) == 3
    assert [r.id for r in list_clubs(db, federation_id=jal.id, today=TODAY)] == [made["lapsed"].id]
    assert [r.id for r in list_clubs(db, federation_id=NO_FEDERATION, today=TODAY)] == [
        made["independent"].id
    ]
    # Filters combine.
    assert count_clubs(db, federation_id=zac.id, status="expiring", today=TODAY) == 2


@pytest.mark.parametrize("sort_key", SORT_KEYS)
def test_every_sort_key_pages_without_gaps_or_overlaps(db, registry, sort_key):
    whole = list_clubs(db, sort_key=sort_key, today=TODAY)
    pages = [
        r
        for offset in range(0, 5, 2)
        for r in list_clubs(db, sort_key=sort_key, today=TODAY, offset=offset, limit=2)
    ]
    assert [r.id for r in pages] == [r.id for r in whole]
    backwards = list_clubs(db, sort_key=sort_key, descending=True, today=TODAY)
    assert sorted(r.id for r in backwards) == sorted(r.id for r in whole)


def test_sorting_by_status_puts_lapsed_first_and_names_sort_in_sql(db, registry):
    _zac, _jal, made = registry
    by_status = list_clubs(db, sort_key="status", today=TODAY)
    assert by_status[0].id == made["lapsed"].id
    expiries = [r.toma_expires_on for r in by_status]
    assert expiries == sorted(expiries)
    names = [r.name for r in list_clubs(db, sort_key="name", descending=True, today=TODAY)]
    assert names == sorted(names, reverse=True)
    with pytest.raises(ValueError, match="sort key"):
        list_clubs(db, sort_key="members; drop table clubs", today=TODAY)


def test_renewing_a_toma_de_nota_is_an_update_that_bumps_the_version(db, registry):
    _zac, _jal, made = registry
    lapsed = club_for_edit(db, made["lapsed"].id)
    renewed_on = TODAY
    data = replace(
        _input_of(lapsed.club),
        toma_folio="TN-CHI-2026-0042",
        toma_issued_on=renewed_on,
        toma_expires_on=toma_latest_expiry(renewed_on),
        toma_issuer="Consulado en Chicago",
    )
    info = update_club(db, lapsed.club.id, data, expected_version=lapsed.version)
    assert (info.toma_folio, info.toma_expires_on) == ("TN-CHI-2026-0042", date(2028, 5, 31))
    assert info.federation_name == "Federación Jalisciense de Illinois"
    assert club_for_edit(db, info.id).version == lapsed.version + 1
    [row] = list_clubs(db, text="tapatío", today=TODAY)
    assert row.status is TomaStatus.VALID
    assert count_clubs(db, status="lapsed", today=TODAY) == 0


def test_moving_a_club_to_another_federation_shows_the_new_name(db, registry):
    zac, _jal, made = registry
    edit = club_for_edit(db, made["independent"].id)
    info = update_club(
        db, edit.club.id, replace(_input_of(edit.club), federation_id=zac.id), expected_version=edit.version
    )
    assert info.federation_name == zac.name
    info = update_club(
        db, edit.club.id, replace(_input_of(edit.club), federation_id=None), expected_version=edit.version + 1
    )
    assert info.federation_name == ""


def test_an_edit_based_on_an_old_version_is_refused_and_writes_nothing(db, registry):
    _zac, _jal, made = registry
    mine = club_for_edit(db, made["valid"].id)
    theirs = club_for_edit(db, made["valid"].id)
    update_club(
        db, theirs.club.id, replace(_input_of(theirs.club), members=50), expected_version=theirs.version
    )

    with pytest.raises(InputError) as exc:
        update_club(
            db, mine.club.id, replace(_input_of(mine.club), members=12), expected_version=mine.version
        )
    [problem] = exc.value.problems
    assert (problem.field, problem.code, problem.params["club"]) == (
        "club",
        "club.changed_elsewhere",
        "Club Valle de Jerez",
    )
    assert get_club(db, mine.club.id).members == 50


def test_an_update_is_checked_like_a_registration(db, registry):
    _zac, _jal, made = registry
    edit = club_for_edit(db, made["valid"].id)
    bad = replace(
        _input_of(edit.club),
        members=4,
        toma_folio="F-3",
        federation_id=999,
        toma_expires_on=edit.club.toma_issued_on + timedelta(days=800),
        home_municipality_key=GUADALAJARA,
    )
    with pytest.raises(InputError) as exc:
        update_club(db, edit.club.id, bad, expected_version=edit.version)
    assert codes(exc) == {
        "members.too_few",
        "toma.too_long",
        "toma.duplicate_folio",
        "federation.unknown",
        "municipality.wrong_state",
    }
    assert club_for_edit(db, edit.club.id) == edit  # nothing written, version unchanged
    # Keeping its own folio is not a duplicate.
    update_club(db, edit.club.id, _input_of(edit.club), expected_version=edit.version)


def test_unknown_clubs_and_federations(db, registry):
    with pytest.raises(InputError) as exc:
        club_for_edit(db, 12345)
    assert codes(exc) == {"club.unknown"}
    with pytest.raises(InputError) as exc:
        update_club(db, 12345, club_input(), expected_version=1)
    assert codes(exc) == {"club.unknown"}
    with pytest.raises(InputError) as exc:
        update_federation(db, 999, FederationInput("X", "32", "Texas"))
    assert codes(exc) == {"federation.unknown"}


def test_federations_with_their_club_counts_and_state_names(db, registry):
    _zac, jal, _made = registry
    empty = register_federation(db, FederationInput("Federación Michoacana", "16", "Illinois"))
    rows = list_federations_with_counts(db)
    assert [(r.name, r.mx_state_name, r.clubs) for r in rows] == [
        ("Federación Jalisciense de Illinois", "Jalisco", 1),
        ("Federación Michoacana", "Michoacán de Ocampo", 0),
        ("Federación Zacatecana de California", "Zacatecas", 3),
    ]
    assert rows[0].info() == jal and rows[1].info() == empty


def test_updating_a_federation_is_checked_like_registering_it(db, registry):
    zac, jal, _made = registry
    with pytest.raises(InputError) as exc:
        update_federation(db, zac.id, FederationInput(jal.name.upper(), "99", " "))
    assert codes(exc) == {"federation.duplicate_name", "text.required"}
    with pytest.raises(InputError) as exc:
        update_federation(db, zac.id, FederationInput(zac.name, "33", "California"))
    assert codes(exc) == {"state.unknown"}

    # Its own name, differently cased, is not a duplicate.
    info = update_federation(
        db, zac.id, FederationInput(zac.name.lower(), "32", "  Sur de California ", "contacto@example.org")
    )
    assert (info.name, info.us_region, info.contact) == (
        zac.name.lower(),
        "Sur de California",
        "contacto@example.org",
    )
    assert [r.name for r in list_federations_with_counts(db)][-1] == zac.name.lower()


def test_catalogue_pairs_for_pickers(db):
    all_states = list_states(db)
    assert len(all_states) == 32 and all_states[0] == ("01", "Aguascalientes")
    assert ("32", "Zacatecas") in all_states
    zacatecas = list_municipalities(db, "32")
    assert (JEREZ, "Jerez") in zacatecas
    assert [name for _key, name in zacatecas] == sorted(name for _key, name in zacatecas)
    assert all(key.startswith("32") for key, _name in zacatecas)
    assert list_municipalities(db, "99") == []


def test_two_windows_saving_at_once_cannot_both_win(db, registry):
    _zac, _jal, made = registry
    edit = club_for_edit(db, made["valid"].id)
    results: list[object] = []

    def save(members: int) -> None:
        try:
            results.append(
                update_club(
                    db,
                    edit.club.id,
                    replace(_input_of(edit.club), members=members),
                    expected_version=edit.version,
                )
            )
        except InputError as exc:
            results.append(exc.problems[0].code)

    threads = [threading.Thread(target=save, args=(n,)) for n in (20, 30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcomes = sorted(r if isinstance(r, str) else "saved" for r in results)
    assert outcomes == ["club.changed_elsewhere", "saved"]
    assert club_for_edit(db, edit.club.id).version == edit.version + 1


def _input_of(club) -> ClubInput:
    return ClubInput(
        name=club.name,
        toma_folio=club.toma_folio,
        toma_issuer=club.toma_issuer,
        toma_issued_on=club.toma_issued_on,
        toma_expires_on=club.toma_expires_on,
        members=club.members,
        us_city=club.us_city,
        us_state=club.us_state,
        home_state_key=club.home_state_key,
        home_municipality_key=club.home_municipality_key,
        home_contact=club.home_contact,
        federation_id=club.federation_id,
        board=club.board,
    )
