from django.http import HttpResponse
from django.urls import include, path
from django.views.generic import RedirectView

from fupin.api import api

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="registry:dashboard"), name="home"),
    path("accounts/", include("fupin.accounts.urls")),
    path("regions/", include("fupin.regions.urls")),
    path("registry/", include("fupin.registry.urls")),
    path("dictionaries/", include("fupin.dictionaries.urls")),
    path("audit/", include("fupin.audit.urls")),
    path("jobs/", include("fupin.jobs.urls")),
    path("monitoring/", include("fupin.monitoring.urls")),
    path("assistance/", include("fupin.assistance.urls")),
    path("procedures/", include("fupin.procedures.urls")),
    path("comparison/", include("fupin.comparison.urls")),
    path("public/notices/", include("fupin.procedures.public_urls")),
    path("api/", api.urls),
    path("healthz", lambda request: HttpResponse("ok")),
]
