"""Reading a CFDI 4.0 electronic invoice (XML) as evidence of a payment, safely.

A CFDI comes from outside the office (a contractor e-mails it), so the reader treats it as hostile:
the input is capped at :data:`MAX_CFDI_BYTES` and parsed with ``defusedxml`` with DTDs, entity
declarations and external references all forbidden, which stops entity-expansion bombs ("billion
laughs") and external-entity (XXE) file reads before any expansion happens. Only the few fields the
money trail needs are read; the digital seals are not verified (that is SAT's web service's job).
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
CFDI4_NS = "http://www.sat.gob.mx/cfd/4"
TFD_NS = "http://www.sat.gob.mx/TimbreFiscalDigital"
VERSION = "4.0"
#: ``TipoDeComprobante`` of an invoice (ingreso), the only kind that proves a payment was owed. A
#: credit note (E, egreso) lowers an invoice, a payment receipt (P, pago) documents money paid
#: against another invoice, a transfer (T) or payroll (N) CFDI bills nothing to the municipality.
INVOICE = "I"
KINDS = {"I": "ingreso", "E": "egreso", "T": "traslado", "N": "nómina", "P": "pago"}

_UUID = re.compile(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}")
_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")


@dataclass(frozen=True)
class Cfdi:
    """The fields of a stamped CFDI 4.0 the money trail uses.

    Attributes:
        uuid: the fiscal folio from ``tfd:TimbreFiscalDigital``, upper case (36 characters);
            it identifies the invoice nationally, so one CFDI backs at most one payment.
        version: ``"4.0"``.
        issuer_rfc, issuer_name: ``cfdi:Emisor`` (who was paid).
        receiver_rfc, receiver_name: ``cfdi:Receptor`` (who paid: usually the municipality).
        total: ``Total`` in centavos of ``currency``.
        currency: ``Moneda``, e.g. ``"MXN"``.
        issued_at: ``Fecha``, local time of the issuer (no time zone, as SAT writes it).
        stamped_at: ``FechaTimbrado`` of the stamp, or None when absent.
        kind: ``TipoDeComprobante``; :func:`parse_cfdi` only returns invoices (``I``).
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


def parse_cfdi(data: bytes, *, field: str = "cfdi") -> Cfdi:
    """Read a CFDI 4.0 from the bytes of its XML file.

    Args:
        data: the file's content, at most :data:`MAX_CFDI_BYTES`.
        field: the input field named in any problem.

    Returns:
        The invoice's fields.

    Raises:
        InputError: with one problem: ``cfdi.too_large`` (``max`` bytes), ``cfdi.unsafe`` (a DTD,
            entity declaration or external reference: never expanded), ``cfdi.malformed`` (not
            well-formed XML), ``cfdi.not_cfdi`` (XML, but not a Comprobante), ``cfdi.version``
            (``version`` found: only 4.0 is accepted), ``cfdi.no_uuid`` (not stamped: no
            TimbreFiscalDigital with a UUID), ``cfdi.field_missing`` (``attribute``) or
            ``cfdi.field_invalid`` (``attribute``, ``value``), or ``cfdi.not_invoice`` (``kind``,
            ``name``: a credit note, payment receipt, transfer or payroll CFDI; only an invoice, ``I``,
            is evidence of a payment).
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
    version = root.get("Version") or root.get("version") or ""
    if namespace != CFDI4_NS or version != VERSION:
        raise InputError(Problem(field, "cfdi.version", {"version": version or "?", "expected": VERSION}))

    stamp = root.find(f"{{{CFDI4_NS}}}Complemento/{{{TFD_NS}}}TimbreFiscalDigital")
    uuid = (stamp.get("UUID") or "").strip().upper() if stamp is not None else ""
    if not _UUID.fullmatch(uuid):
        raise InputError(Problem(field, "cfdi.no_uuid", {}))

    kind = _attribute(root, "TipoDeComprobante", "Comprobante", field).strip()
    if kind != INVOICE:
        raise InputError(
            Problem(field, "cfdi.not_invoice", {"kind": kind[:10], "name": KINDS.get(kind, "?")})
        )
    issuer = _child(root, "Emisor", field)
    receiver = _child(root, "Receptor", field)
    return Cfdi(
        uuid=uuid,
        version=version,
        issuer_rfc=normalize_rfc(_attribute(issuer, "Rfc", "Emisor", field)),
        issuer_name=(issuer.get("Nombre") or "").strip(),
        receiver_rfc=normalize_rfc(_attribute(receiver, "Rfc", "Receptor", field)),
        receiver_name=(receiver.get("Nombre") or "").strip(),
        total=_centavos(_attribute(root, "Total", "Comprobante", field), field),
        currency=_attribute(root, "Moneda", "Comprobante", field).strip().upper(),
        issued_at=_timestamp(_attribute(root, "Fecha", "Comprobante", field), "Fecha", field),
        stamped_at=_timestamp(stamp.get("FechaTimbrado"), "FechaTimbrado", field)
        if stamp is not None and stamp.get("FechaTimbrado")
        else None,
        kind=kind,
    )


def _child(root: Element, name: str, field: str) -> Element:
    found = root.find(f"{{{CFDI4_NS}}}{name}")
    if found is None:
        raise InputError(Problem(field, "cfdi.field_missing", {"attribute": f"cfdi:{name}"}))
    return found


def _attribute(element: Element, name: str, owner: str, field: str) -> str:
    value = element.get(name)
    if value is None or not value.strip():
        raise InputError(Problem(field, "cfdi.field_missing", {"attribute": f"{owner}/@{name}"}))
    return value


def _centavos(text: str, field: str) -> int:
    """``Total`` in centavos; SAT allows up to 6 decimals, but beyond the centavo they must be zeros."""
    value = text.strip()
    try:
        if not _DECIMAL.fullmatch(value):
            raise InvalidOperation
        return Money.from_decimal(Decimal(value)).centavos
    except (InvalidOperation, ValueError):
        raise InputError(
            Problem(field, "cfdi.field_invalid", {"attribute": "Total", "value": value[:40]})
        ) from None


def _timestamp(text: str | None, name: str, field: str) -> datetime:
    try:
        return datetime.fromisoformat((text or "").strip())
    except ValueError:
        raise InputError(
            Problem(field, "cfdi.field_invalid", {"attribute": name, "value": (text or "")[:40]})
        ) from None
