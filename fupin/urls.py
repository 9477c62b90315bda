from django.http import HttpResponse
from django.urls import include, path

from fupin.api import api
from fupin.menu import home

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("fupin.accounts.urls")),
    path("regions/", include("fupin.regions.urls")),
    path("registry/", include("fupin.registry.urls")),
    path("dictionaries/", include("fupin.dictionaries.urls")),
    path("audit/", include("fupin.audit.urls")),
    path("jobs/", include("fupin.jobs.urls")),
    path("monitoring/", include("fupin.monitoring.urls")),
    path("assistance/", include("fupin.assistance.urls")),
    path("public/monitoring/", include("fupin.monitoring.public_urls")),
    path("procedures/", include("fupin.procedures.urls")),
    path("comparison/", include("fupin.comparison.urls")),
    path("projects/", include("fupin.projects.urls")),
    path("funds/", include("fupin.funds.urls")),
    path("assets/", include("fupin.assets.urls")),
    path("credit/", include("fupin.credit.urls")),
    path("sectors/", include("fupin.sectors.urls")),
    path("villages/", include("fupin.villages.urls")),
    path("oversight/", include("fupin.oversight.urls")),
    path("stats/", include("fupin.stats.urls")),
    path("whatif/", include("fupin.whatif.urls")),
    path("assessment/", include("fupin.assessment.urls")),
    path("public/notices/", include("fupin.procedures.public_urls")),
    path("api/", api.urls),
    path("healthz", lambda request: HttpResponse("ok")),
]

# Chinese, standalone error pages (API paths answer JSON): fupin/core/errors.py
handler400 = "fupin.core.errors.bad_request"
handler403 = "fupin.core.errors.permission_denied"
handler404 = "fupin.core.errors.page_not_found"
handler500 = "fupin.core.errors.server_error"
