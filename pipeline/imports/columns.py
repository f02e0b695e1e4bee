"""The columns each kind of import reads, and how a file's headers are matched to them: pure.

A mapping is {field key: header}, the header as written in the file ("" leaves the field
out). It is guessed from the headers' names and can be changed on the preview page."""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    required: bool = False
    aliases: tuple[str, ...] = ()


FIELDS: dict[str, tuple[Field, ...]] = {
    "people": (
        Field("name", "Name", True, ("full name", "producer", "person")),
        Field("email", "Email", True, ("e-mail", "email address", "login")),
        Field("role", "Role", aliases=("position", "title")),
        Field("team", "Team", aliases=("team name", "group")),
        Field("goal", "Annual goal", aliases=("goal", "annual goal", "new revenue goal")),
    ),
    "prospects": (
        Field("name", "Name", True, ("prospect", "prospect name", "client", "account",
                                     "company", "insured")),
        Field("owner_email", "Owner email", True, ("owner", "producer", "producer email",
                                                   "email", "assigned to")),
        Field("stage", "Stage", aliases=("status", "pipeline stage")),
        Field("line_of_business", "Line of business", aliases=("line", "lob", "business line")),
        Field("estimated_revenue", "Estimated revenue", aliases=(
            "revenue", "estimated annual revenue", "commission", "value")),
        Field("source", "Source", aliases=("lead source", "referral source")),
        Field("next_step", "Next step", aliases=("next action", "todo")),
        Field("next_step_due", "Next step due", aliases=(
            "next step date", "due", "due date", "next step due date", "follow up date")),
        Field("external_id", "External id", aliases=("id", "external id", "crm id",
                                                     "record id", "prospect id")),
        # What an insurance producer knows (issue 15); after "Owner email", which takes a
        # lone "Email" column first.
        Field("client_type", "Household or business", aliases=(
            "client type", "type", "household business", "personal commercial")),
        Field("contact_name", "Contact name", aliases=("contact", "primary contact",
                                                       "insured name", "first last")),
        Field("phone", "Phone", aliases=("phone number", "telephone", "mobile", "cell",
                                         "contact phone")),
        Field("email", "Email", aliases=("contact email", "e mail", "email address")),
        Field("current_carrier", "Current carrier", aliases=("carrier", "incumbent",
                                                             "current company", "writing carrier")),
        Field("current_premium", "Current premium", aliases=("current annual premium",
                                                             "expiring premium")),
        Field("premium", "Premium", aliases=("premium quoted", "quoted premium",
                                             "annual premium", "new premium")),
        Field("x_date", "X-date", aliases=("x date", "xdate", "renewal date", "renewal",
                                           "expiration date", "expiration", "policy expiration")),
    ),
    "activities": (
        Field("date", "Date", True, ("day", "activity date", "when", "occurred")),
        Field("producer_email", "Producer email", True, ("producer", "email", "owner",
                                                         "owner email")),
        Field("type", "Type", True, ("activity", "activity type", "kind")),
        Field("quantity", "Quantity", aliases=("count", "qty", "number", "how many")),
        Field("prospect_external_id", "Prospect external id", aliases=(
            "prospect id", "prospect", "external id")),
        Field("note", "Note", aliases=("notes", "comment", "description")),
    ),
}


def normalise(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", header.lower()).strip()


def guess_mapping(kind: str, headers: list[str]) -> dict[str, str]:
    """Each field's column: the header that names it exactly, else one of its usual names.
    A column serves one field; fields are matched in order, so "email" goes to the first
    field that takes it."""
    by_name = {normalise(h): h for h in reversed(headers) if h}
    mapping, used = {}, set()
    for field in FIELDS[kind]:
        for name in (field.key.replace("_", " "), normalise(field.label), *field.aliases):
            header = by_name.get(normalise(name))
            if header is not None and header not in used:
                mapping[field.key] = header
                used.add(header)
                break
        else:
            mapping[field.key] = ""
    return mapping


def mapping_clean(kind: str, headers: list[str], chosen: dict[str, str]) -> dict[str, str]:
    """A mapping as posted from the preview page, kept to the file's headers (anything else,
    a stale or forged value, leaves the field out)."""
    known = set(headers)
    return {f.key: (chosen.get(f.key) if chosen.get(f.key) in known else "")
            for f in FIELDS[kind]}


def missing_fields(kind: str, mapping: dict[str, str]) -> list[str]:
    """Labels of the required fields no column is mapped to."""
    return [f.label for f in FIELDS[kind] if f.required and not mapping.get(f.key)]


def column_indexes(headers: list[str], mapping: dict[str, str]) -> dict[str, int | None]:
    """Each field's position in a row (None: not imported), to read rows by field key."""
    index = {h: i for i, h in reversed(list(enumerate(headers)))}
    return {key: index.get(header) for key, header in mapping.items()}


def row_values(columns: dict[str, int | None], row: list[str]) -> dict[str, str]:
    return {key: ("" if i is None else row[i]) for key, i in columns.items()}
