from django.urls import path

from . import kiosk_views as kiosk
from . import my_turn_views as phone
from . import views as meeting
from .obstacles import views as obstacles

urlpatterns = [
    path("meeting/", meeting.meetings, name="meetings"),
    path("meeting/start/", meeting.meeting_start_view, name="meeting_start"),
    path("meeting/turn/", phone.my_turn, name="meeting_my_turn"),
    path("meeting/tv-links/", meeting.kiosk_create_view, name="meeting_kiosk_create"),
    path("meeting/tv-links/<int:link_id>/revoke/", meeting.kiosk_revoke_view,
         name="meeting_kiosk_revoke"),
    path("meeting/<int:meeting_id>/", meeting.meeting_detail, name="meeting"),
    path("meeting/<int:meeting_id>/minutes/", phone.meeting_minutes, name="meeting_minutes"),
    path("meeting/<int:meeting_id>/poll/", meeting.meeting_poll, name="meeting_poll"),
    path("meeting/<int:meeting_id>/move/", meeting.meeting_move_view, name="meeting_move"),
    path("meeting/<int:meeting_id>/end/", meeting.meeting_end_view, name="meeting_end"),
    path("meeting/<int:meeting_id>/reopen/", meeting.meeting_reopen_view,
         name="meeting_reopen"),
    path("meeting/<int:meeting_id>/rating/", meeting.meeting_rate_view, name="meeting_rate"),
    path("meeting/<int:meeting_id>/notes/", meeting.meeting_notes_view, name="meeting_notes"),
    path("meeting/<int:meeting_id>/follow-up/", meeting.follow_up_view,
         name="meeting_follow_up"),
    path("meeting/<int:meeting_id>/turns/add/", meeting.turn_add_view,
         name="meeting_turn_add"),
    path("meeting/<int:meeting_id>/turns/<int:turn_id>/note/", meeting.turn_note_view,
         name="meeting_turn_note"),
    path("meeting/<int:meeting_id>/turns/<int:turn_id>/commitments/",
         meeting.turn_commitment_view, name="meeting_turn_commitment"),
    path("meeting/obstacles/", obstacles.obstacle_list, name="obstacles"),
    path("meeting/obstacles/raise/", obstacles.obstacle_raise_view, name="obstacle_raise"),
    path("meeting/obstacles/<int:obstacle_id>/close/", obstacles.obstacle_close_view,
         name="obstacle_close"),
    path("meeting/<int:meeting_id>/obstacles/raise/", obstacles.meeting_obstacle_raise_view,
         name="meeting_obstacle_raise"),
    path("meeting/<int:meeting_id>/obstacles/<int:obstacle_id>/close/",
         obstacles.meeting_obstacle_close_view, name="meeting_obstacle_close"),
    path("kiosk/<str:token>/", kiosk.kiosk, name="kiosk"),
    path("kiosk/<str:token>/poll/", kiosk.kiosk_poll, name="kiosk_poll"),
]
