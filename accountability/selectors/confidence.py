import datetime as dt

from salesculture.models import Producer

from ..models import ConfidenceCheckIn


def check_in_for_week(producer: Producer, week_start: dt.date) -> ConfidenceCheckIn | None:
    return ConfidenceCheckIn.objects.filter(producer=producer, week_start=week_start).first()
