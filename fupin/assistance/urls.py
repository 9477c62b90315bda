from django.urls import path

from . import views
from .access import assistance_work

app_name = "assistance"
urlpatterns = assistance_work.guard_urls([
    path("mine/", views.my_households, name="my_households"),
    path("helpers/", views.helper_list, name="helper_list"),
    path("helpers/new/", views.helper_edit, name="helper_create"),
    path("helpers/<int:pk>/", views.helper_detail, name="helper_detail"),
    path("helpers/<int:pk>/edit/", views.helper_edit, name="helper_edit"),
    path("households/<int:pk>/", views.household, name="household"),
    path("households/<int:household_pk>/pair/", views.pairing_create, name="pairing_create"),
    path("pairings/<int:pk>/end/", views.pairing_end, name="pairing_end"),
    path("households/<int:household_pk>/measures/new/", views.measure_edit, name="measure_create"),
    path("measures/<int:pk>/", views.measure_edit, name="measure_edit"),
    path("households/<int:household_pk>/visits/new/", views.visit_create, name="visit_create"),
    path("photos/<int:pk>/", views.photo, name="photo"),
])
