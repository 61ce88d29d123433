"""Asking the officer to confirm a typed RFC whose SAT check digit does not match.

About 1.5 % of the RFCs SAT has issued fail SAT's own check-digit formula (the Municipio de
Cuautitlán Izcalli's, on its stamped invoices, is one), so a wrong digit cannot be an error: the
services refuse it with ``rfc.check_digit`` until the caller passes their confirmation flag, and
every form that takes an RFC asks through :func:`confirm_rfc_check_digit`.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from tresxuno.domain.problems import Problem
from tresxuno.i18n import _
from tresxuno.ui import prompts


def confirm_rfc_check_digit(parent: QWidget | None, problem: Problem) -> bool:
    """Ask whether the RFC in ``problem`` (an ``rfc.check_digit``) is right as typed; True for yes."""
    rfc, expected = problem.params.get("rfc", ""), problem.params.get("expected", "")
    question = _(
        "RFC {rfc} does not pass SAT's check-digit test (its last character would be {expected}). "
        "A mistyped RFC fails it, but so do a few RFCs that SAT really issued.\n\n"
        "Is {rfc} exactly as written on the taxpayer's documents or invoices?\n"
        "Yes keeps it as typed; No goes back to correct it."
    ).format(rfc=rfc, expected=expected)
    return prompts.confirm(parent, _("Confirm the RFC"), question)
