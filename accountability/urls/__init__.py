"""One url module per feature so each page's routes sit next to nothing else's."""

from . import meeting, plan, team, week

app_name = "accountability"
urlpatterns = [*week.urlpatterns, *team.urlpatterns, *meeting.urlpatterns, *plan.urlpatterns]
