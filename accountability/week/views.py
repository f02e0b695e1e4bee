"""My week: a producer's home. Their why, this week's commitments, one-tap activity logging,
wins, next steps due and a line comparing the week with their own last four."""

import datetime as dt
import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from pipeline.done_views import TEMPLATE as DONE_TEMPLATE
from pipeline.done_views import done_apply, done_context, done_form, own_open_prospect
from pipeline.forms import ActivityForm
from pipeline.next_steps import matching_activity_type
from pipeline.reads import (
    active_activity_types_read,
    last_activity_read,
    next_steps_read,
    next_steps_summary_read,
    xdates_near_read,
)
from pipeline.selectors import active_activity_types, activity_get_own, xdates_coming
from pipeline.services import activity_log, activity_undo
from salesculture.access import producer_required
from salesculture.forms import add_service_errors
from salesculture.htmx import reswap, retarget, toast
from salesculture.raw import reads_grouped
from salesculture.weeks import Week, local_now

from ..commitments.presenters import commitment_progress
from ..commitments.selectors import (
    WeekLedger,
    WeekTally,
    commitments_of_weeks_read,
    week_ledger_reads,
    week_tally_reads,
)
from ..confidence.forms import NOTE_MAX_LENGTH
from ..confidence.selectors import check_in_for_week
from ..meetings.selectors import running_meeting_id_read
from ..scorecards.selectors import wins_feed
from .morning import morning_list
from .selectors import comparison, quick_log_buttons, recent_cards

TEMPLATE = "accountability/week/page.html"
# On a phone between appointments the most urgent few come first; the rest fold away.
NEXT_STEPS_LISTED = 12
NEXT_STEPS_FIRST = 5
WINS_FIRST = 5


def _undo_seconds() -> int:
    return settings.SALESCULTURE["UNDO_SECONDS"]


def _log_form(producer, types, data=None) -> ActivityForm:
    return ActivityForm(data, producer=producer, active_types=types,
                        initial={"client_token": uuid.uuid4().hex})


def _read(producer, *, tally: bool = True, wins: bool = True, steps: bool = False,
          only_today: bool = False, meeting: bool = False) -> dict:
    """What the parts of the week asked for read, sent together (one round trip, no ORM query
    to build): this week's tally and the active types (`tally`); the moves that won, the undo
    and the commitments with them (`wins`); the next steps and X-dates (`steps`); the team's
    running meeting (`meeting`)."""
    agency = producer.agency
    week = Week.current(agency).start
    today = local_now(agency).date()
    wins = tally and wins
    groups = {}
    if tally:
        groups["ledger"] = (week_ledger_reads if wins else week_tally_reads)(producer, week)
        groups["types"] = [active_activity_types_read(agency)]
    if wins:
        since = timezone.now() - dt.timedelta(seconds=_undo_seconds())
        groups["undo"] = [last_activity_read(producer, since=since)]
        groups["commitments"] = [commitments_of_weeks_read(producer, [week])]
    if steps:
        groups["steps"] = ([next_steps_read(producer, today=today, limit=NEXT_STEPS_LISTED,
                                            only_today=True),
                            next_steps_summary_read(producer, today=today)] if only_today else
                           [next_steps_read(producer, today=today, limit=NEXT_STEPS_LISTED,
                                            summary=True)])
        groups["near"] = [xdates_near_read(producer, today=today)]
    if meeting:
        groups["meeting"] = [running_meeting_id_read(producer.team_id)]
    read = {name: got[0] if len(got) == 1 else got for name, got in reads_grouped(groups).items()}
    if steps and only_today:  # the filtered list, and the counts of them all read apart
        (listed, _), summary = read["steps"]
        read["steps"] = listed, summary
    if tally:
        read["ledger"] = (WeekLedger if wins else WeekTally)(*read["ledger"])
    read.update(producer=producer, week=week, today=today, only_today=only_today)
    return read


def _week_base(read: dict) -> dict:
    """What every part of the week reads first: the week, its ledger, the active types."""
    ledger = read["ledger"]
    return {"producer": read["producer"], "week": read["week"], "ledger": ledger,
            "wins_total": ledger.wins_total, "activity_types": read["types"]}


def _top_context(read: dict, *, quick_error: str = "", logged=None) -> dict:
    """The top of the week, what a phone paints first: the buttons with this week's counts,
    the undo bar, the commitments' progress and the week's wins."""
    context = _week_base(read)
    ledger, types = context["ledger"], context["activity_types"]
    undo = read["undo"]
    context.update({
        "quick": quick_log_buttons(types, ledger),
        "quick_error": quick_error,
        "logged": logged,
        "undo": undo,
        # The undo button hides itself when the window closes (the server refuses after it).
        "undo_seconds_left": max(0, int(_undo_seconds() - (timezone.now()
                                                            - undo.created_at).total_seconds()))
        if undo else 0,
        "progress": commitment_progress(read["commitments"][read["week"]], ledger),
        "wins": ledger.wins,
        "wins_top": ledger.wins[:WINS_FIRST],
        "wins_more": ledger.wins[WINS_FIRST:],
    })
    return context


def _compare_context(producer, context: dict) -> dict:
    """Adds to a `_week_base` the comparison with the last four weeks and the production card
    (both read from the same scorecards)."""
    week = context["week"]
    cards = recent_cards(producer, week)
    context.update({"compare": comparison(producer, week, context["ledger"], cards=cards),
                    "week_card": cards.get(week)})
    return context


def _live_context(producer, *, form=None, quick_error: str = "", logged=None,
                  steps: bool = False) -> dict:
    """What changes when an activity is logged or undone: counts, progress, the comparison;
    the next steps too with `steps`; and the detailed log form when it is the part swapped
    (`form`): a tap, an undo or a "Done" does not read the prospects the form offers."""
    read = _read(producer, steps=steps)
    context = _compare_context(producer, _top_context(read, quick_error=quick_error,
                                                      logged=logged))
    if steps:
        context.update(_next_steps_context(read))
    if form is not None:
        context["log_form"] = form
    return context


def _next_steps_context(read: dict) -> dict:
    """"Next steps due": today's first and never folded away (they are the day's plan), then
    the most urgent of the rest; `only_today` is the "today" pill used as a filter."""
    today = read["today"]
    steps, summary = read["steps"]
    near = read["near"]
    shown = max(NEXT_STEPS_FIRST, sum(1 for p in steps if p.due_state == "today"))
    return {
        "today": today,
        "only_today": read["only_today"],
        "next_steps": steps,
        "next_steps_top": steps[:shown],
        "next_steps_more": steps[shown:],
        "due_summary": summary,
        # Next to "due today": renewals to reach before the incumbent renews them.
        "xdates": xdates_coming(read["producer"], today=today, near=near),
        "xdates_near": near,
    }


def _page_context(producer, *, only_today: bool = False, whole: bool = False,
                  form=None, quick_error: str = "") -> dict:
    """The page: its top, and the part below the fold only when `whole` (without JavaScript,
    or with a refused form to show); otherwise that part is asked for once it scrolls into
    view (`week_more`)."""
    read = _read(producer, steps=True, only_today=only_today, meeting=True)
    context = _top_context(read, quick_error=quick_error)
    context.update(_next_steps_context(read))
    context.update({
        "whole": whole,
        # "Log this call" after a tap on a phone number (static/js/calls.js).
        "call_type": matching_activity_type("call", context["activity_types"]),
        "call_token": uuid.uuid4().hex,
        # While the team's weekly meeting runs, the week links to the producer's turn.
        "running_meeting_id": read["meeting"],
        # The list shares the next steps read above, unless the "today" filter cut them.
        "morning": morning_list(producer, today=context["today"], counts=context["due_summary"],
                                steps=None if only_today else context["next_steps"],
                                xdates_near=context["xdates_near"]),
    })
    return _more_context(producer, context, form=form) if whole else context


def _more_context(producer, context: dict, *, form=None) -> dict:
    """Adds to a `_week_base` the part below the fold: the comparison, production, the
    detailed log form, confidence and celebrations."""
    _compare_context(producer, context)
    context.update({
        # Not "form": the confidence prompt included on this page reads its own `form`.
        "log_form": form if form is not None else _log_form(producer, context["activity_types"]),
        "celebrations": wins_feed(producer.agency, producer=producer, limit=5),
        "check_in": check_in_for_week(producer, context["week"]),
        "note_max_length": NOTE_MAX_LENGTH,
    })
    return context


@producer_required
def my_week(request):
    only_today = request.GET.get("due") == "today"
    if request.htmx and request.htmx.target == "next-steps":
        # The pill as a filter swaps just the section: its two queries, not the whole page.
        read = _read(request.producer, tally=False, steps=True, only_today=only_today)
        context = {"producer": request.producer, **_next_steps_context(read)}
        return render(request, f"{TEMPLATE}#next_steps", context)
    # Without JavaScript the placeholder's link asks for the whole page.
    whole = request.GET.get("whole") == "1"
    return render(request, TEMPLATE,
                  _page_context(request.producer, only_today=only_today, whole=whole))


@producer_required
def week_more(request):
    """The part of the week below the fold, asked for when it scrolls into view: a producer
    who opens the week to tap a button waits for none of it. The comparison line, which sits
    higher and which each tap updates, comes with it out of band."""
    if not request.htmx:
        return redirect(reverse("accountability:my_week") + "?whole=1#week-more")
    context = _more_context(request.producer, _week_base(_read(request.producer, wins=False)))
    response = render(request, f"{TEMPLATE}#week_more", context)
    response.write(render_to_string(f"{TEMPLATE}#week_compare", {**context, "oob": True},
                                    request=request))
    return response


def _live_response(request, context: dict, main: str, *, text: str = "",
                   status: int = 200) -> HttpResponse:
    """The swapped partial plus the other live parts of the page, swapped out of band."""
    parts = [render_to_string(f"{TEMPLATE}#{main}", context, request=request)]
    oob = {**context, "oob": True}
    for name in ("quick_log", "week_commitments", "week_compare", "week_wins"):
        if name != main:
            parts.append(render_to_string(f"{TEMPLATE}#{name}", oob, request=request))
    response = HttpResponse("".join(parts), status=status)
    return toast(response, text) if text else response


@producer_required
@require_POST
def week_log(request):
    """Log an activity: a one-tap button (type and token) or the short form with details."""
    producer = request.producer
    detailed = "detail" in request.POST
    types = list(active_activity_types(producer.agency))
    form = _log_form(producer, types, request.POST)
    logged = created = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            logged, created = activity_log(
                producer=producer, activity_type=data["activity_type"],
                quantity=data["quantity"], prospect=data.get("prospect"),
                outcome=data["outcome"], note=data["note"],
                client_token=data["client_token"] or None)
        except ValidationError as exc:
            add_service_errors(form, exc)
    if logged is None:
        return _log_refused(request, form, detailed=detailed)
    if created:
        text = f"Logged {logged.quantity} × {logged.activity_type.name}."
    else:
        text = f"Already counted: that {logged.activity_type.name} was logged once."
    if not request.htmx:
        messages.success(request, text)
        return redirect("accountability:my_week")
    context = _live_context(producer, logged=logged,
                            form=_log_form(producer, types) if detailed else None)
    # Logging several with details in a row: the form stays open for the next one.
    context["log_open"] = detailed
    return _live_response(request, context, "log_form" if detailed else "quick_log",
                          text=text if detailed else "")


def _log_refused(request, form: ActivityForm, *, detailed: bool) -> HttpResponse:
    """The detailed form comes back with its messages; a refused tap says why above the
    buttons."""
    error = " ".join(e for errors in form.errors.values() for e in errors)
    kwargs = {"form": form} if detailed else {"quick_error": error}
    if not request.htmx:
        return render(request, TEMPLATE, _page_context(request.producer, whole=True, **kwargs),
                      status=400)
    return _live_response(request, _live_context(request.producer, **kwargs),
                          "log_form" if detailed else "quick_log", status=400)


@producer_required
@require_POST
def week_undo(request, activity_id):
    """Take back the last tap within the undo window; another person's activity is a 404."""
    producer = request.producer
    activity = activity_get_own(producer=producer, activity_id=activity_id)
    error = ""
    try:
        activity_undo(activity=activity, actor=producer)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    text = error or f"Undone: {activity.quantity} × {activity.activity_type.name} taken back."
    if not request.htmx:
        (messages.error if error else messages.success)(request, text)
        return redirect("accountability:my_week")
    context = _live_context(producer, quick_error=error)
    return _live_response(request, context, "quick_log", text="" if error else text)


@producer_required
@require_http_methods(["GET", "POST"])
def week_done(request, prospect_id):
    """"Done" on a next step of My week: the small form in place of its row, then the list,
    the counts and the X-dates as they are now. Another person's prospect is a 404."""
    producer = request.producer
    prospect = own_open_prospect(producer, prospect_id)
    post_url = reverse("accountability:week_done", args=[prospect.pk])
    form = done_form(prospect, request.POST if request.method == "POST" else None)
    text = None
    if request.method == "POST" and form.is_valid():
        text, _ = done_apply(request, prospect, form)
    if text is None:
        context = done_context(prospect, form, "week", post_url=post_url)
        if not request.htmx:
            return render(request, DONE_TEMPLATE, context, status=400 if form.is_bound else 200)
        return render(request, f"{DONE_TEMPLATE}#done_form", context,
                      status=400 if form.is_bound else 200)
    if not request.htmx:
        messages.success(request, text)
        return redirect("accountability:my_week")
    context = _live_context(producer, steps=True)
    # The form stood in for one row; the answer is the whole list, as it is now.
    response = _live_response(request, context, "next_steps", text=text)
    return reswap(retarget(response, "#next-steps"), "outerHTML")
