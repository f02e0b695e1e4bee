from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject

# The main navigation, in the top bar's order: (url name, label). The phone's bottom bar shows
# DAILY first and puts the rest, in this order, under "More".
MAIN_NAV = [
    ("accountability:my_week", "My week"), ("pipeline:board", "Pipeline"),
    ("accountability:commitments", "Commitments"), ("accountability:plan", "Plan"),
    ("accountability:funnel", "Funnel"), ("accountability:team", "Team"),
    ("accountability:meetings", "Meeting"), ("accountability:role_fit", "Role fit"),
    ("accountability:one_on_ones", "One-on-ones"),
    ("pipeline:lost_reasons", "Lost reasons"),
    ("audit", "History"), ("settings", "Settings"), ("profile", "Profile"),
]
DAILY = {"accountability:my_week": "◎", "pipeline:board": "▤", "accountability:commitments": "✓",
         "accountability:team": "☰"}  # with the bottom bar's icon


@dataclass
class NavLink:
    name: str
    label: str
    href: str
    current: bool

    @property
    def icon(self) -> str:
        """The bottom bar's icon; only the daily links have one (the rest are under More)."""
        return DAILY.get(self.name, "")


def acting_producer(request):
    producer = getattr(request, "producer", None)
    return {"me": producer if producer else None,
            # Read by both the top nav and the phone's bottom bar: built once, when shown.
            "nav_links": SimpleLazyObject(lambda: main_nav(request, producer))}


def _url(name: str) -> str:
    """A page that does not exist (yet) simply has no link."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def main_nav(request, me) -> list[NavLink]:
    """The links `me` may follow, the current page marked: Role fit for leaders, History for
    owners, and Settings for owners and for leaders with something to use there (their
    people, an import)."""
    urls = {name: _url(name) for name, _ in MAIN_NAV}
    leads, owns = bool(me and me.is_leader), bool(me and me.is_owner)
    shown = {"accountability:role_fit": leads, "pipeline:lost_reasons": leads, "audit": owns,
             "settings": owns or (leads and bool(_url("people") or _url("pipeline:import")))}
    here = request.path
    return [NavLink(name, label, urls[name],
                    here.startswith("/settings/") if name == "settings" else here == urls[name])
            for name, label in MAIN_NAV if urls[name] and shown.get(name, True)]
