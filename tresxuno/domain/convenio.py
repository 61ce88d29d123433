"""What a convenio states beyond the money: the bank account, how the works are executed, the partner.

The parties deposit into one account (its CLABE is checked), the works are executed by contract
(*contrato*, naming the contractor and its RFC) or by the municipality itself (*administración
directa*), and an outside partner signs with its own name and representative.
Also the declarations (*DECLARACIONES*) a government party makes: who represents it, its domicile
and RFC, kept in the office settings because they are the same in every convenio.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from tresxuno.domain import limits
from tresxuno.domain.clabe import check_clabe, normalize_clabe
from tresxuno.domain.problems import Problem
from tresxuno.domain.rfc import check_rfc, normalize_rfc
from tresxuno.domain.validation import clean_text

#: Execution modalities: by a contractor chosen under the public-works law, or by the municipality.
CONTRATO = "contrato"
ADMINISTRACION_DIRECTA = "administracion_directa"
MODALITIES: tuple[str, ...] = (CONTRATO, ADMINISTRACION_DIRECTA)
#: Longest domicile (street, number, colony, postal code, city): two lines of a declaration.
MAX_DOMICILE = 300
#: Longest bank name.
MAX_BANK = limits.SHORT


@dataclass(frozen=True)
class ConvenioTerms:
    """A project's convenio terms; "" where not recorded (the convenio then leaves a line to fill in).

    Attributes:
        clabe: the 18-digit CLABE of the project's account.
        bank: the bank's name.
        account_holder: who holds the account (usually the municipality's treasury).
        modality: one of :data:`MODALITIES`, or "" when not decided.
        contractor_name, contractor_rfc: the contractor, only with ``contrato``.
        partner_name, partner_representative, partner_rfc, partner_domicile: the outside partner.
    """

    clabe: str = ""
    bank: str = ""
    account_holder: str = ""
    modality: str = ""
    contractor_name: str = ""
    contractor_rfc: str = ""
    partner_name: str = ""
    partner_representative: str = ""
    partner_rfc: str = ""
    partner_domicile: str = ""


def _rfc(value: str, field: str, problems: list[Problem]) -> str:
    rfc = normalize_rfc(value) if value.strip() else ""
    if rfc:
        problems.extend(check_rfc(rfc, field))
    return rfc


def check_terms(terms: ConvenioTerms) -> tuple[ConvenioTerms, list[Problem]]:
    """The terms cleaned (trimmed, CLABE and RFCs normalised) and their problems.

    Every field is optional, but a CLABE given must be valid, a modality must be known, a
    contractor is named only under ``contrato``, and an RFC given must be valid.
    """
    problems: list[Problem] = []
    clabe = normalize_clabe(terms.clabe)
    if clabe:
        problems.extend(check_clabe(clabe, "clabe"))
    modality = terms.modality.strip()
    if modality and modality not in MODALITIES:
        problems.append(
            Problem(
                "modality",
                "convenio.modality_unknown",
                {"modality": modality, "allowed": ", ".join(MODALITIES)},
            )
        )
    contractor = clean_text(terms.contractor_name, "contractor_name", problems, required=False)
    contractor_rfc = _rfc(terms.contractor_rfc, "contractor_rfc", problems)
    if modality != CONTRATO and (contractor or contractor_rfc):
        problems.append(Problem("contractor_name", "convenio.contractor_without_contract", {}))
    cleaned = replace(
        terms,
        clabe=clabe,
        bank=clean_text(terms.bank, "bank", problems, required=False, max_len=MAX_BANK),
        account_holder=clean_text(terms.account_holder, "account_holder", problems, required=False),
        modality=modality,
        contractor_name=contractor,
        contractor_rfc=contractor_rfc,
        partner_name=clean_text(terms.partner_name, "partner_name", problems, required=False),
        partner_representative=clean_text(
            terms.partner_representative, "partner_representative", problems, required=False
        ),
        partner_rfc=_rfc(terms.partner_rfc, "partner_rfc", problems),
        partner_domicile=clean_text(
            terms.partner_domicile, "partner_domicile", problems, required=False, max_len=MAX_DOMICILE
        ),
    )
    return cleaned, problems


@dataclass(frozen=True)
class PartyDeclaration:
    """What a government party declares in the convenio: its representative, domicile and RFC.

    Attributes:
        party: ``municipal``, ``state`` or ``federal``.
        representative: name of who represents it ("C. Juan Pérez López").
        role: the representative's post ("Presidente Municipal", "Delegado Estatal").
        domicile: its legal domicile.
        rfc: its RFC ("" when not recorded).
    """

    party: str
    representative: str = ""
    role: str = ""
    domicile: str = ""
    rfc: str = ""


#: The parties whose declarations the office settings hold.
DECLARING_PARTIES: tuple[str, ...] = ("municipal", "state", "federal")


def check_declaration(d: PartyDeclaration) -> tuple[PartyDeclaration, list[Problem]]:
    """The declaration cleaned and its problems (fields ``<party>.representative`` etc.)."""
    problems: list[Problem] = []
    p = d.party
    if p not in DECLARING_PARTIES:
        problems.append(
            Problem("party", "party.unknown", {"party": p, "allowed": ", ".join(DECLARING_PARTIES)})
        )
    cleaned = PartyDeclaration(
        party=p,
        representative=clean_text(d.representative, f"{p}.representative", problems, required=False),
        role=clean_text(d.role, f"{p}.role", problems, required=False, max_len=limits.SHORT),
        domicile=clean_text(d.domicile, f"{p}.domicile", problems, required=False, max_len=MAX_DOMICILE),
        rfc=_rfc(d.rfc, f"{p}.rfc", problems),
    )
    return cleaned, problems
