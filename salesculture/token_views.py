"""Personal API tokens: one's own on the profile's tokens page (made, shown once, revoked),
and every token of the agency on an owner's settings page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from .access import local_path, owner_required, producer_required
from .api_tokens import (
    api_token_create,
    api_token_get_revocable,
    api_token_revoke,
    api_tokens_of,
    api_tokens_of_agency,
)
from .forms import ApiTokenForm, add_service_errors


@producer_required
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    """Make a token (its secret is on this answer only, never again) and see one's own."""
    producer = request.producer
    form = ApiTokenForm(request.POST or None)
    secret = new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            new_token, secret = api_token_create(producer=producer,
                                                 name=form.cleaned_data["name"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            form = ApiTokenForm()
    status = 400 if form.is_bound and not form.is_valid() else 201 if secret else 200
    return render(request, "salesculture/api_tokens.html", {
        "form": form, "tokens": api_tokens_of(producer), "secret": secret,
        "new_token": new_token}, status=status)


@owner_required
def agency_api_tokens(request):
    """Every token of the agency's people, live ones first, each revocable."""
    return render(request, "salesculture/agency_api_tokens.html",
                  {"tokens": api_tokens_of_agency(request.producer.agency)})


@producer_required
@require_POST
def api_token_revoke_view(request, token_id):
    token = api_token_get_revocable(actor=request.producer, token_id=token_id)
    try:
        api_token_revoke(token=token, actor=request.producer)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Revoked “{token.name}”; it no longer works.")
    return redirect(local_path(request, request.POST.get("next", "")) or "api_tokens")
