from django.urls import path

from . import views

urlpatterns = [
    path("confidence/", views.confidence_page, name="confidence"),
    path("confidence/<int:producer_id>/", views.confidence_page, name="confidence_of"),
    path("confidence/check-in/", views.check_in, name="check_in"),
]
