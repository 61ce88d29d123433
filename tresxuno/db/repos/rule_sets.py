"""Frozen copies of rule sets: each project points at the exact body it was computed under."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tresxuno.db.models import RuleSetRecord
from tresxuno.domain.problems import RuleSetError


def canonical_json(body: Mapping[str, Any]) -> str:
    """The one JSON text of a rule-set body: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def digest_of(canonical: str) -> str:
    """sha256 (hex) of a canonical JSON text, as stored in ``rule_sets.digest``."""
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class RuleSetRepository:
    """Inserts and lookups over ``rule_sets``; rows are never updated."""

    @staticmethod
    def find(session: Session, rule_id: str, version: int) -> RuleSetRecord | None:
        """The stored copy of ``rule_id`` at ``version``, or None."""
        stmt = select(RuleSetRecord).where(RuleSetRecord.rule_id == rule_id, RuleSetRecord.version == version)
        return session.scalars(stmt).one_or_none()

    @staticmethod
    def freeze(
        session: Session,
        *,
        rule_id: str,
        version: int,
        program: str,
        body: Mapping[str, Any],
        source: str = "",
        verified: bool = False,
    ) -> RuleSetRecord:
        """Return the stored copy of this rule set, storing it first if it is new.

        Raises:
            RuleSetError: a copy of ``rule_id`` at ``version`` is stored with a different body: the
                rule set was edited without a new version, which would silently change the rules
                under projects already computed with it.
        """
        canonical = canonical_json(body)
        digest = digest_of(canonical)
        stored = RuleSetRepository.find(session, rule_id, version)
        if stored is not None:
            if stored.digest != digest:
                raise RuleSetError(
                    f"rule set {rule_id!r} version {version} differs from the copy already used by "
                    f"projects (stored digest {stored.digest[:12]}, now {digest[:12]}); give it a new version"
                )
            return stored
        record = RuleSetRecord(
            rule_id=rule_id,
            version=version,
            program=program,
            digest=digest,
            body=canonical,
            source=source,
            verified=verified,
        )
        session.add(record)
        session.flush()
        return record
