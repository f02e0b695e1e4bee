from django import template
from django.template.defaultfilters import date

register = template.Library()


@register.filter
def due_words(prospect) -> str:
    """When a decorated prospect's next step is due, as the board and the prospect page say it:
    "today", "overdue since Mon Nov 23" or "Mon Nov 30"."""
    if prospect.due_state == "today":
        return "today"
    day = date(prospect.next_step_due, "D M j")
    return f"overdue since {day}" if prospect.due_state == "overdue" else day
