"""CFDI 4.0 reading: the fields the ledger needs, and hostile or wrong files refused quickly."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import pytest

from tresxuno.domain.cfdi import MAX_CFDI_BYTES, parse_cfdi
from tresxuno.domain.problems import InputError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "cfdi"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def refused(data: bytes) -> tuple[str, dict]:
    with pytest.raises(InputError) as exc:
        parse_cfdi(data)
    (problem,) = exc.value.problems
    assert problem.field == "cfdi"
    return problem.code, dict(problem.params)


def test_valid_cfdi_4_0_fields():
    cfdi = parse_cfdi(fixture("factura_4_0.xml"))
    assert cfdi.uuid == "5F8C2A9E-3B71-4D0C-9E62-A1B4C7D8E9F0"  # upper-cased from the file
    assert cfdi.version == "4.0"
    assert (cfdi.issuer_rfc, cfdi.issuer_name) == ("CPC1005124T0", "CONSTRUCCIONES Y PAVIMENTOS DEL CAÑÓN")
    assert (cfdi.receiver_rfc, cfdi.receiver_name) == ("MJZ850101B72", "MUNICIPIO DE JEREZ, ZACATECAS")
    assert cfdi.total == 500_000_00
    assert cfdi.currency == "MXN"
    assert cfdi.issued_at == datetime(2025, 8, 14, 10, 32, 5)
    assert cfdi.stamped_at == datetime(2025, 8, 14, 10, 33, 41)


@pytest.mark.parametrize("name", ["xxe.xml", "billion_laughs.xml"])
def test_hostile_files_are_refused_quickly_and_never_expanded(name):
    started = time.perf_counter()
    code, params = refused(fixture(name))
    assert time.perf_counter() - started < 1.0
    assert code == "cfdi.unsafe"
    assert "root:" not in repr(params)  # nothing of /etc/passwd leaked into the problem


def test_entities_without_a_dtd_marker_are_refused_too():
    # An internal entity declared inside the document's own subset is still a DTD: refused.
    data = fixture("factura_4_0.xml").replace(
        b'<?xml version="1.0" encoding="UTF-8"?>',
        b'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE x [<!ENTITY e "Ejemplo">]>',
    )
    assert refused(data)[0] == "cfdi.unsafe"


def test_version_3_3_is_refused_naming_the_version():
    assert refused(fixture("version_3_3.xml")) == ("cfdi.version", {"version": "3.3", "expected": "4.0"})


def test_a_4_0_namespace_with_another_version_attribute_is_refused():
    data = fixture("factura_4_0.xml").replace(b'Version="4.0" Serie', b'Version="3.3" Serie')
    assert refused(data)[0] == "cfdi.version"


def test_unstamped_cfdi_has_no_uuid():
    data = fixture("factura_4_0.xml")
    start, end = data.index(b"<cfdi:Complemento>"), data.index(b"</cfdi:Complemento>")
    assert refused(data[:start] + data[end + len(b"</cfdi:Complemento>") :])[0] == "cfdi.no_uuid"
    assert refused(data.replace(b'UUID="5f8c2a9e', b'UUID="nope'))[0] == "cfdi.no_uuid"


@pytest.mark.parametrize(
    "data",
    [b"", b"not xml at all", b"<cfdi:Comprobante", "<a>ñ</b>".encode()],
)
def test_malformed_xml(data):
    assert refused(data)[0] == "cfdi.malformed"


def test_well_formed_xml_that_is_not_a_cfdi():
    assert refused(b"<factura><total>5</total></factura>") == ("cfdi.not_cfdi", {"root": "factura"})


def test_missing_and_invalid_fields_are_named():
    data = fixture("factura_4_0.xml")
    code, params = refused(data.replace(b' Total="500000.00"', b""))
    assert (code, params) == ("cfdi.field_missing", {"attribute": "Comprobante/@Total"})
    code, params = refused(data.replace(b'Total="500000.00"', b'Total="500000.005"'))
    assert (code, params["attribute"]) == ("cfdi.field_invalid", "Total")
    code, params = refused(data.replace(b'Fecha="2025-08-14T10:32:05"', b'Fecha="14/08/2025"'))
    assert (code, params["attribute"]) == ("cfdi.field_invalid", "Fecha")


def test_six_decimal_total_with_trailing_zeros_is_read_to_the_centavo():
    data = fixture("factura_4_0.xml").replace(b'Total="500000.00"', b'Total="500000.000000"')
    assert parse_cfdi(data).total == 500_000_00


def test_oversized_input_is_refused_before_parsing():
    started = time.perf_counter()
    code, params = refused(b" " * (MAX_CFDI_BYTES + 1))
    assert time.perf_counter() - started < 1.0
    assert code == "cfdi.too_large" and params["max"] == MAX_CFDI_BYTES
