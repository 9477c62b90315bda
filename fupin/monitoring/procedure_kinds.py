"""The two monitoring procedures on the procedures engine: 监测对象认定 (inclusion) and 风险消除 (risk elimination).

Their steps are data (installed by this app's migration 0002 as ``ProcedureDefinition`` rows, editable like any
other definition); this module supplies what the engine needs per kind: a label, the precondition check (run at
start and again at final approval) and the outcome applied at final approval.

``install()`` registers them with the procedures engine. The engine keys its checks (``checks.CHECKS``), outcomes
(``services.OUTCOMES``) and labels (``models.Kind``) by kind with no registration function yet, so ``install``
adds the entries to those tables directly. The hook this needs from procedures (see the monitoring report) is a
``register_kind(code, label, check, outcome)`` that fills the same three tables; ``install`` then becomes one call
per kind.
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
    name: str
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
    ProcedureKind(INCLUSION, "INCLUSION", _("监测对象认定"), _inclusion_check, _inclusion_outcome),
    ProcedureKind(ELIMINATION, "ELIMINATION", _("风险消除"), _elimination_check, _elimination_outcome),
)


def _add_choice(enum_class, code: str, name: str, label) -> None:
    """Add a member to a Django TextChoices enum, so ``Kind(code).label`` and ``Kind.choices`` know the kind."""
    if code in enum_class._value2member_map_:
        return
    member = str.__new__(enum_class, code)
    member._value_, member._name_, member._label_ = code, name, label
    member.__objclass__ = enum_class
    member._sort_order_ = len(enum_class._member_names_)
    enum_class._member_map_[name] = member
    enum_class._member_names_.append(name)
    enum_class._value2member_map_[code] = member


def install() -> None:
    from fupin.procedures import checks, services
    from fupin.procedures.models import Kind

    for kind in KINDS:
        _add_choice(Kind, kind.code, kind.name, kind.label)
        checks.CHECKS[kind.code] = kind.check
        services.OUTCOMES[kind.code] = kind.outcome
