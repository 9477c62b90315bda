from .access import funds_work

app_name = "funds"
urlpatterns = funds_work.guard_urls([
])
