"""An office's reach: which municipalities it covers and which actions it may take at all."""

from __future__ import annotations

from tresxuno.domain.jurisdiction import STATE_ACTIONS, WHOLE_DATABASE_ACTIONS, Jurisdiction
from tresxuno.domain.roles import PERMISSIONS

JEREZ = Jurisdiction(1, "Jerez", "municipal", frozenset({"32020"}))
ZACATECAS = Jurisdiction(2, "Zacatecas", "state", state_keys=frozenset({"32"}))
REGION = Jurisdiction(3, "Región sur", "state", frozenset({"32020", "32017"}))


def test_a_municipal_office_covers_its_municipality_only():
    assert JEREZ.covers("32020") and not JEREZ.covers("32010") and not JEREZ.covers("14020")


def test_a_state_office_covers_its_whole_state_or_its_list():
    assert ZACATECAS.covers("32010") and ZACATECAS.covers("32056") and not ZACATECAS.covers("14039")
    assert REGION.covers("32017") and not REGION.covers("32010")


def test_what_every_office_shares_belongs_to_the_whole_database():
    assert set(PERMISSIONS) >= WHOLE_DATABASE_ACTIONS | STATE_ACTIONS
    for office in (JEREZ, ZACATECAS):
        assert not any(office.may_take(a) for a in WHOLE_DATABASE_ACTIONS)
    assert all(ZACATECAS.may_take(a) for a in STATE_ACTIONS)
    assert not any(JEREZ.may_take(a) for a in STATE_ACTIONS)
    everyday = set(PERMISSIONS) - WHOLE_DATABASE_ACTIONS - STATE_ACTIONS
    assert "ledger.record_contribution" in everyday and all(JEREZ.may_take(a) for a in everyday)
