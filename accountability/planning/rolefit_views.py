from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from salesculture.access import leader_required
from salesculture.forms import add_service_errors

from .forms import RoleForm
from .rolefit import role_fit_get, role_fit_list, role_fit_rules
from .services import role_fit_set_role


@leader_required
def role_fit_page(request):
    """Leaders and owners only: to a producer this page does not exist. A page at a time,
    flagged people first; a page number out of range shows the nearest page."""
    rows, page, flagged_count = role_fit_list(request.producer, page=request.GET.get("page"))
    return render(request, "accountability/planning/rolefit.html", {
        "rows": rows,
        "page": page,
        "flagged_count": flagged_count,
        "rules": role_fit_rules(),
    })


def _detail(request, fit, form, status=200):
    return render(request, "accountability/planning/rolefit_detail.html", {
        "fit": fit, "form": form, "rules": role_fit_rules(),
        "can_change": fit.producer.pk != request.producer.pk,
    }, status=status)


@leader_required
def role_fit_detail(request, producer_id):
    fit = role_fit_get(actor=request.producer, producer_id=producer_id)
    form = RoleForm(actor=request.producer, initial={"role": fit.producer.role})
    return _detail(request, fit, form)


@require_POST
@leader_required
def role_change(request, producer_id):
    fit = role_fit_get(actor=request.producer, producer_id=producer_id)
    form = RoleForm(request.POST, actor=request.producer)
    if form.is_valid():
        try:
            role_fit_set_role(actor=request.producer, producer=fit.producer,
                              role=form.cleaned_data["role"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _role_changed(fit.producer))
            return redirect("accountability:role_fit_detail", producer_id=fit.producer.pk)
    return _detail(request, fit, form, status=400)


def _role_changed(person) -> str:
    if person.sells:
        return (f"{person.name} is a {person.get_role_display().lower()} again and back on the "
                "production board.")
    return (f"{person.name} is now a non-producer: off the production board and meeting turns; "
            "history kept.")
