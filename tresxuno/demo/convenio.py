"""Demo convenio terms: every approved project's account (CLABE), goals and execution modality.

So a demo convenio is complete: the declarations of the municipality, the state and the federal
delegation (office settings, written only where unset), each approved project's bank account with a
valid CLABE, its modality (and contractor when by contract), the partner of 4x1 projects, and one
or two goals sized by the project's beneficiaries.
"""

from __future__ import annotations

import random

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from tresxuno.db.models import Municipality, Project, ProjectConvenioTerms, ProjectGoal, Setting
from tresxuno.domain.clabe import clabe_control_digit
from tresxuno.domain.convenio import ADMINISTRACION_DIRECTA, CONTRATO
from tresxuno.domain.ledger import APPROVED_STAGES
from tresxuno.domain.rfc import rfc_check_digit


def _rfc(stem: str) -> str:
    return stem + rfc_check_digit(stem)


#: The demo office's declarations (Jerez, Zacatecas; the state; the federal delegation). The
#: municipality's RFC is the office's RFC, left unset: it would make every demo invoice's receiver
#: checked against it.
DECLARATIONS = {
    "convenio.municipal.representative": "C. Humberto Salazar Contreras",
    "convenio.municipal.role": "Presidente Municipal",
    "convenio.municipal.domicile": "Plaza Tacuba s/n, Zona Centro, C.P. 99300, Jerez de García Salinas, Zacatecas",
    "convenio.state.representative": "Lic. Adriana Ruvalcaba Ortiz",
    "convenio.state.role": "Secretaria del Zacatecano Migrante",
    "convenio.state.domicile": "Circuito Cerro del Gato s/n, Ciudad Administrativa, C.P. 98160, Zacatecas, Zacatecas",
    "convenio.state.rfc": _rfc("GEZ850101C4"),
    "convenio.federal.representative": "Mtro. Rodrigo Esparza Villalobos",
    "convenio.federal.role": "Delegado en el Estado de Zacatecas",
    "convenio.federal.domicile": "Av. Hidalgo 615, Zona Centro, C.P. 98000, Zacatecas, Zacatecas",
    "convenio.federal.rfc": _rfc("SDS920101KL"),
}

#: Banks of demo accounts: (name, 3-digit key).
_BANKS = (("BBVA México", "012"), ("Banorte", "072"), ("Santander", "014"), ("Banamex", "002"))
_CONTRACTORS = (
    ("Constructora Tlaltenango, S.A. de C.V.", "CTL990312"),
    ("Edificaciones del Cañón de Jerez, S.A. de C.V.", "ECJ050817"),
    ("Obras y Caminos Zacatecanos, S.A. de C.V.", "OCZ110224"),
)
#: One or two goals per category: (description, unit, quantity per 100 beneficiaries in thousandths).
_GOALS = {
    "infrastructure": (("Pavimentación con concreto hidráulico", "metros cuadrados", 400_000),),
    "community-services": (
        ("Ampliación de la red de agua potable", "metros lineales", 150_000),
        ("Tomas domiciliarias", "tomas", 20_000),
    ),
    "education": (("Rehabilitación de aulas", "aulas", 1_000),),
    "scholarships": (("Becas para estudiantes", "becas", 25_000),),
    # A productive project's goals are the goods it delivers (the acta de entrega de bienes lists them).
    "productive-community": (
        ("Maquinaria y equipo del taller comunitario", "equipos", 3_000),
        ("Mobiliario y herramienta de trabajo", "lotes", 1_000),
    ),
    "productive-family": (
        ("Maquinaria y equipo para el negocio familiar", "equipos", 5_000),
        ("Herramienta y utensilios de trabajo", "lotes", 2_000),
    ),
    "productive-individual": (("Equipo y herramienta del proyecto productivo", "lotes", 1_000),),
}


def demo_clabe(rng: random.Random, bank_key: str) -> str:
    """A CLABE of ``bank_key`` with a valid control digit."""
    first17 = bank_key + "".join(str(rng.randrange(10)) for _ in range(14))
    return first17 + clabe_control_digit(first17)


def add_demo_convenio_terms(session: Session, rng: random.Random) -> None:
    """Terms and goals for every approved project; the office's declarations where unset."""
    have = set(session.scalars(select(Setting.key).where(Setting.key.in_(list(DECLARATIONS)))))
    rows = [{"key": k, "value": v} for k, v in DECLARATIONS.items() if k not in have]
    if rows:
        session.execute(insert(Setting.__table__), rows)
    projects = session.execute(
        select(Project.id, Project.category, Project.beneficiaries, Project.partner_mode, Municipality.name)
        .join(Municipality, Municipality.key == Project.municipality_key)
        .where(Project.stage.in_(list(APPROVED_STAGES)))
        .order_by(Project.id)
    ).all()
    terms, goals = [], []
    for pid, category, beneficiaries, partner_mode, municipality in projects:
        bank, key = rng.choice(_BANKS)
        by_contract = category in ("infrastructure", "community-services", "education") and rng.random() < 0.6
        contractor, stem = rng.choice(_CONTRACTORS) if by_contract else ("", "")
        with_partner = partner_mode != "none"
        terms.append(
            {
                "project_id": pid,
                "clabe": demo_clabe(rng, key),
                "bank": bank,
                # The executing municipality's treasury holds the project's account.
                "account_holder": f"Tesorería Municipal de {municipality}",
                "modality": CONTRATO if by_contract else ADMINISTRACION_DIRECTA,
                "contractor_name": contractor,
                "contractor_rfc": _rfc(stem + "A1") if stem else "",
                "partner_name": "Western Union Financial Services, Inc." if with_partner else "",
                "partner_representative": "Lic. Patricia Arellano Soto" if with_partner else "",
                "partner_rfc": _rfc("WUF050101Q2") if with_partner else "",
                "partner_domicile": "Paseo de la Reforma 505, Col. Cuauhtémoc, C.P. 06500, Ciudad de México"
                if with_partner
                else "",
            }
        )
        people = max(beneficiaries, 10)
        for position, (description, unit, per_hundred) in enumerate(_GOALS.get(category, ()), start=1):
            goals.append(
                {
                    "project_id": pid,
                    "position": position,
                    "description": description,
                    "quantity_milli": max(1000, per_hundred * people // 100 // 1000 * 1000),
                    "unit": unit,
                    "beneficiaries": beneficiaries,
                }
            )
    if terms:
        session.execute(insert(ProjectConvenioTerms.__table__), terms)
    if goals:
        session.execute(insert(ProjectGoal.__table__), goals)
