"""The site's URLs (and error handlers) plus views that fail, for the error page tests."""

from django.urls import path

from fupin import urls as site


def explode(request):
    raise RuntimeError("boom with 410481196001010018")


urlpatterns = [*site.urlpatterns, path("tests/explode/", explode), path("api/tests/explode", explode)]
handler400, handler403, handler404, handler500 = site.handler400, site.handler403, site.handler404, site.handler500
