"""The trail stores what changed, compressed when long, and still proves every row (issue 17.6)."""

from __future__ import annotations

from sqlalchemy import insert, select, text

from tresxuno.db.models import AuditLogRow, Club, Setting
from tresxuno.domain.actor import Actor, acting_as
from tresxuno.domain.audit import PACKED, load_image, pack_image, unpack_image
from tresxuno.services.audit import check_integrity, history

from . import factories
from .test_audit import records

ANA = Actor("ana", "capturista")


def test_an_update_stores_only_the_changed_columns_and_what_names_the_row(db):
    with db.transaction() as session:
        club_id = factories.club(session, "Club Tepetate").id
    with acting_as(ANA), db.transaction() as session:
        session.get(Club, club_id).members = 40
    record = records(db, "clubs")[-1]
    before, after = load_image(record.before), load_image(record.after)
    assert {"members", "name"} <= set(after) <= {"members", "version", "updated_at", "name"}
    assert (before["members"], after["members"], after["name"]) == (25, 40, "Club Tepetate")
    assert "toma_folio" not in after and "us_city" not in after
    # The history still tells the change, and check still proves the whole row.
    (update,) = [item for item in history(db, "clubs", club_id) if item.action == "update"]
    assert {c.column: (c.before, c.after) for c in update.changes}["members"] == (25, 40)
    assert check_integrity(db).ok


def test_an_unchanged_column_altered_behind_the_apps_back_is_still_found(db):
    with db.transaction() as session:
        club_id = factories.club(session, "Club Tepetate").id
    with acting_as(ANA), db.transaction() as session:
        session.get(Club, club_id).members = 40  # the trail stores members, not us_city
    with db.engine.begin() as conn:  # straight SQL, behind the app's back (no audited session)
        conn.execute(text("UPDATE clubs SET us_city = 'Dallas' WHERE id = :id"), {"id": club_id})
    problem = check_integrity(db).problem
    assert problem is not None and problem.params.get("column") == "us_city"


def test_a_long_image_is_stored_compressed_and_read_back_whole(db):
    rows = [{"key": f"clave-{n:05d}", "value": "valor " * 20} for n in range(400)]
    with acting_as(ANA), db.transaction() as session:
        session.execute(insert(Setting.__table__), rows)
    with db.session() as session:
        stored = session.scalar(
            select(AuditLogRow.after)
            .where(AuditLogRow.table_name == "settings")
            .order_by(AuditLogRow.seq.desc())
        )
    assert stored is not None and stored.startswith(PACKED)
    text = unpack_image(stored)
    assert text is not None and len(stored) * 3 < len(text)
    assert [r[0] for r in load_image(stored)["rows"]][:2] == ["clave-00000", "clave-00001"]
    assert check_integrity(db).ok


def test_short_images_stay_readable_text():
    assert pack_image('{"a":1}') == '{"a":1}' and unpack_image('{"a":1}') == '{"a":1}'
    assert pack_image(None) is None and load_image(None) is None


def test_a_trail_compressed_by_an_earlier_release_still_reads_and_verifies():
    """The first compressed trails used base85; they are read as they were stored (their hash covers it)."""
    import base64
    import zlib

    from tresxuno.domain.audit import PACKED_B85

    text = '{"rows":[' + ",".join(f'["clave-{n}",{n}]' for n in range(300)) + "]}"
    old = PACKED_B85 + base64.b85encode(zlib.compress(text.encode("utf-8"))).decode("ascii")
    assert unpack_image(old) == text and load_image(old) == load_image(text)
    assert pack_image(text).startswith(PACKED) and unpack_image(pack_image(text)) == text
