"""The audit trail's pure rules: canonical images, the hash chain and the ledger's invariants."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime

from tresxuno.domain.audit import (
    GENESIS,
    AuditRecord,
    ChainVerifier,
    LedgerRow,
    bulk_image,
    chain_hash,
    dumps,
    expected_hash,
    field_changes,
    image,
    ledger_problems,
    record_text,
)

AT = datetime(2026, 3, 1, 17, 5, 9)


def chain(*afters: str) -> list[AuditRecord]:
    prev, out = GENESIS, []
    for seq, after in enumerate(afters, start=1):
        text = record_text(seq, AT, "ana", "tesorería", "insert", "settings", str(seq), None, None, after)
        digest = chain_hash(prev, text)
        out.append(
            AuditRecord(
                seq, AT, "ana", "tesorería", "insert", "settings", str(seq), None, None, after, prev, digest
            )
        )
        prev = digest
    return out


def test_images_are_canonical_json_with_iso_dates_and_centavos():
    row = {"amount": 1_234_56, "entry_date": date(2016, 5, 2), "created_at": AT, "password_hash": "x"}
    # A secret is kept as a digest: check sees it swapped, nobody reads it back.
    digest = "***" + hashlib.sha256(b"x").hexdigest()
    assert dumps(image(row)) == (
        '{"amount":123456,"created_at":"2026-03-01T17:05:09","entry_date":"2016-05-02",'
        f'"password_hash":"{digest}"}}'
    )


def test_a_bulk_image_lists_rows_under_their_columns():
    text = bulk_image(["amount", "day"], {"note": ""}, [{"amount": 5, "day": date(2020, 1, 2)}])
    assert json.loads(text) == {
        "columns": ["amount", "day"],
        "defaults": {"note": ""},
        "rows": [[5, "2020-01-02"]],
    }


def test_a_sound_chain_verifies_and_any_edit_breaks_the_link_it_is_in():
    records = chain('{"v":1}', '{"v":2}', '{"v":3}')
    verifier = ChainVerifier()
    assert all(verifier.feed(r) for r in records)
    assert verifier.finish(3, records[-1].hash) is None
    edited = [records[0], AuditRecord(**{**records[1].__dict__, "after": '{"v":9}'}), records[2]]
    verifier = ChainVerifier()
    assert [verifier.feed(r) for r in edited] == [True, False, False]
    assert verifier.problem.params == {"seq": 2, "table": "settings", "row": "2"}
    assert expected_hash(records[1], records[0].hash) == records[1].hash


def test_ledger_invariants_name_the_first_broken_rule():
    entries = [LedgerRow(1, 10, "contribution", 500, None), LedgerRow(2, 10, "reversal", -500, 1)]
    totals = [(1, 500), (2, -500)]
    assert ledger_problems(entries, totals) is None
    assert ledger_problems(entries, totals, targets={1}) is None
    assert ledger_problems(entries, [(1, 400), (2, -500)]).code == "ledger.lines_differ"
    assert ledger_problems(entries, [(1, 500)]).params == {"id": 2, "total": 0, "amount": -500}
    assert ledger_problems(entries, [(0, 7), *totals]).params == {"id": 0}  # lines without an entry
    assert ledger_problems(entries, [*totals, (3, 7)]).params == {"id": 3}
    twice = [*entries, LedgerRow(3, 10, "reversal", -500, 1)]
    assert ledger_problems(twice, [*totals, (3, -500)]).code == "ledger.reversed_twice"
    missing = [LedgerRow(4, 10, "reversal", -5, 99)]
    assert ledger_problems(missing, [(4, -5)]).code == "ledger.reversal_target"
    # A reversal names an earlier entry of its own project; one of another project is refused.
    other = [LedgerRow(1, 10, "contribution", 500, None), LedgerRow(2, 12, "reversal", -500, 1)]
    assert ledger_problems(other, totals).code == "ledger.reversal_target"
    cancels_less = [LedgerRow(1, 10, "contribution", 500, None), LedgerRow(2, 10, "reversal", -400, 1)]
    assert ledger_problems(cancels_less, [(1, 500), (2, -400)]).code == "ledger.reversal_amount"
    overdrawn = [LedgerRow(5, 11, "payment", -5, None)]
    problem = ledger_problems(overdrawn, [(5, -5)])
    assert (problem.code, problem.params) == ("ledger.cash_negative", {"project": 11, "amount": -5})


def test_field_changes_list_what_an_update_changed_and_skip_bookkeeping():
    changes = field_changes('{"members":25,"name":"A","version":1}', '{"members":40,"name":"A","version":2}')
    assert [(c.column, c.before, c.after) for c in changes] == [("members", 25, 40)]


def test_a_history_shows_that_a_secret_changed_but_never_its_digest():
    before = dumps(image({"role": "auditor", "password_hash": "$argon2id$old"}))
    after = dumps(image({"role": "auditor", "password_hash": "$argon2id$new"}))
    [change] = field_changes(before, after)
    assert (change.column, change.before, change.after) == ("password_hash", "***", "***")
