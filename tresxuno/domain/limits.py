"""The one table of text limits: how many characters each kind of text field accepts.

Every input record's check (:func:`tresxuno.domain.validation.clean_text`) takes its ``max_len`` from
here, and every printed report is tested with the longest text each field accepts
(``tests/reports/test_pdf_hostile_text.py``), so a value the app stores is a value it can print.
"""

from __future__ import annotations

#: Names: clubs, federations, projects, people (attendees, board, payees), places, issuers, offices.
NAME = 200
#: Short labels: US city and region, rate sources, user names.
SHORT = 120
#: Folios and numbers typed by people (toma de nota folio, session number).
FOLIO = 60
SESSION_NUMBER = 40
#: References of a deposit, transfer or invoice.
REFERENCE = 120
#: Sources of an exchange rate.
SOURCE = 80
#: Who authorised something (a user name).
USER = 80
#: Long text: descriptions, notes, COVAM conditions, stage comments, concepts, reasons.
LONG_TEXT = 4000
#: A progress note of the works.
NOTE = 2000
#: Passwords (characters).
PASSWORD = 200

#: Each field name as the checks report it, with its limit (for the report tests and the manual).
LIMITS: dict[str, int] = {
    "name": NAME,
    "place": NAME,
    "locality": NAME,
    "toma_issuer": NAME,
    "home_contact": NAME,
    "contact": NAME,
    "board": NAME,
    "attendees": NAME,
    "position": NAME,
    "payee_name": NAME,
    "full_name": NAME,
    "us_city": SHORT,
    "us_region": SHORT,
    "toma_folio": FOLIO,
    "number": SESSION_NUMBER,
    "reference": REFERENCE,
    "rate_source": SOURCE,
    "source": SOURCE,
    "authorised_by": USER,
    "description": LONG_TEXT,
    "notes": LONG_TEXT,
    "conditions": LONG_TEXT,
    "comment": LONG_TEXT,
    "concept": LONG_TEXT,
    "reason": LONG_TEXT,
    "override_reason": LONG_TEXT,
    "mix_override_reason": LONG_TEXT,
    "note": NOTE,
    "password": PASSWORD,
}
