from django.urls import path

from ..views import week

urlpatterns = [
    path("week/", week.my_week, name="my_week"),
]
