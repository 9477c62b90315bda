from django.urls import path

from . import views

app_name = "dictionaries"
urlpatterns = [
    path("", views.entry_list, name="list"),
    path("new/", views.entry_edit, name="create"),
    path("<int:pk>/", views.entry_edit, name="edit"),
]
