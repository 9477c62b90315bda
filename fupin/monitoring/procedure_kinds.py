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

from fupin.procedures.services import register_kind

from .criteria import elimination_check, inclusion_check
from .models import ELIMINATION, INCLUSION
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
)


def install() -> None:
    for kind in KINDS:
        register_kind(kind.code, kind.label, kind.check, kind.outcome)
