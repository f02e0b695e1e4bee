"""Each row of an import judged against what the agency has: pure functions, no database.

`Lookups` is what the selectors read once per file (a fixed number of queries however many
rows), already scoped to what the importing person may touch: a leader's lookups hold only
their team's producers, so a row naming anyone else is "Unknown producer", exactly as a row
naming another agency's producer is. A check returns the row's clean values and its problems;
a problem is (reason, detail): the reason is what the summary counts, the detail what the
preview and the error report show."""

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from salesculture.services import GOAL_MINIMUM

from ..details import phone_problem
from .columns import column_indexes, row_values

UNKNOWN_PRODUCER = "Unknown producer"
UNKNOWN_STAGE = "Unknown stage"
UNKNOWN_TYPE = "Unknown activity type"
UNKNOWN_TEAM = "Unknown team"
UNKNOWN_ROLE = "Unknown role"
UNKNOWN_LINE = "Unknown line of business"
UNKNOWN_PROSPECT = "Unknown prospect"
BAD_DATE = "Bad date"
BAD_NUMBER = "Bad number"
BAD_EMAIL = "Bad email"
BAD_PHONE = "Bad phone"
UNKNOWN_CLIENT_TYPE = "Unknown household or business"
MISSING = "Missing value"
TOO_LONG = "Too long"
DUPLICATE = "Duplicate in the file"
NOT_YOURS = "Not yours to change"

MAX_REVENUE = Decimal("9999999999.99")
MAX_QUANTITY = 500
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%Y/%m/%d", "%d.%m.%Y", "%b %d %Y",
                "%d %b %Y", "%B %d %Y")
LENGTHS = {"name": 120, "source": 80, "next_step": 200, "external_id": 100, "note": 300,
           "prospect_external_id": 100, "contact_name": 120, "phone": 32, "email": 254,
           "current_carrier": 80}
CLIENT_TYPES = {"household": "household", "personal": "household", "individual": "household",
                "family": "household", "business": "business", "commercial": "business",
                "company": "business"}


@dataclass
class Lookups:
    """Names as lower-case keys → ids, all of one agency and within the importer's reach."""
    producers: dict[str, int] = field(default_factory=dict)  # email → producer id
    stages: dict[str, int] = field(default_factory=dict)
    default_stage: int | None = None
    lines: dict[str, str] = field(default_factory=dict)  # value or label → value
    activity_types: dict[str, int] = field(default_factory=dict)
    teams: dict[str, int] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)  # value or label → value
    default_team: int | None = None
    prospects: dict[str, int] = field(default_factory=dict)  # external id → prospect id
    today: dt.date = dt.date.min
    # Records already there, for re-imports: a prospect by external id → (id, owner id,
    # deleted), else by (name, owner id) → id; a person by email → (id, team id, role).
    existing: dict[str, tuple[int, int, bool]] = field(default_factory=dict)
    natural: dict[tuple[str, int], int] = field(default_factory=dict)
    people: dict[str, tuple[int, int | None, str]] = field(default_factory=dict)
    emails_elsewhere: set[str] = field(default_factory=set)
    team_only: int | None = None  # a leader's import: only their team's people


@dataclass
class Row:
    number: int  # as the spreadsheet numbers it: the header is row 1
    cells: list[str]
    values: dict
    problems: list[tuple[str, str]]

    @property
    def ok(self) -> bool:
        return not self.problems


def parse_date(text: str) -> dt.date | None:
    text = re.sub(r"[,\s]+", " ", text.strip())
    text = re.sub(r"[ T]\d{1,2}:\d{2}(:\d{2})?(\.\d+)?( ?[AaPp][Mm])?$", "", text)
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_decimal(text: str) -> Decimal | None:
    text = text.strip().replace("$", "").replace(" ", "").replace("\u00a0", "")
    # "1234,50" is a decimal comma (a semicolon-separated file); "1,234" groups thousands.
    decimal_comma = re.fullmatch(r"-?\d+,\d{1,2}", text)
    text = text.replace(",", "." if decimal_comma else "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


class _Checker:
    def __init__(self, raw: dict[str, str]):
        self.raw, self.values, self.problems = raw, {}, []

    def problem(self, reason: str, detail: str) -> None:
        self.problems.append((reason, detail))

    def text(self, key: str, label: str, *, required: bool = False) -> str:
        value = self.raw.get(key, "")
        if required and not value:
            self.problem(MISSING, f"{label} is empty.")
        elif len(value) > LENGTHS.get(key, 200):
            self.problem(TOO_LONG, f"{label} is longer than {LENGTHS.get(key, 200)} characters.")
        self.values[key] = value
        return value

    def pick(self, key: str, label: str, choices: dict, reason: str, *,
             required: bool = True, default=None):
        value = self.raw.get(key, "")
        if not value:
            if required and default is None:
                self.problem(MISSING, f"{label} is empty.")
            self.values[key] = default
            return default
        found = choices.get(value.lower())
        if found is None:
            self.problem(reason, f"{reason}: {value}")
        self.values[key] = found
        return found

    def number(self, key: str, label: str, *, default: Decimal, maximum: Decimal,
               whole: bool = False):
        value = self.raw.get(key, "")
        if not value:
            self.values[key] = default
            return
        number = parse_decimal(value)
        if number is None or number < 0 or number > maximum or (
                whole and (number != number.to_integral_value() or number < 1)):
            kind = "a whole number from 1 to" if whole else "an amount from 0 to"
            self.problem(BAD_NUMBER, f"{BAD_NUMBER}: {label} \u201c{value}\u201d is not "
                                     f"{kind} {maximum:,}.")
            number = None
        self.values[key] = (int(number) if whole and number is not None else
                            None if number is None else number.quantize(Decimal("0.01")))

    def date(self, key: str, label: str, *, required: bool = False,
             not_after: dt.date | None = None):
        value = self.raw.get(key, "")
        if not value:
            if required:
                self.problem(MISSING, f"{label} is empty.")
            self.values[key] = None
            return
        day = parse_date(value)
        if day is None:
            self.problem(BAD_DATE, f"{BAD_DATE}: {label} \u201c{value}\u201d (write it as "
                                   "2025-03-31 or 3/31/2025).")
        elif not_after is not None and day > not_after:
            self.problem(BAD_DATE, f"{BAD_DATE}: {label} {value} is in the future.")
            day = None
        self.values[key] = day


def check_prospect(raw: dict[str, str], lookups: Lookups) -> tuple[dict, list]:
    c = _Checker(raw)
    c.text("name", "Name", required=True)
    c.pick("owner_email", "Owner email", lookups.producers, UNKNOWN_PRODUCER)
    c.pick("stage", "Stage", lookups.stages, UNKNOWN_STAGE, default=lookups.default_stage)
    c.pick("line_of_business", "Line of business", lookups.lines, UNKNOWN_LINE,
           default="personal")
    c.number("estimated_revenue", "Estimated revenue", default=Decimal("0.00"),
             maximum=MAX_REVENUE)
    for key, label in (("source", "Source"), ("next_step", "Next step"),
                       ("external_id", "External id")):
        c.text(key, label)
    c.date("next_step_due", "Next step due")
    _check_details(c)
    _match_prospect(c, lookups)
    return c.values, c.problems


def _check_details(c: _Checker) -> None:
    """The insurance details of a prospect row (pipeline/details.py)."""
    c.pick("client_type", "Household or business", CLIENT_TYPES, UNKNOWN_CLIENT_TYPE,
           default="household")
    for key, label in (("contact_name", "Contact name"), ("current_carrier", "Current carrier")):
        c.text(key, label)
    if phone_problem(c.text("phone", "Phone")):
        c.problem(BAD_PHONE, f"{BAD_PHONE}: {c.values['phone']}")
    email = c.text("email", "Email")
    if email and not EMAIL.match(email):
        c.problem(BAD_EMAIL, f"{BAD_EMAIL}: {email}")
    for key, label in (("current_premium", "Current premium"), ("premium", "Premium")):
        c.number(key, label, default=None, maximum=MAX_REVENUE)
    c.date("x_date", "X-date")


def _match_prospect(c: _Checker, lookups: Lookups) -> None:
    """The prospect this row updates (None: a new one): the same external id, else the same
    name for the same owner. One the importer may not reach is refused, never taken over."""
    owner, external = c.values.get("owner_email"), c.values.get("external_id", "")
    c.values["match"] = None
    if external and (found := lookups.existing.get(external.lower())):
        pk, current_owner, deleted = found
        if deleted:
            c.problem(NOT_YOURS, f"{NOT_YOURS}: the prospect with external id {external} was "
                                 "deleted in the app.")
        elif current_owner not in lookups.producers.values():
            c.problem(NOT_YOURS, f"{NOT_YOURS}: the prospect with external id {external} "
                                 "belongs to someone outside your reach.")
        else:
            c.values["match"] = pk
    elif owner is not None:
        c.values["match"] = lookups.natural.get((c.values["name"].lower(), owner))


def check_activity(raw: dict[str, str], lookups: Lookups) -> tuple[dict, list]:
    c = _Checker(raw)
    c.date("date", "Date", required=True, not_after=lookups.today)
    c.pick("producer_email", "Producer email", lookups.producers, UNKNOWN_PRODUCER)
    c.pick("type", "Type", lookups.activity_types, UNKNOWN_TYPE)
    c.number("quantity", "Quantity", default=1, maximum=Decimal(MAX_QUANTITY), whole=True)
    c.pick("prospect_external_id", "Prospect", lookups.prospects, UNKNOWN_PROSPECT,
           required=False)
    c.text("note", "Note")
    return c.values, c.problems


def check_person(raw: dict[str, str], lookups: Lookups) -> tuple[dict, list]:
    c = _Checker(raw)
    c.text("name", "Name", required=True)
    email = c.text("email", "Email", required=True).lower()
    if email and not EMAIL.match(email):
        c.problem(BAD_EMAIL, f"{BAD_EMAIL}: {email}")
    c.values["email"] = email
    # Blank: a new person sells, a known one keeps their role.
    c.pick("role", "Role", lookups.roles, UNKNOWN_ROLE, required=False)
    c.pick("team", "Team", lookups.teams, UNKNOWN_TEAM, required=False,
           default=lookups.default_team)
    c.number("goal", "Annual goal", default=Decimal("0.00"), maximum=MAX_REVENUE)
    if c.values["goal"] and c.values["goal"] < GOAL_MINIMUM:
        c.problem(BAD_NUMBER, f"{BAD_NUMBER}: a goal under ${GOAL_MINIMUM:,.0f} is too small "
                              "to plan a year by (0 for no goal).")
    found = lookups.people.get(email)
    c.values["match"] = found[0] if found else None
    if email in lookups.emails_elsewhere:
        c.problem(NOT_YOURS, f"{NOT_YOURS}: {email} is already the login of someone else.")
    elif found and lookups.team_only is not None and (
            found[1] != lookups.team_only or found[2] != "producer"):
        c.problem(NOT_YOURS, f"{NOT_YOURS}: {email} is not a producer of your team.")
    return c.values, c.problems


CHECKS = {"prospects": check_prospect, "activities": check_activity, "people": check_person}


def file_key(kind: str, values: dict, raw: dict[str, str]):
    """What makes two rows of one file the same record (the second is a duplicate)."""
    if kind == "people":
        return values.get("email") or None
    if kind == "prospects":
        if raw.get("external_id"):
            return ("id", raw["external_id"].lower())
        return ("name", raw.get("name", "").lower(), raw.get("owner_email", "").lower())
    return tuple(raw.get(k, "").lower() for k in
                 ("date", "producer_email", "type", "prospect_external_id"))


def check_rows(kind: str, headers: list[str], mapping: dict[str, str], rows: list[list[str]],
               lookups: Lookups):
    """Every row judged, in file order (a generator: a 50,000-row file is never held twice)."""
    columns = column_indexes(headers, mapping)
    seen: dict = {}
    check = CHECKS[kind]
    for offset, cells in enumerate(rows):
        raw = row_values(columns, cells)
        values, problems = check(raw, lookups)
        key = file_key(kind, values, raw)
        if key is not None and key in seen:
            problems.append((DUPLICATE, f"{DUPLICATE}: the same as row {seen[key]}."))
        elif key is not None:
            seen[key] = offset + 2
        yield Row(number=offset + 2, cells=cells, values=values, problems=problems)
