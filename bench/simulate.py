"""The benchmark's history: what the producers of one agency did over the weeks, as rows ready
for COPY. No database here; `bench/generate.py` writes what this yields.

The rates are per producer-week, so the defaults (500 producers, 52 weeks) come to about 1M
activity rows, 95k prospects and 300k stage advances per agency. A prospect lives from its
creation stage by stage (a wait, then a loss, a move on, now and then a skip or a step back)
until it is bound, lost or today; what each move wins is judged by the app's own win rule
(pipeline/wins.py), so StageAdvance.wins and the StageWin rows are what `prospect_advance`
would have written.
"""

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal

from pipeline.phones import phone_digits
from pipeline.wins import furthest_after, stages_won

ACTIVITY_ROWS_PER_WEEK = 38.5  # rows (not quantity) per producer-week
ACTIVITY_MIX = [("Call", 0.52), ("Email", 0.22), ("Appointment", 0.08), ("Referral ask", 0.06),
                ("Quote", 0.07), ("Proposal", 0.05)]
ABOUT_A_PROSPECT = {"Appointment", "Quote", "Proposal"}
OUTCOMES = ["connected", "no_answer", "left_message", "booked", "not_interested", "follow_up"]
NEW_PROSPECTS_PER_WEEK = 3.65
# Per open stage of the path, in order: mean days before the next move, and the chance that
# the move is a loss (for skill 1.0).
WAIT_DAYS = [5, 6, 8, 10, 10, 8]
LOSS = [0.5, 0.4, 0.3, 0.25, 0.25, 0.3]
SKIP, BACK = 0.04, 0.03
CHECK_IN_SHARE = 0.7
REVENUE = {"personal": (600, 3000), "commercial": (3000, 24000), "life": (500, 4000),
           "benefits": (5000, 30000)}
FIRST_NAMES = ["Ava", "Ben", "Cara", "Dan", "Eli", "Faye", "Gus", "Ivy", "Jon", "Kai", "Lia",
               "Max", "Noor", "Omar", "Pia", "Raj", "Sam", "Tess", "Uma", "Vic", "Wes", "Zoe"]
LAST_NAMES = ["Hart", "Lane", "Moss", "Nash", "Pike", "Quinn", "Rowe", "Shaw", "Tate", "Vale",
              "Baker", "Cole", "Diaz", "Ellis", "Ford", "Gray", "Hayes", "Ito", "Jones", "Khan"]
BUSINESSES = ["Roofing", "Dental", "Bakery", "Logistics", "Landscaping", "Auto Body", "Brewing",
              "Plumbing", "Vet Clinic", "Print Shop", "Fitness", "Electric", "Cafe", "Builders"]
SOURCES = ["Referral", "Website", "Cold call", "Networking event", "Existing client"]
LOST_REASONS = ["Went with their current agent", "Price", "Not the right time",
                "Bought direct online", "Stopped responding"]
NEXT_STEPS = ["Call to confirm the appointment", "Send the coverage checklist",
              "Collect loss runs", "Review quotes together", "Present the proposal",
              "Ask for two referrals", "Follow up on the signed application"]
CARRIERS = ["Travelers", "Progressive", "State Farm", "The Hartford", "Chubb", "Nationwide"]
PROMISES = ["Send the Moss Dental proposal by Thursday",
            "Book a renewal review with my top 3 clients",
            "Ask every bound client this week for a referral"]

PROSPECT_COLUMNS = ("id", "agency_id", "owner_id", "name", "line_of_business",
                    "estimated_revenue", "stage_id", "stage_entered_at", "furthest_stage_id",
                    "next_step", "next_step_due", "source", "lost_reason", "created_at",
                    "updated_at", "client_type", "contact_name", "phone", "email",
                    "current_carrier", "current_premium", "premium", "x_date", "phone_digits")
ADVANCE_COLUMNS = ("id", "agency_id", "prospect_id", "producer_id", "moved_by_id",
                   "from_stage_id", "to_stage_id", "occurred_at", "wins", "is_win", "note",
                   "next_step", "next_step_due", "definition_confirmed", "lost_reason",
                   "source", "from_stage_entered_at")
WIN_COLUMNS = ("id", "agency_id", "prospect_id", "advance_id", "producer_id", "stage_id",
               "occurred_at")
ACTIVITY_COLUMNS = ("id", "agency_id", "producer_id", "activity_type_id", "prospect_id",
                    "occurred_at", "quantity", "outcome", "note", "created_at")
COMMITMENT_COLUMNS = ("id", "agency_id", "producer_id", "week_start", "kind", "activity_type_id",
                      "stage_id", "target", "text", "due_date", "made_at", "made_by_id",
                      "planned_ahead", "self_reported_done", "status")
CHECK_IN_COLUMNS = ("id", "agency_id", "producer_id", "week_start", "process", "pipeline",
                    "team", "note", "created_at")


@dataclass
class Ids:
    """The next id of each table, carried from one agency to the next."""

    prospect: int = 1
    advance: int = 1
    win: int = 1
    activity: int = 1
    commitment: int = 1
    check_in: int = 1

    def take(self, table: str) -> int:
        value = getattr(self, table)
        setattr(self, table, value + 1)
        return value


@dataclass
class Seller:
    pk: int
    pace: float  # how much they do, around 1
    skill: float  # how well their prospects convert, around 1


class Calendar:
    """Days from the first Monday (day 0) to today; a moment is a business-hours instant of a
    day, in UTC, never after `now`."""

    def __init__(self, tz, first_monday: dt.date, now: dt.datetime):
        self.now = now
        self.first_monday = first_monday
        self.today = (now.astimezone(tz).date() - first_monday).days
        self.weeks = self.today // 7 + 1
        self.eight_am = [
            dt.datetime.combine(first_monday + dt.timedelta(days=d), dt.time(8), tzinfo=tz)
            .astimezone(dt.UTC) for d in range(self.today + 1)]

    def moment(self, day: int, rng: random.Random) -> dt.datetime | None:
        at = self.eight_am[day] + dt.timedelta(seconds=rng.randrange(10 * 3600))
        return at if at <= self.now else None

    def weekday(self, day: int) -> int:
        """A weekend day moves on to Monday."""
        return day + (7 - day % 7 if day % 7 >= 5 else 0)

    def date(self, day: int) -> dt.date:
        return self.first_monday + dt.timedelta(days=day)


@dataclass
class Ledger:
    """One agency's prospects and their moves (ids assigned), ready to copy."""

    prospects: list = field(default_factory=list)
    advances: list = field(default_factory=list)
    wins: list = field(default_factory=list)
    recent: dict = field(default_factory=dict)  # (producer, week) -> prospect ids created


class AgencyHistory:
    def __init__(self, *, agency_id: int, stages: list, types: dict, sellers: list[Seller],
                 calendar: Calendar, rng: random.Random, ids: Ids):
        self.agency_id = agency_id
        self.stages = stages
        self.path = sorted((s for s in stages if s.kind != "lost"), key=lambda s: s.position)
        self.lost = next(s for s in stages if s.kind == "lost")
        self.types = types
        self.sellers = sellers
        self.cal = calendar
        self.rng = rng
        self.ids = ids

    # --- prospects and the stage ledger ---------------------------------------------------

    def ledger(self) -> Ledger:
        ledger = Ledger()
        moves = []
        for seller in self.sellers:
            for week in range(self.cal.weeks):
                created = ledger.recent.setdefault((seller.pk, week), [])
                for _ in range(self._poisson(NEW_PROSPECTS_PER_WEEK * seller.pace)):
                    day = self.cal.weekday(week * 7 + self.rng.randrange(5))
                    if day > self.cal.today:
                        continue
                    born = self.cal.moment(day, self.rng)
                    if born is None:
                        continue
                    pk = self.ids.take("prospect")
                    created.append(pk)
                    prospect, lived = self._life(pk, seller, day, born)
                    ledger.prospects.append(prospect)
                    moves += lived
        # Ledger ids follow time, as live moves would have them.
        moves.sort(key=lambda m: m[0])
        for at, prospect, seller, from_stage, to_stage, won, step, due, done, lost, entered \
                in moves:
            advance = self.ids.take("advance")
            ledger.advances.append((
                advance, self.agency_id, prospect, seller, seller, from_stage, to_stage, at,
                len(won), bool(won), "", step, due, done, lost, "live", entered))
            ledger.wins += [(self.ids.take("win"), self.agency_id, prospect, advance, seller,
                             stage_id, at) for stage_id in won]
        return ledger

    def _life(self, pk: int, seller: Seller, day: int, born: dt.datetime) -> tuple[tuple, list]:
        rng, path = self.rng, self.path
        at, furthest, stage, when = 0, path[0], path[0], born
        moves = [(born, pk, seller.pk, None, stage.pk, [], "", None, False, "", None)]
        lost_reason = ""
        while stage.kind == "open":
            day = self.cal.weekday(day + 1 + int(rng.expovariate(1 / WAIT_DAYS[at])))
            if day > self.cal.today:
                break
            moment = self.cal.moment(day, rng)
            if moment is None:
                break
            to, lost_reason = self._next_stage(at, seller)
            won = stages_won(stages=self.stages, furthest=furthest, to_stage=to)
            furthest = furthest_after(furthest=furthest, to_stage=to)
            step, due = "", None
            if to.kind == "open" and rng.random() < 0.85:
                step = rng.choice(NEXT_STEPS)
                due = self.cal.date(day + rng.randint(1, 6))
            confirmed = to.kind != "open" or rng.random() < 0.8
            moves.append((moment, pk, seller.pk, stage.pk, to.pk, [s.pk for s in won], step,
                          due, confirmed, lost_reason, when))
            stage, when = to, moment
            if to.kind == "open":
                at = path.index(to)
        return self._prospect(pk, seller, born, stage, when, furthest, lost_reason), moves

    def _next_stage(self, at: int, seller: Seller):
        roll = self.rng.random()
        loss = min(0.9, LOSS[at] / seller.skill)
        if roll < loss:
            return self.lost, self.rng.choice(LOST_REASONS)
        if roll < loss + BACK and at > 0:
            return self.path[at - 1], ""
        if roll < loss + BACK + SKIP and at + 2 < len(self.path):
            return self.path[at + 2], ""
        return self.path[at + 1], ""

    def _prospect(self, pk, seller, born, stage, when, furthest, lost_reason) -> tuple:
        rng = self.rng
        lob = rng.choice(list(REVENUE))
        low, high = REVENUE[lob]
        name = (f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" if lob in ("personal", "life")
                else f"{rng.choice(LAST_NAMES)} {rng.choice(BUSINESSES)}")
        step, due = "", None
        if stage.kind == "open" and rng.random() < 0.88:
            step = rng.choice(NEXT_STEPS)
            due = self.cal.date(self.cal.today + rng.randint(-5, 9))
        revenue = Decimal(rng.randrange(low, high, 50))
        business = lob in ("commercial", "benefits")
        contact = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        phone = f"(555) {rng.randrange(200, 999)}-{rng.randrange(1000, 9999)}"
        # About an eighth of the premium is the agency's commission (the estimated revenue).
        premium = revenue * 8
        return (pk, self.agency_id, seller.pk, name, lob, revenue,
                stage.pk, when, furthest.pk, step, due, rng.choice(SOURCES), lost_reason, born,
                when, "business" if business else "household", contact,
                phone,
                f"{contact.split()[0].lower()}.{pk}@example.com", rng.choice(CARRIERS),
                premium * Decimal("1.1"), premium,
                self.cal.date(self.cal.today + rng.randint(10, 365)), phone_digits(phone))

    def _poisson(self, mean: float) -> int:
        """Knuth's method: good enough for small means."""
        limit, count, product = math.exp(-mean), 0, self.rng.random()
        while product > limit:
            count += 1
            product *= self.rng.random()
        return count

    # --- activities ---------------------------------------------------------------------

    def activities(self, recent: dict):
        """Activity rows, streamed (there are about a million)."""
        rng, cal = self.rng, self.cal
        names = [name for name, _ in ACTIVITY_MIX]
        cumulative, total = [], 0.0
        for _, share in ACTIVITY_MIX:
            total += share
            cumulative.append(total)
        type_ids = [self.types[name] for name in names]
        about = [name in ABOUT_A_PROSPECT for name in names]
        quantities = [(1, 1, 1, 2, 3) if name in ("Call", "Email") else (1,) for name in names]
        for seller in self.sellers:
            mean = ACTIVITY_ROWS_PER_WEEK * seller.pace
            for week in range(cal.weeks):
                candidates = [pk for w in range(max(0, week - 3), week + 1)
                              for pk in recent.get((seller.pk, w), ())]
                for _ in range(max(0, round(rng.gauss(mean, mean * 0.15)))):
                    day = week * 7 + rng.randrange(5)
                    if day > cal.today:
                        continue
                    at = cal.moment(day, rng)
                    if at is None:
                        continue
                    kind = _pick(cumulative, rng.random() * total)
                    prospect = (rng.choice(candidates) if about[kind] and candidates
                                and rng.random() < 0.6 else None)
                    outcome = rng.choice(OUTCOMES) if kind == 0 else ""
                    yield (self.ids.take("activity"), self.agency_id, seller.pk,
                           type_ids[kind], prospect, at, rng.choice(quantities[kind]), outcome,
                           "", at)

    # --- commitments and check-ins ------------------------------------------------------

    def commitments(self, week_starts: list[dt.date], tz) -> list[tuple]:
        rng, rows = self.rng, []
        call, referral = self.types["Call"], self.types["Referral ask"]
        for seller in self.sellers:
            for week, monday in enumerate(week_starts):
                lead = rng.choice([1, 2, 3, -1])
                made = dt.datetime.combine(monday - dt.timedelta(days=lead), dt.time(16, 30),
                                           tzinfo=tz)
                if made > self.cal.now:
                    continue
                ambition = rng.uniform(0.85, 1.25)
                common = (self.agency_id, seller.pk, monday)
                tail = (made, seller.pk, lead > 0)
                calls = max(5, round(20 * seller.pace * ambition / 5) * 5)
                rows.append((self.ids.take("commitment"), *common, "activity", call, None, calls,
                             "", None, *tail, False, "open"))
                wins = max(2, round(5 * seller.skill * seller.pace * ambition))
                rows.append((self.ids.take("commitment"), *common, "stage_wins", None, None,
                             wins, "", None, *tail, False, "open"))
                asks = max(1, round(3 * seller.pace * ambition))
                rows.append((self.ids.take("commitment"), *common, "activity", referral, None,
                             asks, "", None, *tail, False, "open"))
                if rng.random() < 0.4:
                    done = week < len(week_starts) - 1 and rng.random() < seller.skill * 0.7
                    rows.append((self.ids.take("commitment"), *common, "specific", None, None,
                                 None, rng.choice(PROMISES), monday + dt.timedelta(days=3),
                                 *tail, done, "open"))
        return rows

    def check_ins(self, week_starts: list[dt.date], tz) -> list[tuple]:
        rng, rows = self.rng, []
        for seller in self.sellers:
            base = 3 + (seller.skill - 1) * 4
            for monday in week_starts:
                at = dt.datetime.combine(monday, dt.time(9), tzinfo=tz)
                if at > self.cal.now or rng.random() > CHECK_IN_SHARE:
                    continue
                rows.append((self.ids.take("check_in"), self.agency_id, seller.pk, monday,
                             _rating(rng, base + 0.5), _rating(rng, base * seller.pace),
                             _rating(rng, base + 0.8), "", at))
        return rows


def _pick(cumulative: list[float], value: float) -> int:
    for index, bound in enumerate(cumulative):
        if value < bound:
            return index
    return len(cumulative) - 1


def _rating(rng: random.Random, around: float) -> int:
    return max(1, min(5, round(rng.gauss(around, 0.7))))
