"""Files the app itself can write again byte for byte: the demo's placeholder scans.

A demo database lists the signed convenio of every project whose works started; the scan is one
placeholder PDF produced here. Its sha256 names exactly these bytes, so a stored copy that is
missing (a demo database copied to another computer or data folder) loses nothing: the app writes
it again when the attachment is opened. A copy that is present is verified like any other file.
"""

from __future__ import annotations

import hashlib
from functools import cache

#: Name shown for the demo's placeholder of a signed convenio.
PLACEHOLDER_NAME = "convenio-firmado-demo.pdf"


def placeholder_pdf() -> bytes:
    """A one-page PDF saying it stands in for the signed convenio (valid xref, readable by any viewer)."""
    text = b"BT /F1 14 Tf 72 720 Td (Convenio de concertacion firmado - documento de demostracion) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(text)).encode() + b" >>\nstream\n" + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


@cache
def _known() -> dict[str, bytes]:
    content = placeholder_pdf()
    return {hashlib.sha256(content).hexdigest(): content}


def placeholder_sha256() -> str:
    """The sha256 (hex) of :func:`placeholder_pdf`."""
    return next(iter(_known()))


def built_in(sha256: str) -> bytes | None:
    """The bytes the app can write for a file of this sha256, or None for any other file."""
    return _known().get(sha256)
