from .core import api

# Included by name from salesculture/urls.py, which must not import accountability.
urlpatterns = api.urls[0]
app_name = "api"
