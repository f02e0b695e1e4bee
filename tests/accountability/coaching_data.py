"""Hand-built coaching rows for tests: a one-on-one as a leader records it."""

import datetime as dt

from accountability.models import OneOnOne, OneOnOneAction


def one_on_one_with_action(*, leader, producer, held_on=None, follow_up_on=None,
                           notes="Talked about the pipeline.", outcome="",
                           action="Call the three oldest leads") -> OneOnOne:
    one_on_one = OneOnOne.objects.create(
        agency=producer.agency, producer=producer, leader=leader,
        held_on=held_on or dt.date(2026, 1, 5), notes=notes, follow_up_on=follow_up_on,
        outcome=outcome)
    if action:
        OneOnOneAction.objects.create(one_on_one=one_on_one, text=action)
    return one_on_one
