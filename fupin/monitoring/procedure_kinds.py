"""The two monitoring procedures on the procedures engine: 监测对象认定 (inclusion) and 风险消除 (risk elimination).

Their steps are data (installed by this app's migration 0002 as ``ProcedureDefinition`` rows, editable like any
other definition); this module supplies what the engine needs per kind: a label, the precondition check (run at
start and again at final approval) and the outcome applied at final approval.

``install()`` registers them with the engine (``procedures.services.register_kind``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

INCLUSION = "monitoring"
ELIMINATION = "elimination"


@dataclass(frozen=True)
class ProcedureKind:
    code: str
    label: str
    check: Callable
    outcome: Callable


def _inclusion_check(household, year, details):
    from .criteria import inclusion_check

    return inclusion_check(household, year, details)


def _inclusion_outcome(procedure, household, result, *, acting_user, channel, note):
    from .services import include_household

    include_household(procedure, household, result, acting_user=acting_user, channel=channel, note=note)


def _elimination_check(household, year, details):
    from .criteria import elimination_check

    return elimination_check(household, year, details)


def _elimination_outcome(procedure, household, result, *, acting_user, channel, note):
    from .services import eliminate_risk

    eliminate_risk(procedure, household, result, acting_user=acting_user, channel=channel, note=note)


KINDS = (
    ProcedureKind(INCLUSION, _("监测对象认定"), _inclusion_check, _inclusion_outcome),
    ProcedureKind(ELIMINATION, _("风险消除"), _elimination_check, _elimination_outcome),
)


def install() -> None:
    from fupin.procedures.services import register_kind

    for kind in KINDS:
        register_kind(kind.code, kind.label, kind.check, kind.outcome)
