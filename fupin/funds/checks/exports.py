"""The anomaly list's Excel export (the page's rows: scope + filters), runnable as a background job for big lists."""

from fupin.core.exports import Export
from fupin.jobs.exports import register

from ..models import Anomaly
from .filters import filter_anomalies
from .tables import ANOMALY_TABLE


def anomaly_rows(user, params):
    queryset = Anomaly.objects.all() if user is None else Anomaly.objects.visible_to(user)
    return filter_anomalies(queryset, params, user)[0]


anomaly_export = register(Export("funds.export_anomalies", ANOMALY_TABLE, anomaly_rows))
