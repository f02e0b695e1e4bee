"""What the API reads and answers, with an example each (shown in the OpenAPI document)."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema


def example(**values) -> dict:
    return {"json_schema_extra": {"examples": [values]}}


def example_of(schema) -> dict:
    """A schema's example, to build the examples of the schemas holding it."""
    return schema.model_config["json_schema_extra"]["examples"][0]


class Ref(Schema):
    id: int
    name: str

    model_config = example(id=12, name="Pat Producer")


class StageOut(Schema):
    id: int
    name: str
    kind: str = Field(description="open, won or lost")
    position: int
    definition_of_done: str

    model_config = example(id=3, name="Quoted", kind="open", position=30,
                           definition_of_done="A written quote was sent.")


class ActivityTypeOut(Schema):
    id: int
    name: str
    icon: str
    is_active: bool

    model_config = example(id=1, name="Call", icon="📞", is_active=True)


# --- activities -------------------------------------------------------------------------------

class ActivityIn(Schema):
    activity_type: int = Field(description="An activity type id of your agency (GET "
                                           "/activity-types).")
    quantity: int = 1
    prospect: int | None = Field(None, description="One of your own prospects, if any.")
    outcome: str = Field("", description="connected, no_answer, left_message, booked, "
                                        "not_interested or follow_up (optional)")
    note: str = ""
    occurred_at: dt.datetime | None = Field(
        None, description="When it happened (this week or last); default: now.")
    client_token: str | None = Field(
        None, max_length=64,
        description="Your own key for this call (e.g. the dialer's call id): sending the same "
                    "key again answers the first activity instead of counting it twice.")

    model_config = example(activity_type=1, quantity=1, prospect=42, outcome="connected",
                           note="Talked about the umbrella policy",
                           client_token="dialer-call-98231")


class ActivityOut(Schema):
    id: int
    activity_type: Ref
    quantity: int
    prospect_id: int | None
    occurred_at: dt.datetime
    outcome: str
    note: str
    client_token: str | None
    created_at: dt.datetime

    model_config = example(id=901, activity_type={"id": 1, "name": "Call"}, quantity=1,
                           prospect_id=42, occurred_at="2026-11-24T15:02:00Z",
                           outcome="connected", note="", client_token="dialer-call-98231",
                           created_at="2026-11-24T15:02:01Z")


class ActivityLogged(Schema):
    activity: ActivityOut
    created: bool = Field(description="False when the client token had been seen: counted once.")
    message: str

    model_config = example(activity=example_of(ActivityOut),
                           created=True, message="Logged 1 × Call.")


# --- prospects --------------------------------------------------------------------------------

INSURANCE_EXAMPLE = {"client_type": "business", "contact_name": "Dana Reyes",
                     "phone": "(312) 555-0142", "email": "dana@acmeroofing.example",
                     "current_carrier": "Travelers", "current_premium": "18400.00",
                     "premium": "16900.00", "x_date": "2027-01-15"}


class ProspectIn(Schema):
    name: str
    line_of_business: str = Field("personal", description="personal, commercial, life or "
                                                          "benefits")
    estimated_revenue: Decimal = Field(Decimal(0), description="Estimated annual revenue ($).")
    stage: int | None = Field(None, description="An open stage; default: the first.")
    next_step: str = ""
    next_step_due: dt.date | None = None
    source: str = ""
    client_type: str = Field("household", description="household or business")
    contact_name: str = ""
    phone: str = Field("", description="Digits with the usual separators, 7 to 15 digits.")
    email: str = ""
    current_carrier: str = ""
    current_premium: Decimal | None = Field(None, description="What they pay now, a year ($).")
    premium: Decimal | None = Field(None, description="Annual premium quoted ($).")
    x_date: dt.date | None = Field(None, description="When the current policy renews.")
    client_token: str | None = Field(None, max_length=64,
                                     description="Your key: sent twice, one prospect.")

    model_config = example(name="Acme Roofing", line_of_business="commercial",
                           estimated_revenue="4200.00", next_step="Call to set the appointment",
                           next_step_due="2026-11-26", source="Referral", **INSURANCE_EXAMPLE,
                           client_token="crm-lead-5521")


class ProspectPatch(Schema):
    """Only the fields sent change; the stage changes only by an advance."""

    name: str | None = None
    line_of_business: str | None = None
    estimated_revenue: Decimal | None = None
    next_step: str | None = None
    next_step_due: dt.date | None = None
    source: str | None = None
    client_type: str | None = None
    contact_name: str | None = None
    phone: str | None = None
    email: str | None = None
    current_carrier: str | None = None
    current_premium: Decimal | None = None
    premium: Decimal | None = None
    x_date: dt.date | None = None

    model_config = example(next_step="Send the quote", next_step_due="2026-11-27",
                           x_date="2027-01-15")


class ProspectOut(Schema):
    id: int
    name: str
    owner: Ref
    stage: Ref
    line_of_business: str
    estimated_revenue: Decimal
    next_step: str
    next_step_due: dt.date | None
    source: str
    client_type: str = Field(description="household or business")
    contact_name: str
    phone: str
    email: str
    current_carrier: str
    current_premium: Decimal | None
    premium: Decimal | None = Field(description="Annual premium quoted ($).")
    x_date: dt.date | None = Field(description="When the current policy renews.")
    stage_entered_at: dt.datetime
    created_at: dt.datetime
    updated_at: dt.datetime

    model_config = example(id=42, name="Acme Roofing", owner={"id": 12, "name": "Pat Producer"},
                           stage={"id": 3, "name": "Quoted"}, line_of_business="commercial",
                           estimated_revenue="4200.00", next_step="Send the quote",
                           next_step_due="2026-11-27", source="Referral", **INSURANCE_EXAMPLE,
                           stage_entered_at="2026-11-24T15:02:00Z",
                           created_at="2026-11-20T10:00:00Z", updated_at="2026-11-24T15:02:00Z")


class AdvanceIn(Schema):
    to_stage: int
    expected_stage: int = Field(description="The stage you saw the prospect in: the move "
                                            "applies only from there, so a retry never moves it "
                                            "twice.")
    next_step: str = Field("", description="Required when moving to an open stage.")
    next_step_due: dt.date | None = Field(None, description="Required with an open stage.")
    lost_reason: str = Field("", description="Required when moving to Lost.")
    note: str = ""
    definition_confirmed: bool = False

    model_config = example(to_stage=4, expected_stage=3, next_step="Review the quote together",
                           next_step_due="2026-11-28", note="They liked the price")


class AdvanceOut(Schema):
    id: int
    prospect: ProspectOut
    from_stage: Ref
    to_stage: Ref
    occurred_at: dt.datetime
    wins: int = Field(description="Stages this move reached for the first time (0: no new win).")
    stages_won: list[Ref]
    message: str

    model_config = example(
        id=77, prospect=example_of(ProspectOut), from_stage={"id": 3, "name": "Quoted"},
        to_stage={"id": 4, "name": "Presented"}, occurred_at="2026-11-24T16:00:00Z", wins=1,
        stages_won=[{"id": 4, "name": "Presented"}],
        message="🎉 Win! Acme Roofing moved to Presented. Success is the next step.")


# --- the numbers ------------------------------------------------------------------------------

class CommitmentOut(Schema):
    id: int
    kind: str = Field(description="activity, stage_wins or specific")
    description: str
    target: int
    actual: int
    kept: bool
    planned_ahead: bool

    model_config = example(id=310, kind="activity", description="20 × Call", target=20,
                           actual=14, kept=False, planned_ahead=True)


class CountOut(Schema):
    activity_type: Ref
    count: int

    model_config = example(activity_type={"id": 1, "name": "Call"}, count=14)


class WeekOut(Schema):
    producer: Ref
    week_start: dt.date
    activities: list[CountOut]
    activities_total: int
    wins_total: int
    commitments: list[CommitmentOut]

    model_config = example(
        producer={"id": 12, "name": "Pat Producer"}, week_start="2026-11-23",
        activities=[example_of(CountOut)],
        activities_total=14, wins_total=2,
        commitments=[example_of(CommitmentOut)])


class ScorecardOut(Schema):
    producer: Ref
    week_start: dt.date
    activities_total: int
    activity_counts: dict[str, int] = Field(description="{activity type id: count}")
    wins: int
    wins_by_stage: dict[str, int] = Field(description="{stage id: wins into it}")
    commitments_total: int
    commitments_kept: int
    pipeline_open_count: int
    pipeline_open_value: Decimal
    is_final: bool

    model_config = example(producer={"id": 12, "name": "Pat Producer"}, week_start="2026-11-16",
                           activities_total=61, activity_counts={"1": 40, "2": 21}, wins=5,
                           wins_by_stage={"3": 3, "4": 2}, commitments_total=3,
                           commitments_kept=2, pipeline_open_count=18,
                           pipeline_open_value="52300.00", is_final=True)


class TeamRow(Schema):
    producer: Ref
    team: Ref | None
    role: str
    card: ScorecardOut | None = Field(description="None: no scorecard for that week yet.")

    model_config = example(producer={"id": 12, "name": "Pat Producer"},
                           team={"id": 2, "name": "North"}, role="producer",
                           card=example_of(ScorecardOut))


class TeamScorecardOut(Schema):
    week_start: dt.date
    team: Ref | None = Field(description="None: the whole agency (owners).")
    rows: list[TeamRow]

    model_config = example(week_start="2026-11-23", team={"id": 2, "name": "North"},
                           rows=[example_of(TeamRow)])


class WinOut(Schema):
    id: int = Field(description="The stage advance's id.")
    producer: Ref
    prospect: Ref
    to_stage: Ref
    occurred_at: dt.datetime
    wins: int
    stages_won: list[Ref]

    model_config = example(id=77, producer={"id": 12, "name": "Pat Producer"},
                           prospect={"id": 42, "name": "Acme Roofing"},
                           to_stage={"id": 4, "name": "Presented"},
                           occurred_at="2026-11-24T16:00:00Z", wins=1,
                           stages_won=[{"id": 4, "name": "Presented"}])


class TargetsIn(Schema):
    week: str = Field("next", description="next (planned ahead) or this (late).")
    activities: dict[int, int] = Field(
        default_factory=dict, description="{activity type id: calls a week}; 0 removes.")
    stage_wins: dict[str, int] = Field(
        default_factory=dict, description="{stage id, or \"any\": wins a week}; 0 removes.")

    model_config = example(week="next", activities={"1": 25, "2": 5},
                           stage_wins={"any": 4, "4": 2})


class TargetsOut(Schema):
    week_start: dt.date
    added: int
    changed: int
    removed: int
    commitments: list[CommitmentOut]
    message: str

    model_config = example(
        week_start="2026-11-30", added=2, changed=1, removed=0,
        commitments=[example_of(CommitmentOut)],
        message="Commitments for the week of Nov 30 saved (2 added, 1 changed); planned ahead.")
