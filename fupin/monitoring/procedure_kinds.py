"""The monitoring procedures on the procedures engine: 监测对象认定 (inclusion), 风险消除 (risk elimination), and
the corrections of an elimination, 风险再标注 and 风险消除回退 (``corrections``).

Their steps are data (installed by this app's migrations 0002 and 0007 as ``ProcedureDefinition`` rows, editable
like any other definition); this module supplies what the engine needs per kind: a label, the precondition check (run at
start and again at final approval) and the outcome applied at final approval.

``install()`` registers them with the engine (``procedures.services.register_kind``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from fupin.procedures.services import register_kind

from .corrections import reflag, reflag_check, roll_back, rollback_check
from .criteria import elimination_check, inclusion_check
from .models import ELIMINATION, INCLUSION, REFLAG, ROLLBACK
from .services import eliminate_risk, include_household


@dataclass(frozen=True)
class ProcedureKind:
    code: str
    label: str
    check: Callable
    outcome: Callable


KINDS = (
    ProcedureKind(INCLUSION, _("监测对象认定"), inclusion_check, include_household),
    ProcedureKind(ELIMINATION, _("风险消除"), elimination_check, eliminate_risk),
    ProcedureKind(REFLAG, _("风险再标注"), reflag_check, reflag),
    ProcedureKind(ROLLBACK, _("风险消除回退"), rollback_check, roll_back),
)


def install() -> None:
    for kind in KINDS:
        register_kind(kind.code, kind.label, kind.check, kind.outcome)
