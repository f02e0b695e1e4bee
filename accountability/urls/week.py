from django.urls import path

from ..views import commitments, week

urlpatterns = [
    path("week/", week.my_week, name="my_week"),
    path("week/log/", week.week_log, name="week_log"),
    path("week/undo/<int:activity_id>/", week.week_undo, name="week_undo"),
    path("commitments/", commitments.commitments_page, name="commitments"),
    path("commitments/targets/", commitments.commitments_set, name="commitments_set"),
    path("commitments/promise/", commitments.promise_add, name="promise_add"),
    path("commitments/<int:pk>/done/", commitments.commitment_done, name="commitment_done"),
    path("commitments/<int:pk>/withdraw/", commitments.commitment_withdraw,
         name="commitment_withdraw"),
]
