"""Reading a stamped CFDI 3.2, 3.3 or 4.0 electronic invoice (XML) as evidence of a payment, safely.

Payments of 2017-2022 carry CFDI 3.3 invoices, earlier ones CFDI 3.2 and later ones CFDI 4.0; all
three are read into one :class:`Cfdi` record, so the money trail never asks which version it had.
The versions differ only in where the same facts live: 3.2 writes its attributes in lower case
(``total``, ``fecha``, ``tipoDeComprobante`` spelt out as ``ingreso``...) and its stamp is
TimbreFiscalDigital 1.0; 3.3 (same namespace) and 4.0 capitalise them, use the one-letter kinds and
the 1.1 stamp.

A CFDI comes from outside the office (a contractor e-mails it), so the reader treats it as hostile:
the input is capped at :data:`MAX_CFDI_BYTES` and parsed with ``defusedxml`` with DTDs, entity
declarations and external references all forbidden, which stops entity-expansion bombs ("billion
laughs") and external-entity (XXE) file reads before any expansion happens. Only the few fields the
money trail needs are read; the digital seals are not verified (that is SAT's web service's job).
The RFCs on it are taken as SAT issued them: no check-digit test (some real ones fail it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element, ParseError

import defusedxml
from defusedxml import ElementTree as SafeTree

from tresxuno.domain.money import Money
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.rfc import normalize_rfc

#: The largest CFDI file accepted; real invoices are a few kilobytes, ones with many concepts a few
#: hundred, so anything larger is refused before parsing.
MAX_CFDI_BYTES = 2 * 1024 * 1024
CFDI3_NS = "http://www.sat.gob.mx/cfd/3"
CFDI4_NS = "http://www.sat.gob.mx/cfd/4"
TFD_NS = "http://www.sat.gob.mx/TimbreFiscalDigital"
#: The newest version, the one an invoice issued today has.
VERSION = "4.0"
#: The versions read, oldest first (named in ``cfdi.version`` problems).
VERSIONS = ("3.2", "3.3", "4.0")
#: ``TipoDeComprobante`` of an invoice (ingreso), the only kind that proves a payment was owed. A
#: credit note (E, egreso) lowers an invoice, a payment receipt (P, pago) documents money paid
#: against another invoice, a transfer (T) or payroll (N) CFDI bills nothing to the municipality.
INVOICE = "I"
KINDS = {"I": "ingreso", "E": "egreso", "T": "traslado", "N": "nómina", "P": "pago"}
#: CFDI 3.2 spells the kind out; these are its words (any case) and their one-letter kind.
_KINDS_3_2 = {"ingreso": "I", "egreso": "E", "traslado": "T"}
#: How CFDI 3.2 issuers wrote pesos in ``Moneda`` (free text before SAT's currency catalogue).
_PESOS = frozenset(
    {"MXN", "MXP", "MN", "M.N.", "PESO", "PESOS", "PESOS MEXICANOS", "PESO MEXICANO", "NACIONAL"}
)

_UUID = re.compile(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}")
_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")


@dataclass(frozen=True)
class _Layout:
    """Where one CFDI version keeps the fields read: its namespace and attribute names."""

    namespace: str
    total: str
    date: str
    kind: str
    rfc: str
    name: str


_LAYOUTS = {
    "3.2": _Layout(CFDI3_NS, "total", "fecha", "tipoDeComprobante", "rfc", "nombre"),
    "3.3": _Layout(CFDI3_NS, "Total", "Fecha", "TipoDeComprobante", "Rfc", "Nombre"),
    "4.0": _Layout(CFDI4_NS, "Total", "Fecha", "TipoDeComprobante", "Rfc", "Nombre"),
}


@dataclass(frozen=True)
class Cfdi:
    """The fields of a stamped CFDI (3.2, 3.3 or 4.0) the money trail uses, whatever its version.

    Attributes:
        uuid: the fiscal folio from ``tfd:TimbreFiscalDigital``, upper case (36 characters);
            it identifies the invoice nationally, so one CFDI backs at most one payment.
        version: ``"3.2"``, ``"3.3"`` or ``"4.0"``.
        issuer_rfc, issuer_name: ``cfdi:Emisor`` (who was paid).
        receiver_rfc, receiver_name: ``cfdi:Receptor`` (who paid: usually the municipality).
        total: ``Total`` in centavos of ``currency``.
        currency: ``Moneda``, e.g. ``"MXN"``; a 3.2 invoice without it, or with pesos written as
            ``"Pesos"`` or ``"MN"``, reads ``"MXN"``.
        issued_at: ``Fecha``, local time of the issuer (no time zone, as SAT writes it).
        stamped_at: ``FechaTimbrado`` of the stamp, or None when absent.
        kind: ``TipoDeComprobante`` as one letter (I, E, T, N or P; 3.2's ``ingreso`` is ``I``);
            :func:`parse_cfdi` returns only invoices (``I``) unless asked for any kind.
    """

    uuid: str
    version: str
    issuer_rfc: str
    issuer_name: str
    receiver_rfc: str
    receiver_name: str
    total: int
    currency: str
    issued_at: datetime
    stamped_at: datetime | None = None
    kind: str = INVOICE


def parse_cfdi(data: bytes, *, field: str = "cfdi", invoices_only: bool = True) -> Cfdi:
    """Read a stamped CFDI 3.2, 3.3 or 4.0 from the bytes of its XML file.

    Args:
        data: the file's content, at most :data:`MAX_CFDI_BYTES`.
        field: the input field named in any problem.
        invoices_only: refuse every kind but an invoice (``I``, ingreso), the only evidence of a
            payment; False reads credit notes, payment receipts and the rest too.

    Returns:
        The CFDI's fields.

    Raises:
        InputError: with one problem: ``cfdi.too_large`` (``max`` bytes), ``cfdi.unsafe`` (a DTD,
            entity declaration or external reference: never expanded), ``cfdi.malformed`` (not
            well-formed XML), ``cfdi.not_cfdi`` (XML, but not a Comprobante), ``cfdi.version``
            (``version`` found, ``expected``: 3.2, 3.3 and 4.0 are read), ``cfdi.no_uuid`` (not
            stamped: no TimbreFiscalDigital with a UUID), ``cfdi.field_missing`` (``attribute``) or
            ``cfdi.field_invalid`` (``attribute``, ``value``), or ``cfdi.not_invoice`` (``kind``,
            ``name``: a credit note, payment receipt, transfer or payroll CFDI).
    """
    if len(data) > MAX_CFDI_BYTES:
        raise InputError(Problem(field, "cfdi.too_large", {"max": MAX_CFDI_BYTES, "size": len(data)}))
    try:
        root = SafeTree.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as exc:
        raise InputError(Problem(field, "cfdi.unsafe", {"detail": type(exc).__name__})) from None
    except (ParseError, ValueError) as exc:
        raise InputError(Problem(field, "cfdi.malformed", {"detail": str(exc)[:200]})) from None

    namespace, _sep, local = root.tag[1:].partition("}") if root.tag.startswith("{") else ("", "", root.tag)
    if local != "Comprobante":
        raise InputError(Problem(field, "cfdi.not_cfdi", {"root": local}))
    # CFDI 3.2 wrote the attribute in lower case; 3.3 and 4.0 capitalise it.
    version = (root.get("Version") or root.get("version") or "").strip()
    layout = _LAYOUTS.get(version)
    if layout is None or namespace != layout.namespace:
        raise InputError(
            Problem(field, "cfdi.version", {"version": version[:10] or "?", "expected": ", ".join(VERSIONS)})
        )

    stamp = root.find(f"{{{namespace}}}Complemento/{{{TFD_NS}}}TimbreFiscalDigital")
    uuid = (stamp.get("UUID") or "").strip().upper() if stamp is not None else ""
    if not _UUID.fullmatch(uuid):
        raise InputError(Problem(field, "cfdi.no_uuid", {}))

    kind = _kind(_attribute(root, layout.kind, "Comprobante", field).strip(), version)
    if invoices_only and kind != INVOICE:
        raise InputError(
            Problem(field, "cfdi.not_invoice", {"kind": kind[:10], "name": KINDS.get(kind, "?")})
        )
    issuer = _child(root, namespace, "Emisor", field)
    receiver = _child(root, namespace, "Receptor", field)
    return Cfdi(
        uuid=uuid,
        version=version,
        issuer_rfc=normalize_rfc(_attribute(issuer, layout.rfc, "Emisor", field)),
        issuer_name=(issuer.get(layout.name) or "").strip(),
        receiver_rfc=normalize_rfc(_attribute(receiver, layout.rfc, "Receptor", field)),
        receiver_name=(receiver.get(layout.name) or "").strip(),
        total=_centavos(_attribute(root, layout.total, "Comprobante", field), layout.total, field),
        currency=_currency(root, version, field),
        issued_at=_timestamp(_attribute(root, layout.date, "Comprobante", field), layout.date, field),
        stamped_at=_timestamp(stamp.get("FechaTimbrado"), "FechaTimbrado", field)
        if stamp is not None and stamp.get("FechaTimbrado")
        else None,
        kind=kind,
    )


def _kind(text: str, version: str) -> str:
    """The one-letter kind: 3.2's words (``ingreso``...) mapped, 3.3/4.0's letter as written."""
    if version == "3.2":
        return _KINDS_3_2.get(text.lower(), text)
    return text


def _currency(root: Element, version: str, field: str) -> str:
    """``Moneda``; required from 3.3 on, optional and free text in 3.2 (absent meant pesos)."""
    if version != "3.2":
        return _attribute(root, "Moneda", "Comprobante", field).strip().upper()
    text = (root.get("Moneda") or root.get("moneda") or "").strip().upper()
    return "MXN" if not text or text in _PESOS else text


def _child(root: Element, namespace: str, name: str, field: str) -> Element:
    found = root.find(f"{{{namespace}}}{name}")
    if found is None:
        raise InputError(Problem(field, "cfdi.field_missing", {"attribute": f"cfdi:{name}"}))
    return found


def _attribute(element: Element, name: str, owner: str, field: str) -> str:
    value = element.get(name)
    if value is None or not value.strip():
        raise InputError(Problem(field, "cfdi.field_missing", {"attribute": f"{owner}/@{name}"}))
    return value


def _centavos(text: str, name: str, field: str) -> int:
    """``Total`` in centavos; SAT allows up to 6 decimals, but beyond the centavo they must be zeros."""
    value = text.strip()
    try:
        if not _DECIMAL.fullmatch(value):
            raise InvalidOperation
        return Money.from_decimal(Decimal(value)).centavos
    except (InvalidOperation, ValueError):
        raise InputError(
            Problem(field, "cfdi.field_invalid", {"attribute": name, "value": value[:40]})
        ) from None


def _timestamp(text: str | None, name: str, field: str) -> datetime:
    try:
        return datetime.fromisoformat((text or "").strip())
    except ValueError:
        raise InputError(
            Problem(field, "cfdi.field_invalid", {"attribute": name, "value": (text or "")[:40]})
        ) from None
