"""Consolidation packages: what a municipal office sends the state, and the checks before anything is read.

A package is a stretch of the office's audit trail (every change to its data, in order, hash-chained)
plus the attached files those changes name, described by a manifest and signed with the office's
Ed25519 key. The state office trusts a package only if its signature verifies with the public key
registered for that office, every member's SHA-256 matches the manifest, the records link one to
the next, and it starts where the last package from that office ended. Pure Python (no database).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from tresxuno.domain.problems import Problem

#: The format a package declares; a later incompatible layout changes the number.
FORMAT = "tresxuno-consolidation/1"
MANIFEST, TRAIL, SIGNATURE, FILES = "manifest.json", "trail.jsonl", "signature.hex", "files/"


def new_private_key() -> bytes:
    """32 random bytes of a new Ed25519 private key."""
    from cryptography.hazmat.primitives import serialization

    key = Ed25519PrivateKey.generate()
    return key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def public_key_of(private: bytes) -> str:
    """The hex public key that verifies what ``private`` signs (what the state registers)."""
    from cryptography.hazmat.primitives import serialization

    public = Ed25519PrivateKey.from_private_bytes(private).public_key()
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def sign(private: bytes, data: bytes) -> str:
    """The hex Ed25519 signature of ``data``."""
    return Ed25519PrivateKey.from_private_bytes(private).sign(data).hex()


def signature_holds(public_hex: str, data: bytes, signature_hex: str) -> bool:
    """Whether ``signature_hex`` is the registered key's signature of ``data``."""
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex)).verify(
            bytes.fromhex(signature_hex), data
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Manifest:
    """What a package says it holds.

    Attributes:
        source_id: the office database's own id (a UUID it made once).
        office_name, municipality_key: the office as its settings name it (shown to the state).
        from_seq, to_seq: the first and last trail record carried.
        prev_hash: the hash of the record before ``from_seq`` (the genesis for the first package).
        head_hash: the hash of record ``to_seq``.
        members: file name in the package -> its SHA-256.
        created_at, created_by: when and by whom it was exported.
    """

    source_id: str
    office_name: str
    municipality_key: str
    from_seq: int
    to_seq: int
    prev_hash: str
    head_hash: str
    members: Mapping[str, str]
    created_at: str
    created_by: str

    def to_bytes(self) -> bytes:
        """The manifest as signed: canonical JSON."""
        data = {"format": FORMAT, **{k: getattr(self, k) for k in self.__dataclass_fields__}}
        data["members"] = dict(sorted(self.members.items()))
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> Manifest | None:
        """The manifest read back; None when it is not one of this format."""
        try:
            raw = json.loads(data.decode("utf-8"))
            if raw.get("format") != FORMAT:
                return None
            return cls(
                source_id=str(raw["source_id"]),
                office_name=str(raw["office_name"]),
                municipality_key=str(raw["municipality_key"]),
                from_seq=int(raw["from_seq"]),
                to_seq=int(raw["to_seq"]),
                prev_hash=str(raw["prev_hash"]),
                head_hash=str(raw["head_hash"]),
                members={str(k): str(v) for k, v in dict(raw["members"]).items()},
                created_at=str(raw["created_at"]),
                created_by=str(raw["created_by"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return None


def chain_problem(manifest: Manifest, records: Iterable[Mapping[str, Any]]) -> Problem | None:
    """Why the records do not form the stretch the manifest names, or None when they do.

    Each record's ``prev_hash`` must be the hash of the one before (the first one's, the manifest's
    ``prev_hash``), sequence numbers must run without a gap from ``from_seq`` to ``to_seq``, and the
    last hash must be the manifest's ``head_hash``.
    """
    expected_seq, previous = manifest.from_seq, manifest.prev_hash
    for record in records:
        if int(record["seq"]) != expected_seq or record["prev_hash"] != previous:
            return Problem("package", "consolidation.broken_chain", {"seq": record.get("seq")})
        expected_seq, previous = expected_seq + 1, str(record["hash"])
    if expected_seq != manifest.to_seq + 1 or previous != manifest.head_hash:
        return Problem("package", "consolidation.broken_chain", {"seq": expected_seq})
    return None


@dataclass(frozen=True)
class Position:
    """Where the state's copy of an office stands: the last record imported and its hash."""

    source_id: str
    to_seq: int
    head_hash: str


def where_to_start(manifest: Manifest, last: Position | None, hash_at: Mapping[int, str]) -> int | Problem:
    """The first record of the package to apply, or why the package does not chain on.

    ``hash_at`` maps a sequence number of the package to its record's hash. A first package must
    start at record 1. A later one must come from the same database and contain (or start right
    after) the last record imported, with the same hash; the records up to it are skipped, so
    importing a package twice, or one that overlaps the last, changes nothing twice. Returns
    ``to_seq + 1`` when everything was imported already.
    """
    if last is None:
        if manifest.from_seq != 1:
            return Problem("package", "consolidation.not_first", {"from_seq": manifest.from_seq})
        return 1
    if manifest.source_id != last.source_id:
        return Problem("package", "consolidation.other_source", {})
    if manifest.to_seq <= last.to_seq:
        return manifest.to_seq + 1  # already here
    if manifest.from_seq == last.to_seq + 1:
        if manifest.prev_hash != last.head_hash:
            return Problem("package", "consolidation.does_not_chain", {"seq": last.to_seq})
        return manifest.from_seq
    if manifest.from_seq > last.to_seq + 1:
        return Problem(
            "package", "consolidation.gap", {"expected": last.to_seq + 1, "from_seq": manifest.from_seq}
        )
    if hash_at.get(last.to_seq) != last.head_hash:
        return Problem("package", "consolidation.does_not_chain", {"seq": last.to_seq})
    return last.to_seq + 1
