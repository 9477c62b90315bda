from .access import assets_work

app_name = "assets"
urlpatterns = assets_work.guard_urls([
])
