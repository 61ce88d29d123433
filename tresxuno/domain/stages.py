"""A project's life as stages and the only moves allowed between them."""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    """Stage ids as stored (Spanish, as officers name them)."""

    BORRADOR = "borrador"
    SOLICITADO = "solicitado"
    PREVALIDADO = "prevalidado"
    EN_COVAM = "en_covam"
    APROBADO = "aprobado"
    RECHAZADO = "rechazado"
    DEVUELTO = "devuelto"
    CONVENIO_FIRMADO = "convenio_firmado"
    EN_EJECUCION = "en_ejecucion"
    TERMINADO = "terminado"
    CERRADO = "cerrado"
    CANCELADO = "cancelado"


S = Stage
#: Allowed moves. A returned project goes back to the club and may be requested again;
#: cancellation is possible until the works are finished; closed and rejected are final.
TRANSITIONS: dict[Stage, frozenset[Stage]] = {
    S.BORRADOR: frozenset({S.SOLICITADO, S.CANCELADO}),
    S.SOLICITADO: frozenset({S.PREVALIDADO, S.DEVUELTO, S.CANCELADO}),
    S.PREVALIDADO: frozenset({S.EN_COVAM, S.DEVUELTO, S.CANCELADO}),
    S.EN_COVAM: frozenset({S.APROBADO, S.RECHAZADO, S.DEVUELTO}),
    S.DEVUELTO: frozenset({S.SOLICITADO, S.CANCELADO}),
    S.APROBADO: frozenset({S.CONVENIO_FIRMADO, S.CANCELADO}),
    S.CONVENIO_FIRMADO: frozenset({S.EN_EJECUCION, S.CANCELADO}),
    S.EN_EJECUCION: frozenset({S.TERMINADO, S.CANCELADO}),
    S.TERMINADO: frozenset({S.CERRADO}),
    S.RECHAZADO: frozenset(),
    S.CERRADO: frozenset(),
    S.CANCELADO: frozenset(),
}

#: The usual road from request to closing, used to tell how far a project has come.
MAIN_ROAD: tuple[Stage, ...] = (
    S.BORRADOR,
    S.SOLICITADO,
    S.PREVALIDADO,
    S.EN_COVAM,
    S.APROBADO,
    S.CONVENIO_FIRMADO,
    S.EN_EJECUCION,
    S.TERMINADO,
    S.CERRADO,
)


def can_move(current: Stage, target: Stage) -> bool:
    """Whether a project in ``current`` may move to ``target``."""
    return target in TRANSITIONS[current]


def path_to(target: Stage) -> tuple[Stage, ...]:
    """The stages a project passes through from a draft to ``target`` (inclusive).

    Rejected and returned come off the main road at COVAM; cancelled leaves it after approval.
    Used to write a plausible stage history (demo data, imports of old projects).
    """
    if target in MAIN_ROAD:
        return MAIN_ROAD[: MAIN_ROAD.index(target) + 1]
    if target in (S.RECHAZADO, S.DEVUELTO):
        return (*MAIN_ROAD[: MAIN_ROAD.index(S.EN_COVAM) + 1], target)
    return (*MAIN_ROAD[: MAIN_ROAD.index(S.APROBADO) + 1], target)
