"""Exports of the team, unit-pairing and visit-plan lists (the rows of the page: scope + filters); registered as
background jobs for big files (``AssistanceConfig.ready`` imports this module, so the worker knows the kinds)."""

from fupin.core.exports import Export
from fupin.jobs.exports import register

from . import plans, tables
from .filters import filter_members, filter_units
from .models import Pairing, TeamMember, UnitPairing


def _scoped(model, user):
    return model.objects.all() if user is None else model.objects.visible_to(user)


def member_rows(user, params):
    return filter_members(_scoped(TeamMember, user), params)[0]


def unit_rows(user, params):
    return filter_units(_scoped(UnitPairing, user), params)[0]


def plan_rows(user, params):
    return plans.filter_plans(_scoped(Pairing, user), params)[0]


member_export = register(Export("assistance.export_team_members", tables.team_members, member_rows))
unit_export = register(Export("assistance.export_unit_pairings", tables.unit_pairings, unit_rows))
plan_export = register(Export("assistance.export_visit_plan", tables.visit_plan, plan_rows))
