"""The background job of a scenario run (``whatif.run``) and the export of its household list.

The run is not one job transaction (``atomic=False``): its reads go in their own read-only snapshot transaction
(``sandbox.read_snapshot``), then the result is written in one transaction (``services.execute_run``) — so a kill
leaves either the whole result or the previous one, and the scenario is marked failed."""

from django.core.exceptions import PermissionDenied, ValidationError

from fupin.accounts.models import User
from fupin.core.exports import Export
from fupin.jobs.exports import register
from fupin.jobs.services import JobError, handler

from . import tables
from .filters import filter_households
from .models import Scenario, ScenarioHousehold
from .services import RUN_JOB, execute_run, mark_failed


def _household_rows(user, params):
    queryset = ScenarioHousehold.objects.all() if user is None else ScenarioHousehold.objects.visible_to(user)
    queryset = queryset.filter(scenario_id=params.get("scenario") or 0)
    return filter_households(queryset, params)[0]


household_export = register(Export("whatif.export_households", tables.households, _household_rows))


def run_failed(job):
    mark_failed(job.params.get("scenario_id"))


@handler(RUN_JOB, atomic=False, on_failure=run_failed)
def run(job, progress):
    scenario = Scenario.objects.select_related("county").get(pk=job.params["scenario_id"])
    user = User.objects.select_related("region").filter(pk=job.user_id).first() if job.user_id else None
    try:
        return execute_run(scenario, acting_user=user, channel=job.params.get("channel", "system"), progress=progress)
    except (ValidationError, PermissionDenied) as exc:
        raise JobError("；".join(getattr(exc, "messages", [str(exc)]))) from exc
