"""CFDI 3.2, 3.3 and 4.0 reading: the fields the ledger needs, and hostile or wrong files refused quickly."""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path

import pytest

from tresxuno.domain.cfdi import MAX_CFDI_BYTES, parse_cfdi
from tresxuno.domain.problems import InputError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "cfdi"
#: Real SAT-stamped invoices (see fixtures/cfdi/real/README.md for where each comes from); another
#: folder holding the same files can be named in TRESXUNO_REAL_CFDI.
REAL = Path(os.environ.get("TRESXUNO_REAL_CFDI") or FIXTURES / "real")


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


def test_cfdi_3_3_fields_are_read_like_4_0():
    cfdi = parse_cfdi(fixture("version_3_3.xml"))
    assert (cfdi.version, cfdi.kind) == ("3.3", "I")
    assert cfdi.uuid == "0B6E4D2A-91C3-4F7E-8A5D-3C2B1E0F9A87"
    assert (cfdi.issuer_rfc, cfdi.receiver_rfc) == ("CPC1005124T0", "MJZ850101B72")
    assert (cfdi.total, cfdi.currency) == (100_000_00, "MXN")
    assert cfdi.issued_at == datetime(2019, 9, 3, 12, 5, 44)
    assert cfdi.stamped_at == datetime(2019, 9, 3, 12, 6, 10)


def test_cfdi_3_2_lower_case_attributes_and_stamp_1_0_are_read():
    cfdi = parse_cfdi(fixture("version_3_2.xml"))
    assert (cfdi.version, cfdi.kind) == ("3.2", "I")  # tipoDeComprobante="ingreso"
    assert cfdi.uuid == "A3C9E1F4-7B2D-4E8A-9F61-0D5C2B7E4A19"
    assert (cfdi.issuer_rfc, cfdi.issuer_name) == (
        "CPC1005124T0",
        "Construcciones y Pavimentos del Cañón, S.A. de C.V.",
    )
    assert (cfdi.receiver_rfc, cfdi.receiver_name) == ("MJZ850101B72", "Municipio de Jerez, Zacatecas")
    assert cfdi.total == 75_000_00
    assert cfdi.currency == "MXN"  # no Moneda: 3.2 invoices without it were in pesos
    assert cfdi.issued_at == datetime(2016, 5, 20, 9, 41, 12)
    assert cfdi.stamped_at == datetime(2016, 5, 20, 9, 42, 30)


@pytest.mark.parametrize(
    ("moneda", "currency"),
    [
        ("Pesos", "MXN"),
        ("MN", "MXN"),
        ("M.N.", "MXN"),
        ("mxn", "MXN"),
        ("USD", "USD"),
        ("Dólares", "DÓLARES"),
    ],
)
def test_cfdi_3_2_free_text_currency_is_normalised_for_pesos_only(moneda, currency):
    data = fixture("version_3_2.xml").replace(
        b' total="75000.00"', f' total="75000.00" Moneda="{moneda}"'.encode()
    )
    assert parse_cfdi(data).currency == currency


@pytest.mark.parametrize(
    ("name", "old", "new", "kind", "kind_name"),
    [
        ("version_3_2.xml", b'"ingreso"', b'"egreso"', "E", "egreso"),
        ("version_3_2.xml", b'"ingreso"', b'"traslado"', "T", "traslado"),
        ("version_3_3.xml", b'TipoDeComprobante="I"', b'TipoDeComprobante="N"', "N", "nómina"),
        ("version_3_3.xml", b'TipoDeComprobante="I"', b'TipoDeComprobante="P"', "P", "pago"),
        ("factura_4_0.xml", b'TipoDeComprobante="I"', b'TipoDeComprobante="E"', "E", "egreso"),
    ],
)
def test_only_an_invoice_is_evidence_whatever_the_version(name, old, new, kind, kind_name):
    data = fixture(name).replace(old, new)
    assert refused(data) == ("cfdi.not_invoice", {"kind": kind, "name": kind_name})
    assert parse_cfdi(data, invoices_only=False).kind == kind  # 3.2's words become the same letters


@pytest.mark.parametrize(
    ("name", "old", "new", "version"),
    [
        (
            "factura_4_0.xml",
            b'Version="4.0" Serie',
            b'Version="3.3" Serie',
            "3.3",
        ),  # 3.3 in the 4.0 namespace
        ("version_3_3.xml", b'Version="3.3"', b'Version="4.0"', "4.0"),  # 4.0 in the 3.x namespace
        ("version_3_2.xml", b'version="3.2"', b'version="2.2"', "2.2"),  # a CFD 2.2, never stamped
    ],
)
def test_an_unknown_version_or_one_in_the_wrong_namespace_is_refused_naming_it(name, old, new, version):
    assert refused(fixture(name).replace(old, new)) == (
        "cfdi.version",
        {"version": version, "expected": "3.2, 3.3, 4.0"},
    )


def test_a_cfdi_3_2_without_its_stamp_is_refused():
    data = fixture("version_3_2.xml")
    start, end = data.index(b"<cfdi:Complemento>"), data.index(b"</cfdi:Complemento>")
    assert refused(data[:start] + data[end + len(b"</cfdi:Complemento>") :])[0] == "cfdi.no_uuid"


def test_a_cfdi_3_2_names_its_own_missing_attribute():
    data = fixture("version_3_2.xml").replace(b' total="75000.00"', b"")
    assert refused(data) == ("cfdi.field_missing", {"attribute": "Comprobante/@total"})


#: The real invoices and what SAT stamped on them (fixtures/cfdi/real/README.md names the sources).
REAL_INVOICES = [
    # file, version, UUID, total, issuer RFC, receiver RFC, stamped at
    (
        "cfdi32-real.xml",
        "3.2",
        "80824F3B-323E-407B-8F8E-40D83FE2E69F",
        4_685_00,
        "CTO021007DZ8",
        "XAXX010101000",
        datetime(2017, 3, 21, 8, 18, 8),
    ),
    (
        "cfdi33-real.xml",
        "3.3",
        "CEE4BE01-ADFA-4DEB-8421-ADD60F0BEDAC",
        2_010_01,
        "POT9207213D6",
        "DIM8701081LA",
        datetime(2018, 1, 12, 8, 17, 54),
    ),
    (
        "cfdi40-real.xml",
        "4.0",
        "C2832671-DA6D-11EF-A83D-00155D012007",
        1_000_00,
        "ISD950921HE5",
        "COSC8001137NA",
        datetime(2025, 1, 24, 10, 10, 42),
    ),
    (
        "cfdi40-real-cuautitlan.xml",
        "4.0",
        "04BF2854-FE7D-4377-9196-71248F060ABB",
        459_36,
        "CSM190311AH6",
        "MCI7306249Y1",
        datetime(2022, 1, 12, 12, 39, 34),
    ),
]


@pytest.mark.parametrize(("name", "version", "uuid", "total", "issuer", "receiver", "stamped"), REAL_INVOICES)
def test_real_sat_stamped_invoices_of_every_version_are_read(
    name, version, uuid, total, issuer, receiver, stamped
):
    path = REAL / name
    if not path.exists():
        pytest.skip(f"real sample {name} not present in {REAL} (see fixtures/cfdi/real/README.md)")
    cfdi = parse_cfdi(path.read_bytes())
    assert (cfdi.version, cfdi.kind, cfdi.currency) == (version, "I", "MXN")
    assert (cfdi.uuid, cfdi.total) == (uuid, total)
    assert (cfdi.issuer_rfc, cfdi.receiver_rfc) == (issuer, receiver)
    assert cfdi.stamped_at == stamped
    assert cfdi.issued_at <= stamped  # issued, then stamped by the PAC within minutes


def test_an_rfc_on_a_stamped_cfdi_is_taken_as_sat_issued_it():
    # The Municipio de Cuautitlán Izcalli's RFC fails SAT's own check-digit formula, yet SAT stamps
    # invoices billed to it: the reader keeps it as written, with no check-digit problem.
    data = fixture("factura_4_0.xml").replace(b'Rfc="MJZ850101B72"', b'Rfc="MCI7306249Y1"')
    assert parse_cfdi(data).receiver_rfc == "MCI7306249Y1"


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
