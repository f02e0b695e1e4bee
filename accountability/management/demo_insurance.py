"""What the demo's prospects carry as an insurance producer knows them (issue 15): contacts,
phones in the fictional 555-01xx range, carriers, current and quoted premiums, X-dates, and for
each producer a few renewals 60, 45 and 30 days out with no next step before them, so that
"X-dates coming", the board's mark and the meeting's list have something to show.

Draws from its own random stream, so the rest of the demo is the same with or without it."""

import datetime as dt
import random
from decimal import Decimal

from pipeline.models import Prospect, Stage

CARRIERS = ["State Farm", "Allstate", "Progressive", "Travelers", "Liberty Mutual", "Nationwide",
            "The Hartford", "Erie", "Chubb", "Auto-Owners", "Hanover", "Cincinnati"]
CONTACTS = ["Maria Lopez", "David Kim", "Rachel Green", "Tom Becker", "Aisha Khan", "Luis Ortega",
            "Janet Hughes", "Omar Haddad", "Karen Doyle", "Steve Park", "Priya Nair", "Mike Russo"]
# Current annual premium by line of business, dollars.
PREMIUMS = {"personal": (1200, 5200), "commercial": (4000, 48000), "life": (400, 3200),
            "benefits": (18000, 150000)}
QUOTED_FROM = "Submitted to markets"  # from this stage on, a premium has been quoted
DUE_MARKS = (60, 45, 30)


def _details(p: Prospect, rng: random.Random, today: dt.date, quoted: bool) -> None:
    business = p.line_of_business in ("commercial", "benefits")
    p.client_type = Prospect.ClientType.BUSINESS if business else Prospect.ClientType.HOUSEHOLD
    p.contact_name = rng.choice(CONTACTS) if business else p.name
    first, _, last = p.contact_name.lower().partition(" ")
    domain = p.name.lower().replace(" ", "") + ".example" if business else "example.com"
    p.email = f"{first}.{last}@{domain}"
    p.phone = f"({rng.choice([312, 630, 708, 773, 847])}) 555-01{rng.randint(0, 99):02d}"
    p.current_carrier = rng.choice(CARRIERS)
    low, high = PREMIUMS[p.line_of_business]
    p.current_premium = Decimal(rng.randrange(low, high, 25))
    p.premium = (p.current_premium * Decimal(str(rng.uniform(0.82, 1.04)))).quantize(
        Decimal("1")) if quoted else None
    # Renewals spread over the year ahead, some just past.
    p.x_date = today + dt.timedelta(days=rng.randint(-40, 330))


def demo_insurance_details(*, agency, today: dt.date, seed: int = 15) -> None:
    rng = random.Random(seed)
    stages = {s.pk: s for s in Stage.objects.filter(agency=agency)}
    quoted_from = next((s.position for s in stages.values() if s.name == QUOTED_FROM), 0)
    prospects = list(Prospect.objects.filter(agency=agency).order_by("owner_id", "id"))
    by_owner: dict[int, list[Prospect]] = {}
    for p in prospects:
        stage = stages[p.stage_id]
        furthest = stages.get(p.furthest_stage_id, stage)
        quoted = stage.kind == Stage.Kind.WON or furthest.position >= quoted_from
        _details(p, rng, today, quoted)
        if stage.kind == Stage.Kind.OPEN:
            by_owner.setdefault(p.owner_id, []).append(p)
    for open_ones in by_owner.values():
        # A few renewals at each mark with no next step before them: the proactive list.
        for p, days in zip(rng.sample(open_ones, min(3, len(open_ones))), DUE_MARKS, strict=False):
            p.x_date = today + dt.timedelta(days=days)
            if p.next_step_due is not None and p.next_step_due <= p.x_date:
                p.next_step, p.next_step_due = "", None
    Prospect.objects.bulk_update(
        prospects, ["client_type", "contact_name", "phone", "email", "current_carrier",
                    "current_premium", "premium", "x_date", "next_step", "next_step_due"],
        batch_size=500)
