from .access import projects_work

app_name = "projects"
urlpatterns = projects_work.guard_urls([
])
