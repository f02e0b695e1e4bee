"""Stages, activity types, activities and prospects: the pipeline's pages as JSON.

Each operation parses with the page's own form (so a refusal reads the same), then calls the
service the page calls."""

from django.conf import settings
from django.core.exceptions import ValidationError
from ninja import Query, Router, Status

from pipeline import services
from pipeline.details import DETAIL_FIELDS
from pipeline.forms import ActivityForm, AdvanceForm, ProspectForm
from pipeline.models import Activity, Prospect, StageAdvance
from pipeline.presenters import advance_message
from pipeline.selectors import (
    activity_get_own,
    activity_types_of,
    agency_stage_get,
    prospect_get_visible,
    prospects_visible_to,
    stages_for,
)
from salesculture.weeks import local_now

from .errors import ERRORS, check
from .paging import ListFilters, Page, aware, between, id_param, page_of
from .schemas import (
    ActivityIn,
    ActivityLogged,
    ActivityOut,
    ActivityTypeOut,
    AdvanceIn,
    AdvanceOut,
    ProspectIn,
    ProspectOut,
    ProspectPatch,
    StageOut,
)

router = Router(tags=["Pipeline"])

PROSPECT_FIELDS = ("name", "line_of_business", "estimated_revenue", "next_step",
                   "next_step_due", "source")
EDITABLE = (*PROSPECT_FIELDS, *DETAIL_FIELDS)


def _form_data(payload) -> dict:
    """A payload as a form's data: absent values blank, as an empty field would post them."""
    return {name: "" if value is None else value
            for name, value in payload.dict().items()}


# --- stages and activity types ----------------------------------------------------------------

@router.get("/stages", response={200: list[StageOut], **ERRORS}, summary="The pipeline's stages",
            description="The agency's stages in order: open ones, then won and lost.")
def stages(request):
    return list(stages_for(request.agency))


@router.get("/activity-types", response={200: list[ActivityTypeOut], **ERRORS},
            summary="Activity types",
            description="The agency's activity types, retired ones included (is_active false: "
                        "no longer accepted).")
def activity_types(request):
    return list(activity_types_of(request.agency))


# --- activities -------------------------------------------------------------------------------

def _activity(activity: Activity) -> dict:
    return {"id": activity.pk, "activity_type": activity.activity_type,
            "quantity": activity.quantity, "prospect_id": activity.prospect_id,
            "occurred_at": activity.occurred_at, "outcome": activity.outcome,
            "note": activity.note, "client_token": activity.client_token,
            "created_at": activity.created_at}


@router.get("/activities", response={200: Page[ActivityOut], **ERRORS},
            summary="My activities",
            description="Your own activities, newest first, filtered by when they happened.")
def activities(request, filters: Query[ListFilters]):
    producer = request.producer
    rows = between(Activity.objects.filter(producer=producer).select_related("activity_type")
                   .order_by("-occurred_at", "-id"), filters, agency=producer.agency,
                   field="occurred_at")
    return page_of(rows, filters, _activity)


@router.post("/activities", response={200: ActivityLogged, 201: ActivityLogged, **ERRORS},
             summary="Log an activity",
             description="Counts one activity (a call, an appointment…) for you, as the "
                         "quick-log on My week does. Send a `client_token`: a retry with the "
                         "same token answers 200 with the first activity and counts nothing "
                         "more (201: newly counted).")
def activity_log(request, payload: ActivityIn):
    producer = request.producer
    form = ActivityForm(_form_data(payload), producer=producer)
    data = check(form)
    logged, created = services.activity_log(
        producer=producer, activity_type=data["activity_type"], quantity=data["quantity"],
        prospect=data.get("prospect"), outcome=data["outcome"], note=data["note"],
        occurred_at=aware(payload.occurred_at, producer.agency, "occurred_at"),
        client_token=data["client_token"] or None)
    message = (f"Logged {logged.quantity} × {logged.activity_type.name}." if created else
               f"Already counted: that {logged.activity_type.name} was logged once.")
    return Status(201 if created else 200, {"activity": _activity(logged), "created": created,
                                            "message": message})


@router.delete("/activities/{activity_id}", response={204: None, **ERRORS},
               summary="Undo an activity",
               description="Takes back one of your own activities within the undo window "
                           f"({settings.SALESCULTURE['UNDO_SECONDS']} s after it was logged).")
def activity_undo(request, activity_id: int):
    activity = activity_get_own(producer=request.producer, activity_id=activity_id)
    services.activity_undo(activity=activity, actor=request.producer)
    return Status(204, None)


# --- prospects --------------------------------------------------------------------------------

def _prospect(prospect: Prospect) -> dict:
    values = {name: getattr(prospect, name) for name in EDITABLE}
    return {**values, "id": prospect.pk, "owner": {"id": prospect.owner_id,
                                                   "name": prospect.owner.name},
            "stage": prospect.stage, "stage_entered_at": prospect.stage_entered_at,
            "created_at": prospect.created_at, "updated_at": prospect.updated_at}


@router.get("/prospects", response={200: Page[ProspectOut], **ERRORS}, summary="Prospects",
            description="The prospects you may see (yours; a leader's team's; an owner's "
                        "agency's), most recently changed first, filtered by when they last "
                        "changed; `owner` and `stage` narrow the list.")
def prospects(request, filters: Query[ListFilters],
              owner: int | None = id_param("Only this producer's prospects."),
              stage: int | None = id_param("Only the prospects in this stage.")):
    rows = prospects_visible_to(request.producer).order_by("-updated_at", "-id")
    if owner is not None:
        rows = rows.filter(owner_id=owner)
    if stage is not None:
        rows = rows.filter(stage_id=stage)
    rows = between(rows, filters, agency=request.agency, field="updated_at")
    return page_of(rows, filters, _prospect)


@router.post("/prospects", response={200: ProspectOut, 201: ProspectOut, **ERRORS},
             summary="Add a prospect",
             description="A new prospect on your board (201). The same `client_token` sent "
                         "again answers the first prospect (200).")
def prospect_create(request, payload: ProspectIn):
    producer = request.producer
    form = ProspectForm(_form_data(payload), agency=producer.agency,
                        today=local_now(producer.agency).date())
    if payload.stage is None:
        del form.fields["stage"]  # the service puts it in the first open stage
    data = check(form)
    token = data["client_token"] or None
    known = token and Prospect.all_objects.filter(agency=producer.agency,
                                                  client_token=token).exists()
    prospect = services.prospect_create(
        owner=producer, actor=producer, name=data["name"], stage=data.get("stage"),
        line_of_business=data["line_of_business"], estimated_revenue=data["estimated_revenue"],
        next_step=data["next_step"], next_step_due=data["next_step_due"],
        source=data["source"], client_token=token, details=form.details())
    if prospect.owner_id != producer.pk or prospect.deleted_at is not None:
        # The key named someone else's prospect, or one deleted since: never shown here.
        raise ValidationError({"client_token": "This key was used for another prospect; "
                                               "send a new one."})
    return Status(200 if known else 201, _prospect(prospect))


@router.get("/prospects/{prospect_id}", response={200: ProspectOut, **ERRORS},
            summary="A prospect")
def prospect_detail(request, prospect_id: int):
    return _prospect(prospect_get_visible(actor=request.producer, prospect_id=prospect_id))


@router.patch("/prospects/{prospect_id}", response={200: ProspectOut, **ERRORS},
              summary="Edit a prospect",
              description="Changes the fields sent, as the prospect's edit page does; the "
                          "stage changes only by an advance.")
def prospect_update(request, prospect_id: int, payload: ProspectPatch):
    prospect = prospect_get_visible(actor=request.producer, prospect_id=prospect_id)
    sent = payload.dict(exclude_unset=True)
    data = {name: sent[name] if name in sent else getattr(prospect, name)
            for name in EDITABLE}
    form = ProspectForm({k: "" if v is None else v for k, v in data.items()},
                        agency=prospect.agency, today=local_now(prospect.agency).date(),
                        editing=prospect)
    data = check(form)
    services.prospect_update(prospect=prospect, actor=request.producer,
                             **{name: data[name] for name in PROSPECT_FIELDS},
                             details=form.details())
    return _prospect(prospect)


@router.post("/prospects/{prospect_id}/advance", response={200: AdvanceOut, **ERRORS},
             summary="Move a prospect to another stage",
             description="Moves the prospect from `expected_stage` (where you saw it) to "
                         "`to_stage`, as the Move button does; refused when it is elsewhere "
                         "now, so a retry never moves it twice. `wins` says how many stage "
                         "wins the move earned (a skip wins each stage it reaches for the "
                         "first time; 0 when it had been this far before).")
def prospect_advance(request, prospect_id: int, payload: AdvanceIn):
    prospect = prospect_get_visible(actor=request.producer, prospect_id=prospect_id)
    form = AdvanceForm(_form_data(payload), prospect=prospect,
                       today=local_now(prospect.agency).date())
    data = check(form)
    advance: StageAdvance = services.prospect_advance(
        prospect=prospect, to_stage=data["to_stage"], actor=request.producer, note=data["note"],
        next_step=data["next_step"], next_step_due=data["next_step_due"],
        lost_reason=data["lost_reason"], definition_confirmed=data["definition_confirmed"],
        expected_stage=agency_stage_get(agency=prospect.agency,
                                        stage_id=data["expected_stage"]))
    message, _ = advance_message(prospect, advance)
    return {"id": advance.pk, "prospect": _prospect(prospect), "from_stage": advance.from_stage,
            "to_stage": advance.to_stage, "occurred_at": advance.occurred_at,
            "wins": advance.wins,
            "stages_won": [win.stage for win in advance.stage_wins.select_related("stage")
                           .order_by("stage__position")],
            "message": message}
