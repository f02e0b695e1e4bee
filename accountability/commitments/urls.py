from django.urls import path

from . import views

urlpatterns = [
    path("commitments/", views.commitments_page, name="commitments"),
    path("commitments/targets/", views.commitments_set, name="commitments_set"),
    path("commitments/promise/", views.promise_add, name="promise_add"),
    path("commitments/<int:pk>/done/", views.commitment_done, name="commitment_done"),
    path("commitments/<int:pk>/withdraw/", views.commitment_withdraw,
         name="commitment_withdraw"),
]
