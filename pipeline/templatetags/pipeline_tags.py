from django import template
from django.template.defaultfilters import date

from pipeline.details import tel_href

register = template.Library()


@register.filter
def due_words(prospect) -> str:
    """When a decorated prospect's next step is due, as the board and the prospect page say it:
    "today", "overdue since Mon Nov 23" or "Mon Nov 30"."""
    if prospect.due_state == "today":
        return "today"
    day = date(prospect.next_step_due, "D M j")
    return f"overdue since {day}" if prospect.due_state == "overdue" else day


@register.filter
def tel(phone: str) -> str:
    """A phone number as a `tel:` link a phone can dial."""
    return tel_href(phone) if phone else ""
