from .access import credit_work

app_name = "credit"
urlpatterns = credit_work.guard_urls([
])
