"""The audit trail in words: every audited column has a human label, values read as people write them."""

from __future__ import annotations

import time

import pytest

from tresxuno.db.audit import UNAUDITED
from tresxuno.db.models import Base
from tresxuno.domain.audit import FieldChange
from tresxuno.i18n import set_language
from tresxuno.services.audit_text import TABLE_LABELS, changes_text, column_label, value_text, what_text

AUDITED = [t for t in Base.metadata.sorted_tables if t.name not in UNAUDITED]


@pytest.fixture
def mexico_city(monkeypatch):
    monkeypatch.setenv("TZ", "America/Mexico_City")  # UTC-6, no daylight saving since 2022
    time.tzset()
    yield
    monkeypatch.delenv("TZ")
    time.tzset()


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_audited_column_has_a_label_not_its_database_name(lang):
    set_language(lang)
    try:
        unlabelled = [
            f"{t.name}.{c.name}" for t in AUDITED for c in t.columns if column_label(c.name, t.name) == c.name
        ]
        unnamed = [t.name for t in AUDITED if t.name not in TABLE_LABELS]
    finally:
        set_language("es")
    assert unlabelled == [] and unnamed == []


def test_labels_are_translated():
    assert column_label("cost") == "Costo total"
    assert column_label("created_at") == "Creado el"
    assert column_label("seat", "municipalities") != column_label("seat", "social_committee_members")


def test_a_stored_utc_time_reads_as_local_time_to_the_second(mexico_city):
    assert value_text("changed_at", "2026-12-05 03:01:07.654321") == "04/12/2026 21:01:07"
    assert value_text("entry_date", "2026-12-05") == "05/12/2026"


def test_an_added_ledger_entry_reads_in_words():
    changes = (
        FieldChange("id", None, 41),
        FieldChange("kind", None, "contribution"),
        FieldChange("party", None, "state"),
        FieldChange("amount", None, 123456),
        FieldChange("usd_amount", None, 1000),
        FieldChange("reverses_id", None, None),
    )
    text = changes_text(changes, "insert", "ledger_entries")
    assert text.startswith("Tipo: Aportación; Parte: Estatal; Monto: $1,234.56; Monto en dólares: ")
    assert "US$10.00" in text and "Revierte el movimiento: —" in text
    for raw in ("kind", "party", "amount", "contribution", "state", "reverses_id", "41"):
        assert raw not in text, raw
    assert what_text("ledger_entries", "41", "insert") == "Movimiento 41 agregado"


def test_a_covam_session_kind_is_not_read_as_a_ledger_kind():
    assert value_text("kind", "extraordinaria", "covam_sessions") == "Extraordinaria"


def test_the_whole_trail_exports_in_words_oldest_first_with_local_seconds(
    db, tmp_path, mexico_city, monkeypatch
):
    import csv
    from datetime import datetime, timedelta

    from sqlalchemy import text

    from tests.services.test_registry_and_projects import club_input
    from tresxuno.domain.actor import Actor, acting_as
    from tresxuno.services import audit_text
    from tresxuno.services.clubs import register_club

    monkeypatch.setattr(audit_text, "EXPORT_BATCH", 1)  # several batches on a small trail
    with acting_as(Actor("=beto", "capturista")):  # a name that would start a formula
        register_club(db, club_input())
    steps = []
    path = tmp_path / "bitacora.csv"
    written = audit_text.export_trail(db, path, progress=lambda d, t, m: steps.append((d, t)))
    with path.open(encoding="utf-8-sig", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    with db.engine.connect() as conn:
        stored = conn.execute(text("SELECT seq, at FROM audit_log ORDER BY seq")).all()
    assert written == len(rows) == len(stored) >= 2 and steps[-1] == (written, written)
    assert len(steps) == written + 1  # one report per batch, after the first
    assert header[1] == "Cuándo (hora local)"
    assert [int(r[0]) for r in rows] == [seq for seq, _at in stored]
    last_at = stored[-1][1] if isinstance(stored[-1][1], datetime) else datetime.fromisoformat(stored[-1][1])
    assert rows[-1][1] == (last_at - timedelta(hours=6)).strftime("%d/%m/%Y %H:%M:%S")
    club = next(r for r in rows if r[3].startswith("Club "))  # registering also files its toma de nota
    assert club[2] == "'=beto (Capturista)" and rows[-1][2] == "'=beto (Capturista)"
    assert "Nombre: " in club[4] and "name:" not in club[4]
