"""The sample list's Excel export (streamed, or a background job when large)."""

from fupin.core.exports import Export
from fupin.jobs.exports import register

from . import tables
from .filters import filter_samples
from .models import SampleHousehold


def _rows(user, params):
    queryset = SampleHousehold.objects.all() if user is None else SampleHousehold.objects.visible_to(user)
    return filter_samples(queryset, params)[0]


sample_export = register(Export("assessment.export_samples", tables.samples, _rows))
