"""The obstacle parts of the meeting screen, filled by `meetings.selectors.meeting_screen`
into `screen.obstacles`: the "Clear the path" section's list, the owners the raise form offers
during a turn, and the wrap-up's (and the minutes') raised and cleared."""

import datetime as dt
import uuid

from ..agenda import S


def fill_screen(screen, now: dt.datetime) -> None:
    # Imported here: meetings.selectors imports this module, and these import it back.
    from salesculture.weeks import local_now

    from .selectors import meeting_obstacle_changes, meeting_obstacles, obstacle_owners

    meeting = screen.meeting
    section = meeting.section
    found: dict = {}
    if section == S.CLEAR_PATH:
        found["open"] = meeting_obstacles(meeting, now=now)
    if section in (S.TURNS, S.CLEAR_PATH) and not meeting.ended_at:
        found["owners"] = list(obstacle_owners(meeting.team))
        found["due"] = local_now(meeting.agency).date() + dt.timedelta(days=7)
        found["token"] = uuid.uuid4().hex  # one per rendered raise form
    if section in (S.WRAP_UP, S.ENDED):
        found["changes"] = meeting_obstacle_changes(meeting)
    screen.obstacles = found
