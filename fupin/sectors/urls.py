from .access import sectors_work

app_name = "sectors"
urlpatterns = sectors_work.guard_urls([
])
