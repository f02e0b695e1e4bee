from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from salesculture.access import producer_required
from salesculture.selectors import producer_get_visible
from salesculture.services import producer_update_profile

from ..commitments.services import MAX_TARGET
from .forms import GoalForm, WhyForm
from .selectors import commitments_proposal, goal_plan_for, plan_result_from, rules
from .services import goal_plan_is_stale, goal_plan_refresh, goal_set

# Until the commitments page exists its url name does not resolve; the link still points where
# it will live, so the plan can already propose commitments.
COMMITMENTS_FALLBACK = "/commitments/"


def commitments_url(proposal: dict[str, int]) -> str:
    try:
        base = reverse("accountability:commitments")
    except NoReverseMatch:
        base = COMMITMENTS_FALLBACK
    return f"{base}?{urlencode(proposal)}" if proposal else base


@producer_required
def plan_page(request, producer_id=None):
    """A producer's plan: their own at /plan/, a team member's (leaders, owners) by id."""
    actor = request.producer
    producer = actor if producer_id is None else producer_get_visible(actor=actor,
                                                                        producer_id=producer_id)
    is_own = producer.pk == actor.pk
    initial = f"{producer.annual_goal:.0f}" if producer.annual_goal > 0 else ""
    form = GoalForm(agency=actor.agency, initial={"annual_goal": initial})
    if request.method == "POST":
        if not is_own:
            return redirect("accountability:plan_of", producer_id=producer.pk)
        form = GoalForm(request.POST, agency=actor.agency)
        if form.is_valid():
            try:
                goal_set(producer=producer, annual_goal=form.cleaned_data["annual_goal"])
            except ValidationError as error:
                form.add_error("annual_goal", error.messages)
            else:
                messages.success(request, f"Goal set to ${producer.annual_goal:,.0f}; "
                                          "your plan is recomputed.")
                return redirect("accountability:plan")
    year = timezone.now().astimezone(actor.agency.tz).year
    plan = goal_plan_for(producer, year)
    if goal_plan_is_stale(plan, producer):
        # The stored plan is a daily cache of the ledgers; refreshing it on view keeps every
        # producer's label current for the team page without a separate job.
        plan = goal_plan_refresh(producer=producer)
    result = plan_result_from(plan)
    proposal = (commitments_proposal(result, cap=MAX_TARGET) if is_own and producer.sells
                else {})
    return render(request, "accountability/planning/plan.html", {
        "producer": producer,
        "is_own": is_own,
        "plan": plan,
        "result": result,
        "form": form,
        "proposal_url": commitments_url(proposal) if proposal else "",
        "rules": rules(),
    })


WHY_EXAMPLES = [
    "Paying off my parents' mortgage so they can finally retire.",
    "Freedom to coach my son's baseball team every spring.",
    "Small business owners protected me when I was a kid; I return the favour.",
]


@producer_required
def welcome(request):
    """Onboarding: a producer without a why is asked for one before anything else."""
    producer = request.producer
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    # Only a path of this site: `redirect()` would take a bare word for a url name (a 500).
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    form = WhyForm(initial={"why": producer.why})
    if request.method == "POST":
        form = WhyForm(request.POST)
        if form.is_valid():
            producer_update_profile(producer=producer, why=form.cleaned_data["why"],
                                    annual_goal=producer.annual_goal,
                                    digest_enabled=producer.digest_enabled)
            messages.success(request, "Thank you. Your why now sits at the top of your week.")
            return redirect(next_url or "home")
    return render(request, "accountability/planning/welcome.html", {
        "form": form, "next": next_url, "examples": WHY_EXAMPLES, "producer": producer})
