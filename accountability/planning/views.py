from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from salesculture.access import local_path, producer_required
from salesculture.forms import add_service_errors
from salesculture.selectors import producer_get_visible
from salesculture.services import producer_update_profile

from .forms import GoalForm, WhyForm
from .presenters import plan_page_for
from .services import goal_plan_refresh_if_stale, goal_set


@producer_required
def plan_page(request, producer_id=None):
    """A producer's plan: their own at /plan/, a team member's (leaders, owners) by id."""
    actor = request.producer
    producer = actor if producer_id is None else producer_get_visible(actor=actor,
                                                                        producer_id=producer_id)
    is_own = producer.pk == actor.pk
    if request.method != "POST":
        return _render_plan(request, producer, is_own, GoalForm.for_producer(producer))
    if not is_own:
        return redirect("accountability:plan_of", producer_id=producer.pk)
    form = GoalForm(request.POST, agency=actor.agency)
    if form.is_valid():
        try:
            goal_set(producer=producer, annual_goal=form.cleaned_data["annual_goal"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Goal set to ${producer.annual_goal:,.0f}; "
                                      "your plan is recomputed.")
            return redirect("accountability:plan")
    return _render_plan(request, producer, is_own, form, status=400)


def _render_plan(request, producer, is_own, form, status=200):
    plan = goal_plan_refresh_if_stale(producer=producer)
    return render(request, "accountability/planning/plan.html", {
        "page": plan_page_for(plan=plan, producer=producer, is_own=is_own),
        "form": form,
    }, status=status)


WHY_EXAMPLES = [
    "Paying off my parents' mortgage so they can finally retire.",
    "Freedom to coach my son's baseball team every spring.",
    "Small business owners protected me when I was a kid; I return the favour.",
]


@producer_required
def welcome(request):
    """Onboarding: a producer without a why is asked for one before anything else."""
    producer = request.producer
    next_url = local_path(request, request.POST.get("next") or request.GET.get("next") or "")
    status = 200
    form = WhyForm(initial={"why": producer.why})
    if request.method == "POST":
        form = WhyForm(request.POST)
        if form.is_valid():
            producer_update_profile(producer=producer, why=form.cleaned_data["why"],
                                    annual_goal=producer.annual_goal,
                                    digest_enabled=producer.digest_enabled)
            messages.success(request, "Thank you. Your why now sits at the top of your week.")
            return redirect(next_url or "home")
        status = 400
    return render(request, "accountability/planning/welcome.html", {
        "form": form, "next": next_url, "examples": WHY_EXAMPLES, "producer": producer,
    }, status=status)


