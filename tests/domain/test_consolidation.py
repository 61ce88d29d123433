"""The package rules on their own: signatures, the chain inside a package, and where an import starts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tresxuno.domain.audit import GENESIS
from tresxuno.domain.consolidation import (
    Manifest,
    Position,
    chain_problem,
    new_private_key,
    public_key_of,
    sign,
    signature_holds,
    where_to_start,
)
from tresxuno.domain.problems import Problem


def _manifest(start: int, end: int, prev: str = GENESIS, head: str = "h", source: str = "s") -> Manifest:
    return Manifest(source, "Jerez", "32020", start, end, prev, head, {}, "2026-12-05T10:00:00", "admin")


def _records(start: int, end: int, prev: str = GENESIS) -> list[dict]:
    records = []
    for seq in range(start, end + 1):
        records.append({"seq": seq, "prev_hash": prev, "hash": f"h{seq}"})
        prev = f"h{seq}"
    return records


def test_a_signature_verifies_only_the_signed_bytes_with_the_signers_key():
    key, other = new_private_key(), new_private_key()
    body = _manifest(1, 3).to_bytes()
    signature = sign(key, body)
    assert signature_holds(public_key_of(key), body, signature)
    assert not signature_holds(public_key_of(other), body, signature)
    assert not signature_holds(public_key_of(key), body.replace(b"Jerez", b"Jerex"), signature)
    assert not signature_holds(public_key_of(key), body, "zz")


def test_a_manifest_reads_back_as_written_and_refuses_another_format():
    m = _manifest(4, 9, prev="a" * 64, head="b" * 64)
    assert Manifest.from_bytes(m.to_bytes()) == m
    assert Manifest.from_bytes(b'{"format": "otro/1"}') is None
    assert Manifest.from_bytes(b"no es json") is None


def test_the_chain_inside_a_package_must_link_without_gaps():
    records = _records(1, 5)
    assert chain_problem(_manifest(1, 5, head="h5"), records) is None
    assert chain_problem(_manifest(1, 5, head="h4"), records) is not None  # wrong head
    assert chain_problem(_manifest(1, 5, head="h5"), records[:2] + records[3:]) is not None  # a gap
    forged = [dict(r) for r in records]
    forged[2]["prev_hash"] = "x"
    assert chain_problem(_manifest(1, 5, head="h5"), forged) is not None


def test_where_an_import_starts():
    first = _manifest(1, 5, head="h5")
    hashes = {r["seq"]: r["hash"] for r in _records(1, 5)}
    assert where_to_start(first, None, hashes) == 1
    assert isinstance(where_to_start(_manifest(2, 5), None, hashes), Problem)  # a first package starts at 1
    here = Position("s", 3, "h3")
    assert where_to_start(first, here, hashes) == 4  # overlapping: records up to 3 are skipped
    assert where_to_start(_manifest(1, 3, head="h3"), here, hashes) == 4  # all here already
    assert isinstance(where_to_start(first, Position("s", 3, "otro"), hashes), Problem)  # does not chain
    assert isinstance(where_to_start(_manifest(6, 9, prev="h5"), here, {}), Problem)  # a gap
    assert isinstance(where_to_start(first, Position("otra", 3, "h3"), hashes), Problem)  # another file


@given(
    start=st.integers(1, 50),
    length=st.integers(0, 50),
    last=st.one_of(st.none(), st.integers(1, 120)),
    same_hash=st.booleans(),
)
def test_an_import_never_applies_a_record_twice_nor_skips_one(start, length, last, same_hash):
    """Whatever the package and the state's position, the result starts right after what is here."""
    end = start + length
    records = _records(start, end, prev=f"h{start - 1}" if start > 1 else GENESIS)
    hashes = {r["seq"]: r["hash"] for r in records}
    manifest = _manifest(start, end, prev=records[0]["prev_hash"], head=records[-1]["hash"])
    position = None if last is None else Position("s", last, f"h{last}" if same_hash else "otro")
    result = where_to_start(manifest, position, hashes)
    if isinstance(result, Problem):
        return
    if position is None:
        assert result == 1 == start
    elif result <= end:
        assert result == position.to_seq + 1 and start <= result  # continues exactly after the last one
        assert same_hash
    else:
        assert end <= position.to_seq  # everything was here: nothing is applied
