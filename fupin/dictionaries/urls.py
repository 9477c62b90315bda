app_name = "dictionaries"
urlpatterns = []
